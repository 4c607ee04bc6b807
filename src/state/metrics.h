/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_METRICS_H
#define __LRUTOP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/probe.h"

/*
 * The per-memcg metrics, each defined once in metrics.def. Rows and their sort keys, the text
 * and screen columns, JSON Lines, Prometheus and the option parser all iterate over their
 * table (README, "Layout").
 */
enum memcg_metric_id {
#define MEMCG_METRIC(id, ...) MC_##id,
#define TOTAL_METRIC(...)
#define GAUGE_METRIC(...)
#include "state/metrics.def"
#undef GAUGE_METRIC
#undef TOTAL_METRIC
#undef MEMCG_METRIC
	NR_MEMCG_METRICS,
};

/* Sort by path: the one sort key that is no metric. */
#define SORT_PATH NR_MEMCG_METRICS
#define MC_NONE (-1)

/* Measurable where an inventory pass was taken (held.c), not where a probe metric is. */
#define NEED_INVENTORY NR_METRICS

/* How a row's value is read, and what an interval of it is. */
enum metric_rule {
	RULE_FLOW,	/* a counter of struct memcg_stats: an interval shows its delta */
	RULE_MEAN,	/* one counter of struct memcg_stats over another, of the interval or all */
	RULE_GAUGE,	/* a field of struct memcg_row: the same in an interval and in total */
};

/* Where the total of a Prometheus family is (the cgroup="other" series is it less the top). */
enum metric_total {
	TOTAL_NONE,
	TOTAL_FLOW,		/* struct totals */
	TOTAL_INVENTORY,	/* struct inventory */
};

struct memcg_metric {
	const char *name;	/* -s and -o name */
	const char *header;	/* column header, at most width characters */
	const char *doc;	/* what it is, in a few words (-o help) */
	int width;		/* at least the 5 characters of a cell (value and unit) */
	int key;		/* the screen's sort key, 0 if none */
	int need;		/* enum metric measured with this kernel and backend, or NEED_INVENTORY */
	enum metric_rule rule;
	size_t off;		/* FLOW, MEAN: in struct memcg_stats; GAUGE: in struct memcg_row */
	size_t per_off;		/* MEAN: the divisor, in struct memcg_stats */
	bool column;		/* among the default columns (80 wide) */
	int by_cause;		/* the metric its column shows by cause; MC_NONE: "-"; or its own id */
	const char *json;	/* key of JSON Lines' memcgs[] */
	const char *prom;	/* Prometheus family per cgroup: counter (FLOW) or gauge; NULL: none */
	const char *help;
	enum metric_total total;
	size_t total_off;	/* in struct totals or struct inventory */
	int prom_rank;		/* the metric the --top cgroups are picked by */
};

extern const struct memcg_metric memcg_metrics[NR_MEMCG_METRICS];

/* The counter at off in a struct of u64 counters (the tables' offsets). */
static inline uint64_t u64_at(const void *base, size_t off)
{
	return *(const uint64_t *)((const char *)base + off);
}

/* Measured wherever lrutop runs; measured by the fentry backend on an eager kernel. */
#define NEED_ALWAYS	(NR_METRICS + 1)
#define NEED_EAGER_FENTRY (NR_METRICS + 2)

/* The totals of struct totals that the outputs name (metrics.def, TOTAL_METRIC). */
struct total_metric {
	const char *json;	/* its key under JSON Lines' totals: the field's name */
	size_t off;		/* in struct totals */
	int need;		/* NEED_* above, or an enum metric */
	const char *prom;	/* its own counter family, or NULL */
	const char *help;
};

enum total_metric_id {
#define MEMCG_METRIC(...)
#define TOTAL_METRIC(field, ...) TM_##field,
#define GAUGE_METRIC(...)
#include "state/metrics.def"
#undef GAUGE_METRIC
#undef TOTAL_METRIC
#undef MEMCG_METRIC
	NR_TOTAL_METRICS,
};
extern const struct total_metric total_metrics[NR_TOTAL_METRICS];

/* The kernel-wide gauges of their own Prometheus family (metrics.def, GAUGE_METRIC). */
enum gauge_source {
	GAUGE_HELD,	/* struct inventory, u64 */
	GAUGE_CENSUS,	/* struct kernel_census, long long, -1 if unknown */
};

struct gauge_metric {
	enum gauge_source source;
	size_t off;
	const char *prom;
	const char *help;
};

enum gauge_metric_id {
#define MEMCG_METRIC(...)
#define TOTAL_METRIC(...)
#define GAUGE_METRIC(source, field, ...) GM_##field,
#include "state/metrics.def"
#undef GAUGE_METRIC
#undef TOTAL_METRIC
#undef MEMCG_METRIC
	NR_GAUGE_METRICS,
};
extern const struct gauge_metric gauge_metrics[NR_GAUGE_METRICS];

/* The metric (or SORT_PATH for "path") with that name; -EINVAL if none. */
int memcg_metric_parse(const char *name);
/* "path" for SORT_PATH. */
const char *sort_key_name(int key);
/* Column set as a bit per metric: "allocs,bytes,objs", "all" or "default". -EINVAL and the
 * bad name in bad (may be NULL) if one is unknown. */
int memcg_columns_parse(const char *list, uint32_t *columns, char *bad, size_t len);
uint32_t memcg_columns_default(void);

#endif
