/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_INVENTORY_JSON_H
#define __LRUTOP_INVENTORY_JSON_H

#include <jansson.h>

struct inventory;

/* The pass in short: layout, totals and the walk's cost. */
json_t *inventory_summary_json(const struct inventory *inv);
/* The summary with the first rows memcgs and list_lrus (0: all). */
json_t *inventory_json(const struct inventory *inv, unsigned long rows);

#endif
