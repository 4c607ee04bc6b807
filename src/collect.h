/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_COLLECT_H
#define __LRUTOP_COLLECT_H

#include <stdbool.h>
#include <time.h>
#include "lrutop.h"
#include "maps.h"
#include "probe.h"
#include "rows.h"
#include "inventory.h"
#include "selfcheck.h"

struct lrutop_bpf;
struct cgroup_index;

/* One list_lru as shown: its counters and what owns it. */
struct lru_row {
	__u64 lru;
	struct lru_stats st;
	__u64 delta_allocs;
	__u64 nmemcgs;		/* memcgs that got a list on it */
	char mnt[256];		/* mount point of its superblock, "" if unknown */
};

/* Everything lrutop knows after a refresh: what the reports render. */
struct lrutop_state {
	const struct probe_plan *plan;
	enum backend backend;
	char release[65];
	int nr_nodes;
	bool cumulative;
	bool by_cause;		/* memcg rows show what each caused, not what each owns */
	bool avail[NR_METRICS];	/* measurable with this kernel and backend */
	struct self_check self_check;

	char cg_root[4096];
	int cg_version;		/* 1 or 2, 0 when no memory controller is mounted */
	struct cgroup_index *cg_index;
	__u64 cg_index_changes;	/* cgroup_changes (BPF) when cg_index was walked */

	struct memcg_table memcgs;
	struct lru_row *lrus;
	size_t nr_lrus;

	struct totals tot, delta;
	__u64 lat[LRUTOP_MAX_SLOTS], lat_delta[LRUTOP_MAX_SLOTS];
	__u64 lat_alloc[LRUTOP_MAX_SLOTS], lat_alloc_delta[LRUTOP_MAX_SLOTS];
	__u32 id_space;
	bool id_space_known;
	long long memcg_lrus;	/* memcg-aware list_lrus in the kernel, -1 if unknown */
	long long kernel_memcgs;	/* memory cgroups besides the root (/proc/cgroups), -1 if unknown */
	long long kernel_memcgs_peak;	/* the most seen since start: a pre-5.18 id space never shrinks */
	__u64 growth_count;
	struct growth_event growths[LRUTOP_MAX_GROWTHS];

	/* Removed memcgs leave the maps and the table this long after their removal is seen
	 * (negative: never); their counters are added to aged, so the totals stay the sum of
	 * the rows and aged. */
	double keep_removed_s;	/* LRUTOP_KEEP_REMOVED_S unless told */
	struct memcg_stats aged;
	__u64 aged_memcgs;
	__u64 aged_early;	/* of those, aged before keep_removed_s to keep the map from filling */

	/* What the kernel's list_lrus hold now (held.c): walked every inv_interval_s. */
	struct inventory_walker *inv_walker;	/* NULL: no inventory, inv_why says why */
	struct inventory inv;
	bool inv_valid;		/* inv holds a pass */
	char inv_why[256];
	double inv_interval_s;	/* 0: never */
	double inv_at;		/* CLOCK_MONOTONIC seconds of the last pass */

	struct timespec started, last;
	double interval_s;	/* since the previous refresh */
	__u64 refreshes;

	/* The last read of the pair map: struct pair_key keys, __s64 list counts. */
	struct map_dump dump_pair;

	/* private */
	struct lrutop_bpf *skel;
	int ncpus;
	struct map_dump dump_memcg, dump_lru;
	__u64 owner_notes;	/* BPF's owner_notes at the last pass */
};

/* Fill s->avail from s->plan and s->backend: fixed once the backend is chosen. */
void state_plan_metrics(struct lrutop_state *s);
int state_init(struct lrutop_state *s, struct lrutop_bpf *skel, const struct probe_plan *plan,
	       enum backend backend);
/* Charge the lists made outside a fentry bracket to their owners (the memcgs whose slots of
 * the list_lrus they fill): a walk of every memcg-aware list_lru. Negative errno. */
int state_resolve_owners(struct lrutop_state *s);
/* The same, only if BPF noted lists made outside a bracket since the last call: cheap enough
 * to call ten times a second, so a short-lived list is charged before it is freed. */
void state_poll_owners(struct lrutop_state *s);
/* Read the maps, update deltas and paths. Negative errno on failure. */
int state_refresh(struct lrutop_state *s);
void state_free(struct lrutop_state *s);
/* memcg's memcg_list_lru_alloc latency histogram since start (fentry). Negative errno if none. */
int state_memcg_lat(const struct lrutop_state *s, __u64 cgid, __u64 *slots);
/* Pre-5.18 (fentry): the (memcg, list_lru) pairs a 5.18+ kernel would have given a list for
 * the allocations seen, each memcg's ancestors below the root included. Negative errno. */
long long state_would_pairs(const struct lrutop_state *s);
/* The per-interval or cumulative value of a totals field, as the state is set to show. */
const struct totals *state_totals(const struct lrutop_state *s);

#endif
