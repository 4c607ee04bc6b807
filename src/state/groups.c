// SPDX-License-Identifier: GPL-2.0
/*
 * The memcg rows rolled up by unit, pod or container (--group-by): one row a group, its path
 * the group's cgroup, its counters the sum of its memcgs'. A memcg in no such group keeps a
 * row of its own, so the groups' rows still add up to the table's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "groups.h"
#include "state.h"

/* A memcg row and the prefix of its path that names its group (all of it: no group). */
struct group_ent {
	const char *key;	/* NULL: no path, a group of its own */
	size_t len;
	bool grouped;
	struct memcg_row *row;
};

static int group_ent_cmp(const void *a, const void *b)
{
	const struct group_ent *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if (!x->key || !y->key)
		return (x->key != NULL) - (y->key != NULL) ?: (x->row > y->row) - (x->row < y->row);
	c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	if (x->len != y->len)
		return (x->len > y->len) - (x->len < y->len);
	return (x->grouped > y->grouped) - (x->grouped < y->grouped) ?:
	       (x->row->cgid > y->row->cgid) - (x->row->cgid < y->row->cgid);
}

static bool same_group(const struct group_ent *a, const struct group_ent *b)
{
	return a->key && b->key && a->grouped && b->grouped && a->len == b->len &&
	       !memcmp(a->key, b->key, a->len);
}

/* Add member r to group row g, its interval into d. */
static void group_add(struct memcg_row *g, struct memcg_stats *d, const struct memcg_table *t,
		      const struct memcg_row *r)
{
	memcg_stats_add(&g->cum, &r->cum);
	memcg_stats_add(d, memcg_row_delta(t, r));
	g->nlrus += r->nlrus;
	g->held += r->held;
	g->held_bytes += r->held_bytes;
	g->held_empty += r->held_empty;
	g->removed = g->removed && r->removed;
}

/* The group row of ents[0 .. n) (one group), at index i of s->groups. */
static int group_row(struct lrutop_state *s, size_t i, const struct group_ent *ents, size_t n)
{
	struct memcg_table *out = &s->groups;
	struct memcg_row *g = &out->rows[i];
	char *path = NULL;

	memset(g, 0, sizeof(*g));
	memset(&out->deltas[i], 0, sizeof(out->deltas[i]));
	g->cgid = ents[0].row->cgid;
	s->group_members[i] = ents[0].grouped ? n : 0;
	g->removed = true;
	g->delta = ROW_DELTA_AT + i;
	if (ents[0].key && !(path = strndup(ents[0].key, ents[0].len)))
		return -ENOMEM;
	memcg_row_set_path(g, path);
	for (size_t k = 0; k < n; k++)
		group_add(g, &out->deltas[i], &s->memcgs, ents[k].row);
	return 0;
}

static void groups_clear(struct lrutop_state *s)
{
	memcg_table_free(&s->groups);
	free(s->group_members);
	s->group_members = NULL;
}

int groups_update(struct lrutop_state *s)
{
	const struct memcg_table *t = &s->memcgs;
	struct memcg_table *out = &s->groups;
	struct group_ent *ents;
	size_t n = t->nr, g = 0;
	int err = 0;

	groups_clear(s);
	if (s->group_by == GROUP_NONE)
		return 0;
	ents = calloc(n ? n : 1, sizeof(*ents));
	out->rows = calloc(n ? n : 1, sizeof(*out->rows));
	out->deltas = calloc(n ? n : 1, sizeof(*out->deltas));
	s->group_members = calloc(n ? n : 1, sizeof(*s->group_members));
	if (!ents || !out->rows || !out->deltas || !s->group_members) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		struct memcg_row *r = &t->rows[i];
		size_t len = r->named ? cgroup_name_group_len(&r->name, s->group_by) : 0;

		ents[i] = (struct group_ent){ .key = r->path, .grouped = len > 0, .row = r,
					      .len = len ? len : r->path ? strlen(r->path) : 0 };
	}
	qsort(ents, n, sizeof(*ents), group_ent_cmp);
	for (size_t i = 0, j; i < n && !err; i = j) {
		for (j = i + 1; j < n && same_group(&ents[i], &ents[j]); j++)
			;
		err = group_row(s, g++, ents + i, j - i);
	}
	out->nr = out->nr_deltas = out->cap = out->deltas_cap = g;
cleanup:
	free(ents);
	if (err)
		groups_clear(s);
	return err;
}

void groups_set(struct lrutop_state *s, enum group_by by)
{
	s->group_by = by;
	groups_update(s);
}

uint32_t state_row_members(const struct lrutop_state *s, const struct memcg_row *r)
{
	const struct memcg_table *g = &s->groups;

	if (s->group_by == GROUP_NONE || r < g->rows || r >= g->rows + g->nr)
		return 0;
	return s->group_members[r - g->rows];
}

const struct memcg_table *state_rows(const struct lrutop_state *s)
{
	return s->group_by != GROUP_NONE ? &s->groups : &s->memcgs;
}

void groups_free(struct lrutop_state *s)
{
	groups_clear(s);
}
