// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's iterators lrutop reads, in one object: libbpf parses the kernel's BTF once for
 * both (an iterator's attach point is found there), and a parse raises the peak RSS.
 *
 * kallsyms through the kernel's ksym iterator (6.0+): the symbols userspace may keep, with
 * their names, and the addresses that end them (struct lrutop_ksym). /proc/kallsyms formats each of its
 * 120,000 lines for any reader, most of the 60 ms a read costs; here a symbol nobody asked
 * for costs its address.
 *
 * The cgroup tree below a mount's root through the cgroup iterator (6.1+): each live
 * cgroup's id, its parent's and its name, in pre-order. Read by a directory walk, a cgroup
 * v1 memcg's directory costs the kernel a listing of its 30-odd files; here a record.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "lrutop.h"

const volatile bool keep_data = false;
__u8 prefixes[LRUTOP_KSYM_PREFIX_BITS / 8];

struct lrutop_ksym rec;
/* The address of the last symbol of the kernel's own kept, while the address that ends it
 * (the next one above: the kernel lists its own in address order) is still to come. */
__u64 pending;
char name[LRUTOP_KSYM_NAME], mod[LRUTOP_KSYM_NAME];

static __always_inline bool is_data(char type)
{
	return type == 'd' || type == 'D' || type == 'b' || type == 'B';
}

static __always_inline bool asked_for(const char *s)
{
	__u32 bit = ksym_prefix_bit(s);

	return prefixes[bit / 8] & (1 << (bit % 8));
}

/* The string at s read into buf; its length without the NUL (0: none). */
static __always_inline __u16 read_str(char *buf, const char *s)
{
	long len = bpf_probe_read_kernel_str(buf, LRUTOP_KSYM_NAME, s);

	return len > 1 ? (len - 1) & (LRUTOP_KSYM_NAME - 1) : 0;
}

SEC("iter/ksym")
int dump_ksyms(struct bpf_iter__ksym *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct kallsym_iter *it = ctx->ksym;
	__u32 name_len = 0, mod_len = 0;
	bool keep;

	if (!it)
		return 0;
	/* Loads through the iterator's pointer, no helper call: 120,000 symbols a read. */
	__builtin_memset(&rec, 0, sizeof(rec));
	rec.addr = it->show_value ? it->value : 0;
	rec.type = it->type;
	rec.module = it->module_name[0] != 0;
	keep = (keep_data && is_data(rec.type)) || asked_for(it->name);
	/* Of the kernel's own symbols passed over, only the address that ends a kept one; the
	 * modules' (and BPF programs') come in no order: each address. */
	if (!rec.module) {
		if (!keep && (!pending || rec.addr <= pending))
			return 0;
		pending = keep ? rec.addr : 0;
	}
	if (keep) {
		name_len = read_str(name, it->name);
		if (rec.module)
			mod_len = read_str(mod, it->module_name);
	}
	rec.name_len = name_len;
	rec.mod_len = mod_len;
	bpf_seq_write(seq, &rec, sizeof(rec));
	/* The masks: bounds the verifier keeps to the calls. */
	name_len &= LRUTOP_KSYM_NAME - 1;
	mod_len &= LRUTOP_KSYM_NAME - 1;
	if (name_len)
		bpf_seq_write(seq, name, name_len);
	if (mod_len)
		bpf_seq_write(seq, mod, mod_len);
	return 0;
}

struct lrutop_cgroup_walk walk;
struct lrutop_cgroup cg_rec;
char cg_name[LRUTOP_CGROUP_NAME];

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
	if (walk.resume_id && !walk.found) {
		walk.found = BPF_CORE_READ(cg, kn, id) == walk.resume_id;
		return 0;
	}
	if (walk.written + sizeof(cg_rec) + LRUTOP_CGROUP_NAME > walk.budget) {
		walk.more = 1;
		return 1;	/* stop: the next session starts here */
	}
	cg_rec.id = BPF_CORE_READ(cg, kn, id);
	up = BPF_CORE_READ(cg, self.parent);
	cg_rec.parent = up ? BPF_CORE_READ(up, cgroup, kn, id) : 0;
	len = bpf_probe_read_kernel_str(cg_name, sizeof(cg_name), BPF_CORE_READ(cg, kn, name));
	cg_rec.name_len = len > 1 ? len - 1 : 0;
	bpf_seq_write(seq, &cg_rec, sizeof(cg_rec));
	/* The mask: a bound the verifier keeps to the call. */
	len = cg_rec.name_len & (LRUTOP_CGROUP_NAME - 1);
	if (len)
		bpf_seq_write(seq, cg_name, len);
	walk.written += sizeof(cg_rec) + len;
	walk.emitted++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
