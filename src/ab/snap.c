// SPDX-License-Identifier: GPL-2.0
/* What compare reads of a snapshot: the file parsed and checked, and the figures drawn from it. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "lib/kmalloc.h"
#include "snap.h"
#include "lib/lru_kinds.h"

/*
 * Bounds on what a snapshot may claim: MAX_NUMNODES is 1 << 10 at most, and 2^48 lists is more
 * than any machine holds. Within them every product compare forms fits in a long long.
 */
#define SNAP_NODES_MAX	1024
#define SNAP_COUNT_MAX	(1LL << 48)
long long snap_int(json_t *o)
{
	return json_is_integer(o) ? json_integer_value(o) : -1;
}

/* A count, or -1 for unknown. */
static bool count_ok(long long v)
{
	return v >= -1 && v <= SNAP_COUNT_MAX;
}

/* The workload's count of memcgs when the run was labelled with it; else the kernel's. */
static int labelled_memcgs(json_t *root, long long *memcgs)
{
	json_t *label = json_object_get(json_object_get(root, "labels"), "memcgs");
	char *end;

	if (!json_is_string(label))
		return 0;
	errno = 0;
	*memcgs = strtoll(json_string_value(label), &end, 10);
	return errno || *end || end == json_string_value(label) ? -EINVAL : 0;
}

static int snap_check_counts(const struct snap *s, char *why, size_t len)
{
	const long long counts[] = { s->lists, s->bytes, s->memcgs, s->lrus, s->ids,
				     s->pre_lists, s->pre_bytes, s->post_lists, s->post_bytes,
				     s->freed_bytes, s->held_bytes, s->held_book_bytes };

	if (s->nodes < 1 || s->nodes > SNAP_NODES_MAX || s->lists < 0 || s->bytes < 0)
		goto impossible;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (!count_ok(counts[i]))
			goto impossible;
	return 0;
impossible:
	snprintf(why, len, "%s: impossible counts (nodes %lld, lists %lld, bytes %lld, memcgs %lld, "
		 "list_lrus %lld, ids %lld)", s->file, s->nodes, s->lists, s->bytes, s->memcgs,
		 s->lrus, s->ids);
	return -EINVAL;
}

/* The list cache's line of /proc/slabinfo at the start and the end of the run, if recorded. */
static void snap_fill_slab(struct snap *s, json_t *slab)
{
	long long a = snap_int(json_object_get(json_object_get(slab, "start"), "num_objs"));
	long long b = snap_int(json_object_get(json_object_get(slab, "end"), "num_objs"));

	s->slab_cache = json_string_value(json_object_get(slab, "cache"));
	s->slab_objsize = snap_int(json_object_get(slab, "objsize"));
	if (s->slab_objsize < 0 || s->slab_objsize > 1 << 20)
		s->slab_objsize = -1;
	s->slab_bytes = s->slab_objsize > 0 && a >= 0 && b >= 0 && a <= SNAP_COUNT_MAX &&
			b <= SNAP_COUNT_MAX ? (b - a) * s->slab_objsize : -1;
}

/* What a snapshot may leave out (-1 then): the model, the command's status, the BTF's
 * list_lru_one, what was freed, held and slabbed. */
static void snap_fill_optional(struct snap *s, json_t *root, json_t *model)
{
	json_t *pre = NULL, *post = NULL, *held;

	if (json_is_object(model)) {
		pre = json_object_get(model, "pre_patch");
		post = json_object_get(model, "post_patch");
	}
	s->pre_lists = snap_int(json_object_get(pre, "lists"));
	s->pre_bytes = snap_int(json_object_get(pre, "bytes"));
	s->post_lists = snap_int(json_object_get(post, "lists"));
	s->post_bytes = snap_int(json_object_get(post, "bytes"));
	s->command_status = snap_int(json_object_get(root, "command_status"));
	s->one_size = snap_int(json_object_get(root, "list_lru_one"));
	s->freed_bytes = snap_int(json_object_get(json_object_get(root, "totals"), "freed_bytes"));
	held = json_object_get(json_object_get(json_object_get(root, "inventory"), "end"), "totals");
	s->held_bytes = snap_int(json_object_get(held, "held_bytes"));
	s->held_book_bytes = snap_int(json_object_get(held, "bookkeeping_bytes"));
	snap_fill_slab(s, json_object_get(root, "slab"));
}

static int snap_fill(struct snap *s, json_t *root, char *why, size_t len)
{
	json_t *model, *measured;
	json_int_t version, nodes, lists, bytes, lrus, memcgs, ids;
	const char *kind, *kernel;
	json_error_t err;
	int patched;

	if (json_unpack_ex(root, &err, 0, "{s:s,s:I,s:s,s:b,s:I,s:o,s:{s:I,s:I,s:I},s:o}",
			   "kind", &kind, "snapshot_version", &version, "kernel", &kernel,
			   "patched", &patched, "nodes", &nodes, "measured", &measured,
			   "end", "memcg_lrus", &lrus, "memcgs", &memcgs, "ids", &ids,
			   "model", &model)) {
		snprintf(why, len, "%s: not an lrutop snapshot: %s", s->file, err.text);
		return -EINVAL;
	}
	if (strcmp(kind, SNAPSHOT_KIND) || version != SNAPSHOT_VERSION) {
		snprintf(why, len, "%s: not an lrutop snapshot of version %d", s->file, SNAPSHOT_VERSION);
		return -EINVAL;
	}
	if (json_is_null(measured)) {
		snprintf(why, len, "%s: nothing measured: %s's kernel and backend could not see the lists",
			 s->file, kernel);
		return -EINVAL;
	}
	if (json_unpack_ex(measured, &err, 0, "{s:I,s:I}", "lists", &lists, "bytes", &bytes)) {
		snprintf(why, len, "%s: not an lrutop snapshot: measured: %s", s->file, err.text);
		return -EINVAL;
	}
	s->kernel = kernel;
	s->patched = patched;
	s->nodes = nodes;
	s->lists = lists;
	s->bytes = bytes;
	s->lrus = lrus;
	s->ids = ids;
	s->memcgs = memcgs;
	if (labelled_memcgs(root, &s->memcgs)) {
		snprintf(why, len, "%s: labels: memcgs is not a number", s->file);
		return -EINVAL;
	}
	snap_fill_optional(s, root, model);
	if (s->one_size != -1 && (s->one_size < 8 || s->one_size > 4096)) {
		snprintf(why, len, "%s: impossible list_lru_one size %lld", s->file, s->one_size);
		return -EINVAL;
	}
	return snap_check_counts(s, why, len);
}

/* jansson quotes the bytes it stopped at, a newline among them: the error stays one line. */
static void one_line(char *why)
{
	for (; *why; why++) {
		if ((unsigned char)*why < ' ' || *why == 0x7f)
			*why = '?';
	}
}

int snap_parse(const char *text, size_t n, const char *name, struct snap *s, char *why,
	       size_t len)
{
	json_error_t err;
	json_t *root;
	int ret;

	memset(s, 0, sizeof(*s));
	s->file = name;
	root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		snprintf(why, len, "%s:%d:%d: %s", name, err.line, err.column, err.text);
		one_line(why);
		return -EINVAL;
	}
	s->json = root;
	ret = snap_fill(s, root, why, len);
	if (ret) {
		one_line(why);
		snap_free(s);
	}
	return ret;
}

int snap_load(const char *file, struct snap *s, char *why, size_t len)
{
	char *text = NULL;
	size_t n = 0, cap = 0, r;
	FILE *f;
	int ret;

	f = fopen(file, "r");
	if (!f) {
		snprintf(why, len, "%s: %s", file, strerror(errno));
		return -errno;
	}
	/* Snapshots are small: refuse what cannot be one rather than read it all. */
	do {
		if (n == cap) {
			char *t = cap < 256 << 20 ? realloc(text, cap = cap * 2 + 65536) : NULL;

			if (!t) {
				snprintf(why, len, "%s: larger than 256 MiB: not a snapshot", file);
				free(text);
				fclose(f);
				return -EINVAL;
			}
			text = t;
		}
		r = fread(text + n, 1, cap - n, f);
		n += r;
	} while (r);
	fclose(f);
	ret = snap_parse(text, n, file, s, why, len);
	free(text);
	return ret;
}

void snap_free(struct snap *s)
{
	json_decref(s->json);
	s->json = NULL;
}

double snap_model_error(long long measured, long long model)
{
	if (measured <= 0 || model < 0)
		return model == measured ? 0 : NAN;
	return 100.0 * (model - measured) / measured;
}

const char *table_cell(char *buf, size_t len, long long v)
{
	if (v < 0)
		return "-";
	snprintf(buf, len, "%lld", v);
	return buf;
}

const char *table_pct(char *buf, size_t len, double e)
{
	if (isnan(e))
		return "-";
	snprintf(buf, len, "%+.1f%%", e);
	return buf;
}

void snap_lists_by_kind(const struct snap *s, long long sum[NR_LRUTOP_LRU_KINDS])
{
	json_t *l;
	size_t i;
	int kind;

	memset(sum, 0, NR_LRUTOP_LRU_KINDS * sizeof(sum[0]));
	json_array_foreach(json_object_get(s->json, "lrus"), i, l) {
		long long *to, allocs = snap_int(json_object_get(l, "allocs"));

		/* A kind this lrutop does not know (a newer one's) counts as other. */
		kind = lru_kind_parse(json_string_value(json_object_get(l, "kind")));
		to = &sum[kind < 0 ? LRUTOP_LRU_OTHER : kind];
		/* A count no kernel has is not added; a sum past any count stops there. */
		if (allocs > 0 && count_ok(allocs) && __builtin_add_overflow(*to, allocs, to))
			*to = LLONG_MAX;
	}
}

long long snap_btf_list_bytes(const struct snap *s)
{
	if (!s->patched)
		return PRE_PATCH_LIST_BYTES;
	if (s->one_size < 0)
		return -1;
	return (long long)kmalloc_bucket(16 + (uint64_t)s->one_size * s->nodes);
}
