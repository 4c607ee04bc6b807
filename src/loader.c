// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "loader.h"
#include "lrutop.h"
#include "lrutop.skel.h"

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return 0;
}

/* Point a tracing program at fn, or leave it unloaded when this kernel lacks fn. */
static int target(struct bpf_program *prog, const struct probe_plan *plan, int fn, bool on)
{
	if (!on || fn < 0 || !plan->funcs[fn].in_btf)
		return bpf_program__set_autoload(prog, false);
	return bpf_program__set_attach_target(prog, 0, plan->funcs[fn].name);
}

static int open_load_attach(const struct probe_plan *plan, enum backend b, unsigned int max_memcgs,
			    struct lrutop_bpf **out)
{
	const struct func_info *lazy = plan->lazy_fn >= 0 ? &plan->funcs[plan->lazy_fn] : NULL;
	const struct func_info *eager = &plan->funcs[FN_INIT_LIST_LRU_NODE];
	bool fentry = b == BACKEND_FENTRY;
	struct lrutop_bpf *skel;
	int err;

	skel = lrutop_bpf__open();
	if (!skel)
		return -errno;
	for (int i = 0; i < plan->nr_lazy_ranges && i < LRUTOP_MAX_RANGES; i++) {
		const struct addr_range *r = &plan->lazy_ranges[i];

		skel->rodata->lazy_lo[i] = r->lo;
		skel->rodata->lazy_hi[i] = r->hi;
		if (!i || r->lo < skel->rodata->lazy_min)
			skel->rodata->lazy_min = r->lo;
		if (r->hi > skel->rodata->lazy_max)
			skel->rodata->lazy_max = r->hi;
		skel->rodata->nr_lazy_ranges = i + 1;
	}
	if (eager->in_kallsyms) {
		skel->rodata->eager_lo = eager->lo;
		skel->rodata->eager_hi = eager->hi;
	}
	skel->rodata->use_brackets = fentry && lazy && lazy->in_btf;
	skel->rodata->lru_first = plan->lru_first;
	skel->rodata->nr_cache_ids_addr = plan->nr_cache_ids_addr;

	err = bpf_map__set_max_entries(skel->maps.memcg_stats, max_memcgs);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.memcg_lat, max_memcgs);
	/* Pre-5.18 keeps a list per id per node per list_lru alive; lazy kernels far fewer. */
	if (!err && plan->pre_patch)
		err = bpf_map__set_max_entries(skel->maps.live, 262144);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.handle_kmalloc_node,
						plan->has_kmalloc_node_tp);
	/* Owners are slots of list_lru's xarray: 5.18+ (and its atomics need 5.12+). */
	if (!err)
		err = bpf_program__set_autoload(skel->progs.resolve_owners, plan->post_patch);
	if (!err)
		err = target(skel->progs.lazy_alloc_enter, plan, plan->lazy_fn, fentry);
	if (!err)
		err = target(skel->progs.lazy_alloc_exit, plan, plan->lazy_fn, fentry);
	if (!err)
		err = target(skel->progs.lru_obj_exit, plan, plan->obj_fn, fentry);
	if (!err)
		err = target(skel->progs.grow_enter, plan, FN_UPDATE_ALL_LIST_LRUS, fentry);
	if (!err)
		err = target(skel->progs.grow_exit, plan, FN_UPDATE_ALL_LIST_LRUS, fentry);
	if (!err)
		err = target(skel->progs.eager_init_enter, plan, FN_INIT_LIST_LRU_NODE, fentry);
	/* Only where lists are eager: what a patched kernel would populate. */
	if (!err)
		err = target(skel->progs.dentry_alloc_exit, plan, FN_D_ALLOC, fentry && plan->pre_patch);
	if (!err)
		err = target(skel->progs.inode_alloc_exit, plan, FN_ALLOC_INODE, fentry && plan->pre_patch);
	if (!err)
		err = lrutop_bpf__load(skel);
	if (!err)
		err = lrutop_bpf__attach(skel);
	if (err) {
		lrutop_bpf__destroy(skel);
		return err;
	}
	*out = skel;
	return 0;
}

/*
 * Will the kernel load an fentry program at all? A two-instruction one answers with one
 * syscall, where a refused skeleton costs its whole load first (maps, BTF, the verifier):
 * a third of a second of start-up on a host whose policy refuses fentry. 0 or -errno.
 */
static int fentry_allowed(const struct probe_plan *plan)
{
	const struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY);
	int fd;

	for (int i = 0; i < NR_LRU_FUNCS && !opts.attach_btf_id; i++)
		opts.attach_btf_id = plan->funcs[i].btf_id;
	if (!opts.attach_btf_id)
		return -ENOENT;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "lrutop_probe", "GPL", ret0, 2, &opts);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int loader_start(const struct probe_plan *plan, enum backend want, unsigned int max_memcgs,
		 bool verbose, struct lrutop_bpf **skel, enum backend *got, char *why, size_t len)
{
	char reason[160], fentry_err[256] = "";
	libbpf_print_fn_t old;
	int err;

	if (want != BACKEND_TRACEPOINT) {
		if (probe_backend_usable(plan, BACKEND_FENTRY, reason, sizeof(reason))) {
			if (want == BACKEND_FENTRY) {
				snprintf(why, len, "fentry backend unusable: %s", reason);
				return -ENOENT;
			}
			snprintf(fentry_err, sizeof(fentry_err), "fentry unusable: %s", reason);
		} else {
			/* A refusal here is expected on locked-down hosts: keep libbpf quiet. */
			old = verbose ? NULL : libbpf_set_print(quiet_print);
			err = fentry_allowed(plan);
			if (!err || err == -ENOENT)
				err = open_load_attach(plan, BACKEND_FENTRY, max_memcgs, skel);
			if (!verbose)
				libbpf_set_print(old);
			if (!err) {
				*got = BACKEND_FENTRY;
				snprintf(why, len, "fentry/fexit attached");
				return 0;
			}
			if (want == BACKEND_FENTRY) {
				snprintf(why, len, "fentry refused by the kernel: %s", strerror(-err));
				return err;
			}
			snprintf(fentry_err, sizeof(fentry_err), "fentry refused: %s", strerror(-err));
		}
	}
	if (probe_backend_usable(plan, BACKEND_TRACEPOINT, reason, sizeof(reason))) {
		snprintf(why, len, "%s%s%s", fentry_err, fentry_err[0] ? "; tracepoint unusable: " : "",
			 reason);
		return -ENOENT;
	}
	err = open_load_attach(plan, BACKEND_TRACEPOINT, max_memcgs, skel);
	if (err) {
		snprintf(why, len, "%s%sraw tracepoints refused: %s", fentry_err,
			 fentry_err[0] ? "; " : "", strerror(-err));
		return err;
	}
	*got = BACKEND_TRACEPOINT;
	snprintf(why, len, "%s%sraw tracepoints kmalloc/kfree, call sites from kallsyms",
		 fentry_err, fentry_err[0] ? "; " : "");
	return 0;
}
