// SPDX-License-Identifier: GPL-2.0
/* What lrutop's own BPF programs cost: the kernel's counts of each, at each refresh. */
#include <stdlib.h>
#include <string.h>
#include "kernel/inventory.h"
#include "kernel/loader.h"
#include "lrutop.skel.h"
#include "state.h"
#include "watching.h"

/* The plan's targets for the tracer's fentry and fexit programs. */
struct tracer_targets {
	const struct probe_plan *plan;
	const struct lrutop_bpf *skel;
};

static const char *tracer_target(const void *ctx, const struct bpf_program *prog)
{
	const struct tracer_targets *t = ctx;

	return loader_prog_target(t->plan, t->skel, prog);
}

void watching_start(struct lrutop_state *s, bool hold)
{
	struct watching *w = &s->watching;
	struct tracer_targets t = { .plan = s->kernel.plan, .skel = s->tracer.skel };

	prog_costs_init(&w->progs);
	/*
	 * LRUTOP_FAULT_SKIPPED_RUNS=N: each read finds N more runs skipped than the kernel
	 * counted, as on a kernel that skips them all the time. For tests of what follows (the
	 * self-check run again, the reports' flag); nothing else reads it.
	 */
	w->fault_missed = strtoull(getenv("LRUTOP_FAULT_SKIPPED_RUNS") ?: "0", NULL, 10);
	w->started = true;
	w->asked = hold;
	if (hold)
		prog_costs_hold(&w->progs);
	prog_costs_add(&w->progs, s->tracer.skel->obj, tracer_target, &t);
	prog_costs_read(&w->progs);
}

void watching_refresh(struct lrutop_state *s)
{
	struct watching *w = &s->watching;
	struct prog_costs *c = &w->progs;
	__u64 runs[PROG_COSTS_MAX], ns[PROG_COSTS_MAX], misses[PROG_COSTS_MAX];
	size_t had = c->n;
	bool was_timed = c->timed;

	for (size_t i = 0; i < c->n; i++) {
		runs[i] = c->progs[i].runs;
		ns[i] = c->progs[i].run_ns;
		misses[i] = c->progs[i].misses;
	}
	/* Loaded in its thread after the tracer: counted from 0, as they loaded. */
	if (s->held.walker && !w->inventory_added) {
		prog_costs_add(c, inventory_walker_object(s->held.walker), NULL, NULL);
		w->inventory_added = true;
	}
	for (size_t i = had; i < c->n; i++)
		runs[i] = ns[i] = misses[i] = 0;
	w->runs = w->run_ns = w->interval_missed = 0;
	if (prog_costs_read(c)) {
		c->timed = false;
		snprintf(c->why, sizeof(c->why), "a program's counts could not be read");
	}
	w->interval_timed = was_timed && c->timed;
	for (size_t i = 0; i < c->n; i++) {
		w->interval_runs[i] = c->progs[i].runs - runs[i];
		w->interval_ns[i] = c->progs[i].run_ns - ns[i];
		w->runs += w->interval_runs[i];
		w->run_ns += w->interval_ns[i];
		w->interval_missed += c->progs[i].misses - misses[i];
	}
	w->interval_missed += w->fault_missed;
	w->missed += w->interval_missed;
}

void watching_mark(struct lrutop_state *s)
{
	watching_refresh(s);
	s->watching.missed = 0;
}

bool watching_rates(const struct lrutop_state *s, double *events_s, double *cpu_ms_s)
{
	const struct watching *w = &s->watching;

	if (!w->interval_timed || s->interval_s <= 0)
		return false;
	*events_s = w->runs / s->interval_s;
	*cpu_ms_s = w->run_ns / 1e6 / s->interval_s;
	return true;
}

const char *watching_why(const struct lrutop_state *s)
{
	const struct watching *w = &s->watching;

	if (!w->started)
		return "lrutop's programs are not loaded";
	if (w->progs.timed)
		return "the BPF statistics came on in this interval";
	return w->progs.why;
}

bool watching_held(const struct lrutop_state *s)
{
	return s->watching.started && s->watching.progs.stats_fd >= 0;
}

void watching_free(struct lrutop_state *s)
{
	if (s->watching.started)
		prog_costs_release(&s->watching.progs);
	s->watching.started = false;
}
