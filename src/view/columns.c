// SPDX-License-Identifier: GPL-2.0
/* The memcg table's columns, shared by the batch text and the screen: metrics.def's table. */
#include <stdio.h>
#include <string.h>
#include "columns.h"
#include "state/groups.h"
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

void row_labels(const struct memcg_row *r, struct row_labels *l)
{
	memset(l, 0, sizeof(*l));
	l->runtime = "";
	if (!r->named)
		return;
	cgroup_name_short(r->path, &r->name, l->name, sizeof(l->name));
	cgroup_name_unit(r->path, &r->name, l->unit, sizeof(l->unit));
	cgroup_name_pod(r->path, &r->name, l->pod, sizeof(l->pod));
	cgroup_name_container(r->path, &r->name, l->container, sizeof(l->container));
	l->runtime = cgroup_name_runtime(&r->name);
}

int columns_name_width(struct memcg_row *const *rows, size_t n, int width)
{
	int w = width >= 120 ? NAME_WIDTH : width / 4;

	for (size_t i = 0; i < n; i++) {
		if (rows[i]->named)
			return w > PATH_MIN_WIDTH ? w : PATH_MIN_WIDTH;
	}
	return 0;
}

static const char *const group_headers[NR_GROUP_BY] = {
	[GROUP_NONE] = "MEMCG", [GROUP_UNIT] = "UNIT", [GROUP_POD] = "POD",
	[GROUP_CONTAINER] = "CONTAINER",
};

void cell_end(char *buf, size_t len, const char *s, int w)
{
	size_t n = strlen(s);

	if (n <= (size_t)w || w < 4)
		snprintf(buf, len, "%-*.*s", w, w, s);
	else
		snprintf(buf, len, "...%s", s + n - (w - 3));
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

int columns_path_width(const struct view *v, int width, int namew)
{
	if (namew)
		width -= namew + 1;
	for (int m = 0; m < NR_MEMCG_METRICS; m++) {
		if (shown(v, m))
			width -= 1 + column_width(v, m);
	}
	return width > PATH_MIN_WIDTH ? width : PATH_MIN_WIDTH;
}

size_t columns_header(char *buf, size_t len, const struct view *v, int pathw, int namew)
{
	size_t off = snprintf(buf, len, "%-*s%-*s", namew ? namew + 1 : 0, namew ? "NAME" : "",
			      pathw, group_headers[v->group_by < NR_GROUP_BY ? v->group_by : 0]);
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

/* The path, or its end after "..." when it is wider than the column; a group's n members.
 * indent >= 0: a tree's row, its last component after indent spaces. */
static void path_cell(char *buf, size_t len, const struct memcg_row *r, uint32_t n, int pathw,
		      int indent)
{
	const char *p = r->path, *base;
	char path[4200], members[32] = "";

	if (n)
		snprintf(members, sizeof(members), " (%u memcg%s)", n, n == 1 ? "" : "s");
	/* In a tree the parents say where a memcg is: its last component is enough. */
	if (p && indent >= 0 && (base = strrchr(p, '/')) && base[1])
		p = base + 1;
	if (p)
		snprintf(path, sizeof(path), "%*s%s%s%s", indent > 0 ? indent : 0, "", p, members,
			 r->removed ? " (removed)" : "");
	else
		snprintf(path, sizeof(path), "%*s<id %llu>%s", indent > 0 ? indent : 0, "",
			 (unsigned long long)r->cgid, r->removed ? " (removed)" : "");
	cell_end(buf, len, path, pathw);
}

size_t columns_row(char *buf, size_t len, const struct lrutop_state *s, const struct view *v,
		   const struct memcg_row *r, int pathw, int namew, int indent)
{
	char path[4200], cell[16], name[96] = "", namec[100] = "";
	size_t off;
	int m2;

	if (namew) {
		if (r->named)
			cgroup_name_short(r->path, &r->name, name, sizeof(name));
		cell_end(namec, sizeof(namec) - 1, name, namew);
		strcat(namec, " ");
	}
	path_cell(path, sizeof(path), r, state_row_members(s, r), pathw, indent);
	off = snprintf(buf, len, "%s%s", namec, path);
	for (int m = 0; m < NR_MEMCG_METRICS && off < len; m++) {
		if (!shown(v, m))
			continue;
		m2 = view_metric(v, m);
		if (m2 == MC_NONE || !state_measures(s, memcg_metrics[m2].need))
			snprintf(cell, sizeof(cell), "-");
		else
			fmt_size(cell, sizeof(cell),
				 memcg_metric_value(state_rows(s), r, m2, v->cumulative));
		off += snprintf(buf + off, len - off, " %*s", column_width(v, m), cell);
	}
	return off < len ? off : len - 1;
}
