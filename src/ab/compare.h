/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_COMPARE_H
#define __LRUTOP_COMPARE_H

#include <stdbool.h>
#include <stdio.h>

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

/* The model's error against the measurement, in percent: (model - measured) / measured. */
double snap_model_error(long long measured, long long model);
/* A pair --check must refuse, whatever the model says: a command that failed or whose status
 * is not recorded, nothing measured, or both from the same side of the patch (no model links
 * them). 0, or -EINVAL with the reason in why. */
int compare_pair_usable(const struct snap *a, const struct snap *b, char *why, size_t len);
/* Markdown tables for a before/after pair; the worst model error (percent) in *worst. */
void compare_pair(FILE *out, const struct snap *before, const struct snap *after, double *worst);

/* A count as a table cell ("-" for unknown), and a percentage ("-" for NaN). */
const char *compare_cell(char *buf, size_t len, long long v);
const char *compare_pct(char *buf, size_t len, double e);
/* Lists per list_lru kind of a snapshot: [0] other, [1] dentry, [2] inode. */
void snap_lists_by_kind(const struct snap *s, long long sum[3]);
/* The bytes a list costs on the snapshot's kernel, from its BTF: kmalloc(16 +
 * sizeof(list_lru_one) x nodes) after the patch, a kmalloc-32 list_lru_one before. -1 if
 * unknown. */
long long snap_btf_list_bytes(const struct snap *s);
/*
 * Two kernels on the same side of the patch (a baseline and a build, two releases):
 * measured against measured, each kernel's bytes beside what its own slab shows, and the
 * differences beyond threshold (percent) called out. No model links them: --check refuses
 * such a pair (compare_pair_usable).
 */
void compare_measured_pair(FILE *out, const struct snap *a, const struct snap *b, double threshold);

/* lrutop compare A.json B.json [A2.json B2.json ...] [--svg FILE] [--check PCT] */
int compare_main(int argc, char **argv);

#endif
