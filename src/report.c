// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "cgroup.h"
#include "hist.h"
#include "model.h"
#include "inventory_json.h"
#include "report.h"

bool report_has(const struct lrutop_state *s, enum metric m)
{
	return s->avail[m];
}

const char *fmt_size(char *buf, size_t len, __u64 v)
{
	static const char units[] = "KMGTPE";
	double d = v;
	int u = -1;

	if (v < 100000) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return buf;
	}
	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	snprintf(buf, len, d < 100 ? "%.1f%c" : "%.0f%c", d, units[u]);
	return buf;
}

enum sort_key report_sort(const struct lrutop_state *s, enum sort_key k)
{
	if (s->by_cause && k == SORT_ALLOCS)
		return SORT_CAUSED;
	if (s->by_cause && k == SORT_BYTES)
		return SORT_CAUSED_BYTES;
	return k;
}

struct memcg_row **report_view(const struct lrutop_state *s, const struct lrutop_opts *o,
			       size_t limit, size_t *n)
{
	struct memcg_row **rows;

	rows = calloc(s->memcgs.nr ? s->memcgs.nr : 1, sizeof(*rows));
	if (!rows) {
		*n = 0;
		return NULL;
	}
	*n = memcg_table_view(&s->memcgs, o->cgroup, report_sort(s, o->sort), s->cumulative, limit,
			      rows);
	return rows;
}

void report_lists_hist(const struct lrutop_state *s, struct memcg_row **rows, size_t n,
		       __u64 *slots)
{
	bool distinct = report_has(s, M_PER_LRU);

	memset(slots, 0, LRUTOP_MAX_SLOTS * sizeof(*slots));
	for (size_t i = 0; i < n; i++) {
		__u64 v = distinct ? rows[i]->nlrus : rows[i]->cum.allocs;

		if (v)
			hist_add(slots, LRUTOP_MAX_SLOTS, v);
	}
}

const char *report_lists_hist_unit(const struct lrutop_state *s)
{
	return report_has(s, M_PER_LRU) ? "list_lrus" : "lists";
}

static const char *cell(char *buf, size_t len, bool avail, __u64 v)
{
	if (!avail)
		return "-";
	return fmt_size(buf, len, v);
}

/* What the kernel's list_lrus hold now (the inventory), or why that is unknown. */
static void report_held(FILE *out, const struct lrutop_state *s)
{
	const struct inventory *inv = &s->inv;
	char b1[16], b2[16];

	if (!s->inv_valid) {
		if (s->inv_interval_s)
			fprintf(out, "held now: unavailable: %s\n", s->inv_why);
		return;
	}
	fprintf(out, "held now: %llu lists, %sB (%.1f%% empty) in %zu list_lrus; bookkeeping %sB; "
		"walked %.0fs ago, %.1f ms\n", (unsigned long long)inv->lists,
		fmt_size(b1, sizeof(b1), inv->bytes), inv->lists ? 100.0 * inv->empty / inv->lists : 0.0,
		inv->nr_lrus, fmt_size(b2, sizeof(b2), inv->book_bytes),
		s->last.tv_sec + s->last.tv_nsec / 1e9 - s->inv_at, inv->cpu_ms);
}

void report_header(FILE *out, const struct lrutop_state *s)
{
	const struct totals *t = state_totals(s);
	char tbuf[32], b1[16], b2[16];
	time_t now = time(NULL);
	bool first = true;

	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", localtime(&now));
	fprintf(out, "%s lrutop %s, backend %s, %s %.1fs, memcg %s%s\n", tbuf, s->release,
		backend_name(s->backend), s->cumulative ? "total" : "interval",
		s->cumulative ? (s->last.tv_sec - s->started.tv_sec) + 0.0 : s->interval_s,
		s->cg_version ? (s->cg_version == 2 ? "v2 " : "v1 ") : "hierarchy not mounted",
		s->cg_version ? s->cg_root : "");
	if (s->self_check.ok == 0)
		fprintf(out, "SELF-CHECK %s: numbers below may be wrong\n", s->self_check.result);
	if (s->plan->post_patch) {
		fprintf(out, "lists: %llu allocs (%.1f/s), %s bytes, freed %s, transient %llu",
			(unsigned long long)t->allocs,
			s->interval_s > 0 ? s->delta.allocs / s->interval_s : 0.0,
			fmt_size(b1, sizeof(b1), t->bytes), fmt_size(b2, sizeof(b2), t->freed_bytes),
			(unsigned long long)t->transient);
		/* Freed before lrutop found the slot they filled: charged to no memcg row. */
		if (s->tot.unowned_freed)
			fprintf(out, ", %llu no owner", (unsigned long long)s->tot.unowned_freed);
		fputc('\n', out);
	}
	if (s->plan->pre_patch) {
		fprintf(out, "eager: %llu lists, %s bytes, freed %s, id space %s",
			(unsigned long long)t->eager_allocs, fmt_size(b1, sizeof(b1), t->eager_bytes),
			fmt_size(b2, sizeof(b2), t->eager_freed_bytes),
			s->id_space_known ? fmt_size(tbuf, sizeof(tbuf), s->id_space) : "unknown yet");
		if (s->growth_count) {
			const struct growth_event *g = &s->growths[(s->growth_count - 1) % LRUTOP_MAX_GROWTHS];

			fprintf(out, ", %llu growths, last %u->%u in %.1fms",
				(unsigned long long)s->growth_count, g->old_size, g->new_size,
				g->dur_ns / 1e6);
		}
		fputc('\n', out);
	}
	if (s->memcg_lrus >= 0 && s->plan->post_patch && s->kernel_memcgs_peak >= 0) {
		__u64 ids = pre_patch_id_space(s->kernel_memcgs_peak);

		fprintf(out, "before the patch this host would hold %sB in per-memcg lists "
			"(%lld list_lrus x %d node%s x %llu ids)\n",
			fmt_size(b1, sizeof(b1), pre_patch_bytes(s->memcg_lrus, s->nr_nodes, ids)),
			s->memcg_lrus, s->nr_nodes, s->nr_nodes > 1 ? "s" : "", (unsigned long long)ids);
	} else if (s->memcg_lrus >= 0) {
		fprintf(out, "memcg-aware list_lrus: %lld\n", s->memcg_lrus);
	}
	report_held(out, s);
	if (s->aged_memcgs)
		fprintf(out, "aged out: %llu removed memcgs with %llu lists, %sB (--keep-removed)\n",
			(unsigned long long)s->aged_memcgs, (unsigned long long)s->aged.allocs,
			fmt_size(b1, sizeof(b1), s->aged.bytes));
	if (s->aged_early)
		fprintf(out, "aged early: %llu removed memcgs before --keep-removed, to keep the map from filling (raise --max-memcgs)\n",
			(unsigned long long)s->aged_early);
	if (s->tot.drops_memcg || s->tot.drops_lru || s->tot.drops_pair || s->tot.drops_live ||
	    s->tot.drops_owner)
		fprintf(out, "DROPS: %llu memcg rows, %llu owners, %llu lrus, %llu pairs, %llu frees untracked (maps full: raise --max-memcgs)\n",
			(unsigned long long)s->tot.drops_memcg, (unsigned long long)s->tot.drops_owner,
			(unsigned long long)s->tot.drops_lru, (unsigned long long)s->tot.drops_pair,
			(unsigned long long)s->tot.drops_live);
	/* Short, so it fits a terminal: the reasons are in --probe and in JSON. */
	for (int m = 0; m < NR_METRICS; m++) {
		if (s->avail[m])
			continue;
		if (m == M_EAGER || m == M_GROWTH || m == M_ID_SPACE || m == M_WOULD_PAIRS) {
			if (!s->plan->pre_patch)
				continue;	/* nothing eager exists to miss */
		} else if (!s->plan->post_patch) {
			continue;
		}
		fprintf(out, "%s%s", first ? "not measurable here (-): " : ", ", metric_short_name(m));
		first = false;
	}
	if (!first)
		fprintf(out, "; why: lrutop --probe");
	if (!first)
		fputc('\n', out);
}

/* The columns after MEMCG take REPORT_ROW_FIXED characters (screen.c sizes MEMCG with it). */
#define ROW_FMT "%-*.*s %7s %6s %6s %6s %5s %5s %7s %7s %6s %4s"

size_t report_columns(char *buf, size_t len, const struct lrutop_state *s, int pathw)
{
	return snprintf(buf, len, ROW_FMT, pathw, pathw, "MEMCG", s->by_cause ? "CAUSED" : "ALLOCS",
			"BYTES", "FREED", "HELD", "EMPTY", "FAILS", "OBJS", "CALLS", "LAT", "LRUS");
}

size_t report_row(char *buf, size_t len, const struct lrutop_state *s, const struct memcg_row *r,
		  int pathw)
{
	const struct memcg_stats *v = s->cumulative ? &r->cum : &r->delta;
	bool allocs = report_has(s, M_ALLOCS), fails = report_has(s, M_FAILS);
	char b[10][16], path[4200];

	if (r->path)
		snprintf(path, sizeof(path), "%s%s", r->path, r->removed ? " (removed)" : "");
	else
		snprintf(path, sizeof(path), "<id %llu>%s", (unsigned long long)r->cgid,
			 r->removed ? " (removed)" : "");
	/* By cause, FREED has no meaning: a list is freed from its owner's slot. */
	return snprintf(buf, len, ROW_FMT, pathw, pathw, path,
			cell(b[0], 16, allocs, s->by_cause ? v->caused_allocs : v->allocs),
			cell(b[1], 16, allocs, s->by_cause ? v->caused_bytes : v->bytes),
			cell(b[2], 16, allocs && !s->by_cause, v->freed_bytes),
			cell(b[8], 16, s->inv_valid, r->held),
			cell(b[9], 16, s->inv_valid, r->held_empty),
			cell(b[3], 16, fails, v->fails),
			cell(b[4], 16, report_has(s, M_OBJS), v->objs),
			cell(b[5], 16, report_has(s, M_CALLS), v->calls),
			cell(b[6], 16, report_has(s, M_LATENCY), v->calls ? v->lat_ns / v->calls : 0),
			cell(b[7], 16, report_has(s, M_PER_LRU), r->nlrus));
}

size_t report_hists(char *buf, size_t len, const struct lrutop_state *s, struct memcg_row **rows,
		    size_t n)
{
	__u64 slots[LRUTOP_MAX_SLOTS];
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	if (report_has(s, M_LATENCY)) {
		off += snprintf(buf + off, len - off, "memcg_list_lru_alloc latency (%s):\n",
				s->cumulative ? "since start" : "this interval");
		off += hist_render(s->cumulative ? s->lat : s->lat_delta, LRUTOP_MAX_SLOTS, "nsecs",
				   buf + off, len - off);
		if (off >= len)
			return len - 1;
	}
	report_lists_hist(s, rows, n, slots);
	off += snprintf(buf + off, len - off, "%s per memcg (count of memcgs):\n",
			report_lists_hist_unit(s));
	if (off >= len)
		return len - 1;
	off += hist_render(slots, LRUTOP_MAX_SLOTS, report_lists_hist_unit(s), buf + off, len - off);
	return off < len ? off : len - 1;
}

void report_text(FILE *out, const struct lrutop_state *s, const struct lrutop_opts *o)
{
	static const char *const kinds[] = { "other", "dentry", "inode" };
	char line[512], b[16], hbuf[16384];
	struct memcg_row **rows;
	size_t n, shown;

	report_header(out, s);
	rows = report_view(s, o, o->rows ? o->rows : 20, &n);
	shown = o->rows && (size_t)o->rows < n ? (size_t)o->rows : n;
	if (!o->rows && shown > 20)
		shown = 20;
	report_columns(line, sizeof(line), s, TEXT_PATH_WIDTH);
	fprintf(out, "%s\n", line);
	for (size_t i = 0; i < shown; i++) {
		report_row(line, sizeof(line), s, rows[i], TEXT_PATH_WIDTH);
		fprintf(out, "%s\n", line);
	}
	if (n > shown)
		fprintf(out, "(%zu more memcgs)\n", n - shown);
	if (o->lrus && report_has(s, M_PER_LRU)) {
		fprintf(out, "\n%-6s %-10s %-32s %7s %6s %6s\n", "KIND", "FSTYPE", "MOUNT", "ALLOCS",
			"BYTES", "MEMCGS");
		for (size_t i = 0; i < s->nr_lrus; i++) {
			const struct lru_row *l = &s->lrus[i];

			fprintf(out, "%-6s %-10s %-32s %7llu %6s %6llu\n", kinds[l->st.owner.kind % 3],
				l->st.owner.fstype[0] ? l->st.owner.fstype : "-", l->mnt[0] ? l->mnt : "-",
				(unsigned long long)l->st.allocs, fmt_size(b, sizeof(b), l->st.bytes),
				(unsigned long long)l->nmemcgs);
		}
	}
	if (o->hist && report_hists(hbuf, sizeof(hbuf), s, rows, n))
		fprintf(out, "\n%s", hbuf);
	fputc('\n', out);
	fflush(out);
	free(rows);
}

/* A counter, or null where this kernel and backend cannot measure it. */
static json_t *jcount(bool avail, __u64 v)
{
	return avail ? json_integer((json_int_t)v) : json_null();
}

static json_t *jhist(const __u64 *slots)
{
	json_t *a = json_array();
	int last = -1;

	for (int i = 0; i < LRUTOP_MAX_SLOTS; i++) {
		if (slots[i])
			last = i;
	}
	for (int i = 0; i <= last; i++)
		json_array_append_new(a, json_integer((json_int_t)slots[i]));
	return a;
}

static json_t *json_totals(const struct lrutop_state *s)
{
	const struct totals *t = state_totals(s);
	bool lazy = report_has(s, M_ALLOCS), eager = report_has(s, M_EAGER);
	bool fails = report_has(s, M_FAILS);

	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
			 "allocs", jcount(lazy, t->allocs), "bytes", jcount(lazy, t->bytes),
			 "freed_bytes", jcount(lazy, t->freed_bytes),
			 "transient", jcount(lazy, t->transient),
			 "owned", jcount(lazy, t->owned),
			 "owned_bytes", jcount(lazy, t->owned_bytes),
			 "unowned_freed", jcount(lazy, t->unowned_freed),
			 "unowned_freed_bytes", jcount(lazy, t->unowned_freed_bytes),
			 "fails", jcount(fails, t->fails),
			 "objs", jcount(report_has(s, M_OBJS), t->objs),
			 "calls", jcount(report_has(s, M_CALLS), t->calls),
			 "alloc_calls", jcount(report_has(s, M_CALLS), t->alloc_calls),
			 "eager_allocs", jcount(eager, t->eager_allocs),
			 "eager_bytes", jcount(eager, t->eager_bytes),
			 "eager_freed_bytes", jcount(eager, t->eager_freed_bytes),
			 "eager_ids", jcount(eager && s->backend == BACKEND_FENTRY, t->eager_ids));
}

static json_t *json_memcg(const struct lrutop_state *s, const struct memcg_row *r)
{
	const struct memcg_stats *v = s->cumulative ? &r->cum : &r->delta;
	bool lazy = report_has(s, M_ALLOCS), fails = report_has(s, M_FAILS);

	return json_pack("{s:I,s:o,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
			 "id", (json_int_t)r->cgid,
			 "path", r->path ? json_string(r->path) : json_null(),
			 "removed", r->removed,
			 "allocs", jcount(lazy, v->allocs), "bytes", jcount(lazy, v->bytes),
			 "freed_bytes", jcount(lazy, v->freed_bytes),
			 "caused_allocs", jcount(lazy, v->caused_allocs),
			 "caused_bytes", jcount(lazy, v->caused_bytes),
			 "fails", jcount(fails, v->fails),
			 "objs", jcount(report_has(s, M_OBJS), v->objs),
			 "calls", jcount(report_has(s, M_CALLS), v->calls),
			 "lat_ns_avg", jcount(report_has(s, M_LATENCY), v->calls ? v->lat_ns / v->calls : 0),
			 "lrus", jcount(report_has(s, M_PER_LRU), r->nlrus),
			 "held_lists", jcount(s->inv_valid, r->held),
			 "held_empty", jcount(s->inv_valid, r->held_empty));
}

/* The last inventory pass: its totals and cost, and how long ago it was. */
static json_t *json_inventory(const struct lrutop_state *s)
{
	json_t *o;

	if (!s->inv_valid)
		return json_null();
	o = inventory_summary_json(&s->inv);
	json_object_set_new(o, "age_s", json_real(s->last.tv_sec + s->last.tv_nsec / 1e9 - s->inv_at));
	return o;
}

static json_t *json_lrus(const struct lrutop_state *s)
{
	static const char *const kinds[] = { "other", "dentry", "inode" };
	json_t *a = json_array();

	for (size_t i = 0; i < s->nr_lrus; i++) {
		const struct lru_row *l = &s->lrus[i];

		char dev[24];

		/* The kernel's dev_t: major in the top 12 bits, as stat(1) and mountinfo print it. */
		snprintf(dev, sizeof(dev), "%u:%u", l->st.owner.dev >> 20, l->st.owner.dev & 0xfffff);
		json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I}",
			"addr", (json_int_t)l->lru, "kind", kinds[l->st.owner.kind % 3],
			"fstype", l->st.owner.fstype, "sid", l->st.owner.sid, "dev", dev, "mount", l->mnt,
			"allocs", (json_int_t)l->st.allocs, "bytes", (json_int_t)l->st.bytes,
			"memcgs", (json_int_t)l->nmemcgs));
	}
	return a;
}

/* On a patched kernel: what the eager lists before 5.18 would hold here (model.h). */
static json_t *json_pre_patch_estimate(const struct lrutop_state *s)
{
	if (!s->plan->post_patch || s->memcg_lrus < 0 || s->kernel_memcgs_peak < 0)
		return json_null();
	return json_integer(pre_patch_bytes(s->memcg_lrus, s->nr_nodes,
					    pre_patch_id_space(s->kernel_memcgs_peak)));
}

/* Lists per (memcg, list_lru) pair that holds one: the patch's unit of memory. */
static json_t *json_pairs(const struct lrutop_state *s)
{
	const struct map_dump *d = &s->dump_pair;
	json_t *a = json_array();

	for (size_t i = 0; i < d->n; i++) {
		const struct pair_key *pk = (const struct pair_key *)d->keys + i;
		__s64 lists = ((const __s64 *)d->vals)[i];

		if (lists > 0)
			json_array_append_new(a, json_pack("{s:I,s:I,s:I}", "memcg", (json_int_t)pk->cgid,
							   "lru", (json_int_t)pk->lru, "lists", (json_int_t)lists));
	}
	return a;
}

json_t *report_json_object(const struct lrutop_state *s, const struct lrutop_opts *o)
{
	json_t *root, *memcgs, *unavail, *growths;
	__u64 slots[LRUTOP_MAX_SLOTS];
	struct memcg_row **rows;
	char why[160];
	size_t n, shown;

	rows = report_view(s, o, o->rows, &n);
	shown = o->rows && (size_t)o->rows < n ? (size_t)o->rows : n;
	memcgs = json_array();
	for (size_t i = 0; i < shown; i++)
		json_array_append_new(memcgs, json_memcg(s, rows[i]));
	unavail = json_object();
	for (int m = 0; m < NR_METRICS; m++) {
		if (!probe_metric_available(s->plan, s->backend, m, why, sizeof(why)))
			json_object_set_new(unavail, metric_name(m), json_string(why));
	}
	if (!s->inv_valid && s->inv_interval_s)
		json_object_set_new(unavail, "held lists (inventory)", json_string(s->inv_why));
	growths = json_array();
	for (__u64 i = s->growth_count > LRUTOP_MAX_GROWTHS ? s->growth_count - LRUTOP_MAX_GROWTHS : 0;
	     i < s->growth_count; i++) {
		const struct growth_event *g = &s->growths[i % LRUTOP_MAX_GROWTHS];

		json_array_append_new(growths, json_pack("{s:I,s:I,s:I}", "old_size",
			(json_int_t)g->old_size, "new_size", (json_int_t)g->new_size,
			"dur_ns", (json_int_t)g->dur_ns));
	}
	report_lists_hist(s, rows, n, slots);
	root = json_pack("{s:i,s:I,s:f,s:s,s:s,s:b,s:i,s:o,s:o,s:o,s:o,s:o,s:I,s:o}",
		"version", 1, "time", (json_int_t)time(NULL), "interval_s", s->interval_s,
		"kernel", s->release, "backend", backend_name(s->backend),
		"cumulative", s->cumulative, "nodes", s->nr_nodes,
		"totals", json_totals(s),
		"drops", json_pack("{s:I,s:I,s:I,s:I,s:I}", "memcg", (json_int_t)s->tot.drops_memcg,
				   "lru", (json_int_t)s->tot.drops_lru,
				   "pair", (json_int_t)s->tot.drops_pair,
				   "live", (json_int_t)s->tot.drops_live,
				   "owner", (json_int_t)s->tot.drops_owner),
		"id_space", jcount(report_has(s, M_ID_SPACE) && s->id_space_known, s->id_space),
		"growths", growths, "unavailable", unavail,
		"nr_memcgs", (json_int_t)n, "memcgs", memcgs);
	if (!root) {
		free(rows);
		return NULL;
	}
	json_object_set_new(root, "self_check", json_pack("{s:o,s:s}",
		"ok", s->self_check.ok < 0 ? json_null() : json_boolean(s->self_check.ok),
		"result", s->self_check.result));
	json_object_set_new(root, "memcg_lrus", s->memcg_lrus >= 0 ? json_integer(s->memcg_lrus) : json_null());
	json_object_set_new(root, "kernel_memcgs", s->kernel_memcgs >= 0 ? json_integer(s->kernel_memcgs) : json_null());
	json_object_set_new(root, "pre_patch_estimate_bytes", json_pre_patch_estimate(s));
	json_object_set_new(root, "lrus", json_lrus(s));
	json_object_set_new(root, "inventory", json_inventory(s));
	json_object_set_new(root, "aged_out", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		"memcgs", (json_int_t)s->aged_memcgs, "early_memcgs", (json_int_t)s->aged_early,
		"allocs", (json_int_t)s->aged.allocs,
		"caused_allocs", (json_int_t)s->aged.caused_allocs,
		"caused_bytes", (json_int_t)s->aged.caused_bytes,
		"bytes", (json_int_t)s->aged.bytes, "freed_bytes", (json_int_t)s->aged.freed_bytes,
		"late_freed_bytes", (json_int_t)s->tot.orphan_freed_bytes));
	if (o->lrus && report_has(s, M_PER_LRU))
		json_object_set_new(root, "pairs", json_pairs(s));
	json_object_set_new(root, "hist", json_pack("{s:o,s:o,s:o}",
		"latency_ns", report_has(s, M_LATENCY) ? jhist(s->cumulative ? s->lat : s->lat_delta) : json_null(),
		"latency_alloc_ns", report_has(s, M_LATENCY) ? jhist(s->cumulative ? s->lat_alloc : s->lat_alloc_delta) : json_null(),
		"lists_per_memcg", jhist(slots)));
	free(rows);
	return root;
}

int report_json(FILE *out, const struct lrutop_state *s, const struct lrutop_opts *o)
{
	json_t *root = report_json_object(s, o);
	int err;

	if (!root)
		return -1;
	err = json_dumpf(root, out, JSON_COMPACT);
	fputc('\n', out);
	fflush(out);
	json_decref(root);
	return err;
}

void report_probe(FILE *out, const struct lrutop_state *s, const char *backend_why)
{
	const struct probe_plan *p = s->plan;
	char why[160];

	fprintf(out, "kernel: %s\n", s->release);
	fprintf(out, "list_lru: %s\n", p->post_patch ? "lazy per-memcg lists (5.18+: kmem_cache_alloc_lru)" :
		p->pre_patch ? "eager lists for every memcg id (before 5.18)" : "not memcg-aware");
	fprintf(out, "backend: %s (%s)\n", backend_name(s->backend), backend_why);
	fprintf(out, "self-check: %s\n", s->self_check.result);
	fprintf(out, "memory cgroups: %s%s\n", s->cg_version ? (s->cg_version == 2 ? "v2 at " : "v1 at ") :
		"no memory controller mounted", s->cg_version ? s->cg_root : "");
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
	fprintf(out, "list call sites:");
	for (int i = 0; i < p->nr_lazy_ranges; i++)
		fprintf(out, " %s+%llu", p->lazy_ranges[i].name,
			(unsigned long long)(p->lazy_ranges[i].hi - p->lazy_ranges[i].lo));
	fprintf(out, "%s\n", p->nr_lazy_ranges ? "" : " none");
	if (s->memcg_lrus >= 0)
		fprintf(out, "memcg-aware list_lrus: %lld\n", s->memcg_lrus);
	else
		fprintf(out, "memcg-aware list_lrus: unknown (the walk of the kernel's list failed)\n");
	fprintf(out, "tracepoints: kmalloc %s, kmalloc_node %s\n", p->has_kmalloc_tp ? "yes" : "no",
		p->has_kmalloc_node_tp ? "yes" : "no");
	fprintf(out, "metrics:\n");
	for (int m = 0; m < NR_METRICS; m++) {
		bool ok = probe_metric_available(p, s->backend, m, why, sizeof(why));

		fprintf(out, "  %-34s %s%s%s\n", metric_name(m), ok ? "yes" : "no", ok ? "" : ": ",
			ok ? "" : why);
	}
}
