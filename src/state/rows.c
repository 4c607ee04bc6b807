// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/cgroup.h"
#include "kernel/maps.h"
#include "rows.h"

/* -1, 0 or 1: compared, never subtracted (a u64 difference does not fit an int). */
static int u64_order(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

static int row_cmp_id(const void *a, const void *b)
{
	const struct memcg_row *x = a, *y = b;

	return u64_order(x->cgid, y->cgid);
}

struct memcg_row *memcg_table_find(struct memcg_table *t, uint64_t cgid)
{
	struct memcg_row key = { .cgid = cgid };

	if (!t->nr)
		return NULL;
	return bsearch(&key, t->rows, t->nr, sizeof(key), row_cmp_id);
}

void memcg_stats_add(struct memcg_stats *sum, const struct memcg_stats *add)
{
	u64s_add(sum, add, sizeof(*sum));
}

#define NO_ROW	UINT32_MAX	/* a free slot, or a memcg with no row */

static struct memcg_row *table_append(struct memcg_table *t, __u64 cgid)
{
	struct memcg_row *rows, *r;

	if (t->nr == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		rows = realloc(t->rows, t->cap * sizeof(*rows));
		if (!rows)
			return NULL;
		t->rows = rows;
	}
	r = &t->rows[t->nr++];
	t->changes++;
	memset(r, 0, sizeof(*r));
	r->cgid = cgid;
	return r;
}

const struct memcg_stats *memcg_row_delta(const struct memcg_table *t, const struct memcg_row *r)
{
	static const struct memcg_stats none;

	if (r->delta == ROW_DELTA_CUM)
		return &r->cum;
	if (r->delta >= ROW_DELTA_AT && r->delta - ROW_DELTA_AT < t->nr_deltas)
		return &t->deltas[r->delta - ROW_DELTA_AT];
	return &none;
}

/* Room for one more interval in deltas; NULL without memory (the row shows none). */
static struct memcg_stats *new_delta(struct memcg_table *t, uint32_t *at)
{
	struct memcg_stats *d;

	if (t->nr_deltas == t->deltas_cap) {
		d = realloc(t->deltas, (t->deltas_cap * 2 + 64) * sizeof(*d));
		if (!d)
			return NULL;
		t->deltas = d;
		t->deltas_cap = t->deltas_cap * 2 + 64;
	}
	*at = ROW_DELTA_AT + t->nr_deltas;
	return &t->deltas[t->nr_deltas++];
}

/*
 * A row's counters read again. Most rows of a large host did not move in an interval: only
 * those that did keep an interval (in the table's deltas), so 100,000 rows cost no
 * 100,000 intervals.
 */
static void row_read(struct memcg_table *t, struct memcg_row *r, const struct memcg_stats *now)
{
	const __u64 *n = (const __u64 *)now, *c = (const __u64 *)&r->cum;
	struct memcg_stats *d;

	r->delta = ROW_DELTA_NONE;
	if (!memcmp(now, &r->cum, sizeof(*now)))
		return;
	d = new_delta(t, &r->delta);
	/* Every field of struct memcg_stats is a counter: an interval is its delta. */
	for (size_t f = 0; d && f < sizeof(*now) / sizeof(__u64); f++)
		((__u64 *)d)[f] = n[f] - c[f];
	r->cum = *now;
}

/* Each slot's row again, after rows moved (sorted, compacted): a search a slot in use. */
static void reindex_slots(struct memcg_table *t)
{
	struct memcg_row *r;

	for (size_t i = 0; i < t->nr_slots; i++) {
		r = t->slot_cgid[i] ? memcg_table_find(t, t->slot_cgid[i]) : NULL;
		t->slot_row[i] = r ? (uint32_t)(r - t->rows) : NO_ROW;
	}
	t->slots_moved = false;
}

static int resize_slots(struct memcg_table *t, size_t nr_slots)
{
	uint64_t *cgid;
	uint32_t *row;

	if (nr_slots == t->nr_slots)
		return 0;
	cgid = realloc(t->slot_cgid, (nr_slots ? nr_slots : 1) * sizeof(*cgid));
	if (!cgid)
		return -ENOMEM;
	t->slot_cgid = cgid;
	row = realloc(t->slot_row, (nr_slots ? nr_slots : 1) * sizeof(*row));
	if (!row)
		return -ENOMEM;
	t->slot_row = row;
	for (size_t i = t->nr_slots; i < nr_slots; i++) {
		cgid[i] = 0;
		row[i] = NO_ROW;
	}
	t->nr_slots = nr_slots;
	return 0;
}

int memcg_table_read_begin(struct memcg_table *t, size_t nr_slots)
{
	int err = resize_slots(t, nr_slots);

	if (err)
		return err;
	if (t->slots_moved)
		reindex_slots(t);
	t->sorted = t->nr;
	t->nr_deltas = 0;
	t->read_live = 0;
	return 0;
}

/* Slot i holds another memcg than at the last read (or none now, or none then). */
static int slot_changed(struct memcg_table *t, size_t i, __u64 cgid,
			const struct memcg_stats *now)
{
	struct memcg_row key = { .cgid = cgid }, *r = NULL;

	if (t->slot_row[i] != NO_ROW)	/* the memcg that had it keeps its counters */
		t->rows[t->slot_row[i]].delta = ROW_DELTA_NONE;
	t->slot_cgid[i] = cgid;
	t->slot_row[i] = NO_ROW;
	if (!cgid)
		return 0;
	if (t->sorted)
		r = bsearch(&key, t->rows, t->sorted, sizeof(key), row_cmp_id);
	if (r) {
		row_read(t, r, now);
	} else {
		/* First sight: its interval is all it counted (no copy of it kept). */
		r = table_append(t, cgid);
		if (!r)
			return -ENOMEM;
		r->cum = *now;
		r->delta = ROW_DELTA_CUM;
	}
	t->slot_row[i] = r - t->rows;
	return 0;
}

int memcg_table_read(struct memcg_table *t, const struct memcg_entry *e, size_t first, size_t n)
{
	struct memcg_stats now;
	__u64 cgid;
	int err;

	for (size_t k = 0; k < n && first + k < t->nr_slots; k++) {
		size_t i = first + k;

		cgid = e[k].cgid;
		if (!cgid && !t->slot_cgid[i])
			continue;
		/* Once: BPF adds to it as it is read, and the interval must be of what is kept. */
		now = e[k].st;
		t->read_live += cgid != 0;
		if (cgid == t->slot_cgid[i] && t->slot_row[i] != NO_ROW) {
			row_read(t, &t->rows[t->slot_row[i]], &now);
			continue;
		}
		err = slot_changed(t, i, cgid, &now);
		if (err)
			return err;
	}
	return 0;
}

void memcg_table_read_end(struct memcg_table *t)
{
	t->added = t->nr - t->sorted;
	if (!t->added)
		return;
	qsort(t->rows, t->nr, sizeof(*t->rows), row_cmp_id);
	reindex_slots(t);
}

int memcg_table_update(struct memcg_table *t, const struct memcg_entry *e, size_t n)
{
	int err = memcg_table_read_begin(t, n);

	if (!err)
		err = memcg_table_read(t, e, 0, n);
	memcg_table_read_end(t);
	return err;
}

int memcg_table_add(struct memcg_table *t, const uint64_t *ids, size_t n)
{
	size_t sorted = t->nr;

	for (size_t i = 0; i < n; i++) {
		struct memcg_row key = { .cgid = ids[i] };

		if (sorted && bsearch(&key, t->rows, sorted, sizeof(key), row_cmp_id))
			continue;
		if (!table_append(t, ids[i]))
			return -ENOMEM;
	}
	if (t->nr != sorted) {
		qsort(t->rows, t->nr, sizeof(*t->rows), row_cmp_id);
		t->slots_moved = true;
	}
	return 0;
}

void memcg_table_compact(struct memcg_table *t)
{
	size_t kept = 0;

	for (size_t i = 0; i < t->nr; i++) {
		if (t->rows[i].aged)
			free(t->rows[i].path);
		else
			t->rows[kept++] = t->rows[i];
	}
	if (kept != t->nr) {
		t->slots_moved = true;
		t->changes++;
	}
	t->nr = kept;
}

void memcg_table_free(struct memcg_table *t)
{
	for (size_t i = 0; i < t->nr; i++)
		free(t->rows[i].path);
	free(t->rows);
	free(t->deltas);
	free(t->slot_cgid);
	free(t->slot_row);
	memset(t, 0, sizeof(*t));
}

static uint64_t u64_at(const void *base, size_t off)
{
	return *(const uint64_t *)((const char *)base + off);
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

static bool view_has(const struct memcg_row *r, const char *subtree)
{
	return !subtree || (r->path && cgroup_path_within(r->path, subtree));
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
static int view_top(const struct memcg_table *t, const char *subtree,
		    const struct metric_read *mr, size_t limit, struct memcg_row **out)
{
	struct view_ent *heap, e, last;
	size_t h = 0, front = limit;

	heap = malloc(limit * sizeof(*heap));
	if (!heap)
		return -ENOMEM;
	for (size_t i = 0; i < t->nr; i++) {
		if (!view_has(&t->rows[i], subtree))
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
	for (size_t i = 0; i < t->nr; i++) {
		if (!view_has(&t->rows[i], subtree))
			continue;
		e = view_ent_of(&t->rows[i], mr);
		if (view_ent_cmp(&e, &last) > 0)
			out[front++] = &t->rows[i];
	}
	return 0;
}

/* All rows in order; in id order if there is no memory to sort them. */
static void view_sorted(const struct memcg_table *t, const char *subtree,
			const struct metric_read *mr, size_t n, struct memcg_row **out)
{
	struct view_ent *e = malloc((n ? n : 1) * sizeof(*e));
	size_t m = 0;

	for (size_t i = 0; i < t->nr; i++) {
		if (!view_has(&t->rows[i], subtree))
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

size_t memcg_table_view(const struct memcg_table *t, const char *subtree, int k,
			bool cumulative, size_t limit, struct memcg_row **out)
{
	struct metric_read mr = metric_read_of(t, k, cumulative);
	size_t n = subtree ? 0 : t->nr;

	for (size_t i = 0; subtree && i < t->nr; i++)
		n += view_has(&t->rows[i], subtree);
	view_by_path = k == SORT_PATH;
	/* Selecting pays when it leaves most of the rows unsorted. */
	if (!limit || limit >= n / 4 || view_top(t, subtree, &mr, limit, out))
		view_sorted(t, subtree, &mr, n, out);
	return n;
}
