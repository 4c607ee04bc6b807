// SPDX-License-Identifier: GPL-2.0
/* The batch text report, 80 columns wide, and the header the screen shares. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "columns.h"
#include "lib/lru_kinds.h"
#include "hist.h"
#include "state/held.h"
#include "state/state.h"
#include "text.h"
#include "state/view.h"

/* What the kernel's list_lrus hold now (the inventory), or why that is unknown. */
static void held_line(FILE *out, const struct lrutop_state *s)
{
	const struct inventory *inv = &s->held.inv;
	/* A drill-down's pass can be newer than the refresh: never "-0s ago". */
	double ago = s->last.tv_sec + s->last.tv_nsec / 1e9 - s->held.at;
	char b[4][16];

	if (!s->held.valid) {
		if (s->held.interval_s)
			fprintf(out, "held now: unavailable: %.56s\n", s->held.why);
		return;
	}
	fprintf(out, "held now: %s lists, %sB, %.0f%% empty, %s lrus (+%sB index), %.0fs ago\n",
		fmt_size(b[0], 16, inv->lists), fmt_size(b[1], 16, inv->bytes),
		inv->lists ? 100.0 * inv->empty / inv->lists : 0.0, fmt_size(b[2], 16, inv->nr_lrus),
		fmt_size(b[3], 16, inv->book_bytes), ago > 0 ? ago : 0.0);
}

/* The lists held by the kind of their list_lru, the kinds that hold any, cut at 80 columns. */
static void held_kinds_line(FILE *out, const struct lrutop_state *s)
{
	__u64 lists[NR_LRUTOP_LRU_KINDS], bytes[NR_LRUTOP_LRU_KINDS];
	char line[256], b[16];
	size_t n;

	if (!s->held.valid || !s->held.inv.nr_lrus)
		return;
	held_by_kind(&s->held.inv, lists, bytes);
	n = snprintf(line, sizeof(line), "held by kind:");
	for (unsigned int i = 0; i < NR_LRUTOP_LRU_KINDS && n < sizeof(line); i++) {
		unsigned int k = lru_kind_listed(i);

		if (lists[k])
			n += snprintf(line + n, sizeof(line) - n, " %s %s,", lru_kind_name(k),
				      fmt_size(b, sizeof(b), lists[k]));
	}
	if (n < sizeof(line) && line[n - 1] == ',')
		line[n - 1] = '\0';
	fprintf(out, "%.*s\n", TEXT_WIDTH, line);
}

/* A rate: one decimal while it is small, else as fmt_size. */
static const char *fmt_rate(char *buf, size_t len, double rate)
{
	if (rate < 1000)
		snprintf(buf, len, "%.1f", rate);
	else
		fmt_size(buf, len, (__u64)rate);
	return buf;
}

static void lists_line(FILE *out, const struct lrutop_state *s, const struct totals *t)
{
	double rate = s->interval_s > 0 ? s->flow.delta.allocs / s->interval_s : 0.0;
	char b[6][16];

	fprintf(out, "lists: %s allocs (%s/s), %sB, freed %sB, transient %s, failed %s\n",
		fmt_size(b[0], 16, t->allocs), fmt_rate(b[1], 16, rate),
		fmt_size(b[2], 16, t->bytes), fmt_size(b[3], 16, t->freed_bytes),
		s->kernel.avail[M_TRANSIENT] ? fmt_size(b[4], 16, t->transient) : "-",
		s->kernel.avail[M_FAILS] ? fmt_size(b[5], 16, t->fails) : "-");
}

static void eager_line(FILE *out, const struct lrutop_state *s, const struct totals *t)
{
	const struct tracer_globals *g = &s->flow.g;
	char b[6][16];

	fprintf(out, "eager: %s lists, %sB, freed %sB, failed %s, id space %s",
		fmt_size(b[0], 16, t->eager_allocs), fmt_size(b[1], 16, t->eager_bytes),
		fmt_size(b[2], 16, t->eager_freed_bytes), fmt_size(b[5], 16, t->eager_fails),
		g->id_space_known ? fmt_size(b[3], 16, g->id_space) : "unknown yet");
	if (g->growth_count)
		fprintf(out, ", %s growths", fmt_size(b[4], 16, g->growth_count));
	fputc('\n', out);
}

/* On a patched kernel: what the eager lists of before 5.18 would hold here (the state's
 * model). */
static void model_line(FILE *out, const struct lrutop_state *s)
{
	const struct kernel_census *c = &s->census;
	char b[3][16];

	if (c->pre_patch_bytes >= 0) {
		fprintf(out, "before the patch: %sB of lists (%s lrus x %d node%s x %s ids)\n",
			fmt_size(b[0], 16, c->pre_patch_bytes),
			fmt_size(b[1], 16, c->memcg_lrus), s->kernel.nr_nodes, s->kernel.nr_nodes > 1 ? "s" : "",
			fmt_size(b[2], 16, c->pre_patch_ids));
	} else if (c->memcg_lrus >= 0) {
		fprintf(out, "memcg-aware list_lrus: %lld\n", c->memcg_lrus);
	}
}

/* What no row shows: memcgs aged out, lists freed before their owner was found, drops. */
static void loss_lines(FILE *out, const struct lrutop_state *s)
{
	const struct totals *t = &s->flow.tot;
	char b[5][16];

	if (s->aging.memcgs)
		fprintf(out, "aged out: %s removed memcgs with %s lists, %sB (--keep-removed)\n",
			fmt_size(b[0], 16, s->aging.memcgs), fmt_size(b[1], 16, s->aging.stats.allocs),
			fmt_size(b[2], 16, s->aging.stats.bytes));
	if (s->aging.early)
		fprintf(out, "aged early: %s removed memcgs, for room in the map (raise --max-memcgs)\n",
			fmt_size(b[0], 16, s->aging.early));
	/* Freed before lrutop found the slot they filled: charged to no memcg row. */
	if (t->unowned_freed)
		fprintf(out, "no owner: %s lists freed before their owner was found\n",
			fmt_size(b[0], 16, t->unowned_freed));
	/* Live lists no walk has found in a slot of their cause's chain: tracepoints carry no
	 * memcg, and a list made for another memcg (zswap's, while another task reclaims) has
	 * its owner in no row. Counted, not hidden. */
	if (t->allocs > t->owned + t->unowned_freed)
		fprintf(out, "owner not found: %s lists (made outside their cause's memcgs, as by "
			"reclaim)\n", fmt_size(b[0], 16, t->allocs - t->owned - t->unowned_freed));
	/* Events whose program the kernel did not run (one already running on that CPU). */
	if (s->watching.missed)
		fprintf(out, "SKIPPED: the kernel skipped %s runs of lrutop's programs: counts may "
			"be short\n", fmt_size(b[0], 16, s->watching.missed));
	/* fentry reads each list's bytes from its slab: a slab that did not read is no 0. */
	if (t->bytes_unread)
		fprintf(out, "UNREAD: %s lists' slabs could not be read: BYTES lacks them\n",
			fmt_size(b[0], 16, t->bytes_unread));
	if (t->drops_memcg || t->drops_lru || t->drops_pair || t->drops_live || t->drops_owner)
		fprintf(out, "DROPS (--max-memcgs): memcg %s, owner %s, lru %s, pair %s, free %s\n",
			fmt_size(b[0], 16, t->drops_memcg), fmt_size(b[1], 16, t->drops_owner),
			fmt_size(b[2], 16, t->drops_lru), fmt_size(b[3], 16, t->drops_pair),
			fmt_size(b[4], 16, t->drops_live));
}

/* What lrutop's own programs cost in the interval, where the kernel's BPF statistics are on
 * or were asked for (the screen's B key shows each program). */
static void watching_line(FILE *out, const struct lrutop_state *s)
{
	const struct watching *w = &s->watching;
	double events, cpu_ms;
	char b[16];

	if (!w->started || (!w->progs.timed && !w->asked))
		return;
	if (watching_rates(s, &events, &cpu_ms))
		fprintf(out, "watching: %s events/s, %.2f ms CPU/s in %zu BPF programs\n",
			fmt_rate(b, sizeof(b), events), cpu_ms, w->progs.n);
	else
		fprintf(out, "watching: unavailable: %.57s\n", watching_why(s));
}

/* The metrics this kernel could have but this backend cannot measure. Short, so it fits a
 * terminal: the reasons are in --probe and in JSON. */
static void unmeasured_line(FILE *out, const struct lrutop_state *s)
{
	const struct probe_plan *p = s->kernel.plan;
	bool first = true;

	for (int m = 0; m < NR_METRICS; m++) {
		bool eager = m == M_EAGER || m == M_GROWTH || m == M_ID_SPACE || m == M_WOULD_PAIRS;

		/* Nothing eager exists to miss after 5.18, nothing lazy before. */
		if (s->kernel.avail[m] || (eager ? !p->pre_patch : !p->post_patch))
			continue;
		fprintf(out, "%s%s", first ? "not measured here (-): " : ", ", metric_short_name(m));
		first = false;
	}
	if (!first)
		fprintf(out, "; see --probe\n");
}

void text_header(FILE *out, const struct lrutop_state *s, const struct view *v)
{
	const struct totals *t = state_totals(s, v->cumulative);
	char tbuf[32], line[4300];
	time_t now = time(NULL);

	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", localtime(&now));
	/* A long release or hierarchy root is cut at the 80th column. */
	snprintf(line, sizeof(line), "%s %.32s %s, %s %.1fs, %s%s", tbuf, s->kernel.release,
		 backend_name(s->kernel.backend), v->cumulative ? "total" : "last",
		 v->cumulative ? (s->last.tv_sec - s->started.tv_sec) + 0.0 : s->interval_s,
		 s->cg.version ? s->cg.root : "no memory cgroup hierarchy",
		 s->cg.version ? (s->cg.version == 2 ? " (v2)" : " (v1)") : "");
	fprintf(out, "%.*s\n", TEXT_WIDTH, line);
	/* The check's full result is in --probe, JSON and on stderr at start. */
	if (s->kernel.self_check.ok == 0)
		fprintf(out, "SELF-CHECK FAILED: numbers below may be wrong (see lrutop --probe)\n");
	if (s->kernel.plan->post_patch)
		lists_line(out, s, t);
	if (s->kernel.plan->pre_patch)
		eager_line(out, s, t);
	model_line(out, s);
	held_line(out, s);
	held_kinds_line(out, s);
	loss_lines(out, s);
	watching_line(out, s);
	unmeasured_line(out, s);
}

size_t text_hists(char *buf, size_t len, const struct lrutop_state *s, const struct view *v,
		  struct memcg_row **rows, size_t n)
{
	__u64 slots[LRUTOP_MAX_SLOTS];
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	if (s->kernel.avail[M_LATENCY]) {
		off += snprintf(buf + off, len - off, "memcg_list_lru_alloc latency (%s):\n",
				v->cumulative ? "since start" : "this interval");
		off += hist_render(v->cumulative ? s->flow.g.lat : s->flow.lat_delta,
				   LRUTOP_MAX_SLOTS, "nsecs", buf + off, len - off);
		if (off >= len)
			return len - 1;
	}
	view_lists_hist(s, rows, n, slots);
	off += snprintf(buf + off, len - off, "%s per memcg (count of memcgs):\n",
			view_lists_hist_unit(s));
	if (off >= len)
		return len - 1;
	off += hist_render(slots, LRUTOP_MAX_SLOTS, view_lists_hist_unit(s), buf + off, len - off);
	return off < len ? off : len - 1;
}

static void lru_table(FILE *out, const struct lrutop_state *s)
{
	const char *where;
	char b[16];

	fprintf(out, "\n%-9s %-10s %-33s %7s %6s %6s\n", "KIND", "FSTYPE", "WHERE", "ALLOCS",
		"BYTES", "MEMCGS");
	for (size_t i = 0; i < s->flow.nr_lrus; i++) {
		const struct lru_row *l = &s->flow.lrus[i];

		where = lru_where(l->kind, &l->st.owner, l->mnt, l->where);
		fprintf(out, "%-9s %-10.10s %-33.33s %7llu %6s %6llu\n", lru_kind_name(l->kind),
			l->st.owner.fstype[0] ? l->st.owner.fstype : "-", where ? where : "-",
			(unsigned long long)l->st.allocs, fmt_size(b, sizeof(b), l->st.bytes),
			(unsigned long long)l->nmemcgs);
	}
}

void text_report(FILE *out, const struct lrutop_state *s, const struct view *v)
{
	size_t limit = v->rows ? (size_t)v->rows : 20, n, shown;
	char line[512], hbuf[16384];
	struct memcg_row **rows;
	int namew, pathw;

	text_header(out, s, v);
	/* The histograms take every row; the table, the first limit. */
	rows = view_rows(s, v, limit, v->hist, &n);
	shown = rows_shown(n, limit);
	/* Names widen the line rather than narrow the paths. */
	namew = columns_name_width(rows, shown, TEXT_WIDTH);
	namew = namew ? NAME_WIDTH : 0;
	pathw = columns_path_width(v, TEXT_WIDTH, 0);
	columns_header(line, sizeof(line), v, pathw, namew);
	fprintf(out, "%s\n", line);
	for (size_t i = 0; i < shown; i++) {
		columns_row(line, sizeof(line), s, v, rows[i], pathw, namew, -1);
		fprintf(out, "%s\n", line);
	}
	if (n > shown)
		fprintf(out, "(%zu more memcgs)\n", n - shown);
	if (v->lrus && s->kernel.avail[M_PER_LRU])
		lru_table(out, s);
	if (v->hist && text_hists(hbuf, sizeof(hbuf), s, v, rows, n))
		fprintf(out, "\n%s", hbuf);
	fputc('\n', out);
	fflush(out);
	free(rows);
}
