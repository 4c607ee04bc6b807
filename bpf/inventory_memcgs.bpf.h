/* SPDX-License-Identifier: GPL-2.0 */
/* The memcg walk: each online memcg's kmemcg id, the index of its lists in every list_lru. Part of inventory.bpf.c, included there once, in order. */

/* A new entry's value, made here rather than on the stack: the walk's frames share 512
 * bytes, and a 5.10 verifier counts each struct copy in every frame it is inlined into. */
struct inv_id inv_id_fresh;

/* This pass's entry of a map, made or reset on first use; NULL when the map is full. */
static __always_inline struct inv_id *id_entry(__u32 id)
{
	struct inv_id *e = bpf_map_lookup_elem(&inv_ids, &id);

	if (e && e->gen == inv.gen)
		return e;
	if (e) {
		__builtin_memset(e, 0, sizeof(*e));
		e->gen = inv.gen;
		return e;
	}
	__builtin_memset(&inv_id_fresh, 0, sizeof(inv_id_fresh));
	inv_id_fresh.gen = inv.gen;
	bpf_map_update_elem(&inv_ids, &id, &inv_id_fresh, BPF_ANY);
	e = bpf_map_lookup_elem(&inv_ids, &id);
	if (!e)
		inv_tot.drops_ids++;
	return e;
}

#define MEMCG_STEPS	256
#define MAX_DEPTH	64
#define CSS_ONLINE	(1 << 1)	/* include/linux/cgroup-defs.h, unchanged since 3.x */

static __always_inline void note_memcg(struct cgroup_subsys_state *css)
{
	struct mem_cgroup *memcg = css_memcg(css);
	struct cgroup_subsys_state *up;
	struct inv_id *e;
	int id;

	if (!(BPF_CORE_READ(css, flags) & CSS_ONLINE))
		return;
	id = BPF_CORE_READ(memcg, kmemcg_id);
	if (id < 0 || id >= LRUTOP_INV_MAX_IDS)
		return;	/* the root: its lists are the list_lru's own */
	e = id_entry(id);
	if (!e)
		return;
	e->cgid = memcg_cgid(memcg);
	up = BPF_CORE_READ(css, parent);
	e->parent_cgid = up ? BPF_CORE_READ(up, cgroup, kn, id) : 0;
	e->name_len = bpf_probe_read_kernel_str(e->name, sizeof(e->name),
						BPF_CORE_READ(css, cgroup, kn, name));
	if (inv.focus_cgid && e->cgid == inv.focus_cgid)
		inv.focus_id = id;
	inv_mw.online++;
}

/*
 * One step of a pre-order walk of the css tree: note pos and go to its first child; or,
 * its subtree done (climbing), go to its next sibling, or up to its parent. No stack: the
 * tree's own parent pointers and sibling lists. Global, verified once rather than in each
 * step of a run; so its arguments are plain numbers.
 */
__noinline __u64 inv_css_step(__u64 pos_addr, __u64 root_addr)
{
	struct cgroup_subsys_state *pos = (void *)pos_addr, *root = (void *)root_addr;
	__u64 sib = bpf_core_field_offset(struct cgroup_subsys_state, sibling);
	struct cgroup_subsys_state *parent;
	struct list_head *next;

	if (!inv_mw.climbing) {
		note_memcg(pos);
		next = BPF_CORE_READ(pos, children.next);
		if (next && next != &pos->children)
			return (__u64)next - sib;
		inv_mw.climbing = 1;
	}
	if (pos == root)
		return 0;
	parent = BPF_CORE_READ(pos, parent);
	if (!parent)
		return 0;
	next = BPF_CORE_READ(pos, sibling.next);
	if (next && next != &parent->children) {
		inv_mw.climbing = 0;
		return (__u64)next - sib;
	}
	return (__u64)parent;
}

/* MEMCG_INNER steps from pos: where the walk is after them (0: done). Global, so a run's 256
 * steps are verified as 16 calls and 16 steps, not 256 steps. */
#define MEMCG_INNER	16

__noinline __u64 inv_css_steps(__u64 pos, __u64 root)
{
	for (int i = 0; i < MEMCG_INNER && pos; i++) {
		inv_mw.steps++;
		pos = inv_css_step(pos, root);
	}
	return pos;
}

SEC("raw_tp")
int inventory_memcgs(void *ctx)
{
	struct cgroup_subsys_state *css, *up;
	struct mem_cgroup *memcg;
	__u64 pos;

	if (!inv_mw.root) {
		memcg = current_memcg();
		if (!memcg) {
			inv_mw.state = -1;
			return 0;
		}
		css = &memcg->css;
		for (int d = 0; d < MAX_DEPTH; d++) {
			up = BPF_CORE_READ(css, parent);
			if (!up)
				break;
			css = up;
		}
		inv_mw.root = (__u64)css;
		inv_mw.pos = (__u64)css;
		inv_mw.state = 0;
	}
	pos = inv_mw.pos;
	for (int i = 0; i < MEMCG_STEPS / MEMCG_INNER && pos; i++)
		pos = inv_css_steps(pos, inv_mw.root);
	inv_mw.pos = pos;
	if (!pos)
		inv_mw.state = 1;
	return 0;
}
