/* SPDX-License-Identifier: GPL-2.0 */
/* Backend "fentry" before the patch (pre-5.18): eager lists, the id space's growths, and the pairs a lazy kernel would populate. Part of lrutop.bpf.c, included there once, in order. */

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
	if (ret)
		t->eager_fails++;	/* a list_lru's creation or an id-space growth fails */
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
