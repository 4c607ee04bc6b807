/* SPDX-License-Identifier: GPL-2.0 */
/* The tracer's state: what userspace sets before load (.rodata), what it reads (.bss), and the maps. Part of lrutop.bpf.c, included there once, in order. */

/*
 * Call-site ranges [lo, hi) from /proc/kallsyms, set before load: every function of the lazy
 * allocation path (7.2 split memcg_list_lru_alloc into a wrapper and a static helper, and
 * added a folio variant; compilers add .part/.isra/.constprop clones). [lazy_min, lazy_max)
 * encloses them all, so the hot path rejects almost every kmalloc with two compares.
 */
const volatile __u64 lazy_lo[LRUTOP_MAX_RANGES], lazy_hi[LRUTOP_MAX_RANGES];
const volatile __u64 lazy_min = 0, lazy_max = 0;
const volatile __u32 nr_lazy_ranges = 0;
const volatile __u64 eager_lo = 0, eager_hi = 0;	/* __memcg_init_list_lru_node (pre-5.18) */
/*
 * The same for the kfrees of lists: the list_lru functions that free them and their clones,
 * the allocators' included (a list lost to a race). Every kfree in the system passes
 * handle_kfree; one from elsewhere is not a list's, and the range check says so however many
 * lists are live (the filter and hash lookup it replaced cost hundreds of ns a kfree with
 * thousands live: docs/BENCHMARKS.md, section 1).
 * A memcg going offline frees its lists through RCU: its bulk free fires no kfree tracepoint,
 * and where RCU could not batch them kvfree's kfree is outside these; check_freed reads the
 * slots of both.
 */
const volatile __u64 free_lo[LRUTOP_MAX_FREE_RANGES], free_hi[LRUTOP_MAX_FREE_RANGES];
const volatile __u64 free_min = 0, free_max = 0;
const volatile __u32 nr_free_ranges = 0;
const volatile bool use_brackets = false;	/* fentry on the lazy allocator is attached */
const volatile bool eager_brackets = false;	/* fexit on __memcg_init_list_lru_node is */
const volatile bool lru_first = false;		/* v2 patch: list_lru_memcg_alloc(lru, memcg, gfp) */
const volatile __u64 nr_cache_ids_addr = 0;	/* &memcg_nr_cache_ids (pre-5.18), 0 if unknown */
/* fentry: lists are counted from the slots the list_lru functions fill and free; nothing
 * runs on kmalloc or kfree. A list's bytes are then read from its own slab (slab_slot_size),
 * as the kmalloc tracepoint's bytes_alloc reports them to the other backend. */
const volatile bool lists_from_slots = false;
const volatile __u32 lazy_list_size = 0;	/* 16 + nr_node_ids x sizeof(list_lru_one) */
const volatile __u32 eager_list_size = 0;	/* pre-5.18: one list_lru_one */
const volatile __u32 eager_nodes = 1;		/* pre-5.18: possible nodes, a list each per id */
/* For tests only (LRUTOP_FAULT_NO_CALL_RECORDS): every call takes brackets, as when another
 * task holds its slot of calls_in_flight. */
const volatile bool no_call_records = false;

/* Read by userspace through the skeleton's mmapped .bss. */
__u32 id_space;
__u32 id_space_known;		/* id_space was read: 0 is real on 5.10 before the first memcg */
__u64 growth_count;
struct growth_event growths[LRUTOP_MAX_GROWTHS];

/* The walks of the kernel's ring of memcg-aware list_lrus: count_memcg_lrus and
 * resolve_owners (struct ring_walk). */
struct ring_walk lru_walk, owner_walk;
/* mkdir, rmdir and rename in the memory hierarchy: userspace walks the tree only after one. */
__u64 cgroup_changes;

/* The owner-resolution pass (resolve_owners): the kmemcg ids to look up in every list_lru,
 * their memcgs, and the walk's position, as for count_memcg_lrus. */
__u32 rs_ids[LRUTOP_RESOLVE_IDS];
__u64 rs_cgids[LRUTOP_RESOLVE_IDS];
__u32 rs_nids;
__u64 owner_notes;		/* lists made outside a bracket: userspace runs the pass soon */
__u64 lru_changes;		/* lru_stats and pairs changed: bumped after each change */
/* A list's owner got no row (a full map): a memcg without a row may hold lists. */
__u32 owner_rows_lost;
/* A list_lru's row was not made (a full map): a list_lru without a row may hold lists. */
__u32 lru_rows_lost;
/* Pre-5.18 (lists_from_slots): the id space before the first growth lrutop saw, the ids of
 * lists it counted on list_lrus older than itself. */
__u32 first_growth_old;

/*
 * lrutop's start-up self-check: the two memcgs it makes (parent, child) and, while it mounts
 * and unmounts its tmpfs, its own tgid. What they cause is counted here, not in the maps
 * and totals that reports show.
 */
__u64 self_check_cgids[2];
__u32 self_check_tgid;
struct memcg_stats self_check_stats[2];
struct totals self_check_totals;

struct bracket {
	__u64 cgid;
	__u64 lru;
	__u64 ts;
	__u64 allocated;
	__u32 empty;		/* lists_from_slots: chain levels whose slot was empty at entry */
	__u32 pad;
};

/* kmemcg ids of memcgs that made lists outside a bracket: resolve_owners looks them up. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct kmemcg_ref);
} pending_ids SEC(".maps");

/*
 * Per-memcg counters at dense slots that userspace reads through mmap, a window at a time: a
 * refresh of 100,000 memcgs makes a few syscalls for them (a hash map's batch walk cost 34 ms
 * there).
 * Atomic adds, not per-CPU copies: these are not hot counters. A slot whose cgid is 0 is
 * free. Userspace gives a slot back (zeroed, into free_slots) a refresh after it forgets its
 * memcg, so a program that found the slot just before sees no other memcg's row.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 10240);		/* --max-memcgs */
	__type(key, __u32);
	__type(value, struct memcg_entry);
} memcg_stats SEC(".maps");

/* Each memcg's slot in memcg_stats. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);		/* --max-memcgs */
	__type(key, __u64);
	__type(value, __u32);
} memcg_slots SEC(".maps");

/*
 * The slots not in use. Userspace fills it before the programs attach, and gives slots back
 * here: BPF pops one for a new memcg (a 5.10 program has no atomic that returns a value).
 * A stack: a slot given back is the next one out, so the slots in use stay low.
 */
struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 10240);		/* --max-memcgs */
	__type(value, __u32);
} free_slots SEC(".maps");

/*
 * Each memcg's histogram of call latency, at its row's slot of memcg_stats: found with no hash
 * lookup on the allocator's every call, and zeroed with its row when userspace recycles it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 10240);		/* --max-memcgs */
	__type(key, __u32);
	__type(value, struct lat_slots);
} memcg_lat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, struct lru_stats);
} lru_stats SEC(".maps");

/* Lists per (memcg, list_lru) pair: the patch's unit of memory. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct pair_key);
	__type(value, __u64);
} pairs SEC(".maps");

/* Lists allocated and not yet freed. Sized by the loader: eager kernels need far more. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct live_alloc);
} live SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct bracket);
} brackets SEC(".maps");

/*
 * The lazy allocator's calls in progress (fentry backend, lists_from_slots): a task's record
 * at the slot its thread id names, claimed at entry by compare-and-swap, given back at exit:
 * loads, stores and one atomic where task storage took a helper call at each end, about 200
 * ns of each program's 600 to 850 in a 6.1 guest (docs/BENCHMARKS.md, section 8). A task
 * whose slot another task holds (their ids equal modulo the table) takes brackets instead.
 * A section of its own is a map of its own; static, so the skeleton leaves it out.
 */
struct call_record {
	__u64 tid;		/* its task's id + 1, 0: free; 64 bits, the width of BPF's cmpxchg */
	struct bracket br;
	__u64 pad[2];		/* a record a cache line: no two tasks' calls share one */
};
#define LRUTOP_CALL_SLOTS 512	/* a power of two; 32 KiB */
static struct call_record calls_in_flight[LRUTOP_CALL_SLOTS] SEC(".data.calls")
	__attribute__((aligned(64)));

/* Pre-5.18 (fentry): the (memcg, list_lru) pairs a 5.18+ kernel would populate for the same
 * work: a memcg allocating a dentry or an inode of a superblock. Ancestors are added by
 * userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct pair_key);
	__type(value, __u8);
} would_pairs SEC(".maps");

/* Pre-5.18 (lists_from_slots): memcg-aware list_lrus made since lrutop started, all of whose
 * eager lists it counted. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8);
} eager_lrus SEC(".maps");

/* 256 bytes are too many for the BPF stack next to the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cgroup_path);
} scratch_path SEC(".maps");

/* Oldest evicted first: paths of cgroups long gone matter least. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct cgroup_path);
} cgroup_paths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_counts);
} totals SEC(".maps");
