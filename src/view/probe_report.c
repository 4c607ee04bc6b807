// SPDX-License-Identifier: GPL-2.0
/* --probe: what lrutop found in this kernel, the backend it chose and why, and each metric. */
#include "probe_report.h"
#include "kernel/cgroup.h"
#include "state/state.h"

/* Call-site ranges, each as its function's name and size. */
static void print_ranges(FILE *out, const char *what, const struct addr_range *r, int n)
{
	fprintf(out, "%s", what);
	for (int i = 0; i < n; i++)
		fprintf(out, " %s+%llu", r[i].name, (unsigned long long)(r[i].hi - r[i].lo));
	fprintf(out, "%s\n", n ? "" : " none");
}

/* The programs loaded, where each runs, and what the self-check's runs cost. */
static void probe_programs(FILE *out, const struct lrutop_state *s)
{
	const struct prog_costs *c = &s->watching.progs;
	__u64 missed = 0;

	fprintf(out, "programs: %zu loaded; runs and ns a run so far (the self-check's): %s\n", c->n,
		c->timed ? "BPF statistics on" : c->why);
	for (size_t i = 0; i < c->n; i++)
		missed += c->progs[i].misses;
	/* Events the programs did not see: a count short by as many, at most. */
	fprintf(out, "skipped runs: %llu (the kernel's count of runs it skipped, a program "
		"already running on that CPU)\n", (unsigned long long)missed);
	for (size_t i = 0; i < c->n; i++) {
		const struct prog_cost *p = &c->progs[i];

		if (!c->timed)
			fprintf(out, "  %-20s %s\n", p->name, p->hook);
		else
			fprintf(out, "  %-20s %-36s %8llu runs %8.0f ns\n", p->name, p->hook,
				(unsigned long long)p->runs, p->runs ? (double)p->run_ns / p->runs : 0.0);
	}
}

void probe_report(FILE *out, const struct lrutop_state *s, const char *backend_why)
{
	const struct probe_plan *p = s->kernel.plan;
	char why[160];

	fprintf(out, "kernel: %s\n", s->kernel.release);
	fprintf(out, "list_lru: %s\n", p->post_patch ? "lazy per-memcg lists (5.18+: kmem_cache_alloc_lru)" :
		p->pre_patch ? "eager lists for every memcg id (before 5.18)" : "not memcg-aware");
	fprintf(out, "backend: %s (%s)\n", backend_name(s->kernel.backend), backend_why);
	fprintf(out, "self-check: %s\n", s->kernel.self_check.result);
	fprintf(out, "memory cgroups: %s%s\n", s->cg.version ? (s->cg.version == 2 ? "v2 at " : "v1 at ") :
		"no memory controller mounted", s->cg.version ? s->cg.root : "");
	if (s->cg.tree_from)
		fprintf(out, "cgroup tree: read through %s, %zu cgroups\n", s->cg.tree_from,
			cgroup_index_size(s->cg.index));
	if (p->kallsyms_from)
		fprintf(out, "kallsyms: read through %s%s\n", p->kallsyms_from,
			p->kallsyms ? "" : " (addresses hidden: kptr_restrict)");
	fprintf(out, "functions:\n");
	for (int i = 0; i < NR_LRU_FUNCS; i++) {
		const struct func_info *f = &p->funcs[i];

		fprintf(out, "  %-30s %-4s %-9s", f->name, f->in_btf ? "btf" : "-",
			f->in_kallsyms ? "kallsyms" : "-");
		if (i == p->lazy_fn)
			fprintf(out, " lazy allocator, args (%s)", p->lru_first ? "lru, memcg, gfp" : "memcg, lru, gfp");
		if (i == p->obj_fn)
			fprintf(out, " object allocator");
		fputc('\n', out);
	}
	print_ranges(out, "list call sites:", p->lazy_ranges, p->nr_lazy_ranges);
	print_ranges(out, "list kfree call sites:", p->free_ranges, p->nr_free_ranges);
	if (s->census.memcg_lrus >= 0)
		fprintf(out, "memcg-aware list_lrus: %lld\n", s->census.memcg_lrus);
	else
		fprintf(out, "memcg-aware list_lrus: unknown (the walk of the kernel's list failed)\n");
	fprintf(out, "tracepoints: kmalloc %s, kmalloc_node %s\n", p->has_kmalloc_tp ? "yes" : "no",
		p->has_kmalloc_node_tp ? "yes" : "no");
	if (s->kernel.backend == BACKEND_FENTRY && p->lists_from_slots)
		fprintf(out, "kmalloc/kfree programs: none: lists counted in the list_lru functions\n");
	else
		fprintf(out, "kmalloc/kfree programs: attached: %s\n",
			s->kernel.backend != BACKEND_FENTRY ? "the tracepoint backend counts lists there" :
			p->slots_missing);
	/* Where a list's bytes come from: what the slab spends on it, never the type's size. */
	if (s->kernel.backend != BACKEND_FENTRY || !p->lists_from_slots)
		fprintf(out, "list bytes: kmalloc's bytes_alloc, the slot of the slab it came from\n");
	else if (probe_slab_readable(p))
		fprintf(out, "list bytes: each list's slab slot, through its struct page and kmem_cache\n");
	else
		fprintf(out, "list bytes: the objsize /proc/slabinfo gives the lists' kmalloc cache "
			"(page_offset_base or vmemmap_base not in /proc/kallsyms)\n");
	probe_programs(out, s);
	fprintf(out, "metrics:\n");
	for (int m = 0; m < NR_METRICS; m++) {
		bool ok = probe_metric_available(p, s->kernel.backend, m, why, sizeof(why));

		fprintf(out, "  %-34s %s%s%s\n", metric_name(m), ok ? "yes" : "no", ok ? "" : ": ",
			ok ? "" : why);
	}
}
