/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_ROWS_H
#define __LRUTOP_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "lrutop.h"
#include "metrics.h"


/* Seconds a removed memcg keeps its row before it is aged out (--keep-removed). */
#define LRUTOP_KEEP_REMOVED_S	60

/* One memcg as userspace keeps it: cumulative counters, the last interval's delta, its path. */
struct memcg_row {
	uint64_t cgid;
	char *path;		/* NULL until resolved */
	bool removed;		/* its directory is gone */
	bool mkdir_looked_up;	/* the path caught at mkdir was asked for once */
	bool aged;		/* removed long enough ago: to be dropped (memcg_table_compact) */
	double removed_at;	/* CLOCK_MONOTONIC seconds its removal was seen, 0 while it exists */
	struct memcg_stats cum;
	struct memcg_stats delta;
	uint64_t nlrus;		/* distinct list_lrus that got a list for it (fentry) */
	uint64_t held;		/* lists it holds now, from the last inventory */
	uint64_t held_bytes;	/* their bytes */
	uint64_t held_empty;	/* of those, holding no object */
};

struct memcg_table {
	struct memcg_row *rows;	/* sorted by cgid */
	size_t nr, cap;
	/*
	 * The row of each entry of the last read, in the map's order: a hash map gives its
	 * keys in the same order while none come or go, so the next read needs no sort.
	 */
	size_t *read_rows;
	size_t read_nr;		/* 0: no order to reuse */
	size_t added;		/* rows the last update brought */
};

/* sum += add, field by field. */
void memcg_stats_add(struct memcg_stats *sum, const struct memcg_stats *add);
/* Merge one read of the per-memcg map: rows not in it keep their counters. */
int memcg_table_update(struct memcg_table *t, const __u64 *ids, const struct memcg_stats *vals,
		       size_t n);
struct memcg_row *memcg_table_find(struct memcg_table *t, uint64_t cgid);
/* Rows for the ids not in the table yet (a memcg the inventory finds holding lists made
 * before lrutop started). 0, or -ENOMEM. */
int memcg_table_add(struct memcg_table *t, const uint64_t *ids, size_t n);
/* Drop the rows marked aged. */
void memcg_table_compact(struct memcg_table *t);
void memcg_table_free(struct memcg_table *t);

/* Metric m of a row (metrics.h): the interval's, or since start if cumulative. */
uint64_t memcg_metric_value(const struct memcg_row *r, int m, bool cumulative);
/*
 * Rows whose path lies within subtree (all if NULL), by a metric largest first, or by path
 * (SORT_PATH) A to Z. Returns
 * how many pointers were stored in out (room for t->nr). With a limit, only the first limit
 * are in order, the rest follow in no order: a screen of 50 rows need not sort 100,000.
 */
size_t memcg_table_view(const struct memcg_table *t, const char *subtree, int k,
			bool cumulative, size_t limit, struct memcg_row **out);

#endif
