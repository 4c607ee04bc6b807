// SPDX-License-Identifier: GPL-2.0
/* Before and after the patch: each kernel's measurement beside the model's estimate of it
 * from the other's run. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "compare.h"
#include "lib/lru_kinds.h"

static void worst_of(double *worst, double e)
{
	if (!isnan(e) && fabs(e) > *worst)
		*worst = fabs(e);
	if (isnan(e))
		*worst = INFINITY;
}

/* Lists per list_lru kind on the patched side (fentry sees which list_lru). */
static void kinds_table(FILE *out, const struct snap *after)
{
	long long sum[NR_LRUTOP_LRU_KINDS], all = 0;

	snap_lists_by_kind(after, sum);
	for (int k = 0; k < NR_LRUTOP_LRU_KINDS; k++)
		all += sum[k];
	if (!all)
		return;
	fprintf(out, "\n| list_lru kind (%s) | lists |\n|---|---:|\n", after->kernel);
	for (unsigned int i = 0; i < NR_LRUTOP_LRU_KINDS; i++) {
		unsigned int k = lru_kind_listed(i);

		if (sum[k] || k == LRUTOP_LRU_DENTRY || k == LRUTOP_LRU_INODE)
			fprintf(out, "| %s (%s) | %lld |\n", lru_kind_name(k), lru_kind_doc(k), sum[k]);
	}
}

/* The top memcgs of the patched side, beside what the eager kernel gives each memcg id:
 * a list on every list_lru on every node. */
static void memcgs_table(FILE *out, const struct snap *before, const struct snap *after)
{
	json_t *m, *memcgs = json_object_get(after->json, "memcgs");
	char b[32];
	size_t i;

	if (!json_array_size(memcgs))
		return;
	fprintf(out, "\n| memcg (top 5) | %s lists | %s lists for its id |\n|---|---:|---:|\n",
		after->kernel, before->kernel);
	json_array_foreach(memcgs, i, m) {
		if (i == 5)
			break;
		fprintf(out, "| %s | %lld | %s |\n",
			json_string_value(json_object_get(m, "path")) ?: "?",
			snap_int(json_object_get(m, "allocs")),
			table_cell(b, sizeof(b), before->lrus >= 0 ? before->lrus * before->nodes : -1));
	}
}

/* A snapshot whose command ran and which measured lists: one a comparison can use. */
static int snap_measured_usable(const struct snap *s, char *why, size_t len)
{
	if (s->command_status == -1 && !json_is_integer(json_object_get(s->json, "command_status"))) {
		snprintf(why, len, "%s: no command's exit status recorded: what ran is unknown", s->file);
		return -EINVAL;
	}
	if (s->command_status) {
		snprintf(why, len, "%s: the measured command failed (status %lld)", s->file,
			 s->command_status);
		return -EINVAL;
	}
	if (s->lists <= 0) {
		snprintf(why, len, "%s: no list was measured: nothing to compare but 0", s->file);
		return -EINVAL;
	}
	if (json_is_false(json_object_get(json_object_get(s->json, "self_check"), "ok"))) {
		snprintf(why, len, "%s: lrutop's self-check failed there: its counts are not to be "
			 "trusted", s->file);
		return -EINVAL;
	}
	return 0;
}

int compare_pair_usable(const struct snap *a, const struct snap *b, char *why, size_t len)
{
	if (snap_measured_usable(a, why, len) || snap_measured_usable(b, why, len))
		return -EINVAL;
	if (a->patched == b->patched) {
		snprintf(why, len, "%s and %s are both %s the patch: no model links them (compare "
			 "them without --check)", a->file, b->file, a->patched ? "after" : "before");
		return -EINVAL;
	}
	return 0;
}


void compare_pair(FILE *out, const struct snap *before, const struct snap *after, double *worst)
{
	long long pre_list_bytes = after->pre_lists >= 0 ? PRE_PATCH_LIST_BYTES * after->pre_lists : -1;
	double e_before = snap_model_error(before->lists, after->pre_lists);
	double e_after = snap_model_error(after->lists, before->post_lists);
	double eb_before = snap_model_error(before->bytes, pre_list_bytes);
	double eb_after = snap_model_error(after->bytes, before->post_bytes);
	char b[8][32];

	*worst = 0;
	worst_of(worst, e_before);
	worst_of(worst, e_after);
	worst_of(worst, eb_before);
	worst_of(worst, eb_after);
	fprintf(out, "\n### %lld memcgs, %lld node%s: %s (before the patch) vs %s (after)\n\n",
		after->memcgs, after->nodes, after->nodes > 1 ? "s" : "", before->kernel,
		after->kernel);
	fprintf(out, "| | %s | %s |\n|---|---:|---:|\n", before->kernel, after->kernel);
	fprintf(out, "| memcg-aware list_lrus, id space at the end | %s, %s | %s, %s (model) |\n",
		table_cell(b[0], 32, before->lrus), table_cell(b[1], 32, before->ids), table_cell(b[2], 32, after->lrus),
		table_cell(b[3], 32, after->ids));
	fprintf(out, "| list_lru lists allocated, measured | %lld | %lld |\n", before->lists,
		after->lists);
	fprintf(out, "| their bytes, measured | %lld | %lld |\n", before->bytes, after->bytes);
	fprintf(out, "| lists, the model from the other kernel's run | %s | %s |\n",
		table_cell(b[4], 32, after->pre_lists), table_cell(b[5], 32, before->post_lists));
	fprintf(out, "| model vs measured (lists) | %s | %s |\n", table_pct(b[6], 32, e_before),
		table_pct(b[7], 32, e_after));
	fprintf(out, "| list bytes, the model from the other kernel's run | %s | %s |\n",
		table_cell(b[4], 32, pre_list_bytes), table_cell(b[5], 32, before->post_bytes));
	fprintf(out, "| model vs measured (bytes) | %s | %s |\n", table_pct(b[6], 32, eb_before),
		table_pct(b[7], 32, eb_after));
	fprintf(out, "| bytes with pointer arrays, model | %s | %s |\n",
		table_cell(b[0], 32, after->pre_bytes), table_cell(b[1], 32, before->post_bytes));
	fprintf(out, "| list bytes held at the end, the inventory | %s | %s |\n",
		table_cell(b[2], 32, before->held_bytes), table_cell(b[3], 32, after->held_bytes));
	fprintf(out, "| bookkeeping held at the end (pointer arrays, xarray nodes), the inventory | %s | %s |\n",
		table_cell(b[4], 32, before->held_book_bytes),
		table_cell(b[5], 32, after->held_book_bytes));
	if (before->bytes > 0)
		fprintf(out, "\nAfter the patch: %.2f%% of the bytes before it (%.1fx less).\n",
			100.0 * after->bytes / before->bytes,
			after->bytes ? (double)before->bytes / after->bytes : INFINITY);
	kinds_table(out, after);
	memcgs_table(out, before, after);
}
