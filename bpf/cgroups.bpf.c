// SPDX-License-Identifier: GPL-2.0
/*
 * The cgroup tree below a mount's root through the kernel's cgroup iterator (6.1+): each
 * live cgroup's id, its parent's and its name, in pre-order. Read by a directory walk, a
 * cgroup v1 memcg's directory costs the kernel a listing of its 30-odd files; here it
 * costs a record.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "lrutop.h"

struct lrutop_cgroup_walk walk;
struct lrutop_cgroup rec;
char name[LRUTOP_CGROUP_NAME];

SEC("iter/cgroup")
int dump_cgroups(struct bpf_iter__cgroup *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct cgroup *cg = ctx->cgroup;
	struct cgroup_subsys_state *up;
	long len;

	/* The end of a session: the walk is whole unless this session stopped it. */
	if (!cg) {
		walk.complete = !walk.more;
		return 0;
	}
	if (walk.seen++ < walk.skip)
		return 0;
	if (walk.written + sizeof(rec) + LRUTOP_CGROUP_NAME > walk.budget) {
		walk.more = 1;
		return 1;	/* stop: the next session starts here */
	}
	rec.id = BPF_CORE_READ(cg, kn, id);
	up = BPF_CORE_READ(cg, self.parent);
	rec.parent = up ? BPF_CORE_READ(up, cgroup, kn, id) : 0;
	len = bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(cg, kn, name));
	rec.name_len = len > 1 ? len - 1 : 0;
	bpf_seq_write(seq, &rec, sizeof(rec));
	/* The mask: a bound the verifier keeps to the call. */
	len = rec.name_len & (LRUTOP_CGROUP_NAME - 1);
	if (len)
		bpf_seq_write(seq, name, len);
	walk.written += sizeof(rec) + len;
	walk.emitted++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
