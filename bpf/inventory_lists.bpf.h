/* SPDX-License-Identifier: GPL-2.0 */
/* The list_lru walk: every memcg-aware list_lru's lists, counted with their bytes and objects, per list_lru and per id. Part of inventory.bpf.c, included there once, in order. */

/*
 * The slab slot of the list at list. Lists made together share slab pages: the last page's
 * slot is kept, and a list on it costs one read rather than a walk to its kmem_cache.
 */
static __u64 last_page, last_page_slot;

static __always_inline __u32 list_slot(__u64 list)
{
	__u32 slot;

	if (last_page && (list & ~4095ULL) == last_page)
		return last_page_slot;
	slot = slab_slot_size(list, inv.list_size);
	if (slot) {
		last_page = list & ~4095ULL;
		last_page_slot = slot;
	}
	return slot;
}

/* Name the list_lru at key by the first object on the list_lru_one at one: 1 once named
 * (or gone). Global: verified once, not in each of the loop's 16 nodes below. */
__noinline int inv_name_by_one(__u64 key, __u64 one)
{
	struct inv_lru *l = bpf_map_lookup_elem(&inv_lrus, &key);

	if (!l)
		return 1;
	return objects_of_list(one, l->obj_cache, sizeof(l->obj_cache));
}

/*
 * What the objects of the list_lru at key are, from the first object on one of n list_lru_ones
 * stride bytes apart from first_one, unless known. Global: verified once.
 */
__noinline int inv_name_objects(__u64 key, __u64 first_one, __u32 stride, __u32 n)
{
	struct inv_lru *l = bpf_map_lookup_elem(&inv_lrus, &key);

	if (!l || l->obj_cache[0])
		return 0;
	for (__u32 k = 0; k < LRUTOP_INV_MAX_NODES && k < n; k++) {
		if (inv_name_by_one(key, first_one + k * stride))
			break;
	}
	return 0;
}

/* The objects of the list at list, a struct list_lru_memcg (5.18+, a list_lru_one per node)
 * or before 5.18 one list_lru_one. */
static __always_inline void name_list_objects(__u64 key, __u64 list)
{
	if (bpf_core_field_exists(struct list_lru_memcg, node))
		inv_name_objects(key, list + bpf_core_field_offset(struct list_lru_memcg, node),
				 bpf_core_type_size(struct list_lru_one), inv.nr_nodes);
	else
		inv_name_objects(key, list, 0, 1);
}

/* One list at index id of the list_lru at key: count it, its objects on each node, and
 * whether it is empty. Global: verified once, not in each of the 64 slots of its callers. */
__noinline int inv_count_list(__u64 key, __u32 id, __s64 objects, __u64 list)
{
	struct inv_lru *l = bpf_map_lookup_elem(&inv_lrus, &key);
	__u32 bytes = list_slot(list);
	bool empty = objects == 0;
	struct inv_id *e;

	if (!l)
		return 0;
	/* Read after this step (inv_lru_step): a call from here would be the walk's seventh
	 * frame, past the verifier's 512 bytes of stack. */
	if (objects && !l->obj_cache[0] && !l->peek && l->owner.kind == LRUTOP_LRU_OTHER)
		l->peek = list;
	e = id_entry(id);

	l->lists++;
	l->ids += inv.node == 0;	/* before 5.18 an id has a list on each node */
	l->empty += empty;
	l->objects += objects;
	l->bytes += bytes;
	l->unread += !bytes;
	if (id + 1 > l->max_id)
		l->max_id = id + 1;
	if (id == inv.focus_id) {
		l->id_lists++;
		l->id_empty += empty;
		l->id_objects += objects;
		l->id_bytes += bytes;
	}
	if (!e)
		return 0;
	e->lists++;
	e->empty += empty;
	e->objects += objects;
	e->bytes += bytes;
	e->unread += !bytes;
	if (key == inv.focus_lru) {
		e->lru_lists++;
		e->lru_empty += empty;
		e->lru_objects += objects;
		e->lru_bytes += bytes;
	}
	return 0;
}

static __always_inline __s64 one_items(void *one)
{
	__s64 n = 0;

	bpf_probe_read_kernel(&n, sizeof(n), one + bpf_core_field_offset(struct list_lru_one, nr_items));
	return n;
}

/* 5.18+: the objects on a struct list_lru_memcg, one list_lru_one per node. Global (verified
 * once); the layout check makes it dead code before 5.18. */
__noinline __s64 inv_memcg_items(__u64 mlru)
{
	__u64 base, size = bpf_core_type_size(struct list_lru_one);
	__s64 n = 0;

	if (!bpf_core_field_exists(struct list_lru_memcg, node))
		return 0;
	base = mlru + bpf_core_field_offset(struct list_lru_memcg, node);
	for (__u32 k = 0; k < LRUTOP_INV_MAX_NODES && k < inv.nr_nodes; k++)
		n += one_items((void *)(base + k * size));
	return n;
}

/* A node's or an array's 64 slots, read at once: one read instead of 64. */
__u64 slots[64];

static __always_inline bool is_list(__u64 entry)
{
	return entry && (entry & 3) != 2;	/* internal entries (retry, sibling) hold none */
}

/*
 * Count the lists in slots [from, count) of the list_lru at key, ids from base on: 5.18+
 * list_lru_memcg (a list_lru_one per node), or before 5.18 list_lru_one pointers. Global
 * functions, verified once each rather than at every call (a 5.10 verifier would walk 64
 * slots times the steps of a run); each checks the layout it reads, so the other kernel's
 * relocations are dead code there.
 */
/*
 * Slot j, unless it is below from: its list, if any, counted at id base + j. Global, called
 * from the loops below. The test of from is made here, not in the loop: a loop that
 * branches on from is verified once for each range from might be in at each slot (29,357
 * instructions, half of the inventory's verification on every start of lrutop).
 */
__noinline int inv_count_memcg_slot(__u64 key, __u64 base, __u32 j, __u32 from)
{
	__u64 entry = slots[j & 63];

	if (j >= from && is_list(entry))
		inv_count_list(key, base + j, inv_memcg_items(entry), entry);
	return 0;
}

__noinline int inv_count_one_slot(__u64 key, __u64 base, __u32 j)
{
	__u64 entry = slots[j & 63];

	if (entry)
		inv_count_list(key, base + j, one_items((void *)entry), entry);
	return 0;
}

__noinline int inv_count_memcgs(__u64 key, __u64 base, __u32 from)
{
	if (!bpf_core_field_exists(struct list_lru_memcg, node))
		return 0;
	/* A branch on a slot's content leaves nothing for the verifier to tell apart after it:
	 * the call is made for the slots that hold something. */
	for (__u32 j = 0; j < 64; j++) {
		if (slots[j])
			inv_count_memcg_slot(key, base, j, from);
	}
	return 0;
}

__noinline int inv_count_ones(__u64 key, __u64 base, __u32 count)
{
	if (!bpf_core_field_exists(struct list_lru_node___pre518, memcg_lrus))
		return 0;
	for (__u32 j = 0; j < 64 && j < count; j++)
		inv_count_one_slot(key, base, j);
	return 0;
}

/* Does slot j, at or after from, hold something? Global, for the reason above. */
__noinline int inv_slot_used(__u32 j, __u32 from)
{
	return j >= from && slots[j & 63];
}

/* The first slot at or after from that holds something; 64 if none. Global: see below. */
__noinline int inv_next_used(__u32 from)
{
	for (__u32 j = 0; j < 64; j++) {
		if (slots[j] && inv_slot_used(j, from))
			return j;
	}
	return 64;
}

/*
 * One step in lru's xarray (5.18+): descend towards index inv.idx, reading each node's 64
 * slots at once; skip the empty slots of a node in one go; at a leaf, count its lists and
 * move past it. A node is counted when the walk enters it, at its first index.
 */
static __always_inline bool xa_step(struct list_lru *lru, struct inv_lru *l)
{
	__u64 entry = (__u64)BPF_CORE_READ(lru, xa.xa_head), idx = inv.idx, span;
	struct xa_node *node;
	__u32 j, from;
	__u8 shift;

	if (!xa_is_node(entry)) {
		if (is_list(entry))
			inv_count_list((__u64)lru, 0, inv_memcg_items(entry), entry);
		return false;
	}
	for (int level = 0; level < 4; level++) {
		node = (void *)(entry - 2);
		shift = BPF_CORE_READ(node, shift) & 63;
		span = 1ULL << shift;
		if (!level) {
			if ((idx >> shift) > 63 || idx >= LRUTOP_INV_MAX_IDS)
				return false;	/* past the tree */
			if (!idx)
				l->xa_nodes++;
		}
		if (bpf_probe_read_kernel(slots, sizeof(slots), &node->slots))
			return false;
		from = (idx >> shift) & 63;
		j = inv_next_used(from) & 127;
		if (j == 64) {
			/* Nothing left under this node: on past its last index. */
			inv.idx = ((idx >> shift) - from + 64) << shift;
			return true;
		}
		if (j != from)
			idx = ((idx >> shift) - from + j) << shift;
		if (!shift) {
			inv_count_memcgs((__u64)lru, idx - j, j);
			inv.idx = idx - j + 64;
			return true;
		}
		entry = slots[j & 63];
		if (!xa_is_node(entry)) {
			/* A multi-index entry: list_lru stores none, but step over it. */
			inv.idx = idx + span;
			return true;
		}
		if (!(idx & (span - 1)))
			l->xa_nodes++;
	}
	return false;
}

/* One step before 5.18: 64 ids of node inv.node's array of lists, read at once. */
static __always_inline bool array_step(struct list_lru *lru, struct inv_lru *l)
{
	__u64 stride = bpf_core_type_size(struct list_lru_node);
	struct list_lru_memcg___pre518 *arr;
	struct list_lru_node___pre518 *n;
	__u32 base = inv.idx, count, size;

	if (inv.node >= inv.nr_nodes || inv.node >= LRUTOP_INV_MAX_NODES)
		return false;
	n = (void *)BPF_CORE_READ(lru, node) + inv.node * stride;
	arr = BPF_CORE_READ(n, memcg_lrus);
	/* The array spans the id space exactly: read no further than its end. */
	count = base < inv.ids ? inv.ids - base : 0;
	if (count > 64)
		count = 64;
	size = count * sizeof(slots[0]);
	barrier_var(size);	/* keep the bound where a 5.10 verifier sees it */
	size &= 0x3ff;
	if (arr && size && size <= sizeof(slots) &&
	    !bpf_probe_read_kernel(slots, size, &arr->lru[base & 0xffff]))
		inv_count_ones((__u64)lru, base, count);
	inv.idx = base + 64;
	if (inv.idx >= inv.ids || !arr) {
		inv.idx = 0;
		inv.node++;
	}
	return inv.node < inv.nr_nodes;
}

/*
 * Is this ring entry a memcg-aware list_lru? The ring's head is a bare list_head in the
 * kernel's data (memcg_list_lrus, list_lrus before 5.18, not in kallsyms): read as a
 * list_lru, its memcg_aware byte is another variable's, its node pointer anything.
 */
static __always_inline bool is_memcg_lru(struct list_lru *lru)
{
	__u8 aware = 0;
	void *node;

	if (bpf_probe_read_kernel(&aware, sizeof(aware), &lru->memcg_aware) || aware != 1)
		return false;
	node = BPF_CORE_READ(lru, node);
	return node && !bpf_probe_read_kernel(&aware, sizeof(aware), node);
}

struct inv_lru inv_lru_fresh;

/* Begin reading the list_lru whose ring entry is pos, unless it is none (inv.lru stays 0). */
static __always_inline void begin_lru(struct list_head *pos)
{
	struct list_lru *lru = (void *)pos - bpf_core_field_offset(struct list_lru, list);
	__u64 key = (__u64)lru;

	inv.lru = 0;
	inv.idx = 0;
	inv.node = 0;
	if (!is_memcg_lru(lru)) {
		inv_tot.rejected++;
		return;
	}
	/* Made in a global, not on the stack (see inv_id_fresh). */
	__builtin_memset(&inv_lru_fresh, 0, sizeof(inv_lru_fresh));
	inv_lru_fresh.gen = inv.gen;
	resolve_lru_owner(key, &inv_lru_fresh.owner);
	if (bpf_map_update_elem(&inv_lrus, &key, &inv_lru_fresh, BPF_ANY)) {
		inv_tot.drops_lrus++;
		return;
	}
	inv_tot.lrus++;
	inv.lru = key;
	/* Not a superblock's: its own lists (the root's, and objects of no memcg) may say what
	 * it holds, before any memcg's list does. */
	if (inv_lru_fresh.owner.kind == LRUTOP_LRU_OTHER)
		inv_name_objects(key, (__u64)BPF_CORE_READ(lru, node) +
					      bpf_core_field_offset(struct list_lru_node, lru),
				 bpf_core_type_size(struct list_lru_node), inv.nr_nodes);
}

/*
 * One step in the list_lru being read: 1 when there is more of it. Global, so the verifier
 * reads it once rather than in each step of a run (0.06 s of start-up).
 */
__noinline int inv_lru_step(__u64 key)
{
	struct inv_lru *l = key ? bpf_map_lookup_elem(&inv_lrus, &key) : NULL;
	__u64 peek;
	bool more;

	if (!l)
		return 0;
	more = bpf_core_field_exists(struct list_lru_node___pre518, memcg_lrus) ?
	       array_step((void *)key, l) : xa_step((void *)key, l);
	peek = l->peek;
	if (peek && !l->obj_cache[0]) {
		l->peek = 0;	/* another list's objects next time, if these say nothing */
		name_list_objects(key, peek);
	}
	return more;
}

/*
 * Move the walk to the next entry of the ring and begin reading it: 0 at the ring's end (or
 * a failure, inv.ring.state says which). Global, so the verifier reads begin_lru once
 * rather than in each step of a run: inlined in 8 steps it was most of the 58,777
 * instructions inventory_lrus took to verify, on every start of lrutop.
 */
__noinline int inv_next_lru(void)
{
	struct list_head *pos = ring_next(&inv.ring, (void *)inv.ring.pos);

	if (!pos)
		return 0;
	inv.ring.pos = (__u64)pos;
	begin_lru(pos);
	return 1;
}

/* Steps a run may take (each reads up to 64 lists), and the time after which it takes no
 * more: fewer runs where steps are cheap, no run that holds the CPU long where they are not
 * (a kernel under emulation). The clock is read every LRU_CLOCK_STEPS steps: under QEMU's
 * TCG a read is an emulated HPET's, microseconds each (a fifth of a 5.10 guest's pass). */
#define LRU_STEPS	32
#define LRU_CLOCK_STEPS	8
#define LRU_RUN_NS	500000

SEC("raw_tp")
int inventory_lrus(void *ctx)
{
	bool pre518 = bpf_core_field_exists(struct list_lru_node___pre518, memcg_lrus);
	__u64 t0 = bpf_ktime_get_ns(), dt;
	struct list_head *pos;

	if (!inv.ring.start) {
		if (pre518 && (!nr_cache_ids_addr ||
			       bpf_probe_read_kernel(&inv.ids, sizeof(inv.ids), (void *)nr_cache_ids_addr))) {
			inv.ring.state = -1;
			return 0;
		}
		pos = ring_pos(&inv.ring);
		if (!pos)
			return 0;
		begin_lru(pos);
	}
	for (int i = 0; i < LRU_STEPS && !inv.ring.state; i++) {
		if (!inv_lru_step(inv.lru) && !inv_next_lru())
			break;
		if (i % LRU_CLOCK_STEPS == LRU_CLOCK_STEPS - 1 && bpf_ktime_get_ns() - t0 > LRU_RUN_NS)
			break;
	}
	inv_tot.runs++;
	dt = bpf_ktime_get_ns() - t0;
	if (dt > inv_tot.max_run_ns)
		inv_tot.max_run_ns = dt;
	return 0;
}
