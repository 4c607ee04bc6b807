// SPDX-License-Identifier: GPL-2.0
/* Opens, sizes, loads and attaches the tracer: which program goes where is a table. */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "loader.h"
#include "nodes.h"
#include "lib/kmalloc.h"
#include "slab.h"
#include "lrutop.h"
#include "lrutop.skel.h"

/* The plan's own choices, for programs whose target differs per kernel. */
#define FN_NONE		(-1)	/* not a tracing program: no target to set */
#define FN_PLAN_LAZY	(-2)	/* plan->lazy_fn: where the lazy lists are made */
#define FN_PLAN_OBJ	(-3)	/* plan->obj_fn: kmem_cache_alloc_lru or its _noprof name */

/* When a program loads. */
enum prog_cond {
	WHEN_FENTRY,		/* the fentry backend, its target in BTF */
	WHEN_FENTRY_EAGER,	/* the same, on a kernel that allocates eagerly (pre-5.18) */
	WHEN_LAZY,		/* a kernel with list_lru xarrays (5.18+): owners are their slots */
	WHEN_KMALLOC_TP,	/* lists counted at kmalloc and kfree: not fentry's own way */
	WHEN_KMALLOC_LAZY,	/* the same, 5.18+ */
	WHEN_KMALLOC_NODE_TP,	/* the same, on a kmalloc_node tracepoint of its own (before 6.1) */
	WHEN_SLOTS_LAZY,	/* fentry counts lists in the list_lru functions, 5.18+ */
	WHEN_SLOTS_EAGER,	/* the same, pre-5.18 */
};

struct prog_spec {
	size_t off;		/* in struct lrutop_bpf */
	int fn;			/* enum lru_func, or FN_* above */
	enum prog_cond when;
};

#define PROG(name) offsetof(struct lrutop_bpf, progs.name)

/* Programs not listed load on every kernel and backend (cgroup tracepoints, the walks). */
static const struct prog_spec prog_specs[] = {
	{ PROG(handle_kmalloc), FN_NONE, WHEN_KMALLOC_TP },
	{ PROG(handle_kmalloc_node), FN_NONE, WHEN_KMALLOC_NODE_TP },
	{ PROG(handle_kfree), FN_NONE, WHEN_KMALLOC_TP },
	{ PROG(resolve_owners), FN_NONE, WHEN_LAZY },
	{ PROG(check_freed), FN_NONE, WHEN_KMALLOC_LAZY },
	{ PROG(lazy_alloc_enter), FN_PLAN_LAZY, WHEN_FENTRY },
	{ PROG(lazy_alloc_exit), FN_PLAN_LAZY, WHEN_FENTRY },
	{ PROG(lru_obj_exit), FN_PLAN_OBJ, WHEN_FENTRY },
	{ PROG(grow_enter), FN_UPDATE_ALL_LIST_LRUS, WHEN_FENTRY },
	{ PROG(grow_exit), FN_UPDATE_ALL_LIST_LRUS, WHEN_FENTRY },
	{ PROG(eager_init_exit), FN_INIT_LIST_LRU_NODE, WHEN_FENTRY },
	/* Where lists are freed, when fentry counts them without kmalloc and kfree. */
	{ PROG(memcg_lists_free), FN_REPARENT_LIST_LRUS, WHEN_SLOTS_LAZY },
	{ PROG(lru_lists_free), FN_LIST_LRU_DESTROY, WHEN_SLOTS_LAZY },
	{ PROG(eager_lru_made), FN_LIST_LRU_INIT, WHEN_SLOTS_EAGER },
	{ PROG(eager_lists_free), FN_LIST_LRU_DESTROY, WHEN_SLOTS_EAGER },
	/* What a patched kernel would populate: only where lists are eager. */
	{ PROG(dentry_alloc_exit), FN_D_ALLOC, WHEN_FENTRY_EAGER },
	{ PROG(inode_alloc_exit), FN_ALLOC_INODE, WHEN_FENTRY_EAGER },
};

/* Maps that drop rows when full (counted in struct totals' drops_*), sized by --max-memcgs:
 * raising it makes room in each. */
struct map_spec {
	size_t off;
	unsigned int per_memcg;	/* entries per memcg the option allows */
	unsigned int least;	/* never smaller than the BPF default */
};

#define MAP(name) offsetof(struct lrutop_bpf, maps.name)

static const struct map_spec map_specs[] = {
	{ MAP(memcg_stats), 1, 16 },
	{ MAP(memcg_slots), 1, 16 },
	{ MAP(free_slots), 1, 16 },
	{ MAP(memcg_lat), 1, 16 },
	{ MAP(lru_stats), 1, 10240 },
	/* A memcg holds lists on a few list_lrus: 4 each before the defaults grow. */
	{ MAP(pairs), 4, 65536 },
	{ MAP(would_pairs), 4, 65536 },
	{ MAP(live), 4, 65536 },
};

static int resolve_fn(const struct probe_plan *plan, int fn)
{
	if (fn == FN_PLAN_LAZY)
		return plan->lazy_fn;
	if (fn == FN_PLAN_OBJ)
		return plan->obj_fn;
	return fn;
}

static bool cond_holds(const struct probe_plan *plan, enum backend b, enum prog_cond when)
{
	bool slots = b == BACKEND_FENTRY && plan->lists_from_slots;

	switch (when) {
	case WHEN_FENTRY:
		return b == BACKEND_FENTRY;
	case WHEN_FENTRY_EAGER:
		return b == BACKEND_FENTRY && plan->pre_patch;
	case WHEN_LAZY:
		return plan->post_patch;
	case WHEN_KMALLOC_TP:
		return !slots;
	case WHEN_KMALLOC_LAZY:
		return !slots && plan->post_patch;
	case WHEN_KMALLOC_NODE_TP:
		return !slots && plan->has_kmalloc_node_tp;
	case WHEN_SLOTS_LAZY:
		return slots && plan->post_patch;
	case WHEN_SLOTS_EAGER:
		return slots && !plan->post_patch;
	}
	return false;
}

/* The skeleton's program a row of the table names. */
static struct bpf_program *spec_prog(const struct lrutop_bpf *skel, const struct prog_spec *p)
{
	return *(struct bpf_program *const *)((const char *)skel + p->off);
}

/* Load each program of the table where its condition holds, at its target; else not. */
static int set_programs(struct lrutop_bpf *skel, const struct probe_plan *plan, enum backend b)
{
	int err = 0;

	for (size_t i = 0; i < sizeof(prog_specs) / sizeof(prog_specs[0]) && !err; i++) {
		const struct prog_spec *p = &prog_specs[i];
		struct bpf_program *prog = spec_prog(skel, p);
		int fn = resolve_fn(plan, p->fn);
		bool on = cond_holds(plan, b, p->when);

		if (p->fn == FN_NONE) {
			err = bpf_program__set_autoload(prog, on);
			continue;
		}
		if (!on || fn < 0 || !plan->funcs[fn].in_btf)
			err = bpf_program__set_autoload(prog, false);
		else
			err = bpf_program__set_attach_target(prog, 0, plan->funcs[fn].name);
	}
	return err;
}

const char *loader_prog_target(const struct probe_plan *plan, const struct lrutop_bpf *skel,
			       const struct bpf_program *prog)
{
	for (size_t i = 0; i < sizeof(prog_specs) / sizeof(prog_specs[0]); i++) {
		const struct prog_spec *p = &prog_specs[i];
		int fn = resolve_fn(plan, p->fn);

		if (spec_prog(skel, p) == prog)
			return p->fn == FN_NONE || fn < 0 ? NULL : plan->funcs[fn].name;
	}
	return NULL;
}

static int size_maps(struct lrutop_bpf *skel, const struct probe_plan *plan, enum backend b,
		     unsigned int max_memcgs)
{
	int err = 0;

	for (size_t i = 0; i < sizeof(map_specs) / sizeof(map_specs[0]) && !err; i++) {
		const struct map_spec *m = &map_specs[i];
		struct bpf_map *map = *(struct bpf_map **)((char *)skel + m->off);
		unsigned long long want = (unsigned long long)max_memcgs * m->per_memcg;

		err = bpf_map__set_max_entries(map, want > m->least ? want : m->least);
	}
	/* Pre-5.18 keeps a list per id per node per list_lru alive: many more to follow, each
	 * in live where kmalloc and kfree count them. */
	if (!err && plan->pre_patch && !(b == BACKEND_FENTRY && plan->lists_from_slots) &&
	    bpf_map__max_entries(skel->maps.live) < 262144)
		err = bpf_map__set_max_entries(skel->maps.live, 262144);
	/* Maps of the pre-5.18 fentry programs alone: a hash map is allocated whole at load,
	 * 2 ms of start-up for each of these where nothing uses them. */
	if (!err && !(b == BACKEND_FENTRY && plan->pre_patch))
		err = bpf_map__set_max_entries(skel->maps.would_pairs, 1) ?:
		      bpf_map__set_max_entries(skel->maps.eager_lrus, 1);
	return err;
}

/* Call-site ranges into lo[] and hi[], and [*min, *max) around them all; how many were set. */
static __u32 set_ranges(const struct addr_range *r, int n, int cap, __u64 *lo, __u64 *hi,
			__u64 *min, __u64 *max)
{
	int i;

	for (i = 0; i < n && i < cap; i++) {
		lo[i] = r[i].lo;
		hi[i] = r[i].hi;
		if (!i || r[i].lo < *min)
			*min = r[i].lo;
		if (r[i].hi > *max)
			*max = r[i].hi;
	}
	return i;
}

/* The plan into the programs' read-only globals: call-site ranges and argument order. */
static void set_rodata(struct lrutop_bpf *skel, const struct probe_plan *plan, enum backend b)
{
	const struct func_info *lazy = plan->lazy_fn >= 0 ? &plan->funcs[plan->lazy_fn] : NULL;
	const struct func_info *eager = &plan->funcs[FN_INIT_LIST_LRU_NODE];
	struct node_list nodes;
	char cache[32];

	skel->rodata->nr_lazy_ranges = set_ranges(plan->lazy_ranges, plan->nr_lazy_ranges,
						  LRUTOP_MAX_RANGES, skel->rodata->lazy_lo,
						  skel->rodata->lazy_hi, &skel->rodata->lazy_min,
						  &skel->rodata->lazy_max);
	skel->rodata->nr_free_ranges = set_ranges(plan->free_ranges, plan->nr_free_ranges,
						  LRUTOP_MAX_FREE_RANGES, skel->rodata->free_lo,
						  skel->rodata->free_hi, &skel->rodata->free_min,
						  &skel->rodata->free_max);
	if (eager->in_kallsyms) {
		skel->rodata->eager_lo = eager->lo;
		skel->rodata->eager_hi = eager->hi;
	}
	skel->rodata->use_brackets = b == BACKEND_FENTRY && lazy && lazy->in_btf;
	skel->rodata->eager_brackets = b == BACKEND_FENTRY && eager->in_btf;
	skel->rodata->lru_first = plan->lru_first;
	skel->rodata->nr_cache_ids_addr = plan->nr_cache_ids_addr;
	if (b == BACKEND_FENTRY && plan->lists_from_slots) {
		node_list_read("/sys/devices/system/node/possible", &nodes);
		skel->rodata->lists_from_slots = true;
		/* LRUTOP_FAULT_NO_CALL_RECORDS=1: every call of the allocator takes the way of
		 * one whose record slot another task holds, for the tests of that way alone. */
		skel->rodata->no_call_records = !!getenv("LRUTOP_FAULT_NO_CALL_RECORDS");
		/* The least a list's slab slot can be: a slot read smaller is no list's. */
		skel->rodata->lazy_list_size = list_request_size(false, plan->list_lru_one_size,
								 nodes.end);
		skel->rodata->eager_list_size = list_request_size(true, plan->list_lru_one_size, 1);
		skel->rodata->eager_nodes = nodes.count;
		skel->rodata->page_offset_base_addr = plan->page_offset_base_addr;
		skel->rodata->vmemmap_base_addr = plan->vmemmap_base_addr;
		/* No way to a list's struct page: its cache's slot as the kernel's slabinfo says
		 * (0 if unreadable: every list then counts as unread, never as 0 bytes). */
		if (!probe_slab_readable(plan)) {
			long slot = slabinfo_kmalloc_slot("/proc/slabinfo",
							  plan->pre_patch ? skel->rodata->eager_list_size :
							  skel->rodata->lazy_list_size, cache, sizeof(cache));

			skel->rodata->list_slot_slabinfo = slot > 0 ? slot : 0;
		}
	}
}

/*
 * The per-memcg array's free slots, every one, the lowest on top, pushed by a thread of its
 * own while the kernel verifies the programs: a syscall a slot is 10 ms of start-up at the
 * default 10,240 rows and 100 ms at 100,000, which the verifier's time now hides.
 */
struct slot_filler {
	pthread_t thread;
	int fd;			/* the stack, made here and handed to the skeleton */
	__u32 slots;
	int err;
	bool started;
};

static void *push_free_slots(void *arg)
{
	struct slot_filler *f = arg;

	for (__u32 slot = f->slots; slot-- > 0;) {
		if (bpf_map_update_elem(f->fd, NULL, &slot, BPF_ANY)) {
			f->err = -errno;
			break;
		}
	}
	return NULL;
}

/* Before the load: the stack made, its filling begun. 0 or -errno. */
static int slot_filler_start(struct lrutop_bpf *skel, struct slot_filler *f)
{
	struct bpf_map *m = skel->maps.free_slots;
	int err;

	f->slots = bpf_map__max_entries(skel->maps.memcg_stats);
	f->fd = bpf_map_create(BPF_MAP_TYPE_STACK, bpf_map__name(m), 0, sizeof(__u32),
			       bpf_map__max_entries(m), NULL);
	if (f->fd < 0)
		return -errno;
	err = bpf_map__reuse_fd(m, f->fd);
	if (err) {
		close(f->fd);
		f->fd = -1;
		return err;
	}
	f->started = !pthread_create(&f->thread, NULL, push_free_slots, f);
	return 0;
}

/* Every slot pushed (before the programs attach); the filler's own fd closed. 0 or -errno. */
static int slot_filler_end(struct slot_filler *f)
{
	if (f->fd < 0)
		return 0;
	if (f->started)
		pthread_join(f->thread, NULL);
	else
		push_free_slots(f);	/* no thread: the same pushes, in line */
	f->started = false;
	close(f->fd);
	f->fd = -1;
	return f->err;
}

static int open_load_attach(const struct probe_plan *plan, enum backend b, unsigned int max_memcgs,
			    struct lrutop_bpf **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = plan->core_btf);
	struct slot_filler filler = { .fd = -1 };
	struct lrutop_bpf *skel;
	int err, filled;

	skel = lrutop_bpf__open_opts(&opts);
	if (!skel)
		return -errno;
	set_rodata(skel, plan, b);
	err = size_maps(skel, plan, b, max_memcgs);
	if (!err)
		err = set_programs(skel, plan, b);
	if (!err)
		err = slot_filler_start(skel, &filler);
	if (!err)
		err = lrutop_bpf__load(skel);
	filled = slot_filler_end(&filler);
	if (!err)
		err = filled;
	if (!err)
		err = lrutop_bpf__attach(skel);
	if (err) {
		lrutop_bpf__destroy(skel);
		return err;
	}
	*out = skel;
	return 0;
}

/* The first function the fentry programs of the table would attach to on this kernel. */
static int fentry_target(const struct probe_plan *plan)
{
	for (size_t i = 0; i < sizeof(prog_specs) / sizeof(prog_specs[0]); i++) {
		int fn = resolve_fn(plan, prog_specs[i].fn);

		if (prog_specs[i].fn != FN_NONE && fn >= 0 && plan->funcs[fn].in_btf &&
		    cond_holds(plan, BACKEND_FENTRY, prog_specs[i].when))
			return fn;
	}
	return -1;
}

/*
 * Will the kernel load and attach an fentry program on the function lrutop needs, as bcc's
 * fentry_can_attach asks? A two-instruction program answers in a few syscalls, where a
 * refused skeleton costs its whole load first (maps, BTF, the verifier): a third of a
 * second of start-up on a host whose policy refuses fentry. 0 or -errno.
 */
static int fentry_can_attach(const struct probe_plan *plan)
{
	const struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY);
	int fn = fentry_target(plan), fd, link, err = 0;

	if (fn < 0 || !plan->funcs[fn].btf_id)
		return -ENOENT;
	opts.attach_btf_id = plan->funcs[fn].btf_id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "lrutop_probe", "GPL", ret0, 2, &opts);
	if (fd < 0)
		return -errno;
	link = bpf_raw_tracepoint_open(NULL, fd);
	if (link < 0)
		err = -errno;
	else
		close(link);
	close(fd);
	return err;
}

int loader_start(const struct probe_plan *plan, enum backend want, unsigned int max_memcgs,
		 struct lrutop_bpf **skel, enum backend *got, char *why, size_t len)
{
	char reason[160], fentry_err[256] = "";
	int err;

	if (want != BACKEND_TRACEPOINT) {
		if (probe_backend_usable(plan, BACKEND_FENTRY, reason, sizeof(reason))) {
			if (want == BACKEND_FENTRY) {
				snprintf(why, len, "fentry backend unusable: %s", reason);
				return -ENOENT;
			}
			snprintf(fentry_err, sizeof(fentry_err), "fentry unusable: %s", reason);
		} else {
			err = fentry_can_attach(plan);
			if (!err)
				err = open_load_attach(plan, BACKEND_FENTRY, max_memcgs, skel);
			if (!err) {
				*got = BACKEND_FENTRY;
				snprintf(why, len, "fentry/fexit attached%s%s", plan->lists_from_slots ?
					 ", nothing on kmalloc or kfree" : ", with kmalloc/kfree tracepoints: ",
					 plan->lists_from_slots ? "" : plan->slots_missing);
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
