// SPDX-License-Identifier: GPL-2.0
/* What a plan and a backend can measure on this kernel, and the reason for what they
 * cannot: the one answer every view's "unavailable" reads. */
#include <stdio.h>
#include "probe.h"

static bool lazy_in(const struct probe_plan *plan, bool btf)
{
	if (!btf)
		return plan->nr_lazy_ranges > 0;
	return plan->lazy_fn >= 0 && plan->funcs[plan->lazy_fn].in_btf;
}

#define UNAVAILABLE(...) do { snprintf(why, len, __VA_ARGS__); return false; } while (0)

/* The kfree tracepoint counts a list freed by its call site (probe.c's free_path). */
#define NO_FREE_SITES "list_lru_destroy not in /proc/kallsyms: where lists are freed unknown"

/* The metrics of the lazy allocator (5.18+). */
static bool lazy_metric_available(const struct probe_plan *plan, bool fentry, enum metric m,
				  char *why, size_t len)
{
	bool slots = fentry && plan->lists_from_slots;

	switch (m) {
	case M_ALLOCS:
	case M_FREED:
		if (!plan->post_patch)
			UNAVAILABLE("kernel allocates eagerly (pre-5.18): see eager allocations");
		if (!slots && !lazy_in(plan, false))
			UNAVAILABLE("memcg_list_lru_alloc not in /proc/kallsyms: call sites unknown");
		if (m == M_FREED && !slots && !plan->funcs[FN_LIST_LRU_DESTROY].in_kallsyms)
			UNAVAILABLE(NO_FREE_SITES);
		return true;
	case M_TRANSIENT:
		if (!plan->post_patch)
			UNAVAILABLE("kernel allocates eagerly (pre-5.18): no lazy allocator");
		if (slots)
			UNAVAILABLE("fentry counts the lists the allocator keeps, not those it frees");
		if (!lazy_in(plan, false))
			UNAVAILABLE("memcg_list_lru_alloc not in /proc/kallsyms: call sites unknown");
		return true;
	case M_FAILS:
		if (!plan->post_patch)
			UNAVAILABLE("no lazy allocator on a pre-5.18 kernel: see eager failures");
		if (fentry && !lazy_in(plan, true))
			UNAVAILABLE("memcg_list_lru_alloc not in BTF (inlined?)");
		/* Tracepoints: its kmallocs that return NULL, by their call sites. */
		if (!fentry && !lazy_in(plan, false))
			UNAVAILABLE("memcg_list_lru_alloc not in /proc/kallsyms: call sites unknown");
		return true;
	case M_CALLS:
	case M_LATENCY:
		if (!plan->post_patch)
			UNAVAILABLE("no lazy allocator on a pre-5.18 kernel");
		if (!fentry)
			UNAVAILABLE("needs fentry/fexit on memcg_list_lru_alloc");
		if (!lazy_in(plan, true))
			UNAVAILABLE("memcg_list_lru_alloc not in BTF (inlined?)");
		return true;
	default:	/* M_PER_LRU: both backends read which slot each list fills (its owner's) */
		if (!plan->post_patch)
			UNAVAILABLE("pre-5.18 lists belong to every memcg id, not to one memcg");
		if (!fentry && !plan->nr_lazy_ranges)
			UNAVAILABLE("memcg_list_lru_alloc not in /proc/kallsyms: call sites unknown");
		if (fentry && !lazy_in(plan, true))
			UNAVAILABLE("memcg_list_lru_alloc not in BTF (inlined?)");
		return true;
	}
}

/* The metrics of the eager lists and their id space (before 5.18). */
static bool eager_metric_available(const struct probe_plan *plan, bool fentry, enum metric m,
				   char *why, size_t len)
{
	const struct func_info *fn = plan->funcs;
	bool slots = fentry && plan->lists_from_slots;

	switch (m) {
	case M_EAGER:
		if (!plan->pre_patch)
			UNAVAILABLE("kernel allocates lazily (5.18+): nothing eager to see");
		if (!slots && !fn[FN_INIT_LIST_LRU_NODE].in_kallsyms)
			UNAVAILABLE("__memcg_init_list_lru_node not in /proc/kallsyms");
		if (!slots && !fn[FN_LIST_LRU_DESTROY].in_kallsyms)
			UNAVAILABLE(NO_FREE_SITES);
		return true;
	case M_GROWTH:
		if (!plan->pre_patch)
			UNAVAILABLE("kernel has no memcg id-space growth of list_lrus (5.18+)");
		if (!fentry)
			UNAVAILABLE("needs fentry on memcg_update_all_list_lrus");
		if (!fn[FN_UPDATE_ALL_LIST_LRUS].in_btf)
			UNAVAILABLE("memcg_update_all_list_lrus not in BTF");
		return true;
	case M_ID_SPACE:
		if (!plan->pre_patch)
			UNAVAILABLE("kernel has no list_lru id space (5.18+)");
		if (!plan->nr_cache_ids_addr && !(fentry && fn[FN_UPDATE_ALL_LIST_LRUS].in_btf))
			UNAVAILABLE("memcg_nr_cache_ids not in /proc/kallsyms");
		return true;
	default:	/* M_WOULD_PAIRS */
		if (!plan->pre_patch)
			UNAVAILABLE("kernel allocates lazily (5.18+): its own pairs are measured");
		if (!fentry)
			UNAVAILABLE("needs fexit on __d_alloc and alloc_inode");
		if (!fn[FN_D_ALLOC].in_btf || !fn[FN_ALLOC_INODE].in_btf)
			UNAVAILABLE("__d_alloc or alloc_inode not in BTF (inlined?)");
		return true;
	}
}

bool probe_metric_available(const struct probe_plan *plan, enum backend b, enum metric m,
			    char *why, size_t len)
{
	bool fentry = b == BACKEND_FENTRY;

	switch (m) {
	case M_ALLOCS:
	case M_FREED:
	case M_TRANSIENT:
	case M_FAILS:
	case M_CALLS:
	case M_LATENCY:
	case M_PER_LRU:
		return lazy_metric_available(plan, fentry, m, why, len);
	case M_EAGER:
	case M_GROWTH:
	case M_ID_SPACE:
	case M_WOULD_PAIRS:
		return eager_metric_available(plan, fentry, m, why, len);
	case M_OBJS:
		if (!fentry)
			UNAVAILABLE("needs fexit on kmem_cache_alloc_lru");
		if (plan->obj_fn < 0 || !plan->funcs[plan->obj_fn].in_btf)
			UNAVAILABLE("kmem_cache_alloc_lru not in BTF (pre-5.18 kernel)");
		return true;
	default:
		UNAVAILABLE("unknown metric");
	}
}
