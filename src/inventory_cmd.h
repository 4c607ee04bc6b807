/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_INVENTORY_CMD_H
#define __LRUTOP_INVENTORY_CMD_H

#include <jansson.h>

struct inventory;

/* The inventory as JSON: totals, the walk, the first rows memcgs and list_lrus (0: all). */
json_t *inventory_json(const struct inventory *inv, unsigned long rows);
/* lrutop inventory [-j] [-l] [-r N] */
int inventory_main(int argc, char **argv);

#endif
