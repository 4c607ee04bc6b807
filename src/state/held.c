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
#include "held.h"
#include "state.h"

void held_open(struct lrutop_state *s, double interval_s)
{
	struct held *h = &s->held;

	h->interval_s = interval_s;
	if (!interval_s) {
		snprintf(h->why, sizeof(h->why), "--inventory-interval 0");
		return;
	}
	if (inventory_walker_open(s->k.plan, &h->walker, h->why, sizeof(h->why)))
		h->walker = NULL;
}

static int row_by_cgid(const void *a, const void *b)
{
	const struct inv_memcg_row *x = a, *y = b;

	return (x->cgid > y->cgid) - (x->cgid < y->cgid);
}

/* Each row's held lists from the pass (sorted by cgid): 0 for a memcg that holds none. */
static int join_rows(struct lrutop_state *s)
{
	struct inventory *inv = &s->held.inv;
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
		r->held_bytes = m ? m->bytes : 0;
		r->held_empty = m ? m->empty : 0;
	}
	return err;
}

void held_refresh(struct lrutop_state *s, double now)
{
	struct held *h = &s->held;

	if (!h->walker || (h->valid && now - h->at < h->interval_s))
		return;
	inventory_free(&h->inv);
	h->valid = !inventory_take(h->walker, &h->inv, h->why, sizeof(h->why));
	h->at = now;
	if (h->valid && join_rows(s))
		h->valid = false;
}

void held_close(struct lrutop_state *s)
{
	inventory_free(&s->held.inv);
	inventory_walker_close(s->held.walker);
	s->held.walker = NULL;
	s->held.valid = false;
}
