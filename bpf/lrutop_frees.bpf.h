/* SPDX-License-Identifier: GPL-2.0 */
/* Lists freed: with a memcg going offline or a list_lru destroyed (fentry), and frees no program saw (run by userspace). Part of lrutop.bpf.c, included there once, in order. */

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

/*
 * Is cgid in freeing[0, nr_freeing) (sorted)? A binary search without a branch: each step
 * moves the base by half the span or by nothing, by arithmetic on the comparison (cgids are
 * below 2^63), so the verifier reads 11 straight steps once. With a branch a step (unrolled:
 * 80,000 states; as a bpf_loop callback: 10 ms of verification at every start).
 */
static __always_inline bool is_freeing(__u64 cgid)
{
	__u32 n = nr_freeing, base = 0, half;
	__u64 v, above, differ;

	if (!n || n > LRUTOP_FREEING)
		return false;
	/* base: the last entry not above cgid, within the n from it. */
	for (int i = 0; i < 11; i++) {	/* 10 halvings take LRUTOP_FREEING (1024) to 1 */
		half = n >> 1;
		v = freeing[(base + half) & (LRUTOP_FREEING - 1)];
		above = (cgid - v) >> 63;	/* v > cgid */
		base += half & ((__u32)above - 1);
		n -= half;
	}
	v = freeing[base & (LRUTOP_FREEING - 1)] ^ cgid;
	differ = (v | -v) >> 63;
	return !differ;
}

/* The list at lru's slot: a function of its own, verified once rather than inline in a
 * callback whose every branch the verifier walks again (68 ms of start-up). */
__noinline __u64 slot_list(__u64 lru, __u32 slot)
{
	return xa_load_entry((struct list_lru *)lru, slot);
}

static long freed_unseen(struct bpf_map *map, __u64 *ptr, struct live_alloc *la, void *ctx)
{
	__u64 key = *ptr;
	struct totals *t;

	if ((la->kind & LRUTOP_ALLOC_KIND_MASK) != LRUTOP_ALLOC_LAZY || !la->owner ||
	    !is_freeing(la->owner))
		return 0;
	if (slot_list(la->lru, la->slot) == key)
		return 0;	/* still held */
	t = totals_for(la->kind & LRUTOP_ALLOC_SELF_CHECK);
	if (t)
		count_freed(la, t);
	bpf_map_delete_elem(&live, &key);
	return 0;
}

SEC("raw_tp")
int check_freed(void *ctx)
{
	bpf_for_each_map_elem(&live, freed_unseen, NULL, 0);
	return 0;
}

#define LRU_WALK_CHUNK 1024
