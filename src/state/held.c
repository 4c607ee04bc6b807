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
#include "lib/lru_kinds.h"
#include "memcgs.h"
#include "state.h"

static void *preload_walker(void *arg)
{
	struct held_preload *p = arg;

	p->err = inventory_walker_open(p->plan, &p->walker, p->why, sizeof(p->why));
	__atomic_store_n(&p->done, true, __ATOMIC_RELEASE);
	return NULL;
}

void held_preload(struct held_preload *p, const struct probe_plan *plan)
{
	memset(p, 0, sizeof(*p));
	p->plan = plan;
	p->started = !pthread_create(&p->thread, NULL, preload_walker, p);
}

/* The preload's walker once it is loaded; NULL if it failed (why says why). */
static struct inventory_walker *preload_join(struct held_preload *p)
{
	pthread_join(p->thread, NULL);
	p->started = false;
	return p->err ? NULL : p->walker;
}

void held_preload_drop(struct held_preload *p)
{
	if (p->started)
		inventory_walker_close(preload_join(p));
}

void held_open(struct lrutop_state *s, double interval_s, struct held_preload *p)
{
	struct held_lists *h = &s->held;

	h->interval_s = interval_s;
	if (!interval_s) {
		if (p)
			held_preload_drop(p);
		snprintf(h->why, sizeof(h->why), "--inventory-interval 0");
		return;
	}
	if (p && p->started)
		h->loading = p;	/* taken at the first pass, after the first interval */
	else if (inventory_walker_open(s->kernel.plan, &h->walker, h->why, sizeof(h->why)))
		h->walker = NULL;
}

/*
 * The preloaded walker, once it is loaded; at the baseline refresh, only if it already is:
 * the first interval gives it time, and the first report has it.
 */
static void take_preload(struct lrutop_state *s, bool wait)
{
	struct held_lists *h = &s->held;

	if (!h->loading)
		return;
	if (!wait && !__atomic_load_n(&h->loading->done, __ATOMIC_ACQUIRE)) {
		snprintf(h->why, sizeof(h->why), "the inventory's programs are loading");
		return;
	}
	if (h->loading->started) {
		h->walker = preload_join(h->loading);
		snprintf(h->why, sizeof(h->why), "%s", h->loading->why);
	}
	h->loading = NULL;
}

void held_wait(struct lrutop_state *s)
{
	take_preload(s, true);
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
	struct held_lists *h = &s->held;

	take_preload(s, s->refreshes > 0);
	if (!h->walker || (h->valid && !h->due && now - h->at < h->interval_s))
		return;
	h->due = false;
	inventory_free(&h->inv);
	/* The paths the rows resolve against, walked once for both. */
	h->valid = !inventory_take(h->walker, memcgs_index(s), &h->inv, h->why, sizeof(h->why));
	h->at = now;
	if (h->valid && join_rows(s))
		h->valid = false;
}

void held_focus(struct lrutop_state *s, __u64 cgid, __u64 lru, double now)
{
	if (!s->held.walker)
		return;
	inventory_focus(s->held.walker, cgid, lru);
	s->held.due = true;
	held_refresh(s, now);
}

void held_close(struct lrutop_state *s)
{
	if (s->held.loading)
		held_preload_drop(s->held.loading);
	s->held.loading = NULL;
	inventory_free(&s->held.inv);
	inventory_walker_close(s->held.walker);
	s->held.walker = NULL;
	s->held.valid = false;
}

void held_by_kind(const struct inventory *inv, __u64 *lists, __u64 *bytes)
{
	memset(lists, 0, NR_LRUTOP_LRU_KINDS * sizeof(*lists));
	memset(bytes, 0, NR_LRUTOP_LRU_KINDS * sizeof(*bytes));
	for (size_t i = 0; i < inv->nr_lrus; i++) {
		unsigned int k = lru_kind_of(inv->lrus[i].owner.kind);

		lists[k] += inv->lrus[i].lists;
		bytes[k] += inv->lrus[i].bytes;
	}
}
