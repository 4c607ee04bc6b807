// SPDX-License-Identifier: GPL-2.0
/*
 * The screen's rows in each of its modes: memcgs (flat or as a tree), list_lrus, and the
 * drill-downs, one memcg's list_lrus or one list_lru's memcgs. What a list_lru holds comes
 * from the inventory's last pass; the drill-downs from a pass that counted the focus apart.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "columns.h"
#include "lib/lru_kinds.h"
#include "screen.h"
#include "state/groups.h"
#include "state/lrus.h"
#include "state/tree.h"

#define SUBTREE_WIDTH	8	/* the tree's column of subtree sums */

struct rows_ctx {
	const struct lrutop_state *s;
	const struct screen *sc;
	int width, pathw, namew;
	struct memcg_row **memcgs;	/* the memcg view, flat */
	struct tree_ent *tree;		/* or as a tree */
	const struct inv_lru_row **lrus;	/* the list_lru views */
	const struct inv_memcg_row **held;	/* a list_lru's memcgs */
	size_t *progs;			/* lrutop's programs, by index in watching */
};

/* A list_lru row's figures in a mode: the list_lru's own, or the focused memcg's part. */
struct lru_figures {
	__u64 lists, bytes, empty, objects, memcgs;
	bool has_memcgs;
};

static struct lru_figures lru_figures(const struct screen *sc, const struct inv_lru_row *l)
{
	if (sc->mode == SCREEN_MEMCG_LRUS)
		return (struct lru_figures){ l->id_lists, l->id_bytes, l->id_empty, l->id_objects };
	return (struct lru_figures){ l->lists, l->bytes, l->empty, l->objects, l->ids, true };
}

/* The list_lru's allocations in the view's span (fentry: the tracer's per-list_lru map). */
static bool lru_allocs(const struct lrutop_state *s, const struct view *v, __u64 addr, __u64 *out)
{
	const struct lru_row *f;

	if (!s->kernel.avail[M_PER_LRU])
		return false;
	f = lrus_find(s, addr);
	*out = !f ? 0 : v->cumulative ? f->st.allocs : f->delta_allocs;
	return true;
}

static const char *lru_place(const struct inv_lru_row *l, char *buf, size_t len)
{
	const char *where = lru_where(l->owner.kind, &l->owner, l->mnt, l->where);

	if (where && l->owner.fstype[0] && (l->owner.kind == LRUTOP_LRU_DENTRY ||
					    l->owner.kind == LRUTOP_LRU_INODE))
		snprintf(buf, len, "%s (%s)", where, l->owner.fstype);
	else if (where)
		snprintf(buf, len, "%s", where);
	else
		snprintf(buf, len, "0x%llx: %s", (unsigned long long)l->addr, l->why ? l->why : "unnamed");
	return buf;
}

static __u64 lru_sort_value(const struct rows_ctx *c, const struct inv_lru_row *l)
{
	struct lru_figures f = lru_figures(c->sc, l);
	__u64 allocs = 0;

	switch (c->sc->lru_sort) {
	case LRU_SORT_BYTES:
		return f.bytes;
	case LRU_SORT_MEMCGS:
		return f.memcgs;
	case LRU_SORT_EMPTY:
		return f.empty;
	case LRU_SORT_OBJECTS:
		return f.objects;
	case LRU_SORT_ALLOCS:
		lru_allocs(c->s, c->sc->v, l->addr, &allocs);
		return allocs;
	default:
		return f.lists;
	}
}

static int lru_cmp(const void *a, const void *b, void *ctx)
{
	const struct rows_ctx *sorting = ctx;
	const struct inv_lru_row *x = *(const struct inv_lru_row *const *)a;
	const struct inv_lru_row *y = *(const struct inv_lru_row *const *)b;
	char px[300], py[300];
	__u64 vx, vy;

	if (sorting->sc->lru_sort != LRU_SORT_NAME) {
		vx = lru_sort_value(sorting, x);
		vy = lru_sort_value(sorting, y);
		if (vx != vy)
			return vx < vy ? 1 : -1;
	}
	return strcmp(lru_place(x, px, sizeof(px)), lru_place(y, py, sizeof(py))) ?:
	       (x->addr > y->addr) - (x->addr < y->addr);
}

/* Does the filter let the list_lru through: in its kind or its place. */
static bool lru_shown(const struct rows_ctx *c, const struct inv_lru_row *l)
{
	const char *text = c->sc->filter;
	char place[300];

	if (c->sc->mode == SCREEN_MEMCG_LRUS && !l->id_lists)
		return false;
	if (!text[0])
		return true;
	return strstr(lru_kind_name(l->owner.kind), text) ||
	       strstr(lru_place(l, place, sizeof(place)), text);
}

static int build_lrus(struct screen_rows *r, struct rows_ctx *c)
{
	const struct inventory *inv = &c->s->held.inv;

	c->lrus = calloc(inv->nr_lrus ? inv->nr_lrus : 1, sizeof(*c->lrus));
	r->ids = calloc(inv->nr_lrus ? inv->nr_lrus : 1, sizeof(*r->ids));
	if (!c->lrus || !r->ids)
		return -ENOMEM;
	for (size_t i = 0; i < inv->nr_lrus; i++) {
		if (lru_shown(c, &inv->lrus[i]))
			c->lrus[r->n++] = &inv->lrus[i];
	}
	qsort_r(c->lrus, r->n, sizeof(*c->lrus), lru_cmp, c);
	for (size_t i = 0; i < r->n; i++)
		r->ids[i] = c->lrus[i]->addr;
	snprintf(r->header, sizeof(r->header), "%-9s %-*s %6s %6s %6s %6s %6s %6s", "KIND",
		 c->pathw, "WHERE", "LISTS", "BYTES", "MEMCGS", "EMPTY%", "OBJS", "ALLOCS");
	return 0;
}

static void lru_line(const struct rows_ctx *c, const struct inv_lru_row *l, char *buf, size_t len)
{
	struct lru_figures f = lru_figures(c->sc, l);
	char place[300], cell[300], b[6][16];
	__u64 allocs;

	lru_place(l, place, sizeof(place));
	cell_end(cell, sizeof(cell), place, c->pathw);
	snprintf(b[3], sizeof(b[3]), "%.0f", f.lists ? 100.0 * f.empty / f.lists : 0.0);
	snprintf(buf, len, "%-9s %s %6s %6s %6s %6s %6s %6s", lru_kind_name(l->owner.kind),
		 cell, fmt_size(b[0], 16, f.lists), fmt_size(b[1], 16, f.bytes),
		 f.has_memcgs ? fmt_size(b[2], 16, f.memcgs) : "-", b[3],
		 fmt_size(b[4], 16, f.objects),
		 lru_allocs(c->s, c->sc->v, l->addr, &allocs) ? fmt_size(b[5], 16, allocs) : "-");
}

static int held_cmp(const void *a, const void *b, void *ctx)
{
	const struct rows_ctx *sorting = ctx;
	const struct inv_memcg_row *x = *(const struct inv_memcg_row *const *)a;
	const struct inv_memcg_row *y = *(const struct inv_memcg_row *const *)b;

	if (sorting->sc->lru_sort == LRU_SORT_NAME || x->lru_lists == y->lru_lists)
		return strcmp(x->path ?: "", y->path ?: "") ?: (x->cgid > y->cgid) - (x->cgid < y->cgid);
	return x->lru_lists < y->lru_lists ? 1 : -1;
}

/* One list_lru's memcgs: the ids the focused pass found lists at. */
static int build_held(struct screen_rows *r, struct rows_ctx *c)
{
	const struct inventory *inv = &c->s->held.inv;
	const char *text = c->sc->filter;

	c->held = calloc(inv->nr_memcgs ? inv->nr_memcgs : 1, sizeof(*c->held));
	r->ids = calloc(inv->nr_memcgs ? inv->nr_memcgs : 1, sizeof(*r->ids));
	if (!c->held || !r->ids)
		return -ENOMEM;
	for (size_t i = 0; i < inv->nr_memcgs; i++) {
		const struct inv_memcg_row *m = &inv->memcgs[i];

		if (m->lru_lists && (!text[0] || (m->path && strstr(m->path, text))))
			c->held[r->n++] = m;
	}
	qsort_r(c->held, r->n, sizeof(*c->held), held_cmp, c);
	for (size_t i = 0; i < r->n; i++)
		r->ids[i] = c->held[i]->cgid;
	snprintf(r->header, sizeof(r->header), "%-*s %6s %6s %6s %6s", c->pathw, "MEMCG", "LISTS",
		 "BYTES", "EMPTY%", "OBJS");
	return 0;
}

static void held_line(const struct rows_ctx *c, const struct inv_memcg_row *m, char *buf,
		      size_t len)
{
	char id[64], path[4200], b[3][16], empty[16];

	snprintf(id, sizeof(id), "<kmemcg id %u>", m->kmemcg_id);
	cell_end(path, sizeof(path), m->path ? m->path : id, c->pathw);
	snprintf(empty, sizeof(empty), "%.0f", 100.0 * m->lru_empty / m->lru_lists);
	snprintf(buf, len, "%s %6s %6s %6s %6s", path,
		 fmt_size(b[0], 16, m->lru_lists), fmt_size(b[1], 16, m->lru_bytes), empty,
		 fmt_size(b[2], 16, m->lru_objects));
}

static int prog_cmp(const void *a, const void *b, void *ctx)
{
	const struct watching *w = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (w->interval_ns[x] != w->interval_ns[y])
		return w->interval_ns[x] < w->interval_ns[y] ? 1 : -1;
	if (w->progs.progs[x].run_ns != w->progs.progs[y].run_ns)
		return w->progs.progs[x].run_ns < w->progs.progs[y].run_ns ? 1 : -1;
	return strcmp(w->progs.progs[x].name, w->progs.progs[y].name);
}

/* lrutop's own programs, the costliest in the interval first. */
static int build_progs(struct screen_rows *r, struct rows_ctx *c)
{
	const struct watching *w = &c->s->watching;

	r->n = w->progs.n;
	c->progs = calloc(r->n ? r->n : 1, sizeof(*c->progs));
	r->ids = calloc(r->n ? r->n : 1, sizeof(*r->ids));
	if (!c->progs || !r->ids)
		return -ENOMEM;
	for (size_t i = 0; i < r->n; i++)
		c->progs[i] = i;
	qsort_r(c->progs, r->n, sizeof(*c->progs), prog_cmp, (void *)w);
	for (size_t i = 0; i < r->n; i++)
		r->ids[i] = c->progs[i] + 1;
	snprintf(r->header, sizeof(r->header), "%-20s %-*s %7s %7s %6s %6s", "PROGRAM", c->pathw,
		 "HOOK", "RUNS/S", "NS/RUN", "MS/S", "RUNS");
	if (!w->interval_timed)
		snprintf(r->title, sizeof(r->title), "lrutop's programs: costs unavailable: %.180s",
			 watching_why(c->s));
	return 0;
}

/* A program's cost in the interval, and its runs since it loaded. */
static void prog_line(const struct rows_ctx *c, size_t i, char *buf, size_t len)
{
	const struct watching *w = &c->s->watching;
	const struct prog_cost *p = &w->progs.progs[i];
	double secs = c->s->interval_s > 0 ? c->s->interval_s : 1;
	char hook[300], b[4][16];

	cell_end(hook, sizeof(hook), p->hook, c->pathw);
	if (!w->interval_timed) {
		snprintf(buf, len, "%-20.20s %s %7s %7s %6s %6s", p->name, hook, "-", "-", "-", "-");
		return;
	}
	snprintf(b[1], sizeof(b[1]), "%.0f", w->interval_runs[i] ?
		 (double)w->interval_ns[i] / w->interval_runs[i] : 0.0);
	snprintf(b[2], sizeof(b[2]), "%.2f", w->interval_ns[i] / 1e6 / secs);
	snprintf(buf, len, "%-20.20s %s %7s %7s %6s %6s", p->name, hook,
		 fmt_size(b[0], 16, (__u64)(w->interval_runs[i] / secs + 0.5)),
		 w->interval_runs[i] ? b[1] : "-", b[2], fmt_size(b[3], 16, p->runs));
}

/* The memcg view: the rows of view_rows, or all of them as a tree. */
static int build_memcgs(struct screen_rows *r, struct rows_ctx *c, size_t limit)
{
	const struct view *v = c->sc->v;
	int key = view_metric(v, v->sort);

	c->memcgs = view_rows(c->s, v, v->tree ? 0 : limit, true, &r->n);
	if (!c->memcgs)
		return -ENOMEM;
	if (!v->tree)
		r->n = rows_shown(r->n, limit);
	c->namew = columns_name_width(c->memcgs, r->n, c->width);
	c->pathw = columns_path_width(v, c->width - (v->tree ? SUBTREE_WIDTH : 0), c->namew);
	columns_header(r->header, sizeof(r->header), v, c->pathw, c->namew);
	if (v->tree) {
		size_t off = strlen(r->header);

		snprintf(r->header + off, sizeof(r->header) - off, " %*s", SUBTREE_WIDTH - 1, "SUBTREE");
		c->tree = calloc(r->n ? r->n : 1, sizeof(*c->tree));
		if (!c->tree || memcg_tree(c->memcgs, r->n, state_rows(c->s),
					   key == MC_NONE || key == SORT_PATH ? SORT_PATH : key,
					   v->cumulative, c->tree))
			return -ENOMEM;
	}
	r->ids = calloc(r->n ? r->n : 1, sizeof(*r->ids));
	if (!r->ids)
		return -ENOMEM;
	for (size_t i = 0; i < r->n; i++)
		r->ids[i] = c->tree ? c->tree[i].row->cgid : c->memcgs[i]->cgid;
	return 0;
}

static void memcg_line(const struct rows_ctx *c, size_t i, char *buf, size_t len)
{
	const struct tree_ent *t = c->tree ? &c->tree[i] : NULL;
	size_t off;
	char b[16];

	off = columns_row(buf, len, c->s, c->sc->v, t ? t->row : c->memcgs[i], c->pathw, c->namew,
			  t ? 2 * t->depth : -1);
	/* A parent's subtree, itself included, beside its own figures. */
	if (t && off < len)
		snprintf(buf + off, len - off, " %*s", SUBTREE_WIDTH - 1,
			 t->children && c->sc->v->sort != SORT_PATH ? fmt_size(b, sizeof(b), t->sum) : "");
}

/* Memcg rows ordered: those up to a page past the one drawn last, all for End; -r's. */
static size_t memcg_limit(const struct screen *sc)
{
	size_t limit = sc->sel == SIZE_MAX ? 0 : sc->top + 2 * (sc->page ? sc->page : 50);

	if (sc->v->rows && (!limit || (size_t)sc->v->rows < limit))
		limit = sc->v->rows;
	return limit;
}

/* Has a pass counted what the mode shows (a drill-down: its focus)? */
static bool counted(const struct lrutop_state *s, const struct screen *sc)
{
	const struct inventory *inv = &s->held.inv;

	if (!s->held.valid)
		return false;
	if (sc->mode == SCREEN_MEMCG_LRUS)
		return inv->focus_cgid == sc->focus_cgid;
	if (sc->mode == SCREEN_LRU_MEMCGS)
		return inv->focus_lru == sc->focus_lru;
	return true;
}

/* A drill-down's title: what it is of, and whether the pass has counted it yet. */
static void title(struct screen_rows *r, const struct rows_ctx *c)
{
	const struct screen *sc = c->sc;
	const struct inventory *inv = &c->s->held.inv;
	char what[300] = "";

	if (sc->mode == SCREEN_MEMCG_LRUS) {
		const struct memcg_row *m = memcg_table_find((struct memcg_table *)&c->s->memcgs,
							     sc->focus_cgid);

		snprintf(what, sizeof(what), "%s", m && m->path ? m->path : "(a memcg with no path)");
		snprintf(r->title, sizeof(r->title), "list_lrus where %.200s holds lists%s", what,
			 counted(c->s, sc) ? "" : " (walking...)");
		return;
	}
	for (size_t i = 0; i < inv->nr_lrus; i++) {
		if (inv->lrus[i].addr == sc->focus_lru)
			lru_place(&inv->lrus[i], what, sizeof(what));
	}
	snprintf(r->title, sizeof(r->title), "memcgs holding lists on %.200s%s", what,
		 counted(c->s, sc) ? "" : " (walking...)");
}

int screen_rows_build(struct screen_rows *r, const struct screen *sc,
		      const struct lrutop_state *s, int width)
{
	struct rows_ctx *c = calloc(1, sizeof(*c));

	memset(r, 0, sizeof(*r));
	if (!c)
		return -ENOMEM;
	r->priv = c;
	*c = (struct rows_ctx){ .s = s, .sc = sc, .width = width, .pathw = width - 53 };
	if (c->pathw < PATH_MIN_WIDTH)
		c->pathw = PATH_MIN_WIDTH;
	if (sc->mode == SCREEN_MEMCG_LRUS || sc->mode == SCREEN_LRU_MEMCGS)
		title(r, c);
	switch (sc->mode) {
	case SCREEN_MEMCGS:
		return build_memcgs(r, c, memcg_limit(sc));
	case SCREEN_PROGS:
		c->pathw = width - 51 > 20 ? width - 51 : 20;
		return build_progs(r, c);
	case SCREEN_LRU_MEMCGS:
		c->pathw = width - 28 > PATH_MIN_WIDTH ? width - 28 : PATH_MIN_WIDTH;
		return counted(s, sc) ? build_held(r, c) : 0;
	default:
		c->pathw = width - 60 > PATH_MIN_WIDTH ? width - 60 : PATH_MIN_WIDTH;
		return counted(s, sc) ? build_lrus(r, c) : 0;
	}
}

void screen_rows_line(const struct screen_rows *r, size_t i, char *buf, size_t len)
{
	const struct rows_ctx *c = r->priv;

	buf[0] = '\0';
	if (!c || i >= r->n)
		return;
	if (c->memcgs)
		memcg_line(c, i, buf, len);
	else if (c->lrus)
		lru_line(c, c->lrus[i], buf, len);
	else if (c->held)
		held_line(c, c->held[i], buf, len);
	else if (c->progs)
		prog_line(c, c->progs[i], buf, len);
}

void screen_rows_free(struct screen_rows *r)
{
	struct rows_ctx *c = r->priv;

	if (c) {
		free(c->memcgs);
		free(c->tree);
		free(c->lrus);
		free(c->held);
		free(c->progs);
		free(c);
	}
	free(r->ids);
	memset(r, 0, sizeof(*r));
}
