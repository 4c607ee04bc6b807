// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "prom.h"
#include "report.h"

/* Histogram buckets: le = 2^(k+1) ns for log2 slots k in [first, last], 256 ns to 67 ms. */
#define LAT_FIRST_SLOT	7
#define LAT_LAST_SLOT	25

/* A per-memcg counter: its field in struct memcg_stats and in struct totals. */
struct memcg_counter {
	const char *name;
	const char *help;
	enum metric metric;
	size_t stat_off;
	size_t total_off;
};

#define COUNTER(n, h, m, f) { n, h, m, offsetof(struct memcg_stats, f), offsetof(struct totals, f) }
#define COUNTER_OF(n, h, m, f, tf) \
	{ n, h, m, offsetof(struct memcg_stats, f), offsetof(struct totals, tf) }

static const struct memcg_counter memcg_counters[] = {
	COUNTER("lrutop_list_lru_allocations_total",
		"list_lru lists allocated since lrutop started (kept, not transient), by owner: the memcg whose slot each fills.",
		M_ALLOCS, allocs),
	COUNTER("lrutop_list_lru_bytes_total", "Bytes (kmalloc bytes_alloc) of those lists.",
		M_ALLOCS, bytes),
	COUNTER("lrutop_list_lru_freed_bytes_total", "Bytes of those lists freed since.",
		M_FREED, freed_bytes),
	COUNTER_OF("lrutop_list_lru_caused_allocations_total",
		   "list_lru lists allocated since lrutop started, by cause: the memcg whose allocation made the kernel create them.",
		   M_ALLOCS, caused_allocs, allocs),
	COUNTER_OF("lrutop_list_lru_caused_bytes_total", "Bytes of those lists, by cause.",
		   M_ALLOCS, caused_bytes, bytes),
	COUNTER("lrutop_list_lru_failures_total",
		"memcg_list_lru_alloc calls that failed (returned non-zero).", M_FAILS, fails),
	COUNTER("lrutop_list_lru_objects_total",
		"Objects allocated by kmem_cache_alloc_lru (dentries, inodes).", M_OBJS, objs),
	COUNTER("lrutop_list_lru_alloc_calls_total", "Calls of memcg_list_lru_alloc.", M_CALLS,
		calls),
};

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

static const char *cgroup_label(char *buf, size_t len, const struct memcg_row *r)
{
	char id[32], esc[8192];

	if (!r) {
		snprintf(buf, len, "cgroup=\"other\"");
		return buf;
	}
	if (!r->path)
		snprintf(id, sizeof(id), "id:%llu", (unsigned long long)r->cgid);
	snprintf(buf, len, "cgroup=\"%s\"", prom_escape(esc, sizeof(esc), r->path ? r->path : id));
	return buf;
}

static __u64 field(const void *base, size_t off)
{
	return *(const __u64 *)((const char *)base + off);
}

/* The rest: the total less what the top rows account for (never below 0). */
static __u64 rest(__u64 total, __u64 top)
{
	return total > top ? total - top : 0;
}

static void memcg_counter_family(FILE *f, const struct lrutop_state *s,
				 const struct memcg_counter *c, struct memcg_row **rows, size_t top)
{
	char label[8300];
	__u64 sum = 0, v;

	family(f, c->name, "counter", c->help);
	for (size_t i = 0; i < top; i++) {
		v = field(&rows[i]->cum, c->stat_off);
		sum += v;
		sample(f, c->name, cgroup_label(label, sizeof(label), rows[i]), v);
	}
	sample(f, c->name, cgroup_label(label, sizeof(label), NULL),
	       rest(field(&s->tot, c->total_off), sum));
}

static void histogram(FILE *f, const char *name, const char *label, const __u64 *slots,
		      __u64 sum_ns)
{
	__u64 cum = 0, count = 0;
	char le[64];

	for (int k = 0; k < LRUTOP_MAX_SLOTS; k++)
		count += slots[k];
	for (int k = 0; k <= LAT_LAST_SLOT; k++) {
		cum += slots[k];
		if (k < LAT_FIRST_SLOT)
			continue;
		/* Slot k holds [2^k, 2^(k+1)) ns: all of it is <= 2^(k+1) ns. */
		snprintf(le, sizeof(le), "%s,le=\"%.9g\"", label, (double)(1ULL << (k + 1)) / 1e9);
		fprintf(f, "%s_bucket{%s} %llu\n", name, le, (unsigned long long)cum);
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
	memcpy(other, s->lat, sizeof(other));
	for (size_t i = 0; i < top; i++) {
		if (state_memcg_lat(s, rows[i]->cgid, slots))
			memset(slots, 0, sizeof(slots));
		for (int k = 0; k < LRUTOP_MAX_SLOTS; k++)
			other[k] = rest(other[k], slots[k]);
		lat_ns += rows[i]->cum.lat_ns;
		histogram(f, name, cgroup_label(label, sizeof(label), rows[i]), slots,
			  rows[i]->cum.lat_ns);
	}
	histogram(f, name, cgroup_label(label, sizeof(label), NULL), other,
		  rest(s->tot.lat_ns, lat_ns));
}

static void kernel_families(FILE *f, const struct lrutop_state *s)
{
	const struct totals *t = &s->tot;

	if (report_has(s, M_ALLOCS)) {
		family(f, "lrutop_list_lru_transient_total", "counter",
		       "Lists freed inside the function that made them (temporary tables, lost races).");
		sample(f, "lrutop_list_lru_transient_total", "", t->transient);
	}
	if (report_has(s, M_ALLOCS) && report_has(s, M_FREED)) {
		family(f, "lrutop_list_lru_live_bytes", "gauge",
		       "Bytes of lists allocated since lrutop started and not freed yet.");
		sample(f, "lrutop_list_lru_live_bytes", "", rest(t->bytes, t->freed_bytes));
	}
	if (report_has(s, M_EAGER)) {
		family(f, "lrutop_list_lru_eager_allocations_total", "counter",
		       "Lists a pre-5.18 kernel allocated for every memcg id (kmalloc-32 list_lru_one).");
		sample(f, "lrutop_list_lru_eager_allocations_total", "", t->eager_allocs);
		family(f, "lrutop_list_lru_eager_bytes_total", "counter", "Bytes of those lists.");
		sample(f, "lrutop_list_lru_eager_bytes_total", "", t->eager_bytes);
		family(f, "lrutop_list_lru_eager_freed_bytes_total", "counter",
		       "Bytes of those lists freed since (umount).");
		sample(f, "lrutop_list_lru_eager_freed_bytes_total", "", t->eager_freed_bytes);
	}
	if (report_has(s, M_ID_SPACE) && s->id_space_known) {
		family(f, "lrutop_memcg_id_space", "gauge",
		       "Memcg ids every list_lru holds a list for (memcg_nr_cache_ids, pre-5.18).");
		sample(f, "lrutop_memcg_id_space", "", s->id_space);
	}
	if (report_has(s, M_GROWTH)) {
		family(f, "lrutop_memcg_id_space_growths_total", "counter",
		       "Growths of every list_lru's id space (memcg_update_all_list_lrus).");
		sample(f, "lrutop_memcg_id_space_growths_total", "", s->growth_count);
	}
}

/* The counterfactual on a patched kernel: what the eager lists of before 5.18 would hold
 * for this many memcgs on this many list_lrus and nodes (README, "The model"). */
static void model_families(FILE *f, const struct lrutop_state *s)
{
	if (s->memcg_lrus >= 0) {
		family(f, "lrutop_memcg_aware_list_lrus", "gauge",
		       "Memcg-aware list_lrus in the kernel (two per superblock, and a few more).");
		sample(f, "lrutop_memcg_aware_list_lrus", "", s->memcg_lrus);
	}
	if (s->kernel_memcgs >= 0) {
		family(f, "lrutop_memory_cgroups", "gauge",
		       "Memory cgroups besides the root (/proc/cgroups).");
		sample(f, "lrutop_memory_cgroups", "", s->kernel_memcgs);
	}
	family(f, "lrutop_numa_nodes", "gauge", "NUMA nodes online.");
	sample(f, "lrutop_numa_nodes", "", s->nr_nodes);
	if (s->plan->post_patch && s->memcg_lrus >= 0 && s->kernel_memcgs_peak >= 0) {
		family(f, "lrutop_list_lru_pre_patch_estimate_bytes", "gauge",
		       "Bytes the eager per-memcg lists of a pre-5.18 kernel would hold here: "
		       "list_lrus x nodes x (ids x 32 + kvmalloc(16 + 8 x ids)), ids grown for the "
		       "most memcgs seen.");
		sample(f, "lrutop_list_lru_pre_patch_estimate_bytes", "",
		       pre_patch_bytes(s->memcg_lrus, s->nr_nodes,
				       pre_patch_id_space(s->kernel_memcgs_peak)));
	}
}

static void drop_family(FILE *f, const struct lrutop_state *s, size_t folded)
{
	static const char name[] = "lrutop_map_drops_total";

	family(f, name, "counter", "Updates lost to a full BPF map (raise --max-memcgs).");
	sample(f, name, "map=\"memcg\"", s->tot.drops_memcg);
	sample(f, name, "map=\"lru\"", s->tot.drops_lru);
	sample(f, name, "map=\"pair\"", s->tot.drops_pair);
	sample(f, name, "map=\"live\"", s->tot.drops_live);
	family(f, "lrutop_cgroups_in_other", "gauge",
	       "Memcgs folded into the cgroup=\"other\" series (beyond --top).");
	sample(f, "lrutop_cgroups_in_other", "", folded);
}

/* What the list_lrus hold now (the inventory): totals, and per cgroup for the top holders. */
static void held_families(FILE *f, const struct lrutop_state *s, const struct lrutop_opts *o,
			  struct memcg_row **rows)
{
	const struct inventory *inv = &s->inv;
	char label[8300];
	size_t n, top;
	__u64 sum = 0;

	if (!s->inv_valid)
		return;
	family(f, "lrutop_list_lru_held_lists", "gauge",
	       "Per-memcg lists the kernel's list_lrus hold now (lrutop's inventory walk).");
	sample(f, "lrutop_list_lru_held_lists", "", inv->lists);
	family(f, "lrutop_list_lru_held_bytes", "gauge", "Bytes of those lists (their slab bucket).");
	sample(f, "lrutop_list_lru_held_bytes", "", inv->bytes);
	family(f, "lrutop_list_lru_held_empty_lists", "gauge", "Of those, lists holding no object.");
	sample(f, "lrutop_list_lru_held_empty_lists", "", inv->empty);
	family(f, "lrutop_list_lru_bookkeeping_bytes", "gauge",
	       "Pointer arrays (before 5.18) or xarray nodes (5.18+) the list_lrus keep for those lists.");
	sample(f, "lrutop_list_lru_bookkeeping_bytes", "", inv->book_bytes);
	family(f, "lrutop_inventory_walk_seconds", "gauge", "CPU time of the last inventory walk.");
	fprintf(f, "lrutop_inventory_walk_seconds %.6f\n", inv->cpu_ms / 1e3);
	n = memcg_table_view(&s->memcgs, o->cgroup, SORT_HELD, true, o->top, rows);
	top = n < (size_t)o->top ? n : (size_t)o->top;
	family(f, "lrutop_memcg_held_lists", "gauge",
	       "Lists each memcg holds now, the --top holders one by one, the rest as cgroup=\"other\".");
	for (size_t i = 0; i < top; i++) {
		sum += rows[i]->held;
		sample(f, "lrutop_memcg_held_lists", cgroup_label(label, sizeof(label), rows[i]),
		       rows[i]->held);
	}
	sample(f, "lrutop_memcg_held_lists", cgroup_label(label, sizeof(label), NULL),
	       rest(inv->lists, sum));
}

int prom_render(const struct lrutop_state *s, const struct lrutop_opts *o, char **text,
		size_t *len)
{
	char kernel[200], info[400];
	struct memcg_row **rows;
	size_t n, top;
	FILE *f;

	f = open_memstream(text, len);
	if (!f)
		return -errno;
	rows = calloc(s->memcgs.nr ? s->memcgs.nr : 1, sizeof(*rows));
	if (!rows) {
		fclose(f);
		free(*text);
		return -ENOMEM;
	}
	/* Prometheus counts from the start, whatever the screen shows. */
	n = memcg_table_view(&s->memcgs, o->cgroup, SORT_BYTES, true, o->top, rows);
	top = n < (size_t)o->top ? n : (size_t)o->top;

	snprintf(info, sizeof(info), "kernel=\"%s\",backend=\"%s\",version=\"%s\"",
		 prom_escape(kernel, sizeof(kernel), s->release), backend_name(s->backend),
		 LRUTOP_VERSION);
	family(f, "lrutop_info", "gauge", "The kernel, lrutop's backend and version.");
	sample(f, "lrutop_info", info, 1);
	if (s->self_check.ok >= 0) {
		family(f, "lrutop_self_check_ok", "gauge",
		       "1 if the start-up self-check counted a known allocation exactly, 0 if not.");
		sample(f, "lrutop_self_check_ok", "", s->self_check.ok);
	}
	for (size_t i = 0; i < sizeof(memcg_counters) / sizeof(memcg_counters[0]); i++) {
		if (report_has(s, memcg_counters[i].metric))
			memcg_counter_family(f, s, &memcg_counters[i], rows, top);
	}
	if (report_has(s, M_LATENCY))
		latency_family(f, s, rows, top);
	kernel_families(f, s);
	model_families(f, s);
	drop_family(f, s, s->memcgs.nr - top);
	held_families(f, s, o, rows);
	free(rows);
	if (fclose(f)) {
		free(*text);
		return -ENOMEM;
	}
	return 0;
}
