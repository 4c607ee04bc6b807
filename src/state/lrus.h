/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_LRUS_H
#define __LRUTOP_LRUS_H

#include <linux/types.h>

struct lrutop_state;
struct lru_row;

/* The list_lru rows from the tracer's last read of its per-lru map (kept sorted). */
int lrus_update(struct lrutop_state *s);
/* Distinct list_lrus per memcg and memcgs per list_lru, from the last read of the pairs. */
void lrus_join_pairs(struct lrutop_state *s);
struct lru_row *lrus_find(const struct lrutop_state *s, __u64 lru);
void lrus_free(struct lrutop_state *s);

#endif
