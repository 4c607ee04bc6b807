/* SPDX-License-Identifier: GPL-2.0 */
/* What both backends share: totals, per-memcg slots, a list's owner and cause, its accounting. Part of lrutop.bpf.c, included there once, in order. */

/* A growth in progress: memcg_update_all_list_lrus runs under a mutex, one at a time. */
static struct growth_event growth_now;

static __always_inline struct cpu_counts *get_cpu_counts(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&totals, &zero);
}

static __always_inline struct totals *get_totals(void)
{
	struct cpu_counts *c = get_cpu_counts();

	return c ? &c->totals : NULL;
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

/* Is ip in one of n ranges [lo, hi)? The ranges are .rodata: the verifier reads constants. */
static __always_inline bool in_ranges(__u64 ip, const volatile __u64 *lo, const volatile __u64 *hi,
				      __u32 n, __u32 max)
{
	for (__u32 i = 0; i < max && i < n; i++) {
		if (ip >= lo[i] && ip < hi[i])
			return true;
	}
	return false;
}

static __always_inline bool in_lazy_path(__u64 ip)
{
	if (ip < lazy_min || ip >= lazy_max)
		return false;
	return in_ranges(ip, lazy_lo, lazy_hi, nr_lazy_ranges, LRUTOP_MAX_RANGES);
}

/* A kfree inside a list_lru function that frees lists (free_lo). */
static __always_inline bool in_free_path(__u64 ip)
{
	if (ip < free_min || ip >= free_max)
		return false;
	return in_ranges(ip, free_lo, free_hi, nr_free_ranges, LRUTOP_MAX_FREE_RANGES);
}

/* A latency's histogram slot: log2_slot (lrutop.h), the last slot taking everything above. */
static __always_inline __u32 lat_slot(__u64 v)
{
	__u32 slot = log2_slot(v);

	return slot < LRUTOP_MAX_SLOTS ? slot : LRUTOP_MAX_SLOTS - 1;
}

/* The counters at a slot of memcg_stats; NULL for none (slot < 0). */
static __always_inline struct memcg_stats *row_stats(int slot)
{
	__u32 key = slot;
	struct memcg_entry *e;

	if (slot < 0)
		return NULL;
	e = bpf_map_lookup_elem(&memcg_stats, &key);
	return e ? &e->st : NULL;
}

/* A slot for a memcg with none. -1 when all are in use. */
static __always_inline int new_memcg_slot(__u64 cgid)
{
	struct memcg_entry *e;
	__u32 slot, *won;

	if (bpf_map_pop_elem(&free_slots, &slot))
		return -1;
	e = bpf_map_lookup_elem(&memcg_stats, &slot);
	if (!e)
		return -1;
	if (bpf_map_update_elem(&memcg_slots, &cgid, &slot, BPF_NOEXIST)) {
		/* Another CPU gave this memcg a slot first: ours goes back. */
		bpf_map_push_elem(&free_slots, &slot, 0);
		won = bpf_map_lookup_elem(&memcg_slots, &cgid);
		return won ? (int)*won : -1;
	}
	e->cgid = cgid;		/* last: userspace reads a slot once it names its memcg */
	return slot;
}

/*
 * The memcg's slot in memcg_stats (its latency histogram is at the same slot of memcg_lat),
 * -1 for none; created only when drops is given (an allocation or a call), which counts a row
 * the full map could not hold. A free or a transient list of a memcg userspace aged out, or
 * never got a row for, must not bring one back: the caller counts it in the totals instead.
 */
static __always_inline int memcg_slot(__u64 cgid, __u64 *drops)
{
	__u32 *slot = bpf_map_lookup_elem(&memcg_slots, &cgid);
	int made;

	if (slot)
		return *slot;
	if (!drops)
		return -1;
	made = new_memcg_slot(cgid);
	if (made < 0)
		__sync_fetch_and_add(drops, 1);
	return made;
}

/* The memcg's counters, as memcg_slot finds or makes its row; the self-check's apart. */
static __always_inline struct memcg_stats *get_memcg_stats(__u64 cgid, __u64 *drops)
{
	int slot = self_check_slot(cgid);

	if (slot >= 0)
		return &self_check_stats[slot & 1];
	return row_stats(memcg_slot(cgid, drops));
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
