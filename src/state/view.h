/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_VIEW_H
#define __LRUTOP_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "lib/cgroup_names.h"
#include "metrics.h"
#include "rows.h"

struct lrutop_state;
struct memcg_row;

/* How the state is shown: set by the options, changed by the screen's keys. The state
 * itself keeps both the interval's and the cumulative counters, whatever is shown. */
struct view {
	int sort;		/* a memcg metric (metrics.h), or SORT_PATH */
	uint32_t columns;	/* a bit per memcg metric shown as a column */
	bool cumulative;	/* since start, not the last interval */
	bool by_cause;		/* memcg rows show what each caused, not what each owns */
	bool hist;
	bool lrus;		/* the per-list_lru table */
	int rows;		/* memcg rows shown, 0 = as many as fit (20 in batch) */
	const char *cgroup;	/* only this subtree (a path), or this unit, pod or container */
	enum group_by group_by;	/* rows rolled up (the state's groups) */
	bool tree;		/* the screen's memcgs under their parents */
	char filter[64];	/* the screen's filter: rows whose path or name holds it */
};

/* The rows v lets through: its cgroup (a path, else a name) and its filter. */
struct row_filter view_filter(const struct view *v);

/* The metric a column or sort key shows in this view: allocs and bytes become what each
 * memcg caused in the cause view; MC_NONE where the column has no meaning there. */
int view_metric(const struct view *v, int m);
/* Rows to show: filtered by the subtree, sorted by the view's key (only the first limit, if
 * not 0, and the rest only if rest is set: see memcg_table_view). Caller frees. */
struct memcg_row **view_rows(const struct lrutop_state *s, const struct view *v, size_t limit,
			     bool rest,
			     size_t *n);
/* Histogram of lists (fentry: distinct list_lrus) per memcg over the given rows. */
void view_lists_hist(const struct lrutop_state *s, struct memcg_row **rows, size_t n,
		     __u64 *slots);
const char *view_lists_hist_unit(const struct lrutop_state *s);

#endif
