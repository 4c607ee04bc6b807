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
	void *json;				/* the parsed document (json_t) */
};

/* Parse a snapshot. 0, or -EINVAL/-ENOENT/-ENOMEM with a one-line reason in why. */
int snap_load(const char *file, struct snap *s, char *why, size_t len);
int snap_parse(const char *text, size_t n, const char *name, struct snap *s, char *why,
	       size_t len);
void snap_free(struct snap *s);

/* The model's error against the measurement, in percent: (model - measured) / measured. */
double snap_model_error(long long measured, long long model);
/* A pair --check must refuse, whatever the model says: a failed command, nothing measured,
 * or both from the same side of the patch. 0, or -EINVAL with the reason in why. */
int compare_pair_usable(const struct snap *a, const struct snap *b, char *why, size_t len);
/* Markdown tables for a before/after pair; the worst model error (percent) in *worst. */
void compare_pair(FILE *out, const struct snap *before, const struct snap *after, double *worst);

/* lrutop compare A.json B.json [A2.json B2.json ...] [--svg FILE] [--check PCT] */
int compare_main(int argc, char **argv);

#endif
