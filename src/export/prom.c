// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/lru_kinds.h"
#include "lib/version.h"
#include "prom.h"
#include "state/held.h"
#include "state/groups.h"
#include "view/columns.h"
#include "state/state.h"
#include "state/view.h"

/* Histogram buckets: le = 2^(k+1) ns for log2 slots k in [first, last], 256 ns to 67 ms. */
#define LAT_FIRST_SLOT	7
#define LAT_LAST_SLOT	25

const char *prom_escape(char *buf, size_t len, const char *value)
{
	size_t o = 0;

	for (const char *p = value; *p && o + 3 < len; p++) {
		if (*p == '\\' || *p == '"') {
			buf[o++] = '\\';
			buf[o++] = *p;
		} else if (*p == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = '\0';
	return buf;
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(FILE *f, const char *name, const char *labels, unsigned long long v)
{
	fprintf(f, "%s%s%s%s %llu\n", name, labels[0] ? "{" : "", labels, labels[0] ? "}" : "", v);
}

/* A family of one unlabelled sample. */
static void one(FILE *f, const char *name, const char *type, const char *help,
		unsigned long long v)
{
	family(f, name, type, help);
	sample(f, name, "", v);
}

/* The cgroup's path, and the unit, pod and container it names (those it has). */
static const char *cgroup_label(char *buf, size_t len, const struct memcg_row *r)
{
	char id[32], esc[8192], unit[300];
	struct row_labels l;
	int off;

	if (!r) {
		snprintf(buf, len, "cgroup=\"other\"");
		return buf;
	}
	if (!r->path)
		snprintf(id, sizeof(id), "id:%llu", (unsigned long long)r->cgid);
	off = snprintf(buf, len, "cgroup=\"%s\"", prom_escape(esc, sizeof(esc), r->path ? r->path : id));
	row_labels(r, &l);
	if (l.unit[0] && off >= 0 && (size_t)off < len)
		off += snprintf(buf + off, len - off, ",unit=\"%s\"",
				prom_escape(unit, sizeof(unit), l.unit));
	if (l.pod[0] && off >= 0 && (size_t)off < len)
		off += snprintf(buf + off, len - off, ",pod=\"%s\"", l.pod);
	if (l.container[0] && off >= 0 && (size_t)off < len)
		snprintf(buf + off, len - off, ",container=\"%s\"", l.container);
	return buf;
}

/* The rest: the total less what the top rows account for (never below 0). */
static __u64 rest(__u64 total, __u64 top)
{
	return total > top ? total - top : 0;
}

static __u64 metric_total(const struct lrutop_state *s, const struct memcg_metric *mm)
{
	const void *base = mm->total == TOTAL_FLOW ? (const void *)&s->flow.tot :
			   (const void *)&s->held.inv;

	return u64_at(base, mm->total_off);
}

/* A metric of the table, the top rows one by one and the others as cgroup="other". */
static void memcg_family(FILE *f, const struct lrutop_state *s, int m, struct memcg_row **rows,
			 size_t top)
{
	const struct memcg_metric *mm = &memcg_metrics[m];
	char label[8300];
	__u64 sum = 0, v;

	family(f, mm->prom, mm->rule == RULE_FLOW ? "counter" : "gauge", mm->help);
	for (size_t i = 0; i < top; i++) {
		v = memcg_metric_value(state_rows(s), rows[i], m, true);
		sum += v;
		sample(f, mm->prom, cgroup_label(label, sizeof(label), rows[i]), v);
	}
	sample(f, mm->prom, cgroup_label(label, sizeof(label), NULL), rest(metric_total(s, mm), sum));
}

/* Every metric of the table with a family, measured here, whose --top cgroups are ranked by
 * rank. Returns how many are shown one by one; rows holds them first. */
static size_t memcg_families(FILE *f, const struct lrutop_state *s, const struct view *v,
			     int top_n, int rank, struct memcg_row **rows)
{
	struct row_filter rf = view_filter(v);
	size_t n, top;

	/* Prometheus counts from the start, whatever the screen shows. */
	n = memcg_table_view(state_rows(s), &rf, rank, true, top_n, false, rows);
	top = n < (size_t)top_n ? n : (size_t)top_n;
	for (int m = 0; m < NR_MEMCG_METRICS; m++) {
		const struct memcg_metric *mm = &memcg_metrics[m];

		if (mm->prom && mm->prom_rank == rank && state_measures(s, mm->need))
			memcg_family(f, s, m, rows, top);
	}
	return top;
}

static void histogram(FILE *f, const char *name, const char *label, const __u64 *slots,
		      __u64 sum_ns)
{
	__u64 cum = 0, count = 0;

	for (int k = 0; k < LRUTOP_MAX_SLOTS; k++)
		count += slots[k];
	for (int k = 0; k <= LAT_LAST_SLOT; k++) {
		cum += slots[k];
		if (k < LAT_FIRST_SLOT)
			continue;
		/* Slot k holds [2^k, 2^(k+1)) ns: all of it is <= 2^(k+1) ns. */
		fprintf(f, "%s_bucket{%s,le=\"%.9g\"} %llu\n", name, label,
			(double)(1ULL << (k + 1)) / 1e9, (unsigned long long)cum);
	}
	fprintf(f, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, label, (unsigned long long)count);
	fprintf(f, "%s_sum{%s} %.9f\n", name, label, sum_ns / 1e9);
	fprintf(f, "%s_count{%s} %llu\n", name, label, (unsigned long long)count);
}

static void latency_family(FILE *f, const struct lrutop_state *s, struct memcg_row **rows,
			   size_t top)
{
	static const char name[] = "lrutop_memcg_list_lru_alloc_duration_seconds";
	__u64 slots[LRUTOP_MAX_SLOTS], other[LRUTOP_MAX_SLOTS], lat_ns = 0;
	char label[8300];

	family(f, name, "histogram",
	       "Time in memcg_list_lru_alloc per call, by the memcg it allocates for.");
	memcpy(other, s->flow.g.lat, sizeof(other));
	for (size_t i = 0; i < top; i++) {
		if (tracer_memcg_lat(&s->tracer, rows[i]->cgid, slots))
			memset(slots, 0, sizeof(slots));
		for (int k = 0; k < LRUTOP_MAX_SLOTS; k++)
			other[k] = rest(other[k], slots[k]);
		lat_ns += rows[i]->cum.lat_ns;
		histogram(f, name, cgroup_label(label, sizeof(label), rows[i]), slots,
			  rows[i]->cum.lat_ns);
	}
	histogram(f, name, cgroup_label(label, sizeof(label), NULL), other,
		  rest(s->flow.tot.lat_ns, lat_ns));
}

static void kernel_families(FILE *f, const struct lrutop_state *s)
{
	const struct totals *t = &s->flow.tot;

	/* The totals with a family of their own (metrics.def), where measured. */
	for (size_t i = 0; i < NR_TOTAL_METRICS; i++) {
		const struct total_metric *tm = &total_metrics[i];

		if (tm->prom && state_measures(s, tm->need))
			one(f, tm->prom, "counter", tm->help, u64_at(t, tm->off));
	}
	if (s->kernel.avail[M_ALLOCS] && s->kernel.avail[M_FREED]) {
		one(f, "lrutop_list_lru_live_bytes", "gauge",
		    "Bytes of lists allocated since lrutop started and not freed yet.",
		    rest(t->bytes, t->freed_bytes));
	}
	if (s->kernel.avail[M_ID_SPACE] && s->flow.g.id_space_known) {
		one(f, "lrutop_memcg_id_space", "gauge",
		    "Memcg ids every list_lru holds a list for (memcg_nr_cache_ids, pre-5.18).",
		    s->flow.g.id_space);
	}
	if (s->kernel.avail[M_GROWTH]) {
		one(f, "lrutop_memcg_id_space_growths_total", "counter",
		    "Growths of every list_lru's id space (memcg_update_all_list_lrus).",
		    s->flow.g.growth_count);
	}
}

/* The gauges of the table (metrics.def) read from source, where known. The census holds the
 * counterfactual on a patched kernel: what the eager lists of before 5.18 would hold for this
 * many memcgs on this many list_lrus and nodes (README, "The model"). */
static void gauge_families(FILE *f, const struct lrutop_state *s, enum gauge_source source)
{
	const void *base = source == GAUGE_HELD ? (const void *)&s->held.inv :
			   (const void *)&s->census;

	for (int g = 0; g < NR_GAUGE_METRICS; g++) {
		const struct gauge_metric *gm = &gauge_metrics[g];
		__u64 v = u64_at(base, gm->off);

		if (gm->source != source || (source == GAUGE_CENSUS && (long long)v < 0))
			continue;
		one(f, gm->prom, "gauge", gm->help, v);
	}
}

static void model_families(FILE *f, const struct lrutop_state *s)
{
	gauge_families(f, s, GAUGE_CENSUS);
	one(f, "lrutop_numa_nodes", "gauge",
	    "NUMA nodes online.",
	    s->kernel.nr_nodes);
}

static void drop_family(FILE *f, const struct lrutop_state *s, size_t folded)
{
	static const char name[] = "lrutop_map_drops_total";

	family(f, name, "counter", "Updates lost to a full BPF map (raise --max-memcgs).");
	sample(f, name, "map=\"memcg\"", s->flow.tot.drops_memcg);
	sample(f, name, "map=\"lru\"", s->flow.tot.drops_lru);
	sample(f, name, "map=\"pair\"", s->flow.tot.drops_pair);
	sample(f, name, "map=\"live\"", s->flow.tot.drops_live);
	one(f, "lrutop_cgroups_in_other", "gauge",
	    "Memcgs folded into the cgroup=\"other\" series (beyond --top).",
	    folded);
}

/* One sample a list_lru kind (lib/lru_kinds.c), every kind shown: a kind with none is a 0. */
static void kind_family(FILE *f, const char *name, const char *type, const char *help,
			const __u64 by_kind[NR_LRUTOP_LRU_KINDS])
{
	char label[64];

	family(f, name, type, help);
	for (int k = 0; k < NR_LRUTOP_LRU_KINDS; k++) {
		snprintf(label, sizeof(label), "kind=\"%s\"", lru_kind_name(k));
		sample(f, name, label, by_kind[k]);
	}
}

/* Lists made since start by the kind of their list_lru (where the backend sees the lru). */
static void flow_kind_families(FILE *f, const struct lrutop_state *s)
{
	__u64 allocs[NR_LRUTOP_LRU_KINDS] = {}, bytes[NR_LRUTOP_LRU_KINDS] = {};

	if (!s->kernel.avail[M_PER_LRU])
		return;
	for (size_t i = 0; i < s->flow.nr_lrus; i++) {
		const struct lru_row *l = &s->flow.lrus[i];
		unsigned int k = lru_kind_of(l->kind);

		allocs[k] += l->st.allocs;
		bytes[k] += l->st.bytes;
	}
	kind_family(f, "lrutop_list_lru_allocations_by_kind_total", "counter",
		    "list_lru lists allocated since lrutop started, by the kind of their list_lru "
		    "(a superblock's dentry or inode, shadow, zswap, thp-split, global, other).", allocs);
	kind_family(f, "lrutop_list_lru_bytes_by_kind_total", "counter",
		    "Bytes of those lists, by the kind of their list_lru.", bytes);
}

/* What the list_lrus of each kind hold now (the inventory). */
static void held_kind_families(FILE *f, const struct inventory *inv)
{
	__u64 lists[NR_LRUTOP_LRU_KINDS], bytes[NR_LRUTOP_LRU_KINDS];

	held_by_kind(inv, lists, bytes);
	kind_family(f, "lrutop_list_lru_held_lists_by_kind", "gauge",
		    "Per-memcg lists the list_lrus of each kind hold now (the inventory).", lists);
	kind_family(f, "lrutop_list_lru_held_bytes_by_kind", "gauge",
		    "Bytes of those lists, by kind.", bytes);
}

/* What the list_lrus hold now (the inventory): totals, and per cgroup for the top holders. */
static void held_families(FILE *f, const struct lrutop_state *s, const struct view *v,
			  int top_n, struct memcg_row **rows)
{
	const struct inventory *inv = &s->held.inv;

	if (!s->held.valid)
		return;
	gauge_families(f, s, GAUGE_HELD);
	held_kind_families(f, inv);
	family(f, "lrutop_inventory_walk_seconds", "gauge", "CPU time of the last inventory walk.");
	fprintf(f, "lrutop_inventory_walk_seconds %.6f\n", inv->cpu_ms / 1e3);
	memcg_families(f, s, v, top_n, MC_HELD, rows);
}

/* A program's labels: its name and where it runs. */
static const char *prog_label(char *buf, size_t len, const struct prog_cost *p)
{
	snprintf(buf, len, "program=\"%s\",hook=\"%s\"", p->name, p->hook);
	return buf;
}

/* What lrutop's own programs cost, where the kernel's BPF statistics are on. */
static void watching_families(FILE *f, const struct lrutop_state *s)
{
	const struct prog_costs *c = &s->watching.progs;
	char label[200];

	if (!c->n)
		return;
	/* Counted whatever the statistics. */
	family(f, "lrutop_bpf_program_missed_runs_total", "counter",
	       "Runs of each of lrutop's BPF programs the kernel skipped (one already running on "
	       "that CPU): events not counted.");
	for (size_t i = 0; i < c->n; i++)
		sample(f, "lrutop_bpf_program_missed_runs_total",
		       prog_label(label, sizeof(label), &c->progs[i]), c->progs[i].misses);
	if (!c->timed)
		return;
	family(f, "lrutop_bpf_program_runs_total", "counter",
	       "Runs of each of lrutop's BPF programs (the kernel's BPF statistics, while on).");
	for (size_t i = 0; i < c->n; i++)
		sample(f, "lrutop_bpf_program_runs_total",
		       prog_label(label, sizeof(label), &c->progs[i]), c->progs[i].runs);
	family(f, "lrutop_bpf_program_seconds_total", "counter",
	       "CPU time in each of lrutop's BPF programs (the kernel's BPF statistics, while on).");
	for (size_t i = 0; i < c->n; i++)
		fprintf(f, "lrutop_bpf_program_seconds_total{%s} %.9f\n",
			prog_label(label, sizeof(label), &c->progs[i]), c->progs[i].run_ns / 1e9);
}

int prom_render(const struct lrutop_state *s, const struct view *v, int top_n, char **text,
		size_t *len)
{
	char kernel[200], info[400];
	struct memcg_row **rows;
	size_t top;
	FILE *f;

	f = open_memstream(text, len);
	if (!f)
		return -errno;
	rows = calloc(state_rows(s)->nr ? state_rows(s)->nr : 1, sizeof(*rows));
	if (!rows) {
		fclose(f);
		free(*text);
		return -ENOMEM;
	}
	snprintf(info, sizeof(info), "kernel=\"%s\",backend=\"%s\",version=\"%s\"",
		 prom_escape(kernel, sizeof(kernel), s->kernel.release), backend_name(s->kernel.backend),
		 LRUTOP_VERSION);
	family(f, "lrutop_info", "gauge", "The kernel, lrutop's backend and version.");
	sample(f, "lrutop_info", info, 1);
	if (s->kernel.self_check.ok >= 0) {
		one(f, "lrutop_self_check_ok", "gauge",
		    "1 if the start-up self-check counted a known allocation exactly, 0 if not.",
		    s->kernel.self_check.ok);
	}
	top = memcg_families(f, s, v, top_n, MC_BYTES, rows);
	if (s->kernel.avail[M_LATENCY])
		latency_family(f, s, rows, top);
	kernel_families(f, s);
	flow_kind_families(f, s);
	model_families(f, s);
	drop_family(f, s, state_rows(s)->nr - top);
	held_families(f, s, v, top_n, rows);
	watching_families(f, s);
	free(rows);
	if (fclose(f)) {
		free(*text);
		return -ENOMEM;
	}
	return 0;
}
