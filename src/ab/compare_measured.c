// SPDX-License-Identifier: GPL-2.0
/*
 * Two kernels on the same side of the patch, measured against measured: a kernel
 * developer's baseline and build, or two releases. list_lru's memory kept changing after
 * 5.18 (a 32-byte list_lru_one from 6.13, the allocator split in 7.2): this is where such a
 * change shows.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "compare.h"
#include "lib/lru_kinds.h"

static double change_pct(double from, double to)
{
	if (from <= 0)
		return to == from ? 0 : NAN;
	return 100.0 * (to - from) / from;
}

static double per_list(const struct snap *s)
{
	return s->lists > 0 ? (double)s->bytes / s->lists : NAN;
}

static long long jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* The lists the memcg of this path owns (its slots filled, as an ancestor too): the
 * workload names its memcgs the same on both kernels. */
static long long lists_of_path(const struct snap *s, const char *path)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(s->json, "memcgs"), i, m) {
		const char *p = json_string_value(json_object_get(m, "path"));

		if (p && !strcmp(p, path))
			return jint(m, "allocs");
	}
	return -1;
}

static void row(FILE *out, const char *what, long long a, long long b, long long model)
{
	char c[4][32];

	fprintf(out, "| %s | %s | %s | %s | %s |\n", what, table_cell(c[0], 32, a),
		table_cell(c[1], 32, b), table_cell(c[2], 32, model),
		table_pct(c[3], 32, a >= 0 && b >= 0 ? change_pct(a, b) : NAN));
}

static void table(FILE *out, const struct snap *a, const struct snap *b)
{
	long long ka[NR_LRUTOP_LRU_KINDS], kb[NR_LRUTOP_LRU_KINDS];
	long long btf_a = snap_btf_list_bytes(a), btf_b = snap_btf_list_bytes(b);
	char c[5][32], what[64];

	fprintf(out, "\n### %lld memcgs, %lld node%s: %s vs %s (both %s the patch)\n\n", b->memcgs,
		b->nodes, b->nodes > 1 ? "s" : "", a->kernel, b->kernel,
		b->patched ? "after" : "before");
	fprintf(out, "| | %s | %s | %s, model from %s's lists | change |\n|---|---:|---:|---:|---:|\n",
		a->kernel, b->kernel, b->kernel, a->kernel);
	row(out, "memcg-aware list_lrus at the end", a->lrus, b->lrus, -1);
	/* The same workload populates the same pairs: A's lists are B's model. */
	row(out, "list_lru lists allocated, measured", a->lists, b->lists, b->patched ? a->lists : -1);
	row(out, "their bytes, measured (each list's slab slot)", a->bytes, b->bytes,
	    b->patched && btf_b > 0 ? a->lists * btf_b : -1);
	row(out, "slots the list cache's slabs gained, /proc/slabinfo", a->slab_bytes, b->slab_bytes, -1);
	fprintf(out, "| bytes per list, measured | %.1f | %.1f | | %s |\n", per_list(a), per_list(b),
		table_pct(c[0], 32, change_pct(per_list(a), per_list(b))));
	fprintf(out, "| a slot of the list cache (%s / %s), /proc/slabinfo | %s | %s | | |\n",
		a->slab_cache ?: "-", b->slab_cache ?: "-", table_cell(c[1], 32, a->slab_objsize),
		table_cell(c[2], 32, b->slab_objsize));
	fprintf(out, "| bytes per list, the model: each kernel's BTF (list_lru_one %s B / %s B, %lld / "
		"%lld node%s) | %s | %s | | |\n", table_cell(c[1], 32, a->one_size),
		table_cell(c[2], 32, b->one_size), a->nodes, b->nodes, b->nodes > 1 ? "s" : "",
		table_cell(c[3], 32, btf_a), table_cell(c[4], 32, btf_b));
	row(out, "list bytes freed during the run", a->freed_bytes, b->freed_bytes, -1);
	row(out, "list bytes held at the end, the inventory", a->held_bytes, b->held_bytes, -1);
	row(out, "bookkeeping held at the end, the inventory", a->held_book_bytes, b->held_book_bytes, -1);
	snap_lists_by_kind(a, ka);
	snap_lists_by_kind(b, kb);
	for (unsigned int i = 0; i < NR_LRUTOP_LRU_KINDS; i++) {
		unsigned int k = lru_kind_listed(i);

		snprintf(what, sizeof(what), "lists on %s list_lrus", lru_kind_name(k));
		if (ka[k] || kb[k])
			row(out, what, ka[k], kb[k], -1);
	}
}

static void memcgs_table(FILE *out, const struct snap *a, const struct snap *b)
{
	json_t *m, *memcgs = json_object_get(a->json, "memcgs");
	size_t i;

	if (!json_array_size(memcgs))
		return;
	fprintf(out, "\n| memcg (top 5 on %s) | lists it owns on %s | on %s |\n|---|---:|---:|\n",
		a->kernel, a->kernel, b->kernel);
	json_array_foreach(memcgs, i, m) {
		const char *path = json_string_value(json_object_get(m, "path"));
		char c[2][32];

		if (i == 5)
			break;
		fprintf(out, "| %s | %s | %s |\n", path ?: "?",
			table_cell(c[0], 32, lists_of_path(a, path ?: "")),
			table_cell(c[1], 32, path ? lists_of_path(b, path) : -1));
	}
}

/* What changed beyond threshold, in words; the number of call-outs. */
static int call_outs(FILE *out, const struct snap *a, const struct snap *b, double threshold)
{
	double e_per = change_pct(per_list(a), per_list(b)), e_lists = change_pct(a->lists, b->lists);
	int n = 0;

	fputc('\n', out);
	if (fabs(e_per) > threshold) {
		fprintf(out, "- **%s bytes per list**: %s spends %.1f bytes a list where %s spent %.1f "
			"(%+.1f%%)", e_per > 0 ? "More" : "Fewer", b->kernel, per_list(b), a->kernel,
			per_list(a), e_per);
		if (a->one_size > 0 && b->one_size > 0 && a->one_size != b->one_size)
			fprintf(out, "; its list_lru_one is %lld bytes (%lld on %s)", b->one_size,
				a->one_size, a->kernel);
		fprintf(out, ".\n");
		n++;
	}
	if (fabs(e_lists) > threshold) {
		fprintf(out, "- **%s lists for the same workload**: %s made %lld where %s made %lld "
			"(%+.1f%%).\n", e_lists > 0 ? "More" : "Fewer", b->kernel, b->lists, a->kernel,
			a->lists, e_lists);
		n++;
	}
	if (a->freed_bytes > 0 && b->freed_bytes >= 0 &&
	    change_pct(a->freed_bytes, b->freed_bytes) < -threshold) {
		fprintf(out, "- **Lists no longer freed**: %s freed %lld list bytes during the run, %s %lld.\n",
			b->kernel, b->freed_bytes, a->kernel, a->freed_bytes);
		n++;
	}
	if (!n)
		fprintf(out, "No difference beyond %.1f%%.\n", threshold);
	return n;
}

void compare_measured_pair(FILE *out, const struct snap *a, const struct snap *b, double threshold)
{
	table(out, a, b);
	memcgs_table(out, a, b);
	call_outs(out, a, b, threshold);
}
