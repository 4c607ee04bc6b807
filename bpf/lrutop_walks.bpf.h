/* SPDX-License-Identifier: GPL-2.0 */
/* Walks userspace runs (BPF_PROG_TEST_RUN): the memcg-aware list_lrus counted, and the owners of lists made outside a bracket. Part of lrutop.bpf.c, included there once, in order. */

/* One step of the walk: global, so the verifier reads it once, not in each of a run's 1,024. */
__noinline __u64 lru_walk_step(__u64 pos)
{
	struct list_head *next = ring_next(&lru_walk, (struct list_head *)pos);

	if (next)
		lru_walk.pos = (__u64)next;
	return (__u64)next;
}

/* LRU_WALK_INNER steps from pos: where the walk is after them (0: done). Global, so a run's
 * 1,024 steps are verified as 32 calls and 32 steps, not 1,024 steps (8 ms of start-up). */
#define LRU_WALK_INNER	32

__noinline __u64 lru_walk_steps(__u64 pos)
{
	for (int i = 0; i < LRU_WALK_INNER && pos; i++)
		pos = lru_walk_step(pos);
	return pos;
}

/* Count them: the ring's length less one (the head). */
SEC("raw_tp")
int count_memcg_lrus(void *ctx)
{
	__u64 pos;

	read_id_space();
	pos = (__u64)ring_pos(&lru_walk);
	for (int i = 0; i < LRU_WALK_CHUNK / LRU_WALK_INNER && pos; i++)
		pos = lru_walk_steps(pos);
	return 0;
}

/*
 * Owners of lists made outside a bracket (the tracepoint backend, or a path fentry does not
 * cover): for each memcg-aware list_lru, look up the slots of the kmemcg ids userspace put
 * in rs_ids, and charge each list found that lrutop counted to the memcg of that slot. The
 * ring's head is no list_lru: its reads find nothing lrutop counted.
 */
#define RESOLVE_CHUNK 8

/* The list of rs_ids[j] in the list_lru at lru, charged to its memcg if lrutop counted it.
 * Global: verified once, where in the callback below the verifier read it again for each
 * state the loop's iterations left (8 ms of start-up). */
__noinline int resolve_slot(__u64 lru, __u32 j)
{
	__u64 ptr;

	if (j >= LRUTOP_RESOLVE_IDS)
		return 1;
	ptr = xa_load_entry((struct list_lru *)lru, rs_ids[j]);
	if (ptr && bpf_map_lookup_elem(&live, &ptr))
		resolve_owner(ptr, rs_cgids[j], lru, rs_ids[j]);
	return 0;
}

/* One kmemcg id of rs_ids in the list_lru ctx: a bpf_loop callback, so the verifier reads the
 * lookup once, not once per id and list_lru of an unrolled nest (0.2 s of start-up). */
static long resolve_id(__u32 j, void *ctx)
{
	return resolve_slot(*(__u64 *)ctx, j) & 1;	/* bpf_loop takes 0 or 1 */
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
