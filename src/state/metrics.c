// SPDX-License-Identifier: GPL-2.0
/* The tables of metrics.def (metrics.h says what each field means). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "kernel/inventory.h"
#include "lrutop.h"
#include "metrics.h"
#include "rows.h"
#include "state.h"

#define FLOW(f)		.rule = RULE_FLOW, .off = offsetof(struct memcg_stats, f)
#define MEAN(f, per)	.rule = RULE_MEAN, .off = offsetof(struct memcg_stats, f), \
			.per_off = offsetof(struct memcg_stats, per)
#define GAUGE(f)	.rule = RULE_GAUGE, .off = offsetof(struct memcg_row, f)
#define SUM_OF(f)	.total = TOTAL_FLOW, .total_off = offsetof(struct totals, f)
#define HELD_OF(f)	.total = TOTAL_INVENTORY, .total_off = offsetof(struct inventory, f)

/* rows.c reads and subtracts a row's counters as an array of u64. */
_Static_assert(sizeof(struct memcg_stats) % sizeof(__u64) == 0, "struct memcg_stats is u64s only");
_Static_assert(sizeof(struct totals) % sizeof(__u64) == 0, "struct totals is u64s only");

const struct total_metric total_metrics[NR_TOTAL_METRICS] = {
#define TOTAL_METRIC(field, need_, prom_, help_) \
	[TM_##field] = { .json = #field, .off = offsetof(struct totals, field), .need = need_, \
			 .prom = prom_, .help = help_ },
#define MEMCG_METRIC(...)
#define GAUGE_METRIC(...)
#include "state/metrics.def"
#undef GAUGE_METRIC
#undef MEMCG_METRIC
#undef TOTAL_METRIC
};

const struct memcg_metric memcg_metrics[NR_MEMCG_METRICS] = {
#define MEMCG_METRIC(id, ...) [MC_##id] = { __VA_ARGS__ },
#define TOTAL_METRIC(...)
#define GAUGE_METRIC(...)
#include "state/metrics.def"
#undef GAUGE_METRIC
#undef TOTAL_METRIC
#undef MEMCG_METRIC
};

#define GAUGE_OFF_HELD(f)	offsetof(struct inventory, f)
#define GAUGE_OFF_CENSUS(f)	offsetof(struct kernel_census, f)

_Static_assert(sizeof(long long) == sizeof(__u64), "census counts are read as 64 bits");

const struct gauge_metric gauge_metrics[NR_GAUGE_METRICS] = {
#define MEMCG_METRIC(...)
#define TOTAL_METRIC(...)
#define GAUGE_METRIC(source_, field, prom_, help_) \
	[GM_##field] = { .source = GAUGE_##source_, .off = GAUGE_OFF_##source_(field), \
			 .prom = prom_, .help = help_ },
#include "state/metrics.def"
#undef GAUGE_METRIC
#undef TOTAL_METRIC
#undef MEMCG_METRIC
};

int memcg_metric_parse(const char *name)
{
	if (!strcmp(name, "path"))
		return SORT_PATH;
	for (int m = 0; m < NR_MEMCG_METRICS; m++) {
		if (!strcmp(name, memcg_metrics[m].name))
			return m;
	}
	return -EINVAL;
}

const char *sort_key_name(int key)
{
	return key == SORT_PATH ? "path" : memcg_metrics[key].name;
}

uint32_t memcg_columns_default(void)
{
	uint32_t c = 0;

	for (int m = 0; m < NR_MEMCG_METRICS; m++) {
		if (memcg_metrics[m].column)
			c |= 1u << m;
	}
	return c;
}

int memcg_columns_parse(const char *list, uint32_t *columns, char *bad, size_t len)
{
	char buf[256], *save, *name;
	uint32_t c = 0;
	int m;

	snprintf(buf, sizeof(buf), "%s", list);
	for (name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		if (!strcmp(name, "all")) {
			c |= (1u << NR_MEMCG_METRICS) - 1;
			continue;
		}
		if (!strcmp(name, "default")) {
			c |= memcg_columns_default();
			continue;
		}
		m = memcg_metric_parse(name);
		if (m < 0 || m == SORT_PATH) {
			if (bad)
				snprintf(bad, len, "%s", name);
			return -EINVAL;
		}
		c |= 1u << m;
	}
	if (!c) {
		if (bad)
			snprintf(bad, len, "%s", list);
		return -EINVAL;
	}
	*columns = c;
	return 0;
}
