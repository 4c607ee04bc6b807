// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
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

void memcg_row_set_path(struct memcg_row *r, char *path)
{
	free(r->path);
	r->path = path;
	r->named = path && cgroup_name_parse(path, &r->name);
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
