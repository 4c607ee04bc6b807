/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_REPORT_H
#define __LRUTOP_REPORT_H

#include <stdio.h>
#include <jansson.h>
#include "collect.h"
#include "opts.h"

/* Rows to show: filtered by -c, sorted by -s (only the first limit, if not 0: see
 * memcg_table_view). Caller frees. */
struct memcg_row **report_view(const struct lrutop_state *s, const struct lrutop_opts *o,
			       size_t limit, size_t *n);
/* Histogram of lists (fentry: distinct list_lrus) per memcg over the given rows. */
void report_lists_hist(const struct lrutop_state *s, struct memcg_row **rows, size_t n,
		       __u64 *slots);
const char *report_lists_hist_unit(const struct lrutop_state *s);
bool report_has(const struct lrutop_state *s, enum metric m);
/* "12345", "12.3K", "4.5M": compact for columns. */
const char *fmt_size(char *buf, size_t len, __u64 v);

#define TEXT_PATH_WIDTH 26
#define REPORT_ROW_FIXED 69	/* the columns after MEMCG, with their spaces */

/* Header lines: kernel, backend, totals and rates, drops, unavailable metrics. */
void report_header(FILE *out, const struct lrutop_state *s);
/* One line of the memcg table (no newline), the path column pathw wide. */
/* The order rows are shown in: allocs and bytes sort by cause in the cause view. */
enum sort_key report_sort(const struct lrutop_state *s, enum sort_key k);
size_t report_columns(char *buf, size_t len, const struct lrutop_state *s, int pathw);
size_t report_row(char *buf, size_t len, const struct lrutop_state *s, const struct memcg_row *r,
		  int pathw);
/* The histograms this backend has, rendered bcc-style. */
size_t report_hists(char *buf, size_t len, const struct lrutop_state *s, struct memcg_row **rows,
		    size_t n);
void report_text(FILE *out, const struct lrutop_state *s, const struct lrutop_opts *o);
int report_json(FILE *out, const struct lrutop_state *s, const struct lrutop_opts *o);
/* The object report_json prints (a new reference), NULL if out of memory. */
json_t *report_json_object(const struct lrutop_state *s, const struct lrutop_opts *o);
/* The plan for --probe: functions found, backend and why, metrics and why not. */
void report_probe(FILE *out, const struct lrutop_state *s, const char *backend_why);

#endif
