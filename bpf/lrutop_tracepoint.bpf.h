/* SPDX-License-Identifier: GPL-2.0 */
/* Backend "tracepoint": a kmalloc inside the list_lru allocation path, and its kfree. Part of lrutop.bpf.c, included there once, in order. */

/*
 * A kmalloc of the list_lru allocation path that returned NULL. The allocator gives up at its
 * first one and returns -ENOMEM (lazy), or frees what it made of the range (eager): one
 * failed kmalloc is one failed call. Lazy: the memcg whose allocation asked, as fentry counts
 * it. A failed xarray node (not a kmalloc) is seen by fentry's return value alone. Where
 * fentry brackets the allocator beside these programs (a kernel without every function
 * lists_from_slots needs), its exits count the failures instead: not twice.
 */
static __always_inline int count_failed_kmalloc(__u32 kind)
{
	struct memcg_stats *st;
	struct mem_cgroup *memcg;
	struct totals *t;
	__u64 cgid;

	if (kind == LRUTOP_ALLOC_EAGER ? eager_brackets : use_brackets)
		return 0;
	if (kind == LRUTOP_ALLOC_EAGER) {
		t = totals_for(is_self_check_task());
		if (t)
			t->eager_fails++;
		return 0;
	}
	memcg = current_memcg();
	cgid = memcg ? memcg_cgid(memcg) : 0;
	t = totals_for(self_check_slot(cgid) >= 0);
	if (!t)
		return 0;
	t->fails++;
	st = get_memcg_stats(cgid, &t->drops_memcg);
	if (st)
		__sync_fetch_and_add(&st->fails, 1);
	return 0;
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
		return count_failed_kmalloc(la.kind);
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
	if (bpf_map_update_elem(&live, &ptr, &la, BPF_NOEXIST))
		t->drops_live++;
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

	/* The hot path: every kfree in the system ends here for all but a few. */
	if (!in_free_path(call_site))
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
	bpf_map_delete_elem(&live, &key);
	return 0;
}
