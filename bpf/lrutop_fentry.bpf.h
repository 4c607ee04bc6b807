/* SPDX-License-Identifier: GPL-2.0 */
/* Backend "fentry" after the patch: the lazy allocator's entry and exit, and the objects it is called for. Part of lrutop.bpf.c, included there once, in order. */

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

/* What a record claimed by tid holds in its tid: never 0, which marks a free slot. */
static __always_inline __u64 call_record_key(__u32 tid)
{
	return (__u64)tid + 1;
}

/* tid's slot of calls_in_flight, whoever holds it. */
static __always_inline struct call_record *call_record_of(__u32 tid)
{
	return &calls_in_flight[tid & (LRUTOP_CALL_SLOTS - 1)];
}

/*
 * The record of tid's call at its slot of calls_in_flight, claimed; NULL where another task
 * holds the slot. A slot holding tid already is the task's own, left by an exit the kernel
 * skipped (a program of lrutop's already running on that CPU).
 */
static __always_inline struct call_record *claim_call_record(__u32 tid)
{
	struct call_record *r = call_record_of(tid);
	__u64 key = call_record_key(tid), held = *(volatile __u64 *)&r->tid;

	if (!tid)
		return NULL;	/* idle tasks, one on each CPU, share their id */
	if (held == key)
		return r;
	if (held || __sync_val_compare_and_swap(&r->tid, 0, key))
		return NULL;
	return r;
}

/* The record of tid's call, if its entry claimed one (else it took brackets, or ran before
 * lrutop attached). */
static __always_inline struct call_record *own_call_record(__u32 tid)
{
	struct call_record *r = call_record_of(tid);

	return *(volatile __u64 *)&r->tid == call_record_key(tid) ? r : NULL;
}

/* The record given back, after every read of it: x86 keeps a store after the loads before
 * it, so the compiler's barrier suffices. */
static __always_inline void release_call_record(struct call_record *r)
{
	barrier();
	*(volatile __u64 *)&r->tid = 0;
}

/* The memcg's row slot (memcg_slot), the CPU's last one (c's hint) when it is still that
 * memcg's. */
static __always_inline int hinted_memcg_slot(struct cpu_counts *c, __u64 cgid, __u64 *drops)
{
	struct memcg_entry *e;
	__u32 hinted;
	int slot;

	if (c->hint_cgid == cgid) {
		/* Read once: a program that preempts this one may rewrite the hint. */
		hinted = *(volatile __u32 *)&c->hint_slot;
		e = bpf_map_lookup_elem(&memcg_stats, &hinted);
		if (e && e->cgid == cgid)
			return hinted;
	}
	slot = memcg_slot(cgid, drops);
	if (slot >= 0) {
		c->hint_cgid = cgid;
		c->hint_slot = slot;
	}
	return slot;
}

/*
 * The call's record, or else its bracket. memcg and lru are the traced function's arguments
 * (BTF pointers): the memcg's id and its own slot are plain loads. A filled slot (the usual
 * case: the kernel returns at once) ends the look; else the chain's slots are read as
 * empty_slots does. The clock is read last, so that the call's latency leaves this out.
 */
static __always_inline int lazy_enter(void *a0, void *a1)
{
	struct mem_cgroup *memcg = lru_first ? a1 : a0;
	struct list_lru *lru = lru_first ? a0 : a1;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct call_record *r = NULL;
	struct bracket local = {}, *br = &local;
	int id;

	if (lists_from_slots && !no_call_records)
		r = claim_call_record(tid);
	if (r)
		br = &r->br;
	br->cgid = memcg_cgid_btf(memcg);
	br->lru = (__u64)lru;
	br->allocated = 0;
	br->empty = 0;
	if (lists_from_slots) {
		id = memcg->kmemcg_id;
		if (id >= 0 && !xa_load_entry_btf(lru, id))
			br->empty = empty_slots(memcg, lru);
	}
	br->ts = bpf_ktime_get_ns();
	if (!r)
		bpf_map_update_elem(&brackets, &tid, &local, BPF_ANY);
	return 0;
}

/* A call of the memcg at slot: its counters and its latency histogram. */
static __always_inline void count_memcg_call(int slot, __u64 dur, __u32 lat, int ret)
{
	struct memcg_stats *st = row_stats(slot);
	__u32 key = slot;
	struct lat_slots *h;

	if (!st)
		return;
	__sync_fetch_and_add(&st->calls, 1);
	__sync_fetch_and_add(&st->lat_ns, dur);
	if (ret)
		__sync_fetch_and_add(&st->fails, 1);
	h = bpf_map_lookup_elem(&memcg_lat, &key);
	if (h && lat < LRUTOP_MAX_SLOTS)
		__sync_fetch_and_add(&h->slots[lat], 1);
}

static __always_inline int lazy_exit(void *a0, void *a1, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), lat;
	struct call_record *r = lists_from_slots ? own_call_record(tid) : NULL;
	struct memcg_stats *st;
	struct bracket *br;
	struct cpu_counts *c;
	struct totals *t;
	__u64 dur;
	int self;

	if (r)
		br = &r->br;
	else	/* entered with brackets, or before lrutop attached */
		br = bpf_map_lookup_elem(&brackets, &tid);
	if (!br)
		return 0;
	dur = bpf_ktime_get_ns() - br->ts;
	if (lists_from_slots && br->empty)
		br->allocated = claim_new_lists(lru_first ? a1 : a0, lru_first ? a0 : a1, br->empty,
						br->cgid);
	else if (br->allocated)
		resolve_chain(lru_first ? a1 : a0, lru_first ? a0 : a1);
	self = self_check_slot(br->cgid);
	c = get_cpu_counts();
	if (!c)
		goto out;
	t = self >= 0 ? &self_check_totals : &c->totals;
	lat = lat_slot(dur);
	if (br->allocated)
		t->alloc_calls++;
	t->calls++;
	t->lat_ns += dur;
	if (ret)
		t->fails++;
	if (self >= 0) {	/* the self-check's calls are in no histogram */
		st = &self_check_stats[self & 1];
		__sync_fetch_and_add(&st->calls, 1);
		__sync_fetch_and_add(&st->lat_ns, dur);
		if (ret)
			__sync_fetch_and_add(&st->fails, 1);
		goto out;
	}
	/* Atomic though the line is this CPU's: a task preempted inside an add, on a
	 * preemptible kernel, would lose the add of another's exit on this CPU. */
	__sync_fetch_and_add(&c->lat[lat], 1);
	if (br->allocated)
		__sync_fetch_and_add(&c->lat_alloc[lat], 1);
	count_memcg_call(hinted_memcg_slot(c, br->cgid, &t->drops_memcg), dur, lat, ret);
out:
	if (r)
		release_call_record(r);
	else
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
	struct cpu_counts *c;
	__u64 cgid;
	int self;

	if (!ret)
		return 0;
	c = get_cpu_counts();
	if (!c)
		return 0;
	cgid = current_cgid_btf();
	self = self_check_slot(cgid);
	if (self >= 0) {
		self_check_totals.objs++;
		st = &self_check_stats[self & 1];
	} else {
		c->totals.objs++;
		st = row_stats(hinted_memcg_slot(c, cgid, &c->totals.drops_memcg));
	}
	if (st)
		__sync_fetch_and_add(&st->objs, 1);
	return 0;
}
