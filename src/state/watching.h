/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_WATCHING_H
#define __LRUTOP_WATCHING_H

#include <stdbool.h>
#include "kernel/progstats.h"

struct lrutop_state;

/* What lrutop's own programs cost while it watches: since they loaded, and in the last
 * interval (watching.c). */
struct watching {
	struct prog_costs progs;
	bool started;		/* watching_start ran: progs is set up */
	bool asked;		/* the statistics were asked for (held, or refused) */
	bool inventory_added;	/* the inventory's programs are in progs */
	bool interval_timed;	/* the statistics were on at both ends of the interval */
	__u64 interval_runs[PROG_COSTS_MAX], interval_ns[PROG_COSTS_MAX];
	__u64 runs, run_ns;	/* the interval's, every program */
	/* Runs the kernel skipped, every program: in the interval, and since watching_mark. A
	 * skipped run is an event lrutop did not count, so its counts may fall short. */
	__u64 interval_missed, missed;
	__u64 fault_missed;	/* LRUTOP_FAULT_SKIPPED_RUNS: added at each read, for tests */
};

/* The tracer's programs, their counts from now on; hold: turn the kernel's BPF statistics
 * on for as long as the state lives (else they are read only if something else turned them
 * on). Called once the tracer is attached, before its first events are wanted. */
void watching_start(struct lrutop_state *s, bool hold);
/* At each refresh: the counts now, the inventory's programs once its walker is loaded. */
void watching_refresh(struct lrutop_state *s);
/* Read the counts now and count skipped runs from here: the self-check's are its own. */
void watching_mark(struct lrutop_state *s);
void watching_free(struct lrutop_state *s);
/* Why the interval's costs are unknown (interval_timed false). */
const char *watching_why(const struct lrutop_state *s);
/* Does lrutop hold the kernel's BPF statistics on? */
bool watching_held(const struct lrutop_state *s);
/* The interval's rates, every program: runs a second and milliseconds of CPU a second. */
bool watching_rates(const struct lrutop_state *s, double *events_s, double *cpu_ms_s);

#endif
