// SPDX-License-Identifier: GPL-2.0
/*
 * Which list_lru functions this kernel has, resolved from its BTF and kallsyms, never from
 * a version number: static functions are inlined on one build and not on another.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "ksyms.h"
#include "probe.h"

static const char *const func_names[NR_LRU_FUNCS] = {
	[FN_ALLOC_LRU_NOPROF] = "kmem_cache_alloc_lru_noprof",
	[FN_ALLOC_LRU] = "kmem_cache_alloc_lru",
	[FN_MEMCG_LIST_LRU_ALLOC_CORE] = "__memcg_list_lru_alloc",
	[FN_MEMCG_LIST_LRU_ALLOC] = "memcg_list_lru_alloc",
	[FN_FOLIO_MEMCG_LIST_LRU_ALLOC] = "folio_memcg_list_lru_alloc",
	[FN_INIT_LIST_LRU_ONE] = "memcg_init_list_lru_one",
	[FN_LIST_LRU_MEMCG_ALLOC] = "list_lru_memcg_alloc",
	[FN_UPDATE_LIST_LRU] = "memcg_update_list_lru",
	[FN_UPDATE_ALL_LIST_LRUS] = "memcg_update_all_list_lrus",
	[FN_INIT_LIST_LRU_NODE] = "__memcg_init_list_lru_node",
	[FN_LIST_LRU_INIT] = "__list_lru_init",
	[FN_LIST_LRU_DESTROY] = "list_lru_destroy",
	[FN_REPARENT_LIST_LRUS] = "memcg_reparent_list_lrus",
	[FN_DRAIN_ALL_LIST_LRUS] = "memcg_drain_all_list_lrus",
	[FN_D_ALLOC] = "__d_alloc",
	[FN_ALLOC_INODE] = "alloc_inode",
};

static const char *const metric_names[NR_METRICS] = {
#define METRIC_NAME(id, short_name, name) [M_##id] = name,
	LRUTOP_METRICS(METRIC_NAME)
#undef METRIC_NAME
};

static const char *const metric_short_names[NR_METRICS] = {
#define METRIC_SHORT_NAME(id, short_name, name) [M_##id] = short_name,
	LRUTOP_METRICS(METRIC_SHORT_NAME)
#undef METRIC_SHORT_NAME
};

const char *metric_short_name(enum metric m)
{
	return metric_short_names[m];
}

const char *lru_func_name(enum lru_func fn)
{
	return func_names[fn];
}

const char *metric_name(enum metric m)
{
	return metric_names[m];
}

const char *backend_name(enum backend b)
{
	switch (b) {
	case BACKEND_FENTRY:
		return "fentry";
	case BACKEND_TRACEPOINT:
		return "tracepoint";
	default:
		return "auto";
	}
}

int backend_parse(const char *name)
{
	for (int b = BACKEND_AUTO; b <= BACKEND_TRACEPOINT; b++) {
		if (!strcmp(name, backend_name(b)))
			return b;
	}
	return -EINVAL;
}

static bool struct_has_field(const struct btf *btf, int id, const char *field)
{
	const struct btf_member *m;
	const struct btf_type *t;

	if (id <= 0)
		return false;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		if (!strcmp(btf__name_by_offset(btf, m->name_off), field))
			return true;
	}
	return false;
}

bool probe_btf_has_field(const struct btf *btf, const char *type, const char *field)
{
	return struct_has_field(btf, btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT), field);
}

/* A name the plan looks up in BTF, and the id found (0: none). */
struct btf_query {
	const char *name;
	__u32 kind;
	int id;
};

/*
 * All the plan's names in one pass over the kernel's BTF: a btf__find_by_name_kind() each
 * is a pass each, 15 ms of start-up for the 22 names.
 */
static void btf_find_all(const struct btf *btf, struct btf_query *q, size_t n)
{
	__u32 nr = btf ? btf__type_cnt(btf) : 0;
	const struct btf_type *t;
	const char *name;

	for (__u32 id = 1; id < nr; id++) {
		t = btf__type_by_id(btf, id);
		if (!t->name_off || (!btf_is_func(t) && !btf_is_struct(t) && !btf_is_typedef(t)))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		for (size_t i = 0; i < n; i++) {
			if (!q[i].id && q[i].name[0] == name[0] && btf_kind(t) == q[i].kind &&
			    !strcmp(q[i].name, name))
				q[i].id = id;
		}
	}
}

/* The types the plan reads, after the functions in its queries. */
enum { Q_LIST_LRU = NR_LRU_FUNCS, Q_LIST_LRU_NODE, Q_LIST_LRU_ONE, Q_XA_NODE, Q_TP_KMALLOC,
       Q_TP_KMALLOC_NODE, Q_BPF_MEM_ALLOC, NR_QUERIES };

static void plan_queries(struct btf_query *q)
{
	for (int i = 0; i < NR_LRU_FUNCS; i++)
		q[i] = (struct btf_query){ func_names[i], BTF_KIND_FUNC };
	q[Q_LIST_LRU] = (struct btf_query){ "list_lru", BTF_KIND_STRUCT };
	q[Q_LIST_LRU_NODE] = (struct btf_query){ "list_lru_node", BTF_KIND_STRUCT };
	q[Q_LIST_LRU_ONE] = (struct btf_query){ "list_lru_one", BTF_KIND_STRUCT };
	q[Q_XA_NODE] = (struct btf_query){ "xa_node", BTF_KIND_STRUCT };
	q[Q_TP_KMALLOC] = (struct btf_query){ "btf_trace_kmalloc", BTF_KIND_TYPEDEF };
	q[Q_TP_KMALLOC_NODE] = (struct btf_query){ "btf_trace_kmalloc_node", BTF_KIND_TYPEDEF };
	q[Q_BPF_MEM_ALLOC] = (struct btf_query){ "bpf_mem_alloc", BTF_KIND_STRUCT };
}

/*
 * Where mm/list_lru.c kfrees lists, beside the allocators: list_lru_destroy (umount) and,
 * before 5.18, the error paths of making and growing (or cancelling the growth of) a
 * list_lru's lists; with the static functions that do it for them, wherever the compiler
 * left them out of line. A memcg going offline frees its lists through RCU's bulk free,
 * which fires no kfree tracepoint (check_freed reads their slots).
 */
static const char *const free_path[] = {
	"list_lru_destroy", "memcg_destroy_list_lru", "memcg_destroy_list_lru_node",
	"__memcg_destroy_list_lru_node", "__list_lru_init", "memcg_init_list_lru",
	"memcg_init_list_lru_node", "__memcg_init_list_lru_node", "memcg_update_all_list_lrus",
	"memcg_update_list_lru", "memcg_update_list_lru_node", "memcg_cancel_update_list_lru",
	"memcg_cancel_update_list_lru_node", "memcg_reparent_list_lrus",
};

#define NR_FREE_PATH (sizeof(free_path) / sizeof(free_path[0]))

const char *const *probe_ksym_names(void)
{
	static const char *names[NR_LRU_FUNCS + NR_FREE_PATH + 4];
	int n = 0;

	for (int i = 0; i < NR_LRU_FUNCS; i++)
		names[n++] = func_names[i];
	for (size_t i = 0; i < NR_FREE_PATH; i++)
		names[n++] = free_path[i];
	names[n++] = "memcg_nr_cache_ids";
	names[n++] = "page_offset_base";
	names[n++] = "vmemmap_base";
	return names;
}

/*
 * The functions whose kmallocs are lists on a 5.18+ kernel, each with its .part, .isra,
 * .constprop and .cold clones: where a refactor moves the kmalloc, it moves it to one of
 * these (7.2: the static __memcg_list_lru_alloc behind the wrapper, and the folio variant).
 * A kernel that moves it elsewhere fails lrutop's start-up self-check instead of reading 0.
 */
static const enum lru_func lazy_path[] = {
	FN_MEMCG_LIST_LRU_ALLOC_CORE, FN_MEMCG_LIST_LRU_ALLOC, FN_FOLIO_MEMCG_LIST_LRU_ALLOC,
	FN_INIT_LIST_LRU_ONE, FN_LIST_LRU_MEMCG_ALLOC,
};

/* The ranges of name and its clones, added to ranges[*nr, max). */
static void add_func_ranges(struct addr_range *ranges, int *nr, int max,
			    const struct ksyms *ksyms, const char *name)
{
	uint64_t lo[8], hi[8];
	int n = ksyms__func_ranges(ksyms, name, lo, hi, 8);

	for (int j = 0; j < n && *nr < max; j++)
		ranges[(*nr)++] = (struct addr_range){ .lo = lo[j], .hi = hi[j], .name = name };
}

static void plan_call_ranges(struct probe_plan *plan, const struct ksyms *ksyms)
{
	const int lazy_max = sizeof(plan->lazy_ranges) / sizeof(plan->lazy_ranges[0]);
	const int free_max = sizeof(plan->free_ranges) / sizeof(plan->free_ranges[0]);

	for (size_t i = 0; i < sizeof(lazy_path) / sizeof(lazy_path[0]); i++) {
		add_func_ranges(plan->lazy_ranges, &plan->nr_lazy_ranges, lazy_max, ksyms,
				func_names[lazy_path[i]]);
	}
	for (int i = 0; i < plan->nr_lazy_ranges && i < free_max; i++)
		plan->free_ranges[plan->nr_free_ranges++] = plan->lazy_ranges[i];
	for (size_t i = 0; i < NR_FREE_PATH; i++)
		add_func_ranges(plan->free_ranges, &plan->nr_free_ranges, free_max, ksyms,
				free_path[i]);
}

static bool present(const struct probe_plan *plan, enum lru_func fn)
{
	return plan->funcs[fn].in_btf || plan->funcs[fn].in_kallsyms;
}

static int first_present(const struct probe_plan *plan, const enum lru_func *fns, int n)
{
	for (int i = 0; i < n; i++) {
		if (present(plan, fns[i]))
			return fns[i];
	}
	return -1;
}

/*
 * Can fentry count the lists in the list_lru functions alone, with no program on kmalloc
 * and kfree? It needs, in BTF, every function where lists are made and where they are freed.
 * NULL if so, else the first one missing.
 */
static const char *slots_missing(const struct probe_plan *plan)
{
	const struct func_info *fn = plan->funcs;

	if (plan->post_patch) {
		if (plan->lazy_fn < 0 || !fn[plan->lazy_fn].in_btf)
			return "memcg_list_lru_alloc not in BTF";
		/* 7.2+: the folio variant reaches the lists through the static helper only. */
		if (present(plan, FN_FOLIO_MEMCG_LIST_LRU_ALLOC) &&
		    plan->lazy_fn != FN_MEMCG_LIST_LRU_ALLOC_CORE)
			return "__memcg_list_lru_alloc inlined: folio_memcg_list_lru_alloc's lists unseen";
		if (!fn[FN_REPARENT_LIST_LRUS].in_btf)
			return "memcg_reparent_list_lrus not in BTF";
		if (!fn[FN_LIST_LRU_DESTROY].in_btf)
			return "list_lru_destroy not in BTF";
		return NULL;
	}
	if (!fn[FN_INIT_LIST_LRU_NODE].in_btf)
		return "__memcg_init_list_lru_node not in BTF";
	if (!fn[FN_LIST_LRU_INIT].in_btf || !fn[FN_LIST_LRU_DESTROY].in_btf)
		return "__list_lru_init or list_lru_destroy not in BTF";
	if (!plan->nr_cache_ids_addr)
		return "memcg_nr_cache_ids not in /proc/kallsyms";
	return NULL;
}

int probe_plan_build(struct probe_plan *plan, const struct btf *btf, const struct ksyms *ksyms)
{
	struct btf_query q[NR_QUERIES];
	struct func_info *f;
	int id;

	memset(plan, 0, sizeof(*plan));
	plan_queries(q);
	btf_find_all(btf, q, NR_QUERIES);
	for (int i = 0; i < NR_LRU_FUNCS; i++) {
		f = &plan->funcs[i];
		f->name = func_names[i];
		f->in_btf = q[i].id > 0;
		f->btf_id = q[i].id;
		if (ksyms)
			f->in_kallsyms = !ksyms__func_range(ksyms, f->name, &f->lo, &f->hi);
	}
	/* 6.10 renamed the allocators for allocation profiling (_noprof). */
	plan->obj_fn = first_present(plan, (enum lru_func[]){ FN_ALLOC_LRU_NOPROF, FN_ALLOC_LRU }, 2);
	/*
	 * The bracket goes where the lists are made: 7.2's __memcg_list_lru_alloc, which both
	 * memcg_list_lru_alloc (after its fast check) and folio_memcg_list_lru_alloc call, with
	 * the same (memcg, lru, gfp); before, memcg_list_lru_alloc itself. The posted v2 patch
	 * named it list_lru_memcg_alloc and took (lru, memcg, gfp).
	 */
	plan->lazy_fn = first_present(plan, (enum lru_func[]){ FN_MEMCG_LIST_LRU_ALLOC_CORE,
				      FN_MEMCG_LIST_LRU_ALLOC, FN_LIST_LRU_MEMCG_ALLOC }, 3);
	if (plan->lazy_fn == FN_MEMCG_LIST_LRU_ALLOC_CORE &&
	    !plan->funcs[FN_MEMCG_LIST_LRU_ALLOC_CORE].in_btf &&
	    plan->funcs[FN_MEMCG_LIST_LRU_ALLOC].in_btf)
		plan->lazy_fn = FN_MEMCG_LIST_LRU_ALLOC;	/* the helper inlined: bracket the wrapper */
	plan->lru_first = plan->lazy_fn == FN_LIST_LRU_MEMCG_ALLOC;
	if (ksyms)
		plan_call_ranges(plan, ksyms);

	/* Layouts tell before from after even where functions were inlined. */
	plan->post_patch = struct_has_field(btf, q[Q_LIST_LRU].id, "xa") || plan->lazy_fn >= 0;
	plan->pre_patch = struct_has_field(btf, q[Q_LIST_LRU_NODE].id, "memcg_lrus") ||
			  plan->funcs[FN_UPDATE_ALL_LIST_LRUS].in_btf;
	plan->has_kmalloc_tp = q[Q_TP_KMALLOC].id > 0;
	plan->has_kmalloc_node_tp = q[Q_TP_KMALLOC_NODE].id > 0;
	plan->tracing_map_alloc = q[Q_BPF_MEM_ALLOC].id > 0;
	if (ksyms) {
		plan->nr_cache_ids_addr = ksyms__addr(ksyms, "memcg_nr_cache_ids");
		plan->page_offset_base_addr = ksyms__addr(ksyms, "page_offset_base");
		plan->vmemmap_base_addr = ksyms__addr(ksyms, "vmemmap_base");
	}
	id = q[Q_LIST_LRU_ONE].id;
	plan->list_lru_one_size = id > 0 ? btf__resolve_size(btf, id) : 24;
	id = q[Q_XA_NODE].id;
	plan->xa_node_size = id > 0 ? btf__resolve_size(btf, id) : 576;
	plan->slots_missing = slots_missing(plan);
	plan->lists_from_slots = !plan->slots_missing;
	return 0;
}

int probe_backend_usable(const struct probe_plan *plan, enum backend b, char *why, size_t len)
{
	const struct func_info *fn = plan->funcs;

	if (!plan->pre_patch && !plan->post_patch) {
		snprintf(why, len, "this kernel has no memcg-aware list_lru (no CONFIG_MEMCG?)");
		return -ENOENT;
	}
	if (b == BACKEND_FENTRY) {
		if ((plan->lazy_fn >= 0 && fn[plan->lazy_fn].in_btf) ||
		    fn[FN_INIT_LIST_LRU_NODE].in_btf || fn[FN_UPDATE_ALL_LIST_LRUS].in_btf)
			return 0;
		snprintf(why, len, "no list_lru allocation function in BTF to attach fentry to");
		return -ENOENT;
	}
	if (!plan->has_kmalloc_tp) {
		snprintf(why, len, "no kmalloc tracepoint in this kernel");
		return -ENOENT;
	}
	if (plan->nr_lazy_ranges || fn[FN_INIT_LIST_LRU_NODE].in_kallsyms)
		return 0;
	snprintf(why, len, "no list_lru allocation function in /proc/kallsyms to match call sites");
	return -ENOENT;
}

bool probe_slab_readable(const struct probe_plan *plan)
{
	return plan->page_offset_base_addr && plan->vmemmap_base_addr;
}
