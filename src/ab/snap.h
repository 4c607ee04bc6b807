/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_SNAP_H
#define __LRUTOP_SNAP_H

#include "lrutop.h"	/* NR_LRUTOP_LRU_KINDS */

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* What lrutop snapshot writes: a JSON record of this kind and version. */
#define SNAPSHOT_KIND		"lrutop-snapshot"
#define SNAPSHOT_VERSION	1
/* Before the patch a list_lru_one of 24 bytes is a kmalloc-32. */
#define PRE_PATCH_LIST_BYTES	32

/* What compare reads of one snapshot (lrutop snapshot). Counts are -1 where unknown. */
struct snap {
	const char *file;
	const char *kernel;
	bool patched;
	long long nodes, memcgs, lrus, ids;
	long long lists, bytes;			/* measured */
	long long pre_lists, pre_bytes;		/* the model: before the patch */
	long long post_lists, post_bytes;	/* the model: after it */
	long long command_status;		/* the measured command's exit status, -1 if none */
	long long one_size;			/* sizeof(struct list_lru_one) in its BTF, -1 if unknown */
	long long freed_bytes;			/* list bytes freed during the run, -1 if unknown */
	long long held_bytes, held_book_bytes;	/* held at the end (the inventory), -1 if unknown */
	/* The kmalloc cache a list's size falls in, as /proc/slabinfo showed it around the run:
	 * its slot, and the slots its slabs gained (num_objs x objsize), -1 if unknown. */
	const char *slab_cache;
	long long slab_objsize, slab_bytes;
	void *json;				/* the parsed document (json_t) */
};

/* Parse a snapshot. 0, or -EINVAL/-ENOENT/-ENOMEM with a one-line reason in why. */
int snap_load(const char *file, struct snap *s, char *why, size_t len);
int snap_parse(const char *text, size_t n, const char *name, struct snap *s, char *why,
	       size_t len);
void snap_free(struct snap *s);

/* An integer of the document, or -1 for null or absent. */
long long snap_int(json_t *o);
/* The model's error against the measurement, in percent: (model - measured) / measured. */
double snap_model_error(long long measured, long long model);
/* A count as a table cell ("-" for unknown), and a percentage ("-" for NaN). */
const char *table_cell(char *buf, size_t len, long long v);
const char *table_pct(char *buf, size_t len, double e);
/* Lists per list_lru kind of a snapshot, by enum lrutop_lru_kind. */
void snap_lists_by_kind(const struct snap *s, long long sum[NR_LRUTOP_LRU_KINDS]);
/* The bytes a list costs on the snapshot's kernel, from its BTF: kmalloc(16 +
 * sizeof(list_lru_one) x nodes) after the patch, a kmalloc-32 list_lru_one before. -1 if
 * unknown. */
long long snap_btf_list_bytes(const struct snap *s);

#endif
