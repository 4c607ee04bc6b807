// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "cgroup.h"
#include "maps.h"
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

struct id_ref {
	__u64 id;
	size_t i;
};

static int id_ref_cmp(const void *a, const void *b)
{
	const struct id_ref *x = a, *y = b;

	return u64_order(x->id, y->id);
}

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
	memset(r, 0, sizeof(*r));
	r->cgid = cgid;
	return r;
}

/* The same ids in the same order as the last read: each still names the row it did. */
static bool reuse_read_order(const struct memcg_table *t, const __u64 *ids, size_t n)
{
	if (!n || n != t->read_nr)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (t->rows[t->read_rows[i]].cgid != ids[i])
			return false;
	}
	return true;
}

static void remember_read_order(struct memcg_table *t, size_t *rows, size_t n)
{
	free(t->read_rows);
	t->read_rows = rows;
	t->read_nr = n;
}

static void row_read(struct memcg_row *r, const struct memcg_stats *val)
{
	/* Every field of struct memcg_stats is a counter: an interval is its delta. */
	u64s_sub(&r->delta, val, &r->cum, sizeof(*val));
	r->cum = *val;
}

/*
 * The map's entries come in hash order: sort their ids, then walk them and the table (kept
 * sorted by id) side by side. Linear in memory order, where a search per entry is not: it
 * matters at 100,000 memcgs. When no new row came, remember which row each entry was, for a
 * next read in the same order (the steady state: no sort at all).
 */
static int table_merge(struct memcg_table *t, const __u64 *ids, const struct memcg_stats *vals,
		       size_t n)
{
	size_t sorted = t->nr, j = 0, *where;
	struct memcg_row *r;
	struct id_ref *refs;
	int err = 0;

	refs = malloc((n ? n : 1) * sizeof(*refs));
	where = malloc((n ? n : 1) * sizeof(*where));
	if (!refs || !where) {
		free(refs);
		free(where);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		refs[i] = (struct id_ref){ .id = ids[i], .i = i };
	qsort(refs, n, sizeof(*refs), id_ref_cmp);
	for (size_t k = 0; k < n; k++) {
		while (j < sorted && t->rows[j].cgid < refs[k].id)
			j++;
		if (j < sorted && t->rows[j].cgid == refs[k].id) {
			r = &t->rows[j];
		} else if (!(r = table_append(t, refs[k].id))) {
			err = -ENOMEM;
			break;
		}
		where[refs[k].i] = r - t->rows;
		row_read(r, &vals[refs[k].i]);
	}
	free(refs);
	t->added = t->nr - sorted;
	if (!err && t->nr == sorted) {	/* no row moved, every entry found its row */
		remember_read_order(t, where, n);
		return 0;
	}
	free(where);
	if (t->nr != sorted)
		qsort(t->rows, t->nr, sizeof(*t->rows), row_cmp_id);
	return err;
}

int memcg_table_update(struct memcg_table *t, const __u64 *ids, const struct memcg_stats *vals,
		       size_t n)
{
	for (size_t i = 0; i < t->nr; i++)
		memset(&t->rows[i].delta, 0, sizeof(t->rows[i].delta));
	t->added = 0;
	if (!reuse_read_order(t, ids, n)) {
		t->read_nr = 0;
		return table_merge(t, ids, vals, n);
	}
	for (size_t i = 0; i < n; i++)
		row_read(&t->rows[t->read_rows[i]], &vals[i]);
	return 0;
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
		t->read_nr = 0;	/* rows moved */
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
	if (kept != t->nr)
		t->read_nr = 0;	/* rows moved */
	t->nr = kept;
}

void memcg_table_free(struct memcg_table *t)
{
	for (size_t i = 0; i < t->nr; i++)
		free(t->rows[i].path);
	free(t->rows);
	free(t->read_rows);
	memset(t, 0, sizeof(*t));
}

static uint64_t u64_at(const void *base, size_t off)
{
	return *(const uint64_t *)((const char *)base + off);
}

uint64_t memcg_metric_value(const struct memcg_row *r, int m, bool cumulative)
{
	const struct memcg_metric *mm = &memcg_metrics[m];
	const struct memcg_stats *s = cumulative ? &r->cum : &r->delta;
	uint64_t per;

	switch (mm->rule) {
	case RULE_FLOW:
		return u64_at(s, mm->off);
	case RULE_MEAN:
		per = u64_at(s, mm->per_off);
		return per ? u64_at(s, mm->off) / per : 0;
	case RULE_GAUGE:
		return u64_at(r, mm->off);
	}
	return 0;
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

static struct view_ent view_ent_of(struct memcg_row *r, int k, bool cumulative)
{
	return (struct view_ent){ .value = k == SORT_PATH ? 0 : memcg_metric_value(r, k, cumulative),
				  .cum_allocs = r->cum.allocs, .cgid = r->cgid, .row = r };
}

/*
 * The first limit rows in order, then the other n - limit in no order: a heap of the limit
 * rows that come first so far (n log limit, no array of n), then one pass for the rest.
 */
static int view_top(const struct memcg_table *t, const char *subtree, int k,
		    bool cumulative, size_t limit, struct memcg_row **out)
{
	struct view_ent *heap, e, last;
	size_t h = 0, front = limit;

	heap = malloc(limit * sizeof(*heap));
	if (!heap)
		return -ENOMEM;
	for (size_t i = 0; i < t->nr; i++) {
		if (!view_has(&t->rows[i], subtree))
			continue;
		e = view_ent_of(&t->rows[i], k, cumulative);
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
		e = view_ent_of(&t->rows[i], k, cumulative);
		if (view_ent_cmp(&e, &last) > 0)
			out[front++] = &t->rows[i];
	}
	return 0;
}

/* All rows in order; in id order if there is no memory to sort them. */
static void view_sorted(const struct memcg_table *t, const char *subtree, int k,
			bool cumulative, size_t n, struct memcg_row **out)
{
	struct view_ent *e = malloc((n ? n : 1) * sizeof(*e));
	size_t m = 0;

	for (size_t i = 0; i < t->nr; i++) {
		if (!view_has(&t->rows[i], subtree))
			continue;
		if (e)
			e[m] = view_ent_of(&t->rows[i], k, cumulative);
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
	size_t n = 0;

	for (size_t i = 0; i < t->nr; i++)
		n += view_has(&t->rows[i], subtree);
	view_by_path = k == SORT_PATH;
	/* Selecting pays when it leaves most of the rows unsorted. */
	if (!limit || limit >= n / 4 || view_top(t, subtree, k, cumulative, limit, out))
		view_sorted(t, subtree, k, cumulative, n, out);
	return n;
}
