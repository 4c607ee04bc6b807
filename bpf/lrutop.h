/* SPDX-License-Identifier: GPL-2.0 */
/* Types shared by lrutop.bpf.c and the userspace loader: fixed-width only, no kernel types. */
#ifndef __LRUTOP_H
#define __LRUTOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define LRUTOP_MAX_SLOTS	32	/* log2 histogram slots: slot k = [2^k, 2^(k+1)) */
#define LRUTOP_FSTYPE_LEN	16
#define LRUTOP_SID_LEN		32
#define LRUTOP_MAX_GROWTHS	64	/* id-space growth events kept (ring) */
#define LRUTOP_PATH_LEN		256	/* cgroup paths caught at mkdir */
#define LRUTOP_LIVE_FILTER_SLOTS 4096	/* kfree prefilter: power of two; 16 KiB, four pages */
#define LRUTOP_MAX_RANGES	8	/* call-site ranges of the lazy allocation path */
#define LRUTOP_MAX_LEVELS	16	/* memcg levels walked up to find a list's owner */
#define LRUTOP_RESOLVE_IDS	64	/* kmemcg ids one owner-resolution pass looks up */
#define LRUTOP_OWNER_POLL_MS	100	/* userspace looks for lists with no owner yet this often */

/* Which allocation a tracked kmalloc was: a lazy list (5.18+) or an eager one (pre-5.18). */
enum lrutop_alloc_kind {
	LRUTOP_ALLOC_LAZY = 1,
	LRUTOP_ALLOC_EAGER = 2,
	LRUTOP_ALLOC_KIND_MASK = 3,
	LRUTOP_ALLOC_SELF_CHECK = 4,	/* made by lrutop's own start-up check: counted apart */
};

/* Owner of a list_lru, resolved in the kernel the first time an lru is seen. */
enum lrutop_lru_kind {
	LRUTOP_LRU_OTHER = 0,
	LRUTOP_LRU_DENTRY = 1,	/* &sb->s_dentry_lru */
	LRUTOP_LRU_INODE = 2,	/* &sb->s_inode_lru */
};

/*
 * Per-memcg counters, added to atomically. Signed arithmetic on u64 is fine: a list freed in
 * the function that allocated it (the pre-6.13 temporary table, a lost race) is subtracted
 * again. A list is charged to its owner, the memcg whose slot of the list_lru it fills (the
 * kernel makes one for each ancestor lacking one too), and to its cause, the memcg whose
 * allocation made the kernel create it.
 */
struct memcg_stats {
	__u64 allocs;		/* lists it owns that were allocated */
	__u64 bytes;		/* their kmalloc bytes_alloc */
	__u64 freed_bytes;	/* bytes of those lists later kfree'd */
	__u64 fails;		/* memcg_list_lru_alloc returned non-zero (fentry) */
	__u64 objs;		/* objects from kmem_cache_alloc_lru (fentry) */
	__u64 calls;		/* memcg_list_lru_alloc calls (fentry) */
	__u64 lat_ns;		/* total time in memcg_list_lru_alloc (fentry) */
	__u64 caused_allocs;	/* lists its allocations made the kernel create, any owner */
	__u64 caused_bytes;
};

/* Per-list_lru counters and owner (fentry: the lru argument is only seen there). */
struct lru_stats {
	__u64 allocs;
	__u64 bytes;
	__u32 kind;		/* enum lrutop_lru_kind */
	__u32 dev;		/* sb->s_dev, kernel encoding (major << 20 | minor) */
	char fstype[LRUTOP_FSTYPE_LEN];
	char sid[LRUTOP_SID_LEN];
};

/* A memcg's memcg_list_lru_alloc latency histogram, log2 ns (fentry). */
struct lat_slots {
	__u64 slots[LRUTOP_MAX_SLOTS];
};

/* One (memcg, list_lru) pair that got a list: the patch's unit of memory. */
struct pair_key {
	__u64 cgid;
	__u64 lru;
};

/* A kmalloc this tool counted, remembered until it is kfree'd. */
struct live_alloc {
	__u64 cgid;		/* its cause */
	__u64 lru;		/* 0 until known */
	__u64 owner;		/* the memcg whose slot holds it, 0 until resolved */
	__u32 bytes;
	__u32 kind;		/* enum lrutop_alloc_kind */
};

/* A kmemcg id (the index of a memcg's slot in every list_lru's xarray) and its memcg. */
struct kmemcg_ref {
	__u64 cgid;
	__u64 ts_ns;		/* last lazy allocation that may have filled its slot */
};

/* A memory cgroup's path, caught when it is made: it may be gone before userspace looks. */
struct cgroup_path {
	char path[LRUTOP_PATH_LEN];
};

/* A walk of the kernel's ring of memcg-aware list_lrus, in chunks (BPF_PROG_TEST_RUN). */
struct ring_walk {
	__u64 start;		/* userspace zeroes it to begin */
	__u64 pos;
	__u64 steps;
	__s32 state;		/* 0 walking, 1 done, -1 failed */
	__u32 pad;
};

struct growth_event {
	__u64 ts_ns;
	__u64 dur_ns;
	__u32 old_size;		/* 0 when unknown */
	__u32 new_size;
};

/* Global counters (per-CPU array of one). Kept apart from the per-memcg map so a full
 * map loses rows, never totals. */
struct totals {
	__u64 allocs;
	__u64 bytes;
	__u64 freed_bytes;
	__u64 transient;	/* lists kfree'd inside the allocating function */
	__u64 fails;
	__u64 objs;
	__u64 calls;
	__u64 lat_ns;		/* total time in memcg_list_lru_alloc (fentry) */
	__u64 eager_allocs;	/* pre-5.18: kmalloc'd list_lru_one, one per memcg id */
	__u64 eager_bytes;
	__u64 eager_freed_bytes;
	__u64 eager_calls;	/* __memcg_init_list_lru_node calls (fentry) */
	__u64 eager_ids;	/* ids those calls covered, summed over nodes and lrus */
	__u64 drops_memcg;	/* per-memcg map full */
	__u64 drops_lru;	/* per-lru map full */
	__u64 drops_pair;	/* pair map full */
	__u64 drops_live;	/* live-allocation map full: a later kfree goes unseen */
	__u64 orphan_freed_bytes; /* freed lists of memcgs with no row (aged out, dropped) */
	__u64 owned;		/* lists whose owner was found: allocs - owned are unattributed */
	__u64 owned_bytes;
	__u64 unowned_freed;	/* lists freed before their owner was found */
	__u64 unowned_freed_bytes;
	__u64 drops_owner;	/* per-memcg map full: a list's owner got no row */
	__u64 alloc_calls;	/* allocator calls that made a list (fentry) */
};

#endif /* __LRUTOP_H */
