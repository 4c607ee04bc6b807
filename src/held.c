// SPDX-License-Identifier: GPL-2.0
/*
 * The inventory in the live view: what the kernel's list_lrus hold now, walked every
 * --inventory-interval seconds and joined to the memcg rows (HELD, EMPTY). A memcg that
 * made its lists before lrutop started has no flow counters, but holds lists: it gets a row.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collect.h"
#include "held.h"

void held_open(struct lrutop_state *s, double interval_s)
{
	s->inv_interval_s = interval_s;
	if (!interval_s) {
		snprintf(s->inv_why, sizeof(s->inv_why), "--inventory-interval 0");
		return;
	}
	if (inventory_walker_open(s->plan, &s->inv_walker, s->inv_why, sizeof(s->inv_why)))
		s->inv_walker = NULL;
}

static int row_by_cgid(const void *a, const void *b)
{
	const struct inv_memcg_row *x = a, *y = b;

	return (x->cgid > y->cgid) - (x->cgid < y->cgid);
}

/* Each row's held lists from the pass (sorted by cgid): 0 for a memcg that holds none. */
static int join_rows(struct lrutop_state *s)
{
	struct inventory *inv = &s->inv;
	struct inv_memcg_row key, *m;
	uint64_t *ids;
	size_t n = 0;
	int err;

	qsort(inv->memcgs, inv->nr_memcgs, sizeof(*inv->memcgs), row_by_cgid);
	ids = malloc((inv->nr_memcgs ? inv->nr_memcgs : 1) * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < inv->nr_memcgs; i++) {
		if (inv->memcgs[i].cgid)
			ids[n++] = inv->memcgs[i].cgid;
	}
	err = memcg_table_add(&s->memcgs, ids, n);
	free(ids);
	for (size_t i = 0; !err && i < s->memcgs.nr; i++) {
		struct memcg_row *r = &s->memcgs.rows[i];

		key.cgid = r->cgid;
		m = bsearch(&key, inv->memcgs, inv->nr_memcgs, sizeof(key), row_by_cgid);
		r->held = m ? m->lists : 0;
		r->held_empty = m ? m->empty : 0;
	}
	return err;
}

void held_refresh(struct lrutop_state *s, double now)
{
	if (!s->inv_walker || (s->inv_valid && now - s->inv_at < s->inv_interval_s))
		return;
	inventory_free(&s->inv);
	s->inv_valid = !inventory_take(s->inv_walker, &s->inv, s->inv_why, sizeof(s->inv_why));
	s->inv_at = now;
	if (s->inv_valid && join_rows(s))
		s->inv_valid = false;
}

void held_close(struct lrutop_state *s)
{
	inventory_free(&s->inv);
	inventory_walker_close(s->inv_walker);
	s->inv_walker = NULL;
	s->inv_valid = false;
}
