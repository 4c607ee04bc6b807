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
#include <time.h>
#include "held.h"
#include "lib/lru_kinds.h"
#include "memcgs.h"
#include "state.h"

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Load the walker, then wait for held_open(): the first pass runs here, on the CPU the first
 * interval leaves idle, so that the first report does not wait for it (a pass over 10,000
 * memcgs: 40 ms, docs/BENCHMARKS.md section 3). It begins an interval before the report,
 * as any pass may (the reports give its age).
 */
static void *preload_walker(void *arg)
{
	struct held_preload *p = arg;
	char why[256];
	int order;

	p->err = inventory_walker_open(p->plan, &p->walker, p->why, sizeof(p->why));
	pthread_mutex_lock(&p->lock);
	while (!p->order)
		pthread_cond_wait(&p->told, &p->lock);
	order = p->order;
	pthread_mutex_unlock(&p->lock);
	if (order > 0 && !p->err) {
		p->walked_at = monotonic_s();
		/* No index of the cgroup tree: the paths come from the names the walk reads. */
		p->walked = !inventory_take(p->walker, NULL, &p->inv, why, sizeof(why));
	}
	__atomic_store_n(&p->done, true, __ATOMIC_RELEASE);
	return NULL;
}

void held_preload(struct held_preload *p, const struct probe_plan *plan)
{
	memset(p, 0, sizeof(*p));
	p->plan = plan;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->told, NULL);
	p->started = !pthread_create(&p->thread, NULL, preload_walker, p);
}

/* Tell the thread to walk the first pass (1) or not (-1); the first order stands. */
static void preload_order(struct held_preload *p, int order)
{
	pthread_mutex_lock(&p->lock);
	if (!p->order)
		p->order = order;
	pthread_cond_signal(&p->told);
	pthread_mutex_unlock(&p->lock);
}

/* The preload's walker once it is loaded; NULL if it failed (why says why). */
static struct inventory_walker *preload_join(struct held_preload *p)
{
	preload_order(p, -1);	/* unless told to walk already */
	pthread_join(p->thread, NULL);
	p->started = false;
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->told);
	return p->err ? NULL : p->walker;
}

void held_preload_drop(struct held_preload *p)
{
	if (!p->started)
		return;
	inventory_walker_close(preload_join(p));
	inventory_free(&p->inv);
	p->walked = false;
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
	if (p && p->started) {
		h->loading = p;	/* taken at the first report, after the first interval */
		preload_order(p, 1);
	} else if (inventory_walker_open(s->kernel.plan, &h->walker, h->why, sizeof(h->why)))
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
		snprintf(h->why, sizeof(h->why), "the inventory's programs are loading, or its first pass is being walked");
		return;
	}
	if (h->loading->started) {
		h->walker = preload_join(h->loading);
		snprintf(h->why, sizeof(h->why), "%s", h->loading->why);
	}
	if (h->walker && h->loading->walked) {
		inventory_free(&h->inv);
		h->inv = h->loading->inv;
		h->valid = h->unjoined = true;
		h->at = h->loading->walked_at;
		memset(&h->loading->inv, 0, sizeof(h->loading->inv));
		h->loading->walked = false;
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
	if (h->walker && !(h->valid && !h->due && now - h->at < h->interval_s)) {
		h->due = false;
		inventory_free(&h->inv);
		/* The paths the rows resolve against, walked once for both. */
		h->valid = !inventory_take(h->walker, memcgs_index(s), &h->inv, h->why,
					   sizeof(h->why));
		h->at = now;
		h->unjoined = h->valid;
	}
	if (!h->unjoined)
		return;
	h->unjoined = false;
	if (join_rows(s))
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
