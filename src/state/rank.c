// SPDX-License-Identifier: GPL-2.0
/* The memcg table ranked: a metric's value of a row, and the first N rows by it, selected
 * with a heap rather than all sorted. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/cgroup.h"
#include "rows.h"

/* -1, 0 or 1: compared, never subtracted (a u64 difference does not fit an int). */
static int u64_order(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* Where a metric's value is, worked out once for a pass over many rows. */
struct metric_read {
	const struct memcg_table *t;
	bool gauge;		/* in the row, else in its counters */
	bool mean;		/* off / per_off, else off alone */
	bool none;		/* no value: a view by path */
	bool cumulative;	/* the counters since start, else the last interval's */
	size_t off, per_off;
};

static struct metric_read metric_read_of(const struct memcg_table *t, int m, bool cumulative)
{
	const struct memcg_metric *mm;

	if (m == SORT_PATH)
		return (struct metric_read){ .none = true };
	mm = &memcg_metrics[m];
	return (struct metric_read){ .t = t, .gauge = mm->rule == RULE_GAUGE,
				     .mean = mm->rule == RULE_MEAN, .cumulative = cumulative,
				     .off = mm->off, .per_off = mm->per_off };
}

static inline uint64_t metric_read(const struct metric_read *mr, const struct memcg_row *r)
{
	const struct memcg_stats *st;
	uint64_t per;

	if (mr->none)
		return 0;
	if (mr->gauge)
		return u64_at(r, mr->off);
	st = mr->cumulative ? &r->cum : memcg_row_delta(mr->t, r);
	if (!mr->mean)
		return u64_at(st, mr->off);
	per = u64_at(st, mr->per_off);
	return per ? u64_at(st, mr->off) / per : 0;
}

uint64_t memcg_metric_value(const struct memcg_table *t, const struct memcg_row *r, int m,
			    bool cumulative)
{
	struct metric_read mr = metric_read_of(t, m, cumulative);

	return metric_read(&mr, r);
}

/* A row of a view with what orders it, side by side: comparing reads no row. */
struct view_ent {
	uint64_t value;
	uint64_t cum_allocs;
	uint64_t cgid;
	struct memcg_row *row;
};

/* qsort has no user pointer: whether the view is by path. */
static bool view_by_path;

/* < 0 when a comes first: the larger value, the busier row over time, then by id. */
static int view_ent_cmp(const void *a, const void *b)
{
	const struct view_ent *x = a, *y = b;

	if (view_by_path)
		return strcmp(x->row->path ?: "", y->row->path ?: "") ?: u64_order(x->cgid, y->cgid);
	return u64_order(y->value, x->value) ?: u64_order(y->cum_allocs, x->cum_allocs) ?:
	       u64_order(x->cgid, y->cgid);
}

/* Sift e[i] down a heap whose root is the entry that comes last. */
static void heap_sift(struct view_ent *e, size_t n, size_t i)
{
	for (size_t c; (c = 2 * i + 1) < n; i = c) {
		struct view_ent tmp;

		if (c + 1 < n && view_ent_cmp(&e[c + 1], &e[c]) > 0)
			c++;
		if (view_ent_cmp(&e[c], &e[i]) <= 0)
			return;
		tmp = e[i];
		e[i] = e[c];
		e[c] = tmp;
	}
}

bool row_filter_has(const struct row_filter *f, const struct memcg_row *r)
{
	char name[128];

	if (!f)
		return true;
	if (f->subtree && !(r->path && cgroup_path_within(r->path, f->subtree)))
		return false;
	if (f->name && !(r->named && cgroup_name_matches(r->path, &r->name, f->name)))
		return false;
	if (!f->text || !f->text[0])
		return true;
	if (r->path && strstr(r->path, f->text))
		return true;
	return r->named && strstr(cgroup_name_short(r->path, &r->name, name, sizeof(name)), f->text);
}

static inline struct view_ent view_ent_of(struct memcg_row *r, const struct metric_read *mr)
{
	return (struct view_ent){ .value = metric_read(mr, r), .cum_allocs = r->cum.allocs,
				  .cgid = r->cgid, .row = r };
}

/*
 * The first limit rows in order, then the other n - limit in no order: a heap of the limit
 * rows that come first so far (n log limit, no array of n), then one pass for the rest.
 */
static int view_top(const struct memcg_table *t, const struct row_filter *f,
		    const struct metric_read *mr, size_t limit, bool rest, struct memcg_row **out)
{
	struct view_ent *heap, e, last;
	size_t h = 0, front = limit;

	heap = malloc(limit * sizeof(*heap));
	if (!heap)
		return -ENOMEM;
	for (size_t i = 0; i < t->nr; i++) {
		if (!row_filter_has(f, &t->rows[i]))
			continue;
		e = view_ent_of(&t->rows[i], mr);
		if (h < limit) {
			heap[h++] = e;
			if (h == limit) {
				for (size_t j = limit / 2; j-- > 0;)
					heap_sift(heap, limit, j);
			}
		} else if (view_ent_cmp(&e, &heap[0]) < 0) {
			heap[0] = e;
			heap_sift(heap, limit, 0);
		}
	}
	last = heap[0];
	qsort(heap, limit, sizeof(*heap), view_ent_cmp);
	for (size_t i = 0; i < limit; i++)
		out[i] = heap[i].row;
	free(heap);
	/* The order is total (ids break ties): the rest are exactly those after last. */
	for (size_t i = 0; rest && i < t->nr; i++) {
		if (!row_filter_has(f, &t->rows[i]))
			continue;
		e = view_ent_of(&t->rows[i], mr);
		if (view_ent_cmp(&e, &last) > 0)
			out[front++] = &t->rows[i];
	}
	return 0;
}

/* All rows in order; in id order if there is no memory to sort them. */
static void view_sorted(const struct memcg_table *t, const struct row_filter *f,
			const struct metric_read *mr, size_t n, struct memcg_row **out)
{
	struct view_ent *e = malloc((n ? n : 1) * sizeof(*e));
	size_t m = 0;

	for (size_t i = 0; i < t->nr; i++) {
		if (!row_filter_has(f, &t->rows[i]))
			continue;
		if (e)
			e[m] = view_ent_of(&t->rows[i], mr);
		out[m++] = &t->rows[i];
	}
	if (!e)
		return;
	qsort(e, n, sizeof(*e), view_ent_cmp);
	for (size_t i = 0; i < n; i++)
		out[i] = e[i].row;
	free(e);
}

size_t memcg_table_view(const struct memcg_table *t, const struct row_filter *f, int k,
			bool cumulative, size_t limit, bool rest, struct memcg_row **out)
{
	struct metric_read mr = metric_read_of(t, k, cumulative);
	size_t n = f ? 0 : t->nr;

	for (size_t i = 0; f && i < t->nr; i++)
		n += row_filter_has(f, &t->rows[i]);
	view_by_path = k == SORT_PATH;
	/* Selecting pays when it leaves most of the rows unsorted. */
	if (!limit || limit >= n / 4 || view_top(t, f, &mr, limit, rest, out))
		view_sorted(t, f, &mr, n, out);
	return n;
}
