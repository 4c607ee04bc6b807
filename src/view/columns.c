// SPDX-License-Identifier: GPL-2.0
/* The memcg table's columns, shared by the batch text and the screen: metrics.def's table. */
#include <stdio.h>
#include <string.h>
#include "columns.h"
#include "state/state.h"
#include "state/view.h"

const char *fmt_size(char *buf, size_t len, __u64 v)
{
	static const char units[] = "KMGTPE";
	double d = v;
	int u = -1;

	if (v < 100000) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return buf;
	}
	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	snprintf(buf, len, d < 100 ? "%.1f%c" : "%.0f%c", d, units[u]);
	return buf;
}

const char *lru_where(unsigned int kind, const struct lru_owner *o, const char *mnt,
		      const char *where)
{
	if (kind == LRUTOP_LRU_DENTRY || kind == LRUTOP_LRU_INODE)
		return mnt[0] ? mnt : o->sid[0] ? o->sid : NULL;
	return where[0] ? where : NULL;
}

size_t rows_shown(size_t n, unsigned long rows)
{
	return rows && rows < n ? rows : n;
}

/* A column holds its metric, or in the cause view what replaces it: wide enough for both. */
static int column_width(const struct view *v, int m)
{
	int shown = view_metric(v, m), w = memcg_metrics[m].width;

	if (shown != MC_NONE && memcg_metrics[shown].width > w)
		w = memcg_metrics[shown].width;
	return w;
}

static bool shown(const struct view *v, int m)
{
	return v->columns & (1u << m);
}

int columns_path_width(const struct view *v, int width)
{
	for (int m = 0; m < NR_MEMCG_METRICS; m++) {
		if (shown(v, m))
			width -= 1 + column_width(v, m);
	}
	return width > PATH_MIN_WIDTH ? width : PATH_MIN_WIDTH;
}

size_t columns_header(char *buf, size_t len, const struct view *v, int pathw)
{
	size_t off = snprintf(buf, len, "%-*s", pathw, "MEMCG");
	int m2;

	for (int m = 0; m < NR_MEMCG_METRICS && off < len; m++) {
		if (!shown(v, m))
			continue;
		m2 = view_metric(v, m);
		off += snprintf(buf + off, len - off, " %*s", column_width(v, m),
				memcg_metrics[m2 == MC_NONE ? m : m2].header);
	}
	return off < len ? off : len - 1;
}

/* The path, or its end after "..." when it is wider than the column. */
static void path_cell(char *buf, size_t len, const struct memcg_row *r, int pathw)
{
	char path[4200];
	size_t n;

	if (r->path)
		snprintf(path, sizeof(path), "%s%s", r->path, r->removed ? " (removed)" : "");
	else
		snprintf(path, sizeof(path), "<id %llu>%s", (unsigned long long)r->cgid,
			 r->removed ? " (removed)" : "");
	n = strlen(path);
	if (n <= (size_t)pathw || pathw < 4)
		snprintf(buf, len, "%-*.*s", pathw, pathw, path);
	else
		snprintf(buf, len, "...%s", path + n - (pathw - 3));
}

size_t columns_row(char *buf, size_t len, const struct lrutop_state *s, const struct view *v,
		   const struct memcg_row *r, int pathw)
{
	char path[4200], cell[16];
	size_t off;
	int m2;

	path_cell(path, sizeof(path), r, pathw);
	off = snprintf(buf, len, "%s", path);
	for (int m = 0; m < NR_MEMCG_METRICS && off < len; m++) {
		if (!shown(v, m))
			continue;
		m2 = view_metric(v, m);
		if (m2 == MC_NONE || !state_measures(s, memcg_metrics[m2].need))
			snprintf(cell, sizeof(cell), "-");
		else
			fmt_size(cell, sizeof(cell),
				 memcg_metric_value(&s->memcgs, r, m2, v->cumulative));
		off += snprintf(buf + off, len - off, " %*s", column_width(v, m), cell);
	}
	return off < len ? off : len - 1;
}
