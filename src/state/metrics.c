// SPDX-License-Identifier: GPL-2.0
/* The per-memcg metrics, each defined once (metrics.h says what each field means). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "kernel/inventory.h"
#include "lrutop.h"
#include "metrics.h"
#include "rows.h"

#define FLOW(f)		.rule = RULE_FLOW, .off = offsetof(struct memcg_stats, f)
#define MEAN(f, per)	.rule = RULE_MEAN, .off = offsetof(struct memcg_stats, f), \
			.per_off = offsetof(struct memcg_stats, per)
#define GAUGE(f)	.rule = RULE_GAUGE, .off = offsetof(struct memcg_row, f)
#define SUM_OF(f)	.total = TOTAL_FLOW, .total_off = offsetof(struct totals, f)
#define HELD_OF(f)	.total = TOTAL_INVENTORY, .total_off = offsetof(struct inventory, f)

/* rows.c reads and subtracts a row's counters as an array of u64. */
_Static_assert(sizeof(struct memcg_stats) % sizeof(__u64) == 0, "struct memcg_stats is u64s only");
_Static_assert(sizeof(struct totals) % sizeof(__u64) == 0, "struct totals is u64s only");

#define TOTAL(f)	.off = offsetof(struct totals, f)

const struct total_metric total_metrics[NR_TOTAL_METRICS] = {
	{ "allocs", TOTAL(allocs), M_ALLOCS },
	{ "bytes", TOTAL(bytes), M_ALLOCS },
	{ "freed_bytes", TOTAL(freed_bytes), M_ALLOCS },
	{ "transient", TOTAL(transient), M_TRANSIENT, "lrutop_list_lru_transient_total",
	  "Lists freed inside the function that made them (temporary tables, lost races)." },
	{ "owned", TOTAL(owned), M_ALLOCS },
	{ "owned_bytes", TOTAL(owned_bytes), M_ALLOCS },
	{ "unowned_freed", TOTAL(unowned_freed), M_ALLOCS },
	{ "unowned_freed_bytes", TOTAL(unowned_freed_bytes), M_ALLOCS },
	{ "fails", TOTAL(fails), M_FAILS },
	{ "objs", TOTAL(objs), M_OBJS },
	{ "calls", TOTAL(calls), M_CALLS },
	{ "alloc_calls", TOTAL(alloc_calls), M_CALLS },
	{ "eager_allocs", TOTAL(eager_allocs), M_EAGER, "lrutop_list_lru_eager_allocations_total",
	  "Lists a pre-5.18 kernel allocated for every memcg id (kmalloc-32 list_lru_one)." },
	{ "eager_bytes", TOTAL(eager_bytes), M_EAGER, "lrutop_list_lru_eager_bytes_total",
	  "Bytes of those lists." },
	{ "eager_freed_bytes", TOTAL(eager_freed_bytes), M_EAGER,
	  "lrutop_list_lru_eager_freed_bytes_total", "Bytes of those lists freed since (umount)." },
	{ "eager_ids", TOTAL(eager_ids), NEED_EAGER_FENTRY },
	{ "bytes_unread", TOTAL(bytes_unread), NEED_ALWAYS },
};

const struct memcg_metric memcg_metrics[NR_MEMCG_METRICS] = {
	[MC_ALLOCS] = {
		.name = "allocs", .header = "ALLOCS", .doc = "lists allocated that the memcg owns (fills their slot)",
		.width = 6, .key = 'a', .need = M_ALLOCS,
		FLOW(allocs), .column = true, .by_cause = MC_CAUSED, .json = "allocs",
		.prom = "lrutop_list_lru_allocations_total",
		.help = "list_lru lists allocated since lrutop started (kept, not transient), by owner: the memcg whose slot each fills.",
		SUM_OF(allocs), .prom_rank = MC_BYTES,
	},
	[MC_BYTES] = {
		.name = "bytes", .header = "BYTES", .doc = "their kmalloc bytes",
		.width = 5, .key = 'b', .need = M_ALLOCS,
		FLOW(bytes), .column = true, .by_cause = MC_CAUSED_BYTES, .json = "bytes",
		.prom = "lrutop_list_lru_bytes_total",
		.help = "Bytes (kmalloc bytes_alloc) of those lists.",
		SUM_OF(bytes), .prom_rank = MC_BYTES,
	},
	/* By cause, FREED has no meaning: a list is freed from its owner's slot. */
	[MC_FREED] = {
		.name = "freed", .header = "FREED", .doc = "bytes of its lists freed since",
		.width = 5, .key = 'r', .need = M_FREED,
		FLOW(freed_bytes), .column = true, .by_cause = MC_NONE, .json = "freed_bytes",
		.prom = "lrutop_list_lru_freed_bytes_total",
		.help = "Bytes of those lists freed since.",
		SUM_OF(freed_bytes), .prom_rank = MC_BYTES,
	},
	[MC_HELD] = {
		.name = "held", .header = "HELD", .doc = "lists it holds now (inventory walk)",
		.width = 5, .key = 'n', .need = NEED_INVENTORY,
		GAUGE(held), .column = true, .by_cause = MC_HELD, .json = "held_lists",
		.prom = "lrutop_memcg_held_lists",
		.help = "Lists each memcg holds now, the --top holders one by one, the rest as cgroup=\"other\".",
		HELD_OF(lists), .prom_rank = MC_HELD,
	},
	[MC_HELD_BYTES] = {
		.name = "held-bytes", .header = "HBYTES", .doc = "bytes of the lists it holds now",
		.width = 6, .key = 'm',
		.need = NEED_INVENTORY, GAUGE(held_bytes), .column = true,
		.by_cause = MC_HELD_BYTES, .json = "held_bytes",
		.prom = "lrutop_memcg_held_bytes",
		.help = "Bytes (slab slots) of the lists each memcg holds now, by the same --top holders.",
		HELD_OF(bytes), .prom_rank = MC_HELD,
	},
	[MC_EMPTY] = {
		.name = "empty", .header = "EMPTY", .doc = "of the lists it holds now, those with no object",
		.width = 5, .key = 'e', .need = NEED_INVENTORY,
		GAUGE(held_empty), .column = true, .by_cause = MC_EMPTY, .json = "held_empty",
		.prom = "lrutop_memcg_held_empty_lists",
		.help = "Of the lists each memcg holds now, those holding no object.",
		HELD_OF(empty), .prom_rank = MC_HELD,
	},
	[MC_FAILS] = {
		.name = "fails", .header = "FAILS", .doc = "allocator calls that failed (fentry)",
		.width = 5, .key = 'f', .need = M_FAILS,
		FLOW(fails), .column = true, .by_cause = MC_FAILS, .json = "fails",
		.prom = "lrutop_list_lru_failures_total",
		.help = "memcg_list_lru_alloc calls that failed (returned non-zero).",
		SUM_OF(fails), .prom_rank = MC_BYTES,
	},
	[MC_OBJS] = {
		.name = "objs", .header = "OBJS", .doc = "dentries and inodes from kmem_cache_alloc_lru (fentry)",
		.width = 5, .key = 'o', .need = M_OBJS,
		FLOW(objs), .by_cause = MC_OBJS, .json = "objs",
		.prom = "lrutop_list_lru_objects_total",
		.help = "Objects allocated by kmem_cache_alloc_lru (dentries, inodes).",
		SUM_OF(objs), .prom_rank = MC_BYTES,
	},
	[MC_CALLS] = {
		.name = "calls", .header = "CALLS", .doc = "memcg_list_lru_alloc calls (fentry)",
		.width = 5, .key = 'c', .need = M_CALLS,
		FLOW(calls), .by_cause = MC_CALLS, .json = "calls",
		.prom = "lrutop_list_lru_alloc_calls_total",
		.help = "Calls of memcg_list_lru_alloc.",
		SUM_OF(calls), .prom_rank = MC_BYTES,
	},
	/* Its Prometheus family is a histogram (prom.c), not one number per cgroup. */
	[MC_LAT] = {
		.name = "lat", .header = "LAT", .doc = "mean ns a call of memcg_list_lru_alloc (fentry)",
		.width = 5, .key = 'l', .need = M_LATENCY,
		MEAN(lat_ns, calls), .column = true, .by_cause = MC_LAT, .json = "lat_ns_avg",
	},
	[MC_LRUS] = {
		.name = "lrus", .header = "LRUS", .doc = "distinct list_lrus it got a list on",
		.width = 5, .key = 'u', .need = M_PER_LRU,
		GAUGE(nlrus), .column = true, .by_cause = MC_LRUS, .json = "lrus",
	},
	[MC_CAUSED] = {
		.name = "caused", .header = "CAUSED", .doc = "lists its allocations made the kernel create, any owner",
		.width = 6, .need = M_ALLOCS,
		FLOW(caused_allocs), .by_cause = MC_CAUSED, .json = "caused_allocs",
		.prom = "lrutop_list_lru_caused_allocations_total",
		.help = "list_lru lists allocated since lrutop started, by cause: the memcg whose allocation made the kernel create them.",
		SUM_OF(allocs), .prom_rank = MC_BYTES,
	},
	[MC_CAUSED_BYTES] = {
		.name = "caused-bytes", .header = "CBYTES", .doc = "their bytes",
		.width = 6, .need = M_ALLOCS,
		FLOW(caused_bytes), .by_cause = MC_CAUSED_BYTES, .json = "caused_bytes",
		.prom = "lrutop_list_lru_caused_bytes_total",
		.help = "Bytes of those lists, by cause.",
		SUM_OF(bytes), .prom_rank = MC_BYTES,
	},
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
