/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the kernel's memcg and list_lru structures, shared by lrutop.bpf.c (the tracer)
 * and inventory.bpf.c (the walk of what the kernel holds now). CO-RE throughout.
 */
#ifndef __LRUTOP_KERNEL_BPF_H
#define __LRUTOP_KERNEL_BPF_H

/* Before 5.18: a node's pointer array of lists, one per id (mm/list_lru.c of 5.10). */
struct list_lru_memcg___pre518 {
	struct list_lru_one *lru[0];
} __attribute__((preserve_access_index));

struct list_lru_node___pre518 {
	struct list_lru_memcg___pre518 *memcg_lrus;
} __attribute__((preserve_access_index));

static __always_inline __u64 memcg_cgid(struct mem_cgroup *memcg)
{
	return BPF_CORE_READ(memcg, css.cgroup, kn, id);
}

/* The same where memcg is a BTF pointer (a traced function's argument): loads, no helper. */
static __always_inline __u64 memcg_cgid_btf(struct mem_cgroup *memcg)
{
	return memcg->css.cgroup->kn->id;
}

/* The memcg id of the current task's cgroup, by loads through its BTF pointer (5.11+). */
static __always_inline __u64 current_cgid_btf(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state *css = task->cgroups->subsys[id];

	return css ? css->cgroup->kn->id : 0;
}

static __always_inline struct mem_cgroup *css_memcg(struct cgroup_subsys_state *css)
{
	if (!css)
		return NULL;
	return (void *)css - bpf_core_field_offset(struct mem_cgroup, css);
}

static __always_inline struct mem_cgroup *current_memcg(void)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state *css;
	struct css_set *cset;

	cset = BPF_CORE_READ(task, cgroups);
	if (bpf_probe_read_kernel(&css, sizeof(css), &cset->subsys[id]))
		return NULL;
	return css_memcg(css);
}

static __always_inline struct mem_cgroup *parent_memcg(struct mem_cgroup *memcg)
{
	return css_memcg(BPF_CORE_READ(memcg, css.parent));
}

static __always_inline bool xa_is_node(__u64 entry)
{
	return (entry & 3) == 2 && entry > 4096;
}

/*
 * xa_load() of the kmemcg id's slot in a list_lru's xarray (5.18+), from its head: the memcg's
 * list, or 0. Unlocked: a slot changing under the walk reads as either value, both real lists.
 */
static __always_inline __u64 xa_load_from(__u64 entry, __u32 index)
{
	struct xa_node *node;
	__u8 shift;

	if (!xa_is_node(entry))
		return index ? 0 : entry;
	/* 64 slots a node: four levels hold 2^24 ids, past the 16-bit memcg ids. */
	for (int i = 0; i < 4 && xa_is_node(entry); i++) {
		node = (void *)(entry - 2);
		shift = BPF_CORE_READ(node, shift);
		if (!i && (index >> shift) > 63)
			return 0;
		if (bpf_probe_read_kernel(&entry, sizeof(entry), &node->slots[(index >> shift) & 63]))
			return 0;
	}
	/* Internal entries (retry, sibling) are no list. */
	return (entry & 3) == 2 ? 0 : entry;
}

static __always_inline __u64 xa_load_entry(struct list_lru *lru, __u32 index)
{
	if (!bpf_core_field_exists(lru->xa))
		return 0;
	return xa_load_from((__u64)BPF_CORE_READ(lru, xa.xa_head), index);
}

/* The same where lru is a BTF pointer: its head by a load, the nodes by helper reads (a
 * node's address is a number to the verifier). */
static __always_inline __u64 xa_load_entry_btf(struct list_lru *lru, __u32 index)
{
	if (!bpf_core_field_exists(lru->xa))
		return 0;
	return xa_load_from((__u64)lru->xa.xa_head, index);
}

/*
 * Bytes the slab spends on the object at obj: the slot size of the kmem_cache whose slab
 * holds it (its `size`, what /proc/slabinfo calls objsize and the kmalloc tracepoint
 * bytes_alloc), red zones and tracking included. x86-64's virt_to_page() on the direct map:
 * KASLR moves its base and the struct page array's (page_offset_base, vmemmap_base, whose
 * addresses come from kallsyms). A slab of several pages is a compound page whose head
 * holds the cache: struct slab overlays it from 5.17, struct page's slab_cache before. 0
 * when something does not read as a slab of a cache at least min_size bytes wide.
 */
const volatile __u64 page_offset_base_addr = 0, vmemmap_base_addr = 0;
/* Without those addresses: the slot /proc/slabinfo gives the lists' kmalloc cache (0 if
 * none), set by userspace. */
const volatile __u32 list_slot_slabinfo = 0;

struct page___pre517 {
	struct kmem_cache *slab_cache;
} __attribute__((preserve_access_index));

/*
 * Linux 7 renamed compound_head compound_info (7.3 has it): with HVO and a 64-byte struct
 * page, a tail page's holds a mask that takes its own address to its head's; else, as
 * compound_head did, its head's address + 1. Bit 0 set: a tail page.
 */
struct page___info {
	unsigned long compound_info;
} __attribute__((preserve_access_index));

static __always_inline __u64 compound_head_of(__u64 page)
{
	__u64 info, mask;

	if (bpf_core_field_exists(struct page___info, compound_info))
		info = BPF_CORE_READ((struct page___info *)page, compound_info);
	else
		info = BPF_CORE_READ((struct page *)page, compound_head);
	if (!(info & 1))
		return page;	/* a head, or a page of its own */
	mask = info & ~1ULL;
	if ((mask | (mask - 1)) == ~0ULL)
		return page & info;	/* ones from the top down: a mask */
	return info - 1;
}

static __u64 direct_map_base, page_array_base;	/* fixed at boot: read once */

/* Are the bases of the direct map and of the array of struct pages known? */
static __always_inline bool page_bases_known(void)
{
	__u64 dm = 0, pa = 0;

	if (direct_map_base)
		return true;
	if (!page_offset_base_addr || !vmemmap_base_addr ||
	    bpf_probe_read_kernel(&dm, sizeof(dm), (void *)page_offset_base_addr) ||
	    bpf_probe_read_kernel(&pa, sizeof(pa), (void *)vmemmap_base_addr) || !dm || !pa)
		return false;
	page_array_base = pa;
	direct_map_base = dm;
	return true;
}

/* The kmem_cache of the slab obj lies in, read from its struct page (its head's); NULL if obj
 * is not in the direct map (or the bases are unknown). */
static __always_inline struct kmem_cache *slab_cache_of(__u64 obj)
{
	__u64 page;

	if (!page_bases_known() || obj < direct_map_base || obj >= page_array_base)
		return NULL;
	page = page_array_base + ((obj - direct_map_base) >> 12) * bpf_core_type_size(struct page);
	page = compound_head_of(page);
	if (bpf_core_type_exists(struct slab))
		return BPF_CORE_READ((struct slab *)page, slab_cache);
	return BPF_CORE_READ((struct page___pre517 *)page, slab_cache);
}

static __always_inline __u32 slab_slot_size(__u64 obj, __u32 min_size)
{
	struct kmem_cache *s;
	__u32 size;

	if (!page_offset_base_addr || !vmemmap_base_addr)
		return list_slot_slabinfo;
	s = slab_cache_of(obj);
	if (!s || BPF_CORE_READ(s, object_size) < min_size)
		return 0;
	size = BPF_CORE_READ(s, size);
	return size >= min_size ? size : 0;
}

/*
 * Is item the private_list of an xa_node of a file's page cache (what the workingset's
 * shadow_nodes holds)? Told by structure where the slab cannot be read: the node's xarray is a
 * mapping's i_pages, and that mapping's inode points back at it.
 */
static __always_inline bool is_page_cache_node(__u64 item)
{
	struct xa_node *node = (void *)(item - bpf_core_field_offset(struct xa_node, private_list));
	struct address_space *mapping;
	struct xarray *xa = BPF_CORE_READ(node, array);

	if (!xa)
		return false;
	mapping = (void *)xa - bpf_core_field_offset(struct address_space, i_pages);
	return BPF_CORE_READ(mapping, host, i_mapping) == mapping;
}

/*
 * What the objects on the list_lru_one at one are, from its first: the name of their slab
 * cache ("radix_tree_node" for the workingset's shadow nodes), "page" when it lies in the
 * array of struct pages (a folio's own list head: the THP deferred-split queue), or where the
 * slab cannot be read "xa_node" for a page cache's xarray node. False when the list is empty
 * or the object cannot be told.
 */
static __always_inline bool objects_of_list(__u64 one, char *out, __u32 len)
{
	__u64 head = one + bpf_core_field_offset(struct list_lru_one, list), first = 0;
	struct kmem_cache *s;

	if (bpf_probe_read_kernel(&first, sizeof(first), (void *)head) || !first || first == head)
		return false;
	if (page_bases_known() && first >= page_array_base) {
		__builtin_memcpy(out, "page", 5);
		return true;
	}
	s = slab_cache_of(first);
	if (s)
		return bpf_probe_read_kernel_str(out, len, BPF_CORE_READ(s, name)) > 1;
	if (!is_page_cache_node(first))
		return false;
	__builtin_memcpy(out, "xa_node", 8);
	return true;
}

/* Before 5.18: the slot size of the list at index id of a node's array (see above). */
static __always_inline __u32 eager_list_slot(struct list_lru_memcg___pre518 *arr, __u32 id,
					     __u32 min_size)
{
	__u64 one = 0;

	if (!arr || bpf_probe_read_kernel(&one, sizeof(one), &arr->lru[id & 0xffff]) || !one)
		return 0;
	return slab_slot_size(one, min_size);
}

/* Is sb a superblock? Its root dentry points back at it (false while it is being set up). */
static __always_inline bool is_superblock(struct super_block *sb)
{
	return BPF_CORE_READ(sb, s_root, d_sb) == sb;
}

/* A list_lru at lru: &sb->s_dentry_lru or &sb->s_inode_lru of a superblock, or another. */
static __always_inline void resolve_lru_owner(__u64 lru, struct lru_owner *ls)
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

/*
 * Does owner still describe the list_lru at lru? A superblock's list_lrus live inside it:
 * when one is unmounted and another is allocated at the same address, the address names a
 * new list_lru, whose anonymous dev may be an older mount's (lrutop's self-check mounts and
 * unmounts a tmpfs at start-up, just before a user's mounts).
 */
static __always_inline bool lru_owner_current(__u64 lru, const struct lru_owner *o)
{
	struct super_block *sb;
	__u64 off;

	if (o->kind == LRUTOP_LRU_OTHER)
		return false;
	off = o->kind == LRUTOP_LRU_DENTRY ? bpf_core_field_offset(struct super_block, s_dentry_lru) :
					     bpf_core_field_offset(struct super_block, s_inode_lru);
	sb = (void *)(lru - off);
	return is_superblock(sb) && BPF_CORE_READ(sb, s_dev) == o->dev;
}

/*
 * The memcg-aware list_lrus: the kernel links each one into a ring headed by a static list
 * (list_lrus, memcg_list_lrus from 5.18) that kallsyms may not show. Any superblock's dentry
 * lru is on that ring, so a walk starts at the caller's root superblock's. Programs run by
 * BPF_PROG_TEST_RUN walk it in chunks, because a 5.10 verifier walks every iteration of a
 * bounded loop: userspace zeroes the walk's start, then runs the program until its state is
 * set. Unlocked: a list_lru torn down mid-walk reads as a failure, and userspace keeps what
 * it had.
 */
static __always_inline struct list_head *ring_pos(struct ring_walk *w)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct super_block *sb;

	if (!w->start) {
		sb = BPF_CORE_READ(task, fs, root.mnt, mnt_sb);
		if (!sb || !BPF_CORE_READ(sb, s_dentry_lru.memcg_aware)) {
			w->state = -1;
			return NULL;
		}
		w->start = (__u64)&sb->s_dentry_lru.list;
		w->pos = w->start;
		w->steps = 0;
		w->state = 0;
	}
	return (void *)w->pos;
}

/* The next entry of the ring, or NULL with the walk's state set: 1 back at its start. */
static __always_inline struct list_head *ring_next(struct ring_walk *w, struct list_head *pos)
{
	struct list_head *next;

	if (bpf_probe_read_kernel(&next, sizeof(next), &pos->next) || !next) {
		w->state = -1;
		return NULL;
	}
	w->steps++;
	if ((__u64)next == w->start) {
		w->state = 1;
		return NULL;
	}
	return next;
}

#endif /* __LRUTOP_KERNEL_BPF_H */
