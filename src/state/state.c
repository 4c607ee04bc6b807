// SPDX-License-Identifier: GPL-2.0
/* A refresh: the tracer read, rows merged, paths resolved, removed memcgs aged, the
 * inventory walked when due; each part by its own module. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include "groups.h"
#include "held.h"
#include "lrus.h"
#include "memcgs.h"
#include "metrics.h"
#include "kernel/nodes.h"
#include "lib/model.h"
#include "state.h"

/* NUMA nodes online: the nodes lrutop reports. */
static int count_nodes(void)
{
	struct node_list nl;

	node_list_read("/sys/devices/system/node/online", &nl);
	return nl.count;
}

void kernel_facts_init(struct kernel_facts *k, const struct probe_plan *plan,
			      enum backend backend)
{
	char why[160];
	struct utsname u;

	k->plan = plan;
	k->backend = backend;
	for (int m = 0; m < NR_METRICS; m++)
		k->avail[m] = probe_metric_available(plan, backend, m, why, sizeof(why));
	k->nr_nodes = count_nodes();
	if (!uname(&u))
		snprintf(k->release, sizeof(k->release), "%s", u.release);
}

static void count_memcg_lrus(struct lrutop_state *s)
{
	long long n = tracer_count_memcg_lrus(&s->tracer);

	if (n >= 0)
		s->census.memcg_lrus = n;
}

void state_model_pre_patch(struct lrutop_state *s)
{
	struct kernel_census *c = &s->census;

	c->pre_patch_ids = c->pre_patch_bytes = -1;
	if (!s->kernel.plan->post_patch || c->memcg_lrus < 0 || c->kernel_memcgs_peak < 0)
		return;
	c->pre_patch_ids = pre_patch_id_space(c->kernel_memcgs_peak);
	c->pre_patch_bytes = pre_patch_bytes(c->memcg_lrus, s->kernel.nr_nodes, c->pre_patch_ids);
}

int state_init(struct lrutop_state *s, struct lrutop_bpf *skel, const struct probe_plan *plan,
	       enum backend backend)
{
	int err;

	memset(s, 0, sizeof(*s));
	err = tracer_init(&s->tracer, skel);
	if (err)
		return err;
	kernel_facts_init(&s->kernel, plan, backend);
	s->census.memcg_lrus = -1;
	memcgs_init(s);
	count_memcg_lrus(s);
	memcgs_count(s);
	state_model_pre_patch(s);
	clock_gettime(CLOCK_MONOTONIC, &s->started);
	s->last = s->started;
	return 0;
}

/* The tracer's counters now, and the interval since the last read. */
static int read_flow(struct lrutop_state *s)
{
	struct tracer_globals g;
	struct totals now;
	int err;

	err = tracer_read_counts(&s->tracer, &now, &g);
	if (err)
		return err;
	u64s_sub(&s->flow.delta, &now, &s->flow.tot, sizeof(now));
	s->flow.tot = now;
	u64s_sub(s->flow.lat_delta, g.lat, s->flow.g.lat, sizeof(g.lat));
	u64s_sub(s->flow.lat_alloc_delta, g.lat_alloc, s->flow.g.lat_alloc, sizeof(g.lat_alloc));
	s->flow.g = g;
	return 0;
}

static int read_slots(void *table, const struct memcg_entry *e, size_t first, size_t n)
{
	return memcg_table_read(table, e, first, n);
}

static int read_rows(struct lrutop_state *s)
{
	int err;

	tracer_recycle_slots(&s->tracer);
	err = memcg_table_read_begin(&s->memcgs, s->tracer.memcg_slots);
	if (!err)
		err = tracer_read_memcgs(&s->tracer, read_slots, &s->memcgs);
	memcg_table_read_end(&s->memcgs);
	if (!err)
		err = tracer_read_lrus(&s->tracer);
	if (!err)
		err = lrus_update(s);
	if (!err)
		lrus_join_pairs(s);
	return err;
}

/*
 * Memcgs removed in the last few seconds holding lists lrutop saw made and not freed: the
 * kernel frees those lists as the memcg goes offline, right after its removal. Later, the
 * look would cost each refresh a walk of the live lists for nothing.
 */
#define FREE_CHECK_S	5.0

static void check_removed_freed(struct lrutop_state *s, double now)
{
	__u64 cgids[LRUTOP_FREEING];
	size_t n = 0;

	/* No list counted and not freed: none can have been freed unseen. */
	if (s->flow.tot.bytes <= s->flow.tot.freed_bytes)
		return;
	for (size_t i = 0; i < s->memcgs.nr && n < LRUTOP_FREEING; i++) {
		const struct memcg_row *r = &s->memcgs.rows[i];

		if (r->removed && now - r->removed_at < FREE_CHECK_S &&
		    r->cum.bytes > r->cum.freed_bytes)
			cgids[n++] = r->cgid;
	}
	tracer_check_freed(&s->tracer, cgids, n);
}

int state_refresh(struct lrutop_state *s)
{
	struct timespec ts;
	double now;
	int err;

	/* The interval ends when the counters are read, not after the paths are resolved. */
	tracer_resolve_owners(&s->tracer);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec + ts.tv_nsec / 1e9;
	check_removed_freed(s, now);
	err = read_flow(s);
	watching_refresh(s);
	if (!err)
		err = read_rows(s);
	if (err)
		return err;
	count_memcg_lrus(s);
	held_refresh(s, now);
	memcgs_resolve_paths(s, now);
	memcgs_count(s);	/* after the index (cgroup v1) is up to date */
	memcgs_age(s, now);
	err = groups_update(s);
	if (err)
		return err;
	state_model_pre_patch(s);
	s->interval_s = (ts.tv_sec - s->last.tv_sec) + (ts.tv_nsec - s->last.tv_nsec) / 1e9;
	s->last = ts;
	s->refreshes++;
	return 0;
}

bool state_measures(const struct lrutop_state *s, int need)
{
	switch (need) {
	case NEED_INVENTORY:
		return s->held.valid;
	case NEED_ALWAYS:
		return true;
	case NEED_EAGER_FENTRY:
		return s->kernel.avail[M_EAGER] && s->kernel.backend == BACKEND_FENTRY;
	default:
		return s->kernel.avail[need];
	}
}

const struct totals *state_totals(const struct lrutop_state *s, bool cumulative)
{
	return cumulative ? &s->flow.tot : &s->flow.delta;
}

void state_free(struct lrutop_state *s)
{
	watching_free(s);
	held_close(s);
	memcg_table_free(&s->memcgs);
	groups_free(s);
	lrus_free(s);
	memcgs_free(s);
	tracer_free(&s->tracer);
	memset(s, 0, sizeof(*s));
}
