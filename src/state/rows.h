/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_ROWS_H
#define __LRUTOP_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "lrutop.h"
#include "lib/cgroup_names.h"
#include "metrics.h"


/* Seconds a removed memcg keeps its row before it is aged out (--keep-removed). */
#define LRUTOP_KEEP_REMOVED_S	60

/* A row's last interval (struct memcg_row's delta): none, all its counters (its first read),
 * or an interval kept in the table's deltas, from ROW_DELTA_AT on. */
enum {
	ROW_DELTA_NONE = 0,
	ROW_DELTA_CUM = 1,
	ROW_DELTA_AT = 2,
};

/* One memcg as userspace keeps it: its counters at the last read, its path, what it holds. */
struct memcg_row {
	uint64_t cgid;
	char *path;		/* NULL until resolved */
	struct cgroup_name name;	/* what the path names (unit, pod, container), if named */
	struct memcg_stats cum;
	uint64_t nlrus;		/* distinct list_lrus that got a list for it (fentry) */
	uint64_t held;		/* lists it holds now, from the last inventory */
	uint64_t held_bytes;	/* their bytes */
	uint64_t held_empty;	/* of those, holding no object */
	double removed_at;	/* CLOCK_MONOTONIC seconds its removal was seen, 0 while it exists */
	uint32_t delta;		/* ROW_DELTA_*: memcg_row_delta() */
	bool removed;		/* its directory is gone */
	bool mkdir_looked_up;	/* the path caught at mkdir was asked for once */
	bool aged;		/* removed long enough ago: to be dropped (memcg_table_compact) */
	bool named;		/* a layout matched the path: name holds it */
};

/*
 * The memcgs, sorted by cgid, and the slots of the per-memcg array they were read from: the
 * steady state of a refresh compares each slot's memcg with the last read's and reads its
 * row, with no search and no sort.
 */
struct memcg_table {
	struct memcg_row *rows;
	size_t nr, cap;
	struct memcg_stats *deltas;	/* the last read's intervals of the rows that moved */
	size_t nr_deltas, deltas_cap;
	uint64_t *slot_cgid;	/* the memcg of each slot at the last read, 0 for none */
	uint32_t *slot_row;	/* its row */
	size_t nr_slots;
	bool slots_moved;	/* rows moved since slot_row was made */
	size_t sorted;		/* rows before the read's new ones */
	size_t read_live;	/* slots holding a memcg at the last read */
	size_t added;		/* rows the last read brought */
	__u64 changes;		/* rows added or dropped since start: what a join redoes on */
};

/* sum += add, field by field. */
void memcg_stats_add(struct memcg_stats *sum, const struct memcg_stats *add);
/*
 * One read of the per-memcg slots, a window of n slots from first at a time (cgid 0: a free
 * one), between begin and end. Rows not read keep their counters, with no interval.
 */
int memcg_table_read_begin(struct memcg_table *t, size_t nr_slots);
int memcg_table_read(struct memcg_table *t, const struct memcg_entry *e, size_t first, size_t n);
void memcg_table_read_end(struct memcg_table *t);
/* All three, for slots in one array. */
int memcg_table_update(struct memcg_table *t, const struct memcg_entry *e, size_t n);
/* A row's last interval. */
const struct memcg_stats *memcg_row_delta(const struct memcg_table *t, const struct memcg_row *r);
struct memcg_row *memcg_table_find(struct memcg_table *t, uint64_t cgid);
/* Rows for the ids not in the table yet (a memcg the inventory finds holding lists made
 * before lrutop started). 0, or -ENOMEM. */
int memcg_table_add(struct memcg_table *t, const uint64_t *ids, size_t n);
/* Drop the rows marked aged. */
void memcg_table_compact(struct memcg_table *t);
void memcg_table_free(struct memcg_table *t);

/* Metric m of a row of t (metrics.h): the interval's, or since start if cumulative. */
uint64_t memcg_metric_value(const struct memcg_table *t, const struct memcg_row *r, int m,
			    bool cumulative);
/* Which rows a view shows: all of them with no field set. */
struct row_filter {
	const char *subtree;	/* a path: the memcgs within it */
	const char *name;	/* a unit, a pod or a container the memcg is in (-c NAME) */
	const char *text;	/* the screen's filter: in the path or the short name */
};
bool row_filter_has(const struct row_filter *f, const struct memcg_row *r);
/* A row's path (or "<id N>") and what a layout names in it, after they change. */
void memcg_row_set_path(struct memcg_row *r, char *path);

/*
 * Rows the filter lets through (all if NULL), by a metric largest first, or by path
 * (SORT_PATH) A to Z, into out (room for t->nr). Returns how many the filter lets through.
 * With a limit, only the first limit are in order: a screen of 50 rows need not sort
 * 100,000. The rest follow in no order if rest is set, else are not stored (a report that
 * shows the first limit alone need not pass over 100,000 rows again).
 */
size_t memcg_table_view(const struct memcg_table *t, const struct row_filter *f, int k,
			bool cumulative, size_t limit, bool rest, struct memcg_row **out);

#endif
