/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_TRACER_H
#define __LRUTOP_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "lrutop.h"
#include "maps.h"

struct lrutop_bpf;

/*
 * The loaded tracer's maps and globals, read into plain data: the one place that reads
 * what lrutop.bpf.c counts. It keeps the buffers of its last reads.
 */
/* A slot of a forgotten memcg, given back to BPF once no program can still hold it. */
struct slot_wait {
	__u32 slot;
	__u64 since_ns;		/* CLOCK_MONOTONIC */
};

struct tracer {
	struct lrutop_bpf *skel;
	int ncpus;
	size_t memcg_slots;	/* of the per-memcg array */
	size_t window_slots;	/* a read maps this many at a time */
	struct slot_wait *waiting;	/* oldest first */
	size_t nr_waiting, waiting_cap;
	struct map_dump lrus;	/* __u64 list_lru address -> struct lru_stats */
	struct map_dump pairs;	/* struct pair_key -> __s64 lists */
	__u64 lru_changes;	/* BPF's lru_changes when lrus and pairs were read */
	bool lrus_stale;	/* userspace deleted from them since */
	__u64 lrus_reads;	/* reads of lrus and pairs that found changes */
	__u64 owner_notes;	/* BPF's owner_notes at the last pass */
};

/* What the tracer's globals hold besides the maps. */
struct tracer_globals {
	__u64 lat[LRUTOP_MAX_SLOTS];		/* memcg_list_lru_alloc, ns, log2 */
	__u64 lat_alloc[LRUTOP_MAX_SLOTS];	/* the calls that made a list */
	__u32 id_space;				/* pre-5.18: memcg_nr_cache_ids */
	bool id_space_known;
	__u64 growth_count;
	struct growth_event growths[LRUTOP_MAX_GROWTHS];
};

int tracer_init(struct tracer *t, struct lrutop_bpf *skel);
void tracer_free(struct tracer *t);

/* Each reads into the tracer's buffer of that map. Negative errno. */
/* fn gets the per-memcg array's slots, n from first at a time; its error ends the read. */
typedef int (*tracer_slots_fn)(void *ctx, const struct memcg_entry *e, size_t first, size_t n);
int tracer_read_memcgs(struct tracer *t, tracer_slots_fn fn, void *ctx);
/* The per-list_lru and pair maps, read again only when BPF changed them. */
int tracer_read_lrus(struct tracer *t);
/* The totals and the globals (the latency histograms: each CPU's, summed), at one read. */
int tracer_read_counts(struct tracer *t, struct totals *out, struct tracer_globals *g);
/* Slots of the per-memcg array: memcgs beyond them drop. */
size_t tracer_memcg_capacity(const struct tracer *t);
/* Slots forgotten memcgs still hold until they are given back. */
size_t tracer_memcg_waiting(const struct tracer *t);
/* Give BPF back the slots of memcgs forgotten at an earlier refresh. */
void tracer_recycle_slots(struct tracer *t);
/* mkdir, rmdir and rename of cgroups seen so far. */
__u64 tracer_cgroup_changes(const struct tracer *t);
/* The path BPF caught at a cgroup's mkdir: 0, or negative errno. */
int tracer_mkdir_path(const struct tracer *t, __u64 cgid, char *buf, size_t len);
/* Take a memcg out of the maps; last gets its counters at that moment (kept if it has no
 * slot). Its slot is given back at a later refresh (tracer_recycle_slots). */
void tracer_forget_memcg(struct tracer *t, __u64 cgid, struct memcg_stats *last);
void tracer_forget_pair(struct tracer *t, const struct pair_key *pk);
/* A memcg's memcg_list_lru_alloc latency since start (fentry). Negative errno if none. */
int tracer_memcg_lat(const struct tracer *t, __u64 cgid, __u64 *slots);
/* Pre-5.18 (fentry): the (memcg, list_lru) pairs a patched kernel would populate. */
int tracer_read_would_pairs(const struct tracer *t, struct map_dump *d);
/* The kernel's memcg-aware list_lrus, walking its ring: -1 if the walk failed. */
long long tracer_count_memcg_lrus(const struct tracer *t);
/* Charge the lists made outside a fentry bracket to their owners: a walk of every
 * memcg-aware list_lru for the kmemcg ids pending. Negative errno. */
int tracer_resolve_owners(struct tracer *t);
/*
 * Tracepoint backend: count freed the lists of the removed memcgs cgids (up to
 * LRUTOP_FREEING) that their slots no longer hold (RCU frees them unseen by kfree's
 * tracepoint). 0, or -errno; 0 with fentry, which sees these frees.
 */
int tracer_check_freed(struct tracer *t, const __u64 *cgids, size_t n);
/* The same, only if BPF noted such lists since the last call: cheap enough to call ten
 * times a second, so a short-lived list is charged before it is freed. */
void tracer_poll_owners(struct tracer *t);

#endif
