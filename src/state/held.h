/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_HELD_H
#define __LRUTOP_HELD_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/types.h>
#include "kernel/inventory.h"

struct lrutop_state;
struct probe_plan;

/* The inventory's programs, loading in a thread of their own, which then walks the first
 * pass when told to. */
struct held_preload {
	pthread_t thread;
	bool started;
	const struct probe_plan *plan;
	struct inventory_walker *walker;
	int err;
	bool done;		/* the thread is done: joining it will not wait */
	char why[256];
	pthread_mutex_t lock;
	pthread_cond_t told;
	int order;		/* 0: wait; 1: walk the first pass; -1: end without it */
	struct inventory inv;	/* the first pass, when walked is set */
	bool walked;
	double walked_at;	/* CLOCK_MONOTONIC seconds, when it began */
};

/*
 * Start loading the inventory's programs in a thread: 45 ms that the self-check and the
 * first interval hide, a fifth of lrutop's start-up when they were loaded in turn.
 * held_open() then has it walk the first pass during the first interval.
 */
void held_preload(struct held_preload *p, const struct probe_plan *plan);
/* Wait for a preload and close what it loaded (a start-up that failed). */
void held_preload_drop(struct held_preload *p);
/* The inventory's walk for the live view, every interval_s seconds (0: never): preloaded if
 * p started (its thread walks the first pass now, which the first report takes; p must live
 * until then), else loaded now. Call it after the self-check: a pass while it ran would
 * count its lists. Where it cannot run, s->held.why says why; that is no error. */
void held_open(struct lrutop_state *s, double interval_s, struct held_preload *p);
/* Wait for a preloaded walker now, not at the first pass after the baseline (an export
 * publishes every series at once). */
void held_wait(struct lrutop_state *s);
/* Walk again if the interval has passed (now: CLOCK_MONOTONIC seconds), and give each
 * memcg row what it holds now; a memcg holding lists gets a row if it had none. */
void held_refresh(struct lrutop_state *s, double now);
/* Walk now, counting apart one memcg's lists on each list_lru and one list_lru's at each
 * memcg (0: none), and from then on at each pass: what the screen drills down to. */
void held_focus(struct lrutop_state *s, __u64 cgid, __u64 lru, double now);
void held_close(struct lrutop_state *s);
/* The lists held, and their bytes, summed by the kind of their list_lru (NR_LRUTOP_LRU_KINDS
 * each, zeroed here): the inventory's pass. */
void held_by_kind(const struct inventory *inv, __u64 *lists, __u64 *bytes);

#endif
