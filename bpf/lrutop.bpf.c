// SPDX-License-Identifier: GPL-2.0
/*
 * lrutop: who makes the kernel allocate memcg-aware list_lru memory.
 *
 * Backend "fentry" counts lists in the list_lru functions themselves, with no program on
 * kmalloc or kfree: a list is a slot of a list_lru's xarray that the allocator filled (read
 * at its entry and exit), freed when its memcg goes offline (memcg_reparent_list_lrus) or
 * its list_lru is destroyed; before 5.18, the ids __memcg_init_list_lru_node filled. The
 * call's memcg, list_lru, latency and return value come with it.
 *
 * Backend "tracepoint" (hosts that refuse fentry) counts a kmalloc whose call site lies
 * inside the list_lru allocation path (memcg_list_lru_alloc and its helpers on 5.18+,
 * __memcg_init_list_lru_node before), and its kfree. A kernel lacking a function the first
 * way needs gets the fentry brackets with these tracepoints (lists_from_slots false).
 *
 * A list belongs to the memcg whose slot of the list_lru's xarray it fills: the allocator
 * makes one for the memcg and for each ancestor lacking one. Its owner is found by reading
 * those slots (xa_load_entry): at the allocator's exit with fentry, and by a pass over every
 * memcg-aware list_lru run from userspace (resolve_owners) for lists made outside a bracket.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "lrutop.h"
#include "kernel.bpf.h"

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
const volatile bool use_brackets = false;	/* fentry on the lazy allocator is attached */
const volatile bool lru_first = false;		/* v2 patch: list_lru_memcg_alloc(lru, memcg, gfp) */
const volatile __u64 nr_cache_ids_addr = 0;	/* &memcg_nr_cache_ids (pre-5.18), 0 if unknown */
/* fentry: lists are counted from the slots the list_lru functions fill and free; nothing
 * runs on kmalloc or kfree. A list's bytes are then read from its own slab (slab_slot_size),
 * as the kmalloc tracepoint's bytes_alloc reports them to the other backend. */
const volatile bool lists_from_slots = false;
const volatile __u32 lazy_list_size = 0;	/* 16 + nr_node_ids x sizeof(list_lru_one) */
const volatile __u32 eager_list_size = 0;	/* pre-5.18: one list_lru_one */
const volatile __u32 eager_nodes = 1;		/* pre-5.18: possible nodes, a list each per id */

/* Read by userspace through the skeleton's mmapped .bss. */
__u32 id_space;
__u32 id_space_known;		/* id_space was read: 0 is real on 5.10 before the first memcg */
__u64 growth_count;
struct growth_event growths[LRUTOP_MAX_GROWTHS];
__u64 lat_hist[LRUTOP_MAX_SLOTS];	/* all memcg_list_lru_alloc calls, log2 ns */
__u64 lat_hist_alloc[LRUTOP_MAX_SLOTS];	/* only the calls that allocated a list */

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

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);		/* --max-memcgs */
	__type(key, __u64);
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

/*
 * Every kfree in the system passes handle_kfree, and a hash lookup there costs 10-100 times
 * a range check (docs/BENCHMARKS.md). A counting filter in .bss answers "surely not tracked"
 * for most pointers with one load: a slot counts the live pointers that hash to it.
 */
__u32 live_filter[LRUTOP_LIVE_FILTER_SLOTS];

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct bracket);
} brackets SEC(".maps");

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
	__type(value, struct totals);
} totals SEC(".maps");

/* A growth in progress: memcg_update_all_list_lrus runs under a mutex, one at a time. */
static struct growth_event growth_now;

static __always_inline struct totals *get_totals(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&totals, &zero);
}

static __always_inline int self_check_slot(__u64 cgid)
{
	if (!cgid)
		return -1;
	if (cgid == self_check_cgids[0])
		return 0;
	if (cgid == self_check_cgids[1])
		return 1;
	return -1;
}

/* Pre-5.18: lrutop itself, mounting or unmounting its self-check's tmpfs. */
static __always_inline bool is_self_check_task(void)
{
	return self_check_tgid && (bpf_get_current_pid_tgid() >> 32) == self_check_tgid;
}

/* The totals an event of the self-check (or not) goes to. */
static __always_inline struct totals *totals_for(bool self_check)
{
	return self_check ? &self_check_totals : get_totals();
}

static __always_inline bool in_lazy_path(__u64 ip)
{
	if (ip < lazy_min || ip >= lazy_max)
		return false;
	for (__u32 i = 0; i < LRUTOP_MAX_RANGES && i < nr_lazy_ranges; i++) {
		if (ip >= lazy_lo[i] && ip < lazy_hi[i])
			return true;
	}
	return false;
}

/* Fibonacci hashing: kmalloc pointers share their low bits (object alignment). */
static __always_inline __u32 live_slot(__u64 ptr)
{
	return (__u32)((ptr * 0x9E3779B97F4A7C15ULL) >> 48) & (LRUTOP_LIVE_FILTER_SLOTS - 1);
}

/* A latency's histogram slot: log2_slot (lrutop.h), the last slot taking everything above. */
static __always_inline __u32 lat_slot(__u64 v)
{
	__u32 slot = log2_slot(v);

	return slot < LRUTOP_MAX_SLOTS ? slot : LRUTOP_MAX_SLOTS - 1;
}

/* The counters at the slot an entry of memcg_slots names; NULL for none. */
static __always_inline struct memcg_stats *slot_stats(__u32 *slot)
{
	struct memcg_entry *e = slot ? bpf_map_lookup_elem(&memcg_stats, slot) : NULL;

	return e ? &e->st : NULL;
}

/* A slot for a memcg with none. NULL when all are in use. */
static __always_inline struct memcg_stats *new_memcg_row(__u64 cgid)
{
	struct memcg_entry *e;
	__u32 slot;

	if (bpf_map_pop_elem(&free_slots, &slot))
		return NULL;
	e = bpf_map_lookup_elem(&memcg_stats, &slot);
	if (!e)
		return NULL;
	if (bpf_map_update_elem(&memcg_slots, &cgid, &slot, BPF_NOEXIST)) {
		/* Another CPU gave this memcg a slot first: ours goes back. */
		bpf_map_push_elem(&free_slots, &slot, 0);
		return slot_stats(bpf_map_lookup_elem(&memcg_slots, &cgid));
	}
	e->cgid = cgid;		/* last: userspace reads a slot once it names its memcg */
	return &e->st;
}

/*
 * The memcg's counters; created only when drops is given (an allocation or a call), which
 * counts a row the full map could not hold. A free or a transient list of a memcg userspace
 * aged out, or never got a row for, must not bring one back: the caller counts it in the
 * totals instead.
 */
static __always_inline struct memcg_stats *get_memcg_stats(__u64 cgid, __u64 *drops)
{
	struct memcg_stats *st;
	int slot = self_check_slot(cgid);

	if (slot >= 0)
		return &self_check_stats[slot & 1];
	st = slot_stats(bpf_map_lookup_elem(&memcg_slots, &cgid));
	if (st || !drops)
		return st;
	st = new_memcg_row(cgid);
	if (!st)
		__sync_fetch_and_add(drops, 1);
	return st;
}

static __always_inline void account_lru(__u64 cgid, __u64 lru, __s64 bytes, __s64 n,
					struct totals *t)
{
	struct pair_key pk = { .cgid = cgid, .lru = lru };
	struct lru_stats *ls, fresh = {};
	__u64 zero = 0, *lists;

	ls = bpf_map_lookup_elem(&lru_stats, &lru);
	if (!ls) {
		resolve_lru_owner(lru, &fresh.owner);
		bpf_map_update_elem(&lru_stats, &lru, &fresh, BPF_NOEXIST);
		ls = bpf_map_lookup_elem(&lru_stats, &lru);
		if (!ls) {
			t->drops_lru++;
			lru_rows_lost = 1;
			return;
		}
	} else if (!lru_owner_current(lru, &ls->owner)) {
		/* First seen while its superblock was being set up: try again. Or its address is
		 * a new superblock's now: a new list_lru, whose counts start from zero. */
		if (ls->owner.kind != LRUTOP_LRU_OTHER) {
			ls->allocs = 0;
			ls->bytes = 0;
		}
		__builtin_memset(&ls->owner, 0, sizeof(ls->owner));
		resolve_lru_owner(lru, &ls->owner);
	}
	__sync_fetch_and_add(&ls->allocs, n);
	__sync_fetch_and_add(&ls->bytes, bytes);
	lists = bpf_map_lookup_elem(&pairs, &pk);
	if (!lists) {
		if (n < 0)
			return;
		/* Two CPUs adding the same pair at once: one insert wins, both add. */
		bpf_map_update_elem(&pairs, &pk, &zero, BPF_NOEXIST);
		lists = bpf_map_lookup_elem(&pairs, &pk);
		if (!lists) {
			t->drops_pair++;
			return;
		}
	}
	__sync_fetch_and_add(lists, n);
}

/* To its cause: n = +1 for a new list, -1 for a list freed inside the function that made it. */
static __always_inline void account_caused(__u64 cgid, __s64 bytes, __s64 n, struct totals *t)
{
	struct memcg_stats *st;

	t->allocs += n;
	t->bytes += bytes;
	st = get_memcg_stats(cgid, n > 0 ? &t->drops_memcg : NULL);
	if (st) {
		__sync_fetch_and_add(&st->caused_allocs, n);
		__sync_fetch_and_add(&st->caused_bytes, bytes);
	}
}

/* A list of bytes fills owner's slot of lru: charge it to its owner. */
static __always_inline void charge_owner(__u64 owner, __u64 lru, __u32 bytes, bool self)
{
	struct totals *t = totals_for(self);
	struct memcg_stats *st;

	if (!t)
		return;
	__sync_fetch_and_add(&t->owned, 1);
	__sync_fetch_and_add(&t->owned_bytes, bytes);
	st = get_memcg_stats(owner, &t->drops_owner);
	if (st) {
		__sync_fetch_and_add(&st->allocs, 1);
		__sync_fetch_and_add(&st->bytes, bytes);
	} else {
		owner_rows_lost = 1;
	}
	if (!self) {
		account_lru(owner, lru, bytes, 1, t);
		__sync_fetch_and_add(&lru_changes, 1);	/* after: userspace reads it first */
	}
}

/*
 * The list at ptr fills owner's slot of lru: charge it to its owner, once (the exit of the
 * allocator and the userspace-run pass may both find it).
 */
static __always_inline void resolve_owner(__u64 ptr, __u64 owner, __u64 lru, __u32 slot)
{
	struct live_alloc *la = bpf_map_lookup_elem(&live, &ptr);

	if (!la || la->owner || (la->kind & LRUTOP_ALLOC_KIND_MASK) != LRUTOP_ALLOC_LAZY)
		return;
	if (__sync_val_compare_and_swap(&la->owner, 0, owner) != 0)
		return;
	la->lru = lru;
	la->slot = slot;
	charge_owner(owner, lru, la->bytes, la->kind & LRUTOP_ALLOC_SELF_CHECK);
}

/* A counted list freed for good: to its owner's row, or to why it has none. */
static __always_inline void count_freed(const struct live_alloc *la, struct totals *t)
{
	struct memcg_stats *st;

	t->freed_bytes += la->bytes;
	st = la->owner ? get_memcg_stats(la->owner, NULL) : NULL;
	if (st) {
		__sync_fetch_and_add(&st->freed_bytes, la->bytes);
	} else if (la->owner) {
		t->orphan_freed_bytes += la->bytes;
	} else {
		t->unowned_freed++;
		t->unowned_freed_bytes += la->bytes;
	}
}

/* The lists memcg and its ancestors hold on lru, resolved to their owners. */
static __always_inline void resolve_chain(struct mem_cgroup *memcg, struct list_lru *lru)
{
	__u64 ptr;
	int id;

	for (int i = 0; i < LRUTOP_MAX_LEVELS && memcg; i++) {
		id = BPF_CORE_READ(memcg, kmemcg_id);
		if (id < 0)
			break;	/* the root: it needs no list of its own */
		ptr = xa_load_entry(lru, id);
		if (ptr)
			resolve_owner(ptr, memcg_cgid(memcg), (__u64)lru, id);
		memcg = parent_memcg(memcg);
	}
}

/* A list made outside a bracket: note the kmemcg ids of the memcg and its ancestors, for
 * userspace's resolve_owners pass to look up in every list_lru. */
static __always_inline void note_chain(struct mem_cgroup *memcg)
{
	struct kmemcg_ref ref = { .ts_ns = bpf_ktime_get_ns() };
	__u32 id;

	for (int i = 0; i < LRUTOP_MAX_LEVELS && memcg; i++) {
		id = BPF_CORE_READ(memcg, kmemcg_id);
		if ((int)id < 0)
			break;
		ref.cgid = memcg_cgid(memcg);
		bpf_map_update_elem(&pending_ids, &id, &ref, BPF_ANY);
		memcg = parent_memcg(memcg);
	}
	__sync_fetch_and_add(&owner_notes, 1);
}

static __always_inline void read_id_space(void)
{
	__u32 v;

	if (nr_cache_ids_addr && !bpf_probe_read_kernel(&v, sizeof(v), (void *)nr_cache_ids_addr)) {
		id_space = v;
		id_space_known = 1;
	}
}

static __always_inline int on_kmalloc(__u64 call_site, __u64 ptr, __u64 bytes)
{
	struct live_alloc la = { .bytes = bytes };
	struct mem_cgroup *memcg;
	struct bracket *br = NULL;
	struct totals *t;
	__u64 pid_tgid;
	bool self;

	/* The hot path: every kmalloc in the system ends here for all but a few. */
	if (call_site >= eager_lo && call_site < eager_hi)
		la.kind = LRUTOP_ALLOC_EAGER;
	else if (in_lazy_path(call_site))
		la.kind = LRUTOP_ALLOC_LAZY;
	else
		return 0;
	if (!ptr)
		return 0;	/* a failed kmalloc: the allocator's return value reports it */
	pid_tgid = bpf_get_current_pid_tgid();

	if (la.kind == LRUTOP_ALLOC_EAGER) {
		self = is_self_check_task();
		t = totals_for(self);
		if (!t)
			return 0;
		t->eager_allocs++;
		t->eager_bytes += bytes;
		read_id_space();
	} else {
		if (use_brackets)
			br = bpf_map_lookup_elem(&brackets, &(__u32){ (__u32)pid_tgid });
		if (br) {
			la.cgid = br->cgid;
			la.lru = br->lru;
			br->allocated++;
		} else {
			memcg = current_memcg();
			la.cgid = memcg ? memcg_cgid(memcg) : 0;
			note_chain(memcg);
		}
		self = self_check_slot(la.cgid) >= 0;
		t = totals_for(self);
		if (!t)
			return 0;
		account_caused(la.cgid, bytes, 1, t);
	}
	if (self)
		la.kind |= LRUTOP_ALLOC_SELF_CHECK;
	/* Counted before the insert: a kfree of ptr can only follow the kmalloc's return. */
	__sync_fetch_and_add(&live_filter[live_slot(ptr)], 1);
	if (bpf_map_update_elem(&live, &ptr, &la, BPF_NOEXIST)) {
		__sync_fetch_and_add(&live_filter[live_slot(ptr)], -1);
		t->drops_live++;
	}
	return 0;
}

SEC("raw_tp/kmalloc")
int BPF_PROG(handle_kmalloc, unsigned long call_site, const void *ptr, size_t bytes_req,
	     size_t bytes_alloc)
{
	return on_kmalloc(call_site, (__u64)ptr, bytes_alloc);
}

/* Before 6.1, kmalloc_node() had a tracepoint of its own, with the same leading arguments. */
SEC("raw_tp/kmalloc_node")
int BPF_PROG(handle_kmalloc_node, unsigned long call_site, const void *ptr, size_t bytes_req,
	     size_t bytes_alloc)
{
	return on_kmalloc(call_site, (__u64)ptr, bytes_alloc);
}

SEC("raw_tp/kfree")
int BPF_PROG(handle_kfree, unsigned long call_site, const void *ptr)
{
	__u64 key = (__u64)ptr;
	struct live_alloc *la;
	struct totals *t;

	if (!live_filter[live_slot(key)])
		return 0;
	la = bpf_map_lookup_elem(&live, &key);
	if (!la)
		return 0;
	t = totals_for(la->kind & LRUTOP_ALLOC_SELF_CHECK);
	if (!t)
		goto out;
	if ((la->kind & LRUTOP_ALLOC_KIND_MASK) == LRUTOP_ALLOC_EAGER) {
		t->eager_freed_bytes += la->bytes;
	} else if (in_lazy_path(call_site)) {
		/* Freed by the function that made it: never held a list. */
		t->transient++;
		account_caused(la->cgid, -(__s64)la->bytes, -1, t);
	} else {
		count_freed(la, t);
	}
out:
	/* Only the one kfree whose delete succeeds takes the pointer out of the filter. */
	if (!bpf_map_delete_elem(&live, &key))
		__sync_fetch_and_add(&live_filter[live_slot(key)], -1);
	return 0;
}

/* Is cgrp in the hierarchy the memory controller is on (cgroup v1 has several)? */
static __always_inline bool in_memory_hierarchy(struct cgroup *cgrp)
{
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);

	return BPF_CORE_READ(cgrp, root, subsys_mask) & (1U << id);
}

SEC("raw_tp/cgroup_mkdir")
int BPF_PROG(handle_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	struct cgroup_path *cp;
	__u64 cgid;

	if (!in_memory_hierarchy(cgrp))
		return 0;
	__sync_fetch_and_add(&cgroup_changes, 1);
	cgid = BPF_CORE_READ(cgrp, kn, id);
	cp = bpf_map_lookup_elem(&scratch_path, &(__u32){ 0 });
	if (!cp)
		return 0;
	bpf_probe_read_kernel_str(cp->path, sizeof(cp->path), path);
	bpf_map_update_elem(&cgroup_paths, &cgid, cp, BPF_ANY);
	return 0;
}

static __always_inline int count_cgroup_change(struct cgroup *cgrp)
{
	if (in_memory_hierarchy(cgrp))
		__sync_fetch_and_add(&cgroup_changes, 1);
	return 0;
}

SEC("raw_tp/cgroup_rmdir")
int BPF_PROG(handle_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	return count_cgroup_change(cgrp);
}

SEC("raw_tp/cgroup_rename")
int BPF_PROG(handle_cgroup_rename, struct cgroup *cgrp, const char *path)
{
	return count_cgroup_change(cgrp);
}

/* fentry backend. Attach targets are set at run time from the kernel's BTF. */

/*
 * Levels of memcg's chain (bit 0: memcg itself) whose slot of lru holds no list, up to the
 * first that holds one: the levels the allocator is about to fill, by the kernel's own rule.
 */
static __always_inline __u32 empty_slots(struct mem_cgroup *memcg, struct list_lru *lru)
{
	__u32 empty = 0;
	int id;

	for (int i = 0; i < LRUTOP_MAX_LEVELS && memcg; i++) {
		id = BPF_CORE_READ(memcg, kmemcg_id);
		if (id < 0 || xa_load_entry(lru, id))
			break;	/* the root needs no list; a filled slot ends the walk */
		empty |= 1U << i;
		memcg = parent_memcg(memcg);
	}
	return empty;
}

/*
 * The list at ptr, new in owner's slot of lru, made at cause's request: counted once, however
 * many calls saw the slot fill (two tasks can race to fill it; the kernel keeps one list and
 * frees the other, which therefore never counts). true if this call counted it.
 */
static __always_inline bool claim_list(__u64 ptr, __u64 owner, __u64 lru, __u32 slot,
				       __u64 cause)
{
	struct live_alloc la = {
		.cgid = cause, .lru = lru, .owner = owner,
		.bytes = slab_slot_size(ptr, lazy_list_size),
		.kind = LRUTOP_ALLOC_LAZY, .slot = slot,
	};
	bool self = self_check_slot(cause) >= 0;
	struct totals *t = totals_for(self);
	struct live_alloc *old;

	if (!t)
		return false;
	if (self)
		la.kind |= LRUTOP_ALLOC_SELF_CHECK;
	if (!la.bytes)
		t->bytes_unread++;
	if (bpf_map_update_elem(&live, &ptr, &la, BPF_NOEXIST)) {
		old = bpf_map_lookup_elem(&live, &ptr);
		if (old && old->lru == lru && old->owner == owner)
			return false;	/* the other call counted it */
		/* Else a list freed unseen left ptr behind (see free_matching), or the map is full:
		 * counted all the same, its free then unseen. */
		if (!old || bpf_map_update_elem(&live, &ptr, &la, BPF_ANY))
			t->drops_live++;
	}
	account_caused(cause, la.bytes, 1, t);
	charge_owner(owner, lru, la.bytes, self);
	return true;
}

/* The lists the allocator made: the slots empty at its entry that hold one now. */
static __always_inline __u64 claim_new_lists(struct mem_cgroup *memcg, struct list_lru *lru,
					     __u32 empty, __u64 cause)
{
	__u64 ptr, n = 0;
	__u32 id;

	for (int i = 0; i < LRUTOP_MAX_LEVELS && memcg && (empty & (1U << i)); i++) {
		id = BPF_CORE_READ(memcg, kmemcg_id);
		ptr = xa_load_entry(lru, id);
		if (ptr && claim_list(ptr, memcg_cgid(memcg), (__u64)lru, id, cause))
			n++;
		memcg = parent_memcg(memcg);
	}
	return n;
}

static __always_inline int lazy_enter(void *a0, void *a1)
{
	struct mem_cgroup *memcg = lru_first ? a1 : a0;
	void *lru = lru_first ? a0 : a1;
	struct bracket br = {
		.cgid = memcg_cgid(memcg),
		.lru = (__u64)lru,
	};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (lists_from_slots)
		br.empty = empty_slots(memcg, lru);
	br.ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&brackets, &tid, &br, BPF_ANY);
	return 0;
}

static __always_inline void count_memcg_lat(__u64 cgid, __u64 slot)
{
	static const struct lat_slots zero;
	struct lat_slots *h;

	h = bpf_map_lookup_elem(&memcg_lat, &cgid);
	if (!h) {
		bpf_map_update_elem(&memcg_lat, &cgid, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&memcg_lat, &cgid);
		if (!h)
			return;	/* full: the memcg's row is dropped too, counted there */
	}
	if (slot < LRUTOP_MAX_SLOTS)
		__sync_fetch_and_add(&h->slots[slot], 1);
}

static __always_inline int lazy_exit(void *a0, void *a1, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct memcg_stats *st;
	struct bracket *br;
	struct totals *t;
	__u64 dur, slot;
	bool self;

	br = bpf_map_lookup_elem(&brackets, &tid);
	if (!br)
		return 0;
	dur = bpf_ktime_get_ns() - br->ts;
	if (lists_from_slots && br->empty)
		br->allocated = claim_new_lists(lru_first ? a1 : a0, lru_first ? a0 : a1, br->empty,
						br->cgid);
	else if (br->allocated)
		resolve_chain(lru_first ? a1 : a0, lru_first ? a0 : a1);
	self = self_check_slot(br->cgid) >= 0;
	t = totals_for(self);
	if (!t)
		goto out;
	slot = lat_slot(dur);
	if (!self) {
		__sync_fetch_and_add(&lat_hist[slot], 1);
		if (br->allocated)
			__sync_fetch_and_add(&lat_hist_alloc[slot], 1);
		count_memcg_lat(br->cgid, slot);
	}
	if (br->allocated)
		t->alloc_calls++;
	t->calls++;
	t->lat_ns += dur;
	if (ret)
		t->fails++;
	st = get_memcg_stats(br->cgid, &t->drops_memcg);
	if (st) {
		__sync_fetch_and_add(&st->calls, 1);
		__sync_fetch_and_add(&st->lat_ns, dur);
		if (ret)
			__sync_fetch_and_add(&st->fails, 1);
	}
out:
	bpf_map_delete_elem(&brackets, &tid);
	return 0;
}

SEC("fentry")
int BPF_PROG(lazy_alloc_enter, void *a0, void *a1)
{
	return lazy_enter(a0, a1);
}

SEC("fexit")
int BPF_PROG(lazy_alloc_exit, void *a0, void *a1, gfp_t gfp, int ret)
{
	return lazy_exit(a0, a1, ret);
}

/* kmem_cache_alloc_lru(_noprof)(s, lru, gfp): objects that may populate a memcg's list. */
SEC("fexit")
int BPF_PROG(lru_obj_exit, struct kmem_cache *s, void *lru, gfp_t gfp, void *ret)
{
	struct memcg_stats *st;
	struct totals *t;

	if (!ret)
		return 0;
	struct mem_cgroup *memcg = current_memcg();
	__u64 cgid = memcg ? memcg_cgid(memcg) : 0;

	t = totals_for(self_check_slot(cgid) >= 0);
	if (!t)
		return 0;
	t->objs++;
	st = get_memcg_stats(cgid, &t->drops_memcg);
	if (st)
		__sync_fetch_and_add(&st->objs, 1);
	return 0;
}

/*
 * Pre-5.18: which (memcg, list_lru) pairs would have a list on a patched kernel. There,
 * kmem_cache_alloc_lru() makes one for the allocating memcg when a dentry (__d_alloc) or an
 * inode (alloc_inode) of the superblock is charged to it; the root memcg needs none.
 */
static __always_inline void would_populate(struct super_block *sb, __u64 off, struct totals *t)
{
	struct mem_cgroup *memcg = current_memcg();
	struct pair_key pk;
	__u8 one = 1;

	if (!memcg || !BPF_CORE_READ(memcg, css.parent))
		return;
	pk.cgid = memcg_cgid(memcg);
	pk.lru = (__u64)sb + off;
	if (bpf_map_lookup_elem(&would_pairs, &pk))
		return;
	if (bpf_map_update_elem(&would_pairs, &pk, &one, BPF_NOEXIST) && t)
		t->drops_pair++;
}

SEC("fexit")
int BPF_PROG(dentry_alloc_exit, struct super_block *sb, const void *name, struct dentry *ret)
{
	if (ret)
		would_populate(sb, bpf_core_field_offset(struct super_block, s_dentry_lru), get_totals());
	return 0;
}

SEC("fexit")
int BPF_PROG(inode_alloc_exit, struct super_block *sb, struct inode *ret)
{
	if (ret)
		would_populate(sb, bpf_core_field_offset(struct super_block, s_inode_lru), get_totals());
	return 0;
}

/* Pre-5.18: memcg_update_all_list_lrus(new_size) grows every list_lru's id range. */
SEC("fentry")
int BPF_PROG(grow_enter, int new_size)
{
	read_id_space();
	growth_now.old_size = id_space;
	growth_now.new_size = new_size;
	growth_now.ts_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("fexit")
int BPF_PROG(grow_exit, int new_size, int ret)
{
	__u64 idx;

	if (ret)
		return 0;
	growth_now.dur_ns = bpf_ktime_get_ns() - growth_now.ts_ns;
	/* Serialized by the kernel (memcg_cache_ids_sem), and 5.10 has no atomic fetch-add
	 * (BPF_FETCH, 5.12): a plain increment. */
	if (!growth_count)
		first_growth_old = growth_now.old_size;
	idx = growth_count++ % LRUTOP_MAX_GROWTHS;
	growths[idx] = growth_now;
	id_space = new_size;
	id_space_known = 1;
	return 0;
}

/*
 * Pre-5.18: __memcg_init_list_lru_node(memcg_lrus, begin, end) kmallocs a list for each id
 * of [begin, end), and frees them all if one fails.
 */
SEC("fexit")
int BPF_PROG(eager_init_exit, struct list_lru_memcg___pre518 *memcg_lrus, int begin, int end,
	     int ret)
{
	struct totals *t = totals_for(is_self_check_task());
	__u64 ids = end > begin ? end - begin : 0;
	__u32 slot;

	if (!t)
		return 0;
	t->eager_calls++;
	t->eager_ids += ids;
	if (lists_from_slots && !ret) {
		/* One kmalloc(sizeof(list_lru_one)) an id: the first one's slab tells them all. */
		slot = eager_list_slot(memcg_lrus, begin, eager_list_size);
		if (!slot && ids)
			t->bytes_unread++;
		t->eager_allocs += ids;
		t->eager_bytes += ids * slot;
		read_id_space();
	}
	return 0;
}

/* Pre-5.18 (lists_from_slots): a memcg-aware list_lru made now, every list of it counted. */
SEC("fexit")
int BPF_PROG(eager_lru_made, struct list_lru *lru, bool memcg_aware, void *key, void *shrinker,
	     int ret)
{
	__u64 k = (__u64)lru;
	__u8 one = 1;
	struct totals *t;

	if (ret || !memcg_aware)
		return 0;
	if (bpf_map_update_elem(&eager_lrus, &k, &one, BPF_ANY)) {
		t = get_totals();
		if (t)
			t->drops_lru++;
	}
	return 0;
}

/*
 * Pre-5.18 (lists_from_slots): list_lru_destroy() frees a list per node for every id. Those
 * lrutop counted: all of a list_lru made since it started; of an older one, the ids the
 * growths since then added.
 */
SEC("fentry")
int BPF_PROG(eager_lists_free, struct list_lru *lru)
{
	struct totals *t = totals_for(is_self_check_task());
	struct list_lru_node___pre518 *node;
	__u64 k = (__u64)lru;
	__u32 from, slot;

	if (!t || !BPF_CORE_READ(lru, memcg_aware))
		return 0;
	read_id_space();
	if (!bpf_map_delete_elem(&eager_lrus, &k))
		from = 0;
	else
		from = growth_count ? first_growth_old : id_space;
	if (id_space <= from)
		return 0;
	/* Every list of it from the same kmalloc size: the first one freed tells its slot. */
	node = (void *)BPF_CORE_READ(lru, node);
	slot = eager_list_slot(BPF_CORE_READ(node, memcg_lrus), from, eager_list_size);
	if (!slot)
		t->bytes_unread++;
	t->eager_freed_bytes += (__u64)eager_nodes * (id_space - from) * slot;
	return 0;
}

/* Which lists a free takes: a memcg's (owner), or a list_lru's (lru). */
struct free_match {
	__u64 owner;
	__u64 lru;
};

/*
 * bpf_for_each_map_elem() over live: count and forget each list that matches. A list deleted
 * here keeps the walk going (hash elements keep their link while RCU readers may hold them).
 */
static long free_matching(struct bpf_map *map, __u64 *ptr, struct live_alloc *la,
			  struct free_match *m)
{
	struct totals *t;
	__u64 key = *ptr;

	if (m->owner ? la->owner != m->owner : la->lru != m->lru)
		return 0;
	t = totals_for(la->kind & LRUTOP_ALLOC_SELF_CHECK);
	if (t)
		count_freed(la, t);
	bpf_map_delete_elem(&live, &key);
	return 0;
}

/*
 * 5.18+ (lists_from_slots): memcg_reparent_list_lrus(memcg, parent) takes the memcg's list
 * out of every list_lru and frees it (through RCU since 5.18). Most memcgs die holding no
 * list lrutop counted: their row says so, and the walk of live is skipped.
 */
SEC("fentry")
int BPF_PROG(memcg_lists_free, struct mem_cgroup *memcg, struct mem_cgroup *parent)
{
	struct free_match m = { .owner = memcg_cgid(memcg) };
	struct memcg_stats *st;

	if (!m.owner)
		return 0;
	st = get_memcg_stats(m.owner, NULL);
	if (st ? st->bytes == st->freed_bytes : !owner_rows_lost)
		return 0;
	bpf_for_each_map_elem(&live, free_matching, &m, 0);
	return 0;
}

/* 5.18+ (lists_from_slots): list_lru_destroy() frees every list the list_lru holds. */
SEC("fentry")
int BPF_PROG(lru_lists_free, struct list_lru *lru)
{
	struct free_match m = { .lru = (__u64)lru };

	/* Lists lrutop counted have a row there, but the self-check's. */
	if (!bpf_map_lookup_elem(&lru_stats, &m.lru) && !self_check_cgids[0] && !lru_rows_lost)
		return 0;
	bpf_for_each_map_elem(&live, free_matching, &m, 0);
	return 0;
}

/*
 * Tracepoint backend: memcgs removed lately holding lists lrutop counted, sorted, put here by
 * userspace. The kernel frees a memcg's lists as it goes offline through RCU's kfree_bulk(),
 * which passes no kfree tracepoint: a list whose slot no longer holds it is gone.
 */
__u64 freeing[LRUTOP_FREEING];
__u32 nr_freeing;

/* A binary search, a step a bpf_loop call: unrolled, its branches made 80,000 states. */
struct freeing_search {
	__u64 cgid;
	__u32 lo, hi;
	bool found;
};

static long freeing_step(__u32 i, void *ctx)
{
	struct freeing_search *f = ctx;
	__u32 mid;

	if (f->lo >= f->hi || f->hi > LRUTOP_FREEING)
		return 1;
	mid = ((f->lo + f->hi) / 2) & (LRUTOP_FREEING - 1);	/* the mask: for the verifier */
	if (freeing[mid] == f->cgid) {
		f->found = true;
		return 1;
	}
	if (freeing[mid] < f->cgid)
		f->lo = mid + 1;
	else
		f->hi = mid;
	return 0;
}

static __always_inline bool is_freeing(__u64 cgid)
{
	struct freeing_search f = { .cgid = cgid, .hi = nr_freeing };

	bpf_loop(11, freeing_step, &f, 0);	/* 11 steps cover LRUTOP_FREEING */
	return f.found;
}

static long freed_unseen(struct bpf_map *map, __u64 *ptr, struct live_alloc *la, void *ctx)
{
	__u64 key = *ptr;
	struct totals *t;

	if ((la->kind & LRUTOP_ALLOC_KIND_MASK) != LRUTOP_ALLOC_LAZY || !la->owner ||
	    !is_freeing(la->owner))
		return 0;
	if (xa_load_entry((struct list_lru *)la->lru, la->slot) == key)
		return 0;	/* still held */
	t = totals_for(la->kind & LRUTOP_ALLOC_SELF_CHECK);
	if (t)
		count_freed(la, t);
	if (!bpf_map_delete_elem(&live, &key))
		__sync_fetch_and_add(&live_filter[live_slot(key)], -1);
	return 0;
}

SEC("raw_tp")
int check_freed(void *ctx)
{
	bpf_for_each_map_elem(&live, freed_unseen, NULL, 0);
	return 0;
}

#define LRU_WALK_CHUNK 1024

/* One step of the walk: global, so the verifier reads it once, not in each of a run's 1,024. */
__noinline __u64 lru_walk_step(__u64 pos)
{
	struct list_head *next = ring_next(&lru_walk, (struct list_head *)pos);

	if (next)
		lru_walk.pos = (__u64)next;
	return (__u64)next;
}

/* Count them: the ring's length less one (the head). */
SEC("raw_tp")
int count_memcg_lrus(void *ctx)
{
	__u64 pos;

	read_id_space();
	pos = (__u64)ring_pos(&lru_walk);
	for (int i = 0; i < LRU_WALK_CHUNK && pos; i++)
		pos = lru_walk_step(pos);
	return 0;
}

/*
 * Owners of lists made outside a bracket (the tracepoint backend, or a path fentry does not
 * cover): for each memcg-aware list_lru, look up the slots of the kmemcg ids userspace put
 * in rs_ids, and charge each list found that lrutop counted to the memcg of that slot. The
 * ring's head is no list_lru: its reads find nothing lrutop counted.
 */
#define RESOLVE_CHUNK 8

/* One kmemcg id of rs_ids in the list_lru ctx: a bpf_loop callback, so the verifier reads the
 * lookup once, not once per id and list_lru of an unrolled nest (0.2 s of start-up). */
static long resolve_id(__u32 j, void *ctx)
{
	struct list_lru *lru = *(struct list_lru **)ctx;
	__u64 ptr;

	if (j >= LRUTOP_RESOLVE_IDS)
		return 1;
	ptr = xa_load_entry(lru, rs_ids[j]);
	if (ptr && bpf_map_lookup_elem(&live, &ptr))
		resolve_owner(ptr, rs_cgids[j], (__u64)lru, rs_ids[j]);
	return 0;
}

/* The ids in one list_lru, then the next list_lru: global, verified once. bpf_loop (5.17)
 * is there: the program is loaded only where lists are lazy (5.18+). */
__noinline __u64 resolve_step(__u64 pos)
{
	struct list_lru *lru;	/* on the stack: bpf_loop's context must be */
	struct list_head *next;

	lru = (void *)pos - bpf_core_field_offset(struct list_lru, list);
	bpf_loop(rs_nids < LRUTOP_RESOLVE_IDS ? rs_nids : LRUTOP_RESOLVE_IDS, resolve_id, &lru, 0);
	next = ring_next(&owner_walk, (struct list_head *)pos);
	if (next)
		owner_walk.pos = (__u64)next;
	return (__u64)next;
}

SEC("raw_tp")
int resolve_owners(void *ctx)
{
	__u64 pos = (__u64)ring_pos(&owner_walk);

	for (int i = 0; i < RESOLVE_CHUNK && pos; i++)
		pos = resolve_step(pos);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
