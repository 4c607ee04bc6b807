// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cgroup.h"
#include "rows.h"

static const char *const sort_names[NR_SORT_KEYS] = {
	[SORT_ALLOCS] = "allocs",
	[SORT_BYTES] = "bytes",
	[SORT_FAILS] = "fails",
	[SORT_OBJS] = "objs",
	[SORT_CALLS] = "calls",
	[SORT_LAT] = "lat",
	[SORT_LRUS] = "lrus",
	[SORT_PATH] = "path",
};

const char *sort_key_name(enum sort_key k)
{
	return sort_names[k];
}

int sort_key_parse(const char *name)
{
	for (int k = 0; k < NR_SORT_KEYS; k++) {
		if (!strcmp(name, sort_names[k]))
			return k;
	}
	return -EINVAL;
}

static int row_cmp_id(const void *a, const void *b)
{
	const struct memcg_row *x = a, *y = b;

	if (x->cgid != y->cgid)
		return x->cgid < y->cgid ? -1 : 1;
	return 0;
}

struct memcg_row *memcg_table_find(struct memcg_table *t, uint64_t cgid)
{
	struct memcg_row key = { .cgid = cgid };

	if (!t->nr)
		return NULL;
	return bsearch(&key, t->rows, t->nr, sizeof(key), row_cmp_id);
}

static void stats_sub(struct memcg_stats *d, const struct memcg_stats *a,
		      const struct memcg_stats *b)
{
	d->allocs = a->allocs - b->allocs;
	d->bytes = a->bytes - b->bytes;
	d->freed_bytes = a->freed_bytes - b->freed_bytes;
	d->fails = a->fails - b->fails;
	d->objs = a->objs - b->objs;
	d->calls = a->calls - b->calls;
	d->lat_ns = a->lat_ns - b->lat_ns;
}

struct id_ref {
	__u64 id;
	size_t i;
};

static int id_ref_cmp(const void *a, const void *b)
{
	const struct id_ref *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
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

/*
 * The map's entries come in hash order: sort their ids, then walk them and the table (kept
 * sorted by id) side by side. Linear in memory order, where a search per entry is not: it
 * matters at 100,000 memcgs.
 */
int memcg_table_update(struct memcg_table *t, const __u64 *ids, const struct memcg_stats *vals,
		       size_t n)
{
	size_t sorted = t->nr, j = 0;
	struct id_ref *refs;
	struct memcg_row *r;

	refs = malloc((n ? n : 1) * sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		refs[i] = (struct id_ref){ .id = ids[i], .i = i };
	qsort(refs, n, sizeof(*refs), id_ref_cmp);
	for (size_t i = 0; i < t->nr; i++)
		memset(&t->rows[i].delta, 0, sizeof(t->rows[i].delta));
	for (size_t k = 0; k < n; k++) {
		while (j < sorted && t->rows[j].cgid < refs[k].id)
			j++;
		if (j < sorted && t->rows[j].cgid == refs[k].id) {
			r = &t->rows[j];
		} else {
			r = table_append(t, refs[k].id);
			if (!r) {
				free(refs);
				return -ENOMEM;
			}
		}
		stats_sub(&r->delta, &vals[refs[k].i], &r->cum);
		r->cum = vals[refs[k].i];
	}
	free(refs);
	if (t->nr != sorted)
		qsort(t->rows, t->nr, sizeof(*t->rows), row_cmp_id);
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
	t->nr = kept;
}

void memcg_table_free(struct memcg_table *t)
{
	for (size_t i = 0; i < t->nr; i++)
		free(t->rows[i].path);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

uint64_t memcg_row_value(const struct memcg_row *r, enum sort_key k, bool cumulative)
{
	const struct memcg_stats *s = cumulative ? &r->cum : &r->delta;

	switch (k) {
	case SORT_ALLOCS:
		return s->allocs;
	case SORT_BYTES:
		return s->bytes;
	case SORT_FAILS:
		return s->fails;
	case SORT_OBJS:
		return s->objs;
	case SORT_CALLS:
		return s->calls;
	case SORT_LAT:
		return s->calls ? s->lat_ns / s->calls : 0;
	case SORT_LRUS:
		return r->nlrus;
	default:
		return 0;
	}
}

/* qsort has no user pointer: the order in force while sorting. */
static enum sort_key view_key;
static bool view_cumulative;

static int row_cmp_view(const void *a, const void *b)
{
	const struct memcg_row *x = *(struct memcg_row *const *)a;
	const struct memcg_row *y = *(struct memcg_row *const *)b;
	uint64_t vx, vy;

	if (view_key == SORT_PATH)
		return strcmp(x->path ? x->path : "", y->path ? y->path : "");
	vx = memcg_row_value(x, view_key, view_cumulative);
	vy = memcg_row_value(y, view_key, view_cumulative);
	/* Compared, never subtracted: a u64 difference does not fit an int. */
	if (vx != vy)
		return vx > vy ? -1 : 1;
	/* Ties: the busier row over time first, then a stable order by id. */
	if (x->cum.allocs != y->cum.allocs)
		return x->cum.allocs > y->cum.allocs ? -1 : 1;
	return row_cmp_id(x, y);
}

size_t memcg_table_view(const struct memcg_table *t, const char *subtree, enum sort_key k,
			bool cumulative, struct memcg_row **out)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nr; i++) {
		if (subtree && (!t->rows[i].path || !cgroup_path_within(t->rows[i].path, subtree)))
			continue;
		out[n++] = &t->rows[i];
	}
	view_key = k;
	view_cumulative = cumulative;
	qsort(out, n, sizeof(*out), row_cmp_view);
	return n;
}
