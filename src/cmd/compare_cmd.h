/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_COMPARE_CMD_H
#define __LRUTOP_COMPARE_CMD_H

/* lrutop compare A.json B.json [A2.json B2.json ...] [--svg FILE] [--check PCT] */
int compare_main(int argc, char **argv);

#endif
