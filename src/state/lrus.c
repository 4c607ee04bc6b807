// SPDX-License-Identifier: GPL-2.0
/* One row per list_lru the tracer saw, found by address in a sorted array. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lrus.h"
#include "kernel/lru_names.h"
#include "kernel/mounts.h"
#include "state.h"

static int lru_cmp(const void *a, const void *b)
{
	const struct lru_row *x = a, *y = b;

	return (x->lru > y->lru) - (x->lru < y->lru);
}

struct lru_row *lrus_find(const struct lrutop_state *s, __u64 lru)
{
	struct lru_row key = { .lru = lru };

	if (!s->flow.nr_lrus)
		return NULL;
	return bsearch(&key, s->flow.lrus, s->flow.nr_lrus, sizeof(key), lru_cmp);
}

/* Rows for the addresses not seen before, appended, then all sorted once. */
static int add_new(struct lrutop_state *s, const struct map_dump *d)
{
	struct tracer_flow *f = &s->flow;
	size_t n = f->nr_lrus, fresh = 0;
	struct lru_row *rows;
	__u64 lru;

	for (size_t i = 0; i < d->n; i++)
		fresh += !lrus_find(s, ((const __u64 *)d->keys)[i]);
	if (!fresh)
		return 0;
	rows = realloc(f->lrus, (n + fresh) * sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	f->lrus = rows;
	/* f->nr_lrus stays at the sorted rows until all are in: lrus_find sees only them. */
	for (size_t i = 0; i < d->n; i++) {
		lru = ((const __u64 *)d->keys)[i];
		if (lrus_find(s, lru))
			continue;
		memset(&rows[n], 0, sizeof(*rows));
		rows[n++].lru = lru;
	}
	f->nr_lrus = n;
	qsort(f->lrus, f->nr_lrus, sizeof(*f->lrus), lru_cmp);
	return 0;
}

/* The inventory's row of the list_lru at lru, which may know what its objects are. */
static const struct inv_lru_row *held_row(const struct lrutop_state *s, __u64 lru)
{
	for (size_t i = 0; s->held.valid && i < s->held.inv.nr_lrus; i++) {
		if (s->held.inv.lrus[i].addr == lru)
			return &s->held.inv.lrus[i];
	}
	return NULL;
}

/* A list_lru that is not a superblock's: as the inventory's pass named it (lru_names.c, by
 * its symbol or its objects), or, where the pass has no row for it, by its symbol here. */
static void name_other(struct lrutop_state *s, struct lru_row *r)
{
	const struct inv_lru_row *h;
	struct lru_name name;

	if (r->kind != LRUTOP_LRU_OTHER)
		return;	/* named once for good */
	h = held_row(s, r->lru);
	if (h) {
		r->kind = h->owner.kind;
		snprintf(r->where, sizeof(r->where), "%s", h->where);
		r->why = h->why;
		return;
	}
	if (!s->flow.namer)
		s->flow.namer = s->kernel.plan->kallsyms ? lru_namer_of(s->kernel.plan->kallsyms) :
				lru_namer_new("/proc/kallsyms");
	lru_namer_name(s->flow.namer, r->lru, NULL, &name);
	r->kind = name.kind;
	snprintf(r->where, sizeof(r->where), "%s", name.where);
	r->why = name.why;
}

int lrus_update(struct lrutop_state *s)
{
	const struct map_dump *d = &s->tracer.lrus;
	struct tracer_flow *f = &s->flow;
	const struct lru_stats *st;
	struct lru_row *r;
	int err;

	err = add_new(s, d);
	if (err)
		return err;
	for (size_t i = 0; i < f->nr_lrus; i++)
		f->lrus[i].delta_allocs = 0;
	for (size_t i = 0; i < d->n; i++) {
		st = (const struct lru_stats *)d->vals + i;
		r = lrus_find(s, ((const __u64 *)d->keys)[i]);
		if (!r)
			continue;
		/* A new superblock at an old one's address starts its list_lru from zero. */
		r->delta_allocs = st->allocs >= r->st.allocs ? st->allocs - r->st.allocs : st->allocs;
		if (st->owner.kind != LRUTOP_LRU_OTHER && (!r->mnt[0] || r->st.owner.dev != st->owner.dev))
			mount_point_of_kdev("/proc/self/mountinfo", st->owner.dev, r->mnt, sizeof(r->mnt));
		if (st->owner.kind != r->st.owner.kind)
			r->kind = st->owner.kind;
		r->st = *st;
		if (st->owner.kind == LRUTOP_LRU_OTHER)
			name_other(s, r);
	}
	return 0;
}

void lrus_join_pairs(struct lrutop_state *s)
{
	const struct map_dump *d = &s->tracer.pairs;
	const struct pair_key *pk;
	struct memcg_row *row;
	struct lru_row *lr;

	/* Neither the pairs nor the rows changed: nor did the join (a pass of 100,000 rows). */
	if (s->flow.joined_reads == s->tracer.lrus_reads &&
	    s->flow.joined_rows == s->memcgs.changes)
		return;
	s->flow.joined_reads = s->tracer.lrus_reads;
	s->flow.joined_rows = s->memcgs.changes;
	for (size_t i = 0; i < s->memcgs.nr; i++)
		s->memcgs.rows[i].nlrus = 0;
	for (size_t i = 0; i < s->flow.nr_lrus; i++)
		s->flow.lrus[i].nmemcgs = 0;
	for (size_t i = 0; i < d->n; i++) {
		pk = (const struct pair_key *)d->keys + i;
		/* A pair whose only list was transient never held one. */
		if ((__s64)((const __u64 *)d->vals)[i] <= 0)
			continue;
		row = memcg_table_find(&s->memcgs, pk->cgid);
		if (row)
			row->nlrus++;
		lr = lrus_find(s, pk->lru);
		if (lr)
			lr->nmemcgs++;
	}
}

void lrus_free(struct lrutop_state *s)
{
	free(s->flow.lrus);
	s->flow.lrus = NULL;
	s->flow.nr_lrus = 0;
	lru_namer_free(s->flow.namer);
	s->flow.namer = NULL;
}
