// SPDX-License-Identifier: GPL-2.0
/*
 * lrutop: who makes the kernel allocate memcg-aware list_lru memory.
 *
 * Allocations are counted where they really happen: a kmalloc whose call site lies inside
 * the list_lru allocation function (memcg_list_lru_alloc on 5.18+, __memcg_init_list_lru_node
 * before). That works with raw tracepoints alone (backend "tracepoint"). Backend "fentry"
 * also brackets memcg_list_lru_alloc per task, so each kmalloc is charged to the memcg and
 * list_lru passed as arguments, and the call's latency and return value are seen.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "lrutop.h"

/* Call-site ranges [lo, hi) from /proc/kallsyms, set before load. */
const volatile __u64 lazy_lo = 0, lazy_hi = 0;	/* memcg_list_lru_alloc / list_lru_memcg_alloc */
const volatile __u64 eager_lo = 0, eager_hi = 0;	/* __memcg_init_list_lru_node (pre-5.18) */
const volatile bool use_brackets = false;	/* fentry on the lazy allocator is attached */
const volatile bool lru_first = false;		/* v2 patch: list_lru_memcg_alloc(lru, memcg, gfp) */
const volatile __u64 nr_cache_ids_addr = 0;	/* &memcg_nr_cache_ids (pre-5.18), 0 if unknown */

/* Read by userspace through the skeleton's mmapped .bss. */
__u32 id_space;
__u32 id_space_known;		/* id_space was read: 0 is real on 5.10 before the first memcg */
__u64 growth_count;
struct growth_event growths[LRUTOP_MAX_GROWTHS];
__u64 lat_hist[LRUTOP_MAX_SLOTS];	/* all memcg_list_lru_alloc calls, log2 ns */
__u64 lat_hist_alloc[LRUTOP_MAX_SLOTS];	/* only the calls that allocated a list */

/* The walk of the kernel's ring of memcg-aware list_lrus (count_memcg_lrus): userspace zeroes
 * lru_walk_start, then runs the program until lru_walk_state is set. */
__u64 lru_walk_start, lru_walk_pos, lru_walk_steps;
/* mkdir, rmdir and rename in the memory hierarchy: userspace walks the tree only after one. */
__u64 cgroup_changes;
__s32 lru_walk_state;		/* 0 walking, 1 done, -1 failed */

struct bracket {
	__u64 cgid;
	__u64 lru;
	__u64 ts;
	__u64 allocated;
};

/* A plain hash with atomic adds, not a per-CPU one: the kernel reads 100,000 per-CPU
 * entries out ten times slower (docs/BENCHMARKS.md), and these are not hot counters. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);		/* --max-memcgs */
	__type(key, __u64);
	__type(value, struct memcg_stats);
} memcg_stats SEC(".maps");

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

static __always_inline __u64 memcg_cgid(struct mem_cgroup *memcg)
{
	return BPF_CORE_READ(memcg, css.cgroup, kn, id);
}

static __always_inline __u64 current_memcg_cgid(void)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state *css;
	struct css_set *cset;

	cset = BPF_CORE_READ(task, cgroups);
	if (bpf_probe_read_kernel(&css, sizeof(css), &cset->subsys[id]))
		return 0;
	return BPF_CORE_READ(css, cgroup, kn, id);
}

/* Fibonacci hashing: kmalloc pointers share their low bits (object alignment). */
static __always_inline __u32 live_slot(__u64 ptr)
{
	return (__u32)((ptr * 0x9E3779B97F4A7C15ULL) >> 48) & (LRUTOP_LIVE_FILTER_SLOTS - 1);
}

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 slot = 0;

	/* Bounded for the verifier: 64 halvings at most. */
	for (int i = 0; i < 64 && v > 1; i++) {
		v >>= 1;
		slot++;
	}
	return slot < LRUTOP_MAX_SLOTS ? slot : LRUTOP_MAX_SLOTS - 1;
}

/*
 * The memcg's counters; created only when t is given (an allocation or a call). A free or a
 * transient list of a memcg userspace aged out, or never got a row for, must not bring one
 * back: the caller counts it in the totals instead.
 */
static __always_inline struct memcg_stats *get_memcg_stats(__u64 cgid, struct totals *t)
{
	static const struct memcg_stats zero;
	struct memcg_stats *st;

	st = bpf_map_lookup_elem(&memcg_stats, &cgid);
	if (st || !t)
		return st;
	bpf_map_update_elem(&memcg_stats, &cgid, &zero, BPF_NOEXIST);
	st = bpf_map_lookup_elem(&memcg_stats, &cgid);
	if (!st)
		t->drops_memcg++;
	return st;
}

/* Is sb a superblock? Its root dentry points back at it (false while it is being set up). */
static __always_inline bool is_superblock(struct super_block *sb)
{
	return BPF_CORE_READ(sb, s_root, d_sb) == sb;
}

static __always_inline void resolve_lru_owner(__u64 lru, struct lru_stats *ls)
{
	__u64 off_d = bpf_core_field_offset(struct super_block, s_dentry_lru);
	__u64 off_i = bpf_core_field_offset(struct super_block, s_inode_lru);
	struct super_block *sb;

	sb = (void *)(lru - off_d);
	if (is_superblock(sb)) {
		ls->kind = LRUTOP_LRU_DENTRY;
	} else {
		sb = (void *)(lru - off_i);
		if (!is_superblock(sb))
			return;
		ls->kind = LRUTOP_LRU_INODE;
	}
	ls->dev = BPF_CORE_READ(sb, s_dev);
	bpf_probe_read_kernel_str(ls->fstype, sizeof(ls->fstype), BPF_CORE_READ(sb, s_type, name));
	bpf_probe_read_kernel_str(ls->sid, sizeof(ls->sid), &sb->s_id);
}

static __always_inline void account_lru(__u64 cgid, __u64 lru, __s64 bytes, __s64 n,
					struct totals *t)
{
	struct pair_key pk = { .cgid = cgid, .lru = lru };
	struct lru_stats *ls, fresh = {};
	__u64 zero = 0, *lists;

	ls = bpf_map_lookup_elem(&lru_stats, &lru);
	if (!ls) {
		resolve_lru_owner(lru, &fresh);
		bpf_map_update_elem(&lru_stats, &lru, &fresh, BPF_NOEXIST);
		ls = bpf_map_lookup_elem(&lru_stats, &lru);
		if (!ls) {
			t->drops_lru++;
			return;
		}
	} else if (ls->kind == LRUTOP_LRU_OTHER) {
		/* First seen while its superblock was being set up: try again. */
		resolve_lru_owner(lru, ls);
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

/* n = +1 for a new list, -1 for a list freed inside the function that made it. */
static __always_inline void account_lazy(__u64 cgid, __u64 lru, __s64 bytes, __s64 n,
					 struct totals *t)
{
	struct memcg_stats *st;

	t->allocs += n;
	t->bytes += bytes;
	st = get_memcg_stats(cgid, n > 0 ? t : NULL);
	if (st) {
		__sync_fetch_and_add(&st->allocs, n);
		__sync_fetch_and_add(&st->bytes, bytes);
	}
	if (lru)
		account_lru(cgid, lru, bytes, n, t);
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
	struct bracket *br = NULL;
	struct totals *t;
	__u32 tid;

	/* The hot path: every kmalloc in the system ends here for all but a few. */
	if (call_site >= lazy_lo && call_site < lazy_hi)
		la.kind = LRUTOP_ALLOC_LAZY;
	else if (call_site >= eager_lo && call_site < eager_hi)
		la.kind = LRUTOP_ALLOC_EAGER;
	else
		return 0;
	if (!ptr)
		return 0;	/* a failed kmalloc: the allocator's return value reports it */
	t = get_totals();
	if (!t)
		return 0;

	if (la.kind == LRUTOP_ALLOC_EAGER) {
		t->eager_allocs++;
		t->eager_bytes += bytes;
		read_id_space();
	} else {
		if (use_brackets) {
			tid = (__u32)bpf_get_current_pid_tgid();
			br = bpf_map_lookup_elem(&brackets, &tid);
		}
		if (br) {
			la.cgid = br->cgid;
			la.lru = br->lru;
			br->allocated++;
		} else {
			la.cgid = current_memcg_cgid();
		}
		account_lazy(la.cgid, la.lru, bytes, 1, t);
	}
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
	struct memcg_stats *st;
	struct totals *t;

	if (!live_filter[live_slot(key)])
		return 0;
	la = bpf_map_lookup_elem(&live, &key);
	if (!la)
		return 0;
	t = get_totals();
	if (!t)
		goto out;
	if (la->kind == LRUTOP_ALLOC_EAGER) {
		t->eager_freed_bytes += la->bytes;
	} else if (call_site >= lazy_lo && call_site < lazy_hi) {
		/* Freed by the function that made it: never held a list. */
		t->transient++;
		account_lazy(la->cgid, la->lru, -(__s64)la->bytes, -1, t);
	} else {
		t->freed_bytes += la->bytes;
		st = get_memcg_stats(la->cgid, NULL);
		if (st)
			__sync_fetch_and_add(&st->freed_bytes, la->bytes);
		else
			t->orphan_freed_bytes += la->bytes;
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

static __always_inline int lazy_enter(void *a0, void *a1)
{
	struct mem_cgroup *memcg = lru_first ? a1 : a0;
	void *lru = lru_first ? a0 : a1;
	struct bracket br = {
		.cgid = memcg_cgid(memcg),
		.lru = (__u64)lru,
		.ts = bpf_ktime_get_ns(),
	};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

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

static __always_inline int lazy_exit(int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct memcg_stats *st;
	struct bracket *br;
	struct totals *t;
	__u64 dur, slot;

	br = bpf_map_lookup_elem(&brackets, &tid);
	if (!br)
		return 0;
	t = get_totals();
	if (!t)
		goto out;
	dur = bpf_ktime_get_ns() - br->ts;
	slot = log2_slot(dur);
	__sync_fetch_and_add(&lat_hist[slot], 1);
	if (br->allocated)
		__sync_fetch_and_add(&lat_hist_alloc[slot], 1);
	t->calls++;
	t->lat_ns += dur;
	if (ret)
		t->fails++;
	st = get_memcg_stats(br->cgid, t);
	if (st) {
		__sync_fetch_and_add(&st->calls, 1);
		__sync_fetch_and_add(&st->lat_ns, dur);
		if (ret)
			__sync_fetch_and_add(&st->fails, 1);
	}
	count_memcg_lat(br->cgid, slot);
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
	return lazy_exit(ret);
}

/* kmem_cache_alloc_lru(_noprof)(s, lru, gfp): objects that may populate a memcg's list. */
SEC("fexit")
int BPF_PROG(lru_obj_exit, struct kmem_cache *s, void *lru, gfp_t gfp, void *ret)
{
	struct memcg_stats *st;
	struct totals *t;

	if (!ret)
		return 0;
	t = get_totals();
	if (!t)
		return 0;
	t->objs++;
	st = get_memcg_stats(current_memcg_cgid(), t);
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
	struct task_struct *task = (void *)bpf_get_current_task();
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state *css;
	struct pair_key pk;
	struct css_set *cset;
	__u8 one = 1;

	cset = BPF_CORE_READ(task, cgroups);
	if (bpf_probe_read_kernel(&css, sizeof(css), &cset->subsys[id]) || !css ||
	    !BPF_CORE_READ(css, parent))
		return;
	pk.cgid = BPF_CORE_READ(css, cgroup, kn, id);
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
	idx = growth_count++ % LRUTOP_MAX_GROWTHS;
	growths[idx] = growth_now;
	id_space = new_size;
	id_space_known = 1;
	return 0;
}

/* Pre-5.18: __memcg_init_list_lru_node(memcg_lrus, begin, end) kmallocs ids [begin, end). */
SEC("fentry")
int BPF_PROG(eager_init_enter, void *memcg_lrus, int begin, int end)
{
	struct totals *t = get_totals();

	if (!t)
		return 0;
	t->eager_calls++;
	if (end > begin)
		t->eager_ids += end - begin;
	return 0;
}

/*
 * Count the memcg-aware list_lrus: the kernel links each one into a ring headed by a static
 * list (list_lrus, memcg_list_lrus from 5.18) that kallsyms may not show. Any superblock's
 * dentry lru is on that ring, so walk it from the caller's root superblock: the ring's
 * length less one (the head) is the count. Run by BPF_PROG_TEST_RUN in chunks, because a
 * 5.10 verifier walks every iteration of a bounded loop. Unlocked: a list_lru torn down
 * mid-walk reads as a failure, and userspace keeps its last count.
 */
#define LRU_WALK_CHUNK 1024

SEC("raw_tp")
int count_memcg_lrus(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct list_head *pos, *next;
	struct super_block *sb;

	read_id_space();
	if (!lru_walk_start) {
		sb = BPF_CORE_READ(task, fs, root.mnt, mnt_sb);
		if (!sb || !BPF_CORE_READ(sb, s_dentry_lru.memcg_aware)) {
			lru_walk_state = -1;
			return 0;
		}
		lru_walk_start = (__u64)&sb->s_dentry_lru.list;
		lru_walk_pos = lru_walk_start;
		lru_walk_steps = 0;
		lru_walk_state = 0;
	}
	pos = (void *)lru_walk_pos;
	for (int i = 0; i < LRU_WALK_CHUNK; i++) {
		if (bpf_probe_read_kernel(&next, sizeof(next), &pos->next) || !next) {
			lru_walk_state = -1;
			return 0;
		}
		lru_walk_steps++;
		if ((__u64)next == lru_walk_start) {
			lru_walk_state = 1;
			return 0;
		}
		pos = next;
	}
	lru_walk_pos = (__u64)pos;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
