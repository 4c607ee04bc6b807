/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_STATE_H
#define __LRUTOP_STATE_H

#include <stdbool.h>
#include <time.h>
#include "lrutop.h"
#include "kernel/inventory.h"
#include "kernel/probe.h"
#include "rows.h"
#include "kernel/tracer.h"
#include "watching.h"

struct lrutop_bpf;
struct cgroup_index;
struct lru_namer;

/* What lrutop's start-up self-check found (cmd/selfcheck.c runs it). */
struct self_check {
	int ok;			/* 1 counted exactly, 0 not, -1 not run or inconclusive */
	char result[512];	/* one line: expected and seen */
};

/* What this kernel and backend can measure: fixed once the backend is chosen (session.c). */
struct kernel_facts {
	const struct probe_plan *plan;
	enum backend backend;
	char release[65];
	int nr_nodes;
	bool avail[NR_METRICS];	/* measurable with this kernel and backend */
	struct self_check self_check;
};

/* Counts of the kernel's objects, taken at each refresh (state.c, memcgs.c). */
struct kernel_census {
	long long memcg_lrus;		/* memcg-aware list_lrus, -1 if unknown */
	long long kernel_memcgs;	/* memory cgroups besides the root, -1 if unknown */
	long long kernel_memcgs_peak;	/* the most seen since start: a pre-5.18 id space never shrinks */
	/* On a patched kernel, the model's other side (lib/model.h): the id space a pre-5.18
	 * kernel would have grown to for the peak, and the bytes its eager lists would hold
	 * on these list_lrus and nodes; -1 before the patch or while a count is unknown. */
	long long pre_patch_ids, pre_patch_bytes;
};

/* The memory cgroup hierarchy and the paths of its memcgs (memcgs.c). */
struct cgroup_fs {
	char root[4096];
	int version;		/* 1 or 2, 0 when no memory controller is mounted */
	struct cgroup_index *index;
	__u64 index_changes;	/* the tracer's cgroup changes when index was walked */
	__u64 builds;		/* walks that made an index */
	struct kernel_iters *iters;	/* the session's, where the cgroup iterator is */
	const char *tree_from;	/* how the last index was walked; NULL before the first */
	__u64 resolved_builds, resolved_rows;	/* index and rows the last paths were of */
};

/* Removed memcgs leave the maps and the table keep_s after their removal is seen (negative:
 * never); their counters are added to stats, so the totals stay the sum of the rows and
 * stats (memcgs.c). */
struct removed_aging {
	double keep_s;		/* LRUTOP_KEEP_REMOVED_S unless told */
	struct memcg_stats stats;
	__u64 memcgs;
	__u64 early;		/* of those, aged before keep_s to keep the map from filling */
};

/* One list_lru as shown: its counters and what owns it (lrus.c). */
struct lru_row {
	__u64 lru;
	struct lru_stats st;
	__u64 delta_allocs;
	__u64 nmemcgs;		/* memcgs that got a list on it */
	char mnt[256];		/* mount point of its superblock, "" if unknown */
	unsigned int kind;	/* enum lrutop_lru_kind: its owner's, or lru_names.c's */
	char where[128];	/* not a superblock's: its symbol, or "objects: CACHE" */
	const char *why;	/* kind other: why lrutop cannot name it */
};

/* The tracer's counters: since start and of the last interval (state.c, lrus.c). */
struct tracer_flow {
	struct totals tot, delta;
	struct tracer_globals g;	/* histograms since start, id space, growths */
	__u64 lat_delta[LRUTOP_MAX_SLOTS], lat_alloc_delta[LRUTOP_MAX_SLOTS];
	struct lru_row *lrus;	/* sorted by address */
	size_t nr_lrus;
	struct lru_namer *namer;	/* names the list_lrus that are not a superblock's */
	__u64 joined_reads, joined_rows;	/* what the last join of pairs to rows saw */
};

/* What the kernel's list_lrus hold now, walked every interval_s (held.c). */
struct held_preload;

struct held_lists {
	struct inventory_walker *walker;	/* NULL: no inventory, why says why */
	struct held_preload *loading;	/* the walker, still loading in its thread */
	struct inventory inv;
	bool valid;		/* inv holds a pass */
	bool unjoined;		/* a pass not yet given to the rows */
	bool due;		/* walk at the next refresh, whatever the interval */
	char why[256];
	double interval_s;	/* 0: never */
	double at;		/* CLOCK_MONOTONIC seconds of the last pass */
};

/* Everything lrutop knows after a refresh, each part filled by one module; what the views
 * render, whatever they show of it. */
struct lrutop_state {
	struct kernel_facts kernel;
	struct kernel_census census;
	struct cgroup_fs cg;
	struct memcg_table memcgs;
	enum group_by group_by;		/* GROUP_NONE, or how groups rolls memcgs up */
	struct memcg_table groups;	/* groups.c */
	uint32_t *group_members;	/* the memcgs each of groups' rows sums, 0: a memcg's own */
	struct removed_aging aging;
	struct tracer_flow flow;
	struct held_lists held;
	struct tracer tracer;
	struct watching watching;	/* what lrutop's own programs cost */

	struct timespec started, last;
	double interval_s;	/* since the previous refresh */
	__u64 refreshes;
};

/* What plan and backend measure, the nodes online and the release (tests build a state
 * from a plan with it too). */
void kernel_facts_init(struct kernel_facts *k, const struct probe_plan *plan,
		       enum backend backend);
int state_init(struct lrutop_state *s, struct lrutop_bpf *skel, const struct probe_plan *plan,
	       enum backend backend);
/* Read the tracer, the cgroups and (when due) the inventory. Negative errno on failure. */
int state_refresh(struct lrutop_state *s);
void state_free(struct lrutop_state *s);
/* The census' model of the other side of the patch, from its counts (a refresh does it;
 * tests that set the counts by hand too). */
void state_model_pre_patch(struct lrutop_state *s);
/* Is a memcg metric's need (metrics.h) measured here now? */
bool state_measures(const struct lrutop_state *s, int need);
/* The interval's totals, or since start. */
const struct totals *state_totals(const struct lrutop_state *s, bool cumulative);

#endif
