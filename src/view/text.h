/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_TEXT_H
#define __LRUTOP_TEXT_H

#include <stddef.h>
#include <stdio.h>

struct lrutop_state;
struct memcg_row;
struct view;

/* Header lines, each within 80 columns: kernel, backend, totals and rates, what is held
 * now, drops, metrics not measurable here. The screen draws the same. */
void text_header(FILE *out, const struct lrutop_state *s, const struct view *v);
/* The histograms this backend has, rendered bcc-style. */
size_t text_hists(char *buf, size_t len, const struct lrutop_state *s, const struct view *v,
		  struct memcg_row **rows, size_t n);
/* One batch report: header, memcg table, (-l) the list_lrus, (-H) histograms. */
void text_report(FILE *out, const struct lrutop_state *s, const struct view *v);

#endif
