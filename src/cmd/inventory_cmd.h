/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_INVENTORY_CMD_H
#define __LRUTOP_INVENTORY_CMD_H

/* lrutop inventory [-j] [-l] [-r N] */
int inventory_main(int argc, char **argv);

#endif
