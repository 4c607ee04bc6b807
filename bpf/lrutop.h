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
#define LRUTOP_OBJECTS_LEN	32	/* a slab cache's name */
#define LRUTOP_MAX_GROWTHS	64	/* id-space growth events kept (ring) */
#define LRUTOP_PATH_LEN		256	/* cgroup paths caught at mkdir */
#define LRUTOP_MAX_RANGES	8	/* call-site ranges of the lazy allocation path */
#define LRUTOP_MAX_FREE_RANGES	16	/* call-site ranges where lists are kfree'd */
#define LRUTOP_MAX_LEVELS	16	/* memcg levels walked up to find a list's owner */
#define LRUTOP_RESOLVE_IDS	64	/* kmemcg ids one owner-resolution pass looks up */
#define LRUTOP_FREEING		1024	/* removed memcgs one check for unseen frees looks at */

/*
 * A kallsyms symbol as the ksym iterator writes it (iters.bpf.c): every symbol's address,
 * and the name (then the module's, for a module's symbol) of those userspace may keep. The
 * iterator keeps a symbol whose name's first LRUTOP_KSYM_PREFIX bytes hash (ksym_prefix_bit)
 * to a bit set in its prefixes, and with keep_data every data symbol.
 */
struct lrutop_ksym {
	__u64 addr;		/* 0 where the reader may not see addresses (kptr_restrict) */
	__u16 name_len;		/* 0: the address alone */
	__u16 mod_len;
	char type;		/* kallsyms' letter */
	__u8 module;		/* a module's symbol (a BPF program's too: module "bpf") */
	__u8 pad[2];
};

/*
 * A cgroup as the cgroup iterator writes it (iters.bpf.c), then its name (name_len bytes,
 * no NUL): the tree below a mount's root in pre-order, each parent before its children.
 */
struct lrutop_cgroup {
	__u64 id;		/* its kernfs node's id: the inode number of its directory */
	__u64 parent;		/* its parent's id; 0 for the root */
	__u16 name_len;		/* 0: unread */
	__u8 pad[6];
};

#define LRUTOP_CGROUP_NAME	256	/* NAME_MAX and its NUL */

/*
 * A read of the cgroup iterator is one session: its output must fit the kernel's buffer of
 * 8 pages (kernel/bpf/cgroup_iter.c), or the next read fails. So a session writes at most
 * budget bytes, and sets more where it stopped short; the next one passes over the cgroups
 * up to and including resume_id, the last one written, and says whether it found it (a
 * cgroup removed meanwhile: the walk starts again). By identity, not by count: a cgroup made
 * or removed before that point between two sessions moves no other.
 */
struct lrutop_cgroup_walk {
	__u64 resume_id, budget;	/* set by userspace before a session; resume_id 0: from the start */
	__u64 written, emitted;		/* this session's */
	__u32 found, more, complete, pad;
};

#define LRUTOP_KSYM_PREFIX	4
#define LRUTOP_KSYM_PREFIX_BITS	65536
#define LRUTOP_KSYM_NAME	512	/* KSYM_NAME_LEN since 6.1 (128 before) */

/* The bit of name's first LRUTOP_KSYM_PREFIX bytes in the iterator's prefixes: userspace sets
 * it for each name asked for, the iterator tests it for each symbol. */
static inline __u32 ksym_prefix_bit(const char *name)
{
	__u32 first4 = (__u8)name[0] | (__u8)name[1] << 8 | (__u8)name[2] << 16 |
		       (__u32)(__u8)name[3] << 24;

	return ((first4 * 2654435761u) >> 16) & (LRUTOP_KSYM_PREFIX_BITS - 1);
}
#define LRUTOP_OWNER_POLL_MS	100	/* userspace looks for lists with no owner yet this often */

/* The log2 slot of v: slot k holds [2^k, 2^(k+1)); 0 and 1 go to slot 0. BPF and the
 * renderers bucket alike. Bounded for the verifier: 64 halvings at most. */
static inline __attribute__((always_inline)) __u32 log2_slot(__u64 v)
{
	__u32 slot = 0;

	for (int i = 0; i < 64 && v > 1; i++) {
		v >>= 1;
		slot++;
	}
	return slot;
}

/* Which allocation a tracked kmalloc was: a lazy list (5.18+) or an eager one (pre-5.18). */
enum lrutop_alloc_kind {
	LRUTOP_ALLOC_LAZY = 1,
	LRUTOP_ALLOC_EAGER = 2,
	LRUTOP_ALLOC_KIND_MASK = 3,
	LRUTOP_ALLOC_SELF_CHECK = 4,	/* made by lrutop's own start-up check: counted apart */
};

/*
 * Owner of a list_lru. BPF resolves a superblock's the first time an lru is seen; userspace
 * names the others (src/kernel/lru_names.c): by the kernel global that is the list_lru, or
 * by what its objects are.
 */
enum lrutop_lru_kind {
	LRUTOP_LRU_OTHER = 0,	/* not named: lru_names.c says why */
	LRUTOP_LRU_DENTRY = 1,	/* &sb->s_dentry_lru */
	LRUTOP_LRU_INODE = 2,	/* &sb->s_inode_lru */
	LRUTOP_LRU_SHADOW = 3,	/* the workingset's shadow_nodes: page cache xarray nodes */
	LRUTOP_LRU_ZSWAP = 4,	/* zswap's LRU of compressed pages (6.8+) */
	LRUTOP_LRU_THP_SPLIT = 5,	/* the THP deferred-split queue (7.2+) */
	LRUTOP_LRU_GLOBAL = 6,	/* another kernel global, named by its symbol */
	NR_LRUTOP_LRU_KINDS,
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
	__u64 fails;		/* memcg_list_lru_alloc returned non-zero (fentry), or a kmalloc
				 * of it returned NULL (tracepoints) */
	__u64 objs;		/* objects from kmem_cache_alloc_lru (fentry) */
	__u64 calls;		/* memcg_list_lru_alloc calls (fentry) */
	__u64 lat_ns;		/* total time in memcg_list_lru_alloc (fentry) */
	__u64 caused_allocs;	/* lists its allocations made the kernel create, any owner */
	__u64 caused_bytes;
};

/* A memcg's slot in the per-memcg array, which userspace maps: cgid 0 is a free slot. The
 * counters first: their address is the slot's, which the verifier checks for NULL. */
struct memcg_entry {
	struct memcg_stats st;
	__u64 cgid;
};

/* What a list_lru belongs to: a superblock (its dentries or inodes), or another user. */
struct lru_owner {
	__u32 kind;		/* enum lrutop_lru_kind */
	__u32 dev;		/* sb->s_dev, kernel encoding (major << 20 | minor) */
	char fstype[LRUTOP_FSTYPE_LEN];
	char sid[LRUTOP_SID_LEN];
};

/* Per-list_lru counters and owner (fentry: the lru argument is only seen there). */
struct lru_stats {
	__u64 allocs;
	__u64 bytes;
	struct lru_owner owner;
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
	__u32 slot;		/* the owner's kmemcg id: the index of the slot it fills */
	__u32 pad;
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
	__u64 eager_fails;	/* of those calls (or their kmallocs, on tracepoints), failed */
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
	__u64 bytes_unread;	/* fentry: lists (or calls' runs of them) whose slab slot could
				 * not be read, their bytes not counted */
};

/*
 * What each CPU counts (the totals map, a per-CPU array of one): its totals, its last memcg
 * row and the allocator's latency histograms (fentry: every call, so no add on a line all
 * CPUs share). One lookup gives a program all three; userspace sums the CPUs. The totals
 * first (a program's pointer to them is the lookup's own, which the verifier wants checked
 * before any arithmetic), the hint next to them: an object's count touches their first 224
 * bytes.
 */
struct cpu_counts {
	struct totals totals;
	/* The row of the memcg this CPU counted last (fentry): a CPU's tasks are often of one
	 * memcg, so the object's and the call's row are found without a hash lookup. A hint:
	 * the row's own cgid says whether it is still that memcg's (a slot given back names the
	 * next memcg). */
	__u64 hint_cgid;
	__u32 hint_slot;
	__u32 pad;
	__u64 lat[LRUTOP_MAX_SLOTS];		/* all memcg_list_lru_alloc calls, log2 ns */
	__u64 lat_alloc[LRUTOP_MAX_SLOTS];	/* only the calls that allocated a list */
};

/*
 * Inventory: what the kernel's list_lrus hold now, read from their own structures by
 * inventory.bpf.c in chunks (BPF_PROG_TEST_RUN). A pass has a number (gen): entries of the
 * maps below carry the pass that last wrote them, so a new pass needs no clearing.
 */
#define LRUTOP_INV_MAX_NODES	16	/* NUMA nodes whose lists' objects are counted */
#define LRUTOP_INV_MAX_IDS	65536	/* kmemcg ids: MEM_CGROUP_ID_MAX is 65535 */
#define LRUTOP_INV_MAX_LRUS	65536

#define LRUTOP_CG_NAME_LEN	128	/* a memcg's directory name as the walk reads it */

/* Per kmemcg id: its online memcg (0: no memcg holds the id) and the lists at its index. */
struct inv_id {
	__u64 gen;
	__u64 cgid;
	/* Its place in the tree, from the kernel (kernfs): userspace makes its path of these
	 * without reading a directory of the cgroup filesystem. */
	__u64 parent_cgid;	/* 0: none (the root) */
	__s32 name_len;		/* what bpf_probe_read_kernel_str returned: <= 0 unread */
	__u32 pad;
	char name[LRUTOP_CG_NAME_LEN];
	__u64 lists;		/* allocations: a list per node before 5.18, one for all after */
	__u64 empty;		/* of those, holding no object on any node */
	__u64 objects;		/* nr_items summed */
	__u64 bytes;		/* their slab slots (slab_slot_size), where it can be read */
	__u64 unread;		/* lists whose slab slot could not be read */
	/* Of those, on the list_lru the cursor focuses on (focus_lru). */
	__u64 lru_lists, lru_empty, lru_objects, lru_bytes;
};

/* Per memcg-aware list_lru. */
struct inv_lru {
	__u64 gen;
	__u64 lists;
	__u64 empty;
	__u64 objects;
	__u64 xa_nodes;		/* 5.18+: nodes of its xarray */
	__u64 bytes;		/* its lists' slab slots */
	__u64 unread;		/* lists whose slab slot could not be read */
	__u32 max_id;		/* highest id with a list, + 1 */
	__u32 pad;
	struct lru_owner owner;
	/* What its objects are, from the first found on a list: a slab cache's name, or
	 * "page" for struct pages; "" while every list read was empty. */
	char obj_cache[LRUTOP_OBJECTS_LEN];
	__u64 peek;		/* a list with objects, to read them from after this step */
	__u64 ids;		/* ids with a list: the memcgs (and ids no memcg holds) it serves */
	/* Of its lists, those at the id the cursor focuses on (focus_id). */
	__u64 id_lists, id_empty, id_objects, id_bytes;
};

/* Where a pass is: the ring of list_lrus, the list_lru being read and the next id in it. */
struct inv_cursor {
	struct ring_walk ring;
	__u64 lru;		/* the list_lru being read, 0 between two */
	__u32 idx;		/* next kmemcg id */
	__u32 node;		/* before 5.18: the node whose array is read */
	__u64 gen;		/* set by userspace for each pass */
	__u32 ids;		/* before 5.18: the id space, set by userspace */
	__u32 nr_nodes;		/* nr_node_ids, set by userspace */
	__u32 list_size;	/* the least a list's slab slot can be, set by userspace */
	/* One memcg's lists on each list_lru, and one list_lru's at each id, for a screen
	 * that drills down: userspace sets focus_cgid and focus_lru (0: none), the memcg walk
	 * the id of focus_cgid (LRUTOP_INV_NO_FOCUS: none). */
	__u32 focus_id;
	__u64 focus_cgid;
	__u64 focus_lru;
};

#define LRUTOP_INV_NO_FOCUS	0xffffffffu

/* The walk of the memcg tree, pre-order without a stack (parents and sibling lists). */
struct inv_memcg_walk {
	__u64 root;		/* 0: start from the caller's memcg's root */
	__u64 pos;
	__u64 steps;
	__s32 state;		/* 0 walking, 1 done, -1 failed */
	__u32 online;		/* online memcgs with a kmemcg id seen */
	__u32 climbing;		/* pos's subtree is done: look for its next sibling */
	__u32 pad;
};

/* What a pass found that is no count of lists. */
struct inv_totals {
	__u64 lrus;		/* memcg-aware list_lrus read */
	__u64 rejected;		/* ring entries that are no list_lru (the ring's head) */
	__u64 drops_ids;	/* a full id map: lists not counted per memcg */
	__u64 drops_lrus;	/* a full list_lru map */
	__u64 runs;		/* program runs the pass took */
	__u64 max_run_ns;	/* the longest of them */
};

#endif /* __LRUTOP_H */
