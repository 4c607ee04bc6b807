/* SPDX-License-Identifier: GPL-2.0 */
/* Both backends: memcgs made, removed and renamed (paths caught at mkdir; the cgroup tree's changes). Part of lrutop.bpf.c, included there once, in order. */

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
