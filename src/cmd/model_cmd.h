/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_MODEL_CMD_H
#define __LRUTOP_MODEL_CMD_H

/* lrutop model (--memcgs N --mounts M --nodes K | --from SNAPSHOT | --cover-letter) [-j] */
int model_main(int argc, char **argv);

#endif
