// SPDX-License-Identifier: GPL-2.0
/* Which rows a view shows, in which order, and what its columns mean. */
#include <stdlib.h>
#include <string.h>
#include "lib/log2_slots.h"
#include "groups.h"
#include "state.h"
#include "view.h"

struct row_filter view_filter(const struct view *v)
{
	struct row_filter f = { .text = v->filter[0] ? v->filter : NULL };

	if (v->cgroup && v->cgroup[0] == '/')
		f.subtree = v->cgroup;
	else
		f.name = v->cgroup;
	return f;
}

int view_metric(const struct view *v, int m)
{
	if (m == SORT_PATH || !v->by_cause)
		return m;
	return memcg_metrics[m].by_cause;
}

struct memcg_row **view_rows(const struct lrutop_state *s, const struct view *v, size_t limit,
			     bool rest, size_t *n)
{
	const struct memcg_table *t = state_rows(s);
	struct row_filter f = view_filter(v);
	struct memcg_row **rows;
	int key = view_metric(v, v->sort);

	rows = calloc(t->nr ? t->nr : 1, sizeof(*rows));
	if (!rows) {
		*n = 0;
		return NULL;
	}
	/* A key with no meaning in this view (freed, by cause) orders by what it replaces. */
	*n = memcg_table_view(t, &f, key == MC_NONE ? v->sort : key,
			      v->cumulative, limit, rest, rows);
	return rows;
}

void view_lists_hist(const struct lrutop_state *s, struct memcg_row **rows, size_t n,
		     __u64 *slots)
{
	bool distinct = s->kernel.avail[M_PER_LRU];

	memset(slots, 0, LRUTOP_MAX_SLOTS * sizeof(*slots));
	for (size_t i = 0; i < n; i++) {
		__u64 v = distinct ? rows[i]->nlrus : rows[i]->cum.allocs;

		if (v)
			hist_add(slots, LRUTOP_MAX_SLOTS, v);
	}
}

const char *view_lists_hist_unit(const struct lrutop_state *s)
{
	return s->kernel.avail[M_PER_LRU] ? "list_lrus" : "lists";
}
