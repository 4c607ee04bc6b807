// SPDX-License-Identifier: GPL-2.0
/* A JSON Lines report: one object a refresh (docs/lrutop-jsonl.schema.json). */
#include <stdlib.h>
#include <time.h>
#include "columns.h"
#include "lib/lru_kinds.h"
#include "inventory_json.h"
#include "json.h"
#include "state/groups.h"
#include "state/state.h"
#include "state/view.h"

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

static json_t *json_totals(const struct lrutop_state *s, const struct view *v)
{
	const struct totals *t = state_totals(s, v->cumulative);
	json_t *o = json_object();

	/* One key per total of the table (metrics.def): null where it is not measured. */
	for (size_t i = 0; i < NR_TOTAL_METRICS; i++) {
		const struct total_metric *tm = &total_metrics[i];
		json_object_set_new(o, tm->json,
				    jcount(state_measures(s, tm->need), u64_at(t, tm->off)));
	}
	return o;
}

/* What the row's path names (lib/cgroup_names.c): only the names it has. */
static void json_names(json_t *o, const struct memcg_row *r, uint32_t members)
{
	struct row_labels l;

	if (members)
		json_object_set_new(o, "members", json_integer(members));
	if (!r->named)
		return;
	row_labels(r, &l);
	json_object_set_new(o, "name", json_string(l.name));
	if (l.unit[0])
		json_object_set_new(o, "unit", json_string(l.unit));
	if (l.pod[0])
		json_object_set_new(o, "pod", json_string(l.pod));
	if (l.container[0]) {
		json_object_set_new(o, "container", json_string(l.container));
		json_object_set_new(o, "runtime", json_string(l.runtime));
	}
}

/* A memcg's row: every metric of the table, null where it is not measured here. */
static json_t *json_memcg(const struct lrutop_state *s, const struct view *v,
			  const struct memcg_row *r)
{
	json_t *o = json_pack("{s:I,s:o,s:b}", "id", (json_int_t)r->cgid,
			      "path", r->path ? json_string(r->path) : json_null(),
			      "removed", r->removed);

	if (o)
		json_names(o, r, state_row_members(s, r));

	for (int m = 0; o && m < NR_MEMCG_METRICS; m++)
		json_object_set_new(o, memcg_metrics[m].json,
				    jcount(state_measures(s, memcg_metrics[m].need),
					   memcg_metric_value(state_rows(s), r, m, v->cumulative)));
	return o;
}

/* The last inventory pass: its totals and cost, and how long ago it was. */
static json_t *json_inventory(const struct lrutop_state *s)
{
	json_t *o;

	if (!s->held.valid)
		return json_null();
	o = inventory_summary_json(&s->held.inv);
	json_object_set_new(o, "age_s", json_real(s->last.tv_sec + s->last.tv_nsec / 1e9 - s->held.at));
	return o;
}

static json_t *json_lrus(const struct lrutop_state *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->flow.nr_lrus; i++) {
		const struct lru_row *l = &s->flow.lrus[i];

		char dev[24];

		/* The kernel's dev_t: major in the top 12 bits, as stat(1) and mountinfo print it. */
		snprintf(dev, sizeof(dev), "%u:%u", l->st.owner.dev >> 20, l->st.owner.dev & 0xfffff);
		json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:I,s:I,s:I}",
			"addr", (json_int_t)l->lru, "kind", lru_kind_name(l->kind),
			"fstype", l->st.owner.fstype, "sid", l->st.owner.sid, "dev", dev, "mount", l->mnt,
			"where", lru_where(l->kind, &l->st.owner, l->mnt, l->where), "why", l->why,
			"allocs", (json_int_t)l->st.allocs, "bytes", (json_int_t)l->st.bytes,
			"memcgs", (json_int_t)l->nmemcgs));
	}
	return a;
}

/* On a patched kernel: what the eager lists before 5.18 would hold here (the state's model). */
static json_t *json_pre_patch_estimate(const struct lrutop_state *s)
{
	return s->census.pre_patch_bytes < 0 ? json_null() : json_integer(s->census.pre_patch_bytes);
}

/* Lists per (memcg, list_lru) pair that holds one: the patch's unit of memory. */
static json_t *json_pairs(const struct lrutop_state *s)
{
	const struct map_dump *d = &s->tracer.pairs;
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

/* What lrutop's own programs cost: each program's counts since it loaded and in the
 * interval, null where the kernel's BPF statistics were off. */
static json_t *json_watching(const struct lrutop_state *s)
{
	const struct watching *w = &s->watching;
	bool timed = w->progs.timed, interval = w->interval_timed;
	double events = 0, cpu_ms = 0;
	json_t *progs = json_array();

	for (size_t i = 0; i < w->progs.n; i++) {
		const struct prog_cost *p = &w->progs.progs[i];

		json_array_append_new(progs, json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:I}",
			"name", p->name, "hook", p->hook,
			"runs", jcount(timed, p->runs), "run_ns", jcount(timed, p->run_ns),
			"interval_runs", jcount(interval, w->interval_runs[i]),
			"interval_ns", jcount(interval, w->interval_ns[i]),
			"missed_runs", (json_int_t)p->misses));
	}
	interval = watching_rates(s, &events, &cpu_ms);
	return json_pack("{s:b,s:o,s:o,s:I,s:I,s:o}", "stats_held", watching_held(s),
			 "events_per_s", interval ? json_real(events) : json_null(),
			 "cpu_ms_per_s", interval ? json_real(cpu_ms) : json_null(),
			 "missed_runs", (json_int_t)w->missed,
			 "interval_missed_runs", (json_int_t)w->interval_missed,
			 "programs", progs);
}

/* What is not measured here, each with the reason. */
static json_t *json_unavailable(const struct lrutop_state *s)
{
	json_t *unavail = json_object();
	char why[160];

	for (int m = 0; m < NR_METRICS; m++) {
		if (!probe_metric_available(s->kernel.plan, s->kernel.backend, m, why, sizeof(why)))
			json_object_set_new(unavail, metric_name(m), json_string(why));
	}
	if (!s->held.valid && s->held.interval_s)
		json_object_set_new(unavail, "held lists (inventory)", json_string(s->held.why));
	if (!s->watching.interval_timed)
		json_object_set_new(unavail, "lrutop's own cost (BPF statistics)",
				    json_string(watching_why(s)));
	return unavail;
}

/* The id-space growths before 5.18 still in the ring, oldest first. */
static json_t *json_growths(const struct lrutop_state *s)
{
	__u64 n = s->flow.g.growth_count;
	json_t *growths = json_array();

	for (__u64 i = n > LRUTOP_MAX_GROWTHS ? n - LRUTOP_MAX_GROWTHS : 0; i < n; i++) {
		const struct growth_event *g = &s->flow.g.growths[i % LRUTOP_MAX_GROWTHS];

		json_array_append_new(growths, json_pack("{s:I,s:I,s:I}", "old_size",
			(json_int_t)g->old_size, "new_size", (json_int_t)g->new_size,
			"dur_ns", (json_int_t)g->dur_ns));
	}
	return growths;
}

json_t *json_report_object(const struct lrutop_state *s, const struct view *v)
{
	json_t *root, *memcgs, *unavail, *growths;
	__u64 slots[LRUTOP_MAX_SLOTS];
	struct memcg_row **rows;
	size_t n, shown;

	rows = view_rows(s, v, v->rows, true, &n);
	shown = rows_shown(n, v->rows);
	memcgs = json_array();
	for (size_t i = 0; i < shown; i++)
		json_array_append_new(memcgs, json_memcg(s, v, rows[i]));
	unavail = json_unavailable(s);
	growths = json_growths(s);
	view_lists_hist(s, rows, n, slots);
	root = json_pack("{s:i,s:I,s:f,s:s,s:s,s:b,s:i,s:o,s:o,s:o,s:o,s:o,s:I,s:o}",
		"version", 1, "time", (json_int_t)time(NULL), "interval_s", s->interval_s,
		"kernel", s->kernel.release, "backend", backend_name(s->kernel.backend),
		"cumulative", v->cumulative, "nodes", s->kernel.nr_nodes,
		"totals", json_totals(s, v),
		"drops", json_pack("{s:I,s:I,s:I,s:I,s:I}", "memcg", (json_int_t)s->flow.tot.drops_memcg,
				   "lru", (json_int_t)s->flow.tot.drops_lru,
				   "pair", (json_int_t)s->flow.tot.drops_pair,
				   "live", (json_int_t)s->flow.tot.drops_live,
				   "owner", (json_int_t)s->flow.tot.drops_owner),
		"id_space", jcount(s->kernel.avail[M_ID_SPACE] && s->flow.g.id_space_known, s->flow.g.id_space),
		"growths", growths, "unavailable", unavail,
		"nr_memcgs", (json_int_t)n, "memcgs", memcgs);
	if (!root) {
		free(rows);
		return NULL;
	}
	json_object_set_new(root, "self_check", json_pack("{s:o,s:s}",
		"ok", s->kernel.self_check.ok < 0 ? json_null() : json_boolean(s->kernel.self_check.ok),
		"result", s->kernel.self_check.result));
	json_object_set_new(root, "memcg_lrus", s->census.memcg_lrus >= 0 ? json_integer(s->census.memcg_lrus) : json_null());
	json_object_set_new(root, "kernel_memcgs", s->census.kernel_memcgs >= 0 ? json_integer(s->census.kernel_memcgs) : json_null());
	json_object_set_new(root, "pre_patch_estimate_bytes", json_pre_patch_estimate(s));
	json_object_set_new(root, "lrus", json_lrus(s));
	json_object_set_new(root, "inventory", json_inventory(s));
	json_object_set_new(root, "watching", json_watching(s));
	json_object_set_new(root, "aged_out", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		"memcgs", (json_int_t)s->aging.memcgs, "early_memcgs", (json_int_t)s->aging.early,
		"allocs", (json_int_t)s->aging.stats.allocs,
		"caused_allocs", (json_int_t)s->aging.stats.caused_allocs,
		"caused_bytes", (json_int_t)s->aging.stats.caused_bytes,
		"bytes", (json_int_t)s->aging.stats.bytes, "freed_bytes", (json_int_t)s->aging.stats.freed_bytes,
		"late_freed_bytes", (json_int_t)s->flow.tot.orphan_freed_bytes));
	if (v->lrus && s->kernel.avail[M_PER_LRU])
		json_object_set_new(root, "pairs", json_pairs(s));
	json_object_set_new(root, "hist", json_pack("{s:o,s:o,s:o}",
		"latency_ns", s->kernel.avail[M_LATENCY] ? jhist(v->cumulative ? s->flow.g.lat : s->flow.lat_delta) : json_null(),
		"latency_alloc_ns", s->kernel.avail[M_LATENCY] ? jhist(v->cumulative ? s->flow.g.lat_alloc : s->flow.lat_alloc_delta) : json_null(),
		"lists_per_memcg", jhist(slots)));
	free(rows);
	return root;
}

int json_report(FILE *out, const struct lrutop_state *s, const struct view *v)
{
	json_t *root = json_report_object(s, v);
	int err;

	if (!root)
		return -1;
	err = json_dumpf(root, out, JSON_COMPACT);
	fputc('\n', out);
	fflush(out);
	json_decref(root);
	return err;
}

