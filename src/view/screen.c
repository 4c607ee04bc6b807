// SPDX-License-Identifier: GPL-2.0
/*
 * The live screen: a header, a table with a selection that moves, the drill-downs, the
 * filter being typed and the help. Drawn with erase() and refresh(): curses sends only the
 * cells that changed, so a redraw never blanks the screen; only a resize or Ctrl-L clears.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ncurses.h>
#include "columns.h"
#include "screen.h"
#include "state/state.h"
#include "text.h"
#include "state/view.h"

#define HIST_BUF 16384

enum { PAIR_BAR = 1, PAIR_SEL };

static const char help_text[] =
"lrutop keys\n"
"\n"
"  Up Down PgUp PgDn Home End   move the selection\n"
"  Enter      on a memcg: the list_lrus where it holds lists\n"
"             on a list_lru: the memcgs holding lists on it\n"
"  Esc        back from a drill-down; clear the filter\n"
"  v Tab      memcgs / list_lrus\n"
"  /          filter rows by path or name (Enter applies, empty clears)\n"
"  t          memcgs as a tree, each parent with its subtree's sum\n"
"  g          group by unit, pod, container, none\n"
"  a b r n m e f o c l u  sort by a column (lrutop -o help); p by path\n"
"             list_lrus: n lists, m bytes, u memcgs, e empty, o objects, a allocs, p name\n"
"  z          totals since start / the last interval\n"
"  w          lists by owner / by cause\n"
"  H          histograms\n"
"  B          lrutop's own BPF programs: runs and CPU time of each\n"
"  Ctrl-L     redraw\n"
"  q          quit\n"
"\n"
"Any key returns.";

/* Print a block of '\n'-separated text from row y, clipped to the screen. Returns next row. */
static int draw_block(int y, const char *text, int max_y)
{
	const char *p = text, *nl;

	while (*p && y < max_y) {
		nl = strchrnul(p, '\n');
		mvaddnstr(y++, 0, p, (int)(nl - p) < COLS ? (int)(nl - p) : COLS);
		p = *nl ? nl + 1 : nl;
	}
	return y;
}

/* The sort keys of the columns shown, then p (path). */
static void sort_letters(const struct view *v, char *out)
{
	int n = 0;

	for (int m = 0; m < NR_MEMCG_METRICS; m++) {
		if ((v->columns & (1u << m)) && memcg_metrics[m].key)
			out[n++] = memcg_metrics[m].key;
	}
	out[n++] = 'p';
	out[n] = '\0';
}

static const char *const lru_sort_names[] = {
	[LRU_SORT_LISTS] = "lists", [LRU_SORT_BYTES] = "bytes", [LRU_SORT_MEMCGS] = "memcgs",
	[LRU_SORT_EMPTY] = "empty", [LRU_SORT_OBJECTS] = "objects", [LRU_SORT_ALLOCS] = "allocs",
	[LRU_SORT_NAME] = "name",
};

/* The line of keys under the header, for the mode. Fits 80 columns. */
static void legend(char *buf, size_t len, const struct screen *sc)
{
	const struct view *v = sc->v;
	char keys[NR_MEMCG_METRICS + 2];

	switch (sc->mode) {
	case SCREEN_MEMCGS:
		sort_letters(v, keys);
		snprintf(buf, len, "sort %s, by %s, %s | %s sort Enter lrus v t / ? help q quit",
			 sort_key_name(v->sort), v->by_cause ? "cause" : "owner",
			 v->cumulative ? "totals" : "deltas", keys);
		break;
	case SCREEN_LRUS:
		snprintf(buf, len, "list_lrus, sort %s | nmueoap sort Enter memcgs v memcgs / ? help q",
			 lru_sort_names[sc->lru_sort]);
		break;
	case SCREEN_PROGS:
		snprintf(buf, len, "lrutop's BPF programs, by CPU time | B back v memcgs ? help q quit");
		break;
	case SCREEN_MEMCG_LRUS:
		snprintf(buf, len, "a memcg's list_lrus, sort %s | nmeoap sort Enter memcgs Esc back ? help",
			 lru_sort_names[sc->lru_sort]);
		break;
	default:
		snprintf(buf, len, "a list_lru's memcgs, sort %s | n lists p path Enter lrus Esc back ? help",
			 sc->lru_sort == LRU_SORT_NAME ? "path" : "lists");
	}
}

static void bar(int y, const char *text, const struct screen *sc, bool selected)
{
	int attr = sc->color ? COLOR_PAIR(selected ? PAIR_SEL : PAIR_BAR) :
		   selected ? A_REVERSE | A_BOLD : A_REVERSE;

	attron(attr);
	mvprintw(y, 0, "%-*.*s", COLS, COLS, text);
	attroff(attr);
}

/* The lines above the table; returns the next row. */
static int draw_top(struct screen *sc, const struct lrutop_state *s, const char *msg,
		    const struct screen_rows *r)
{
	char *head = NULL, line[512];
	size_t hlen = 0;
	FILE *f;
	int y;

	f = open_memstream(&head, &hlen);
	if (f) {
		text_header(f, s, sc->v);
		fclose(f);
	}
	y = draw_block(0, head ? head : "", LINES);
	free(head);
	legend(line, sizeof(line), sc);
	mvaddnstr(y++, 0, line, COLS);
	if (sc->v->cgroup)
		mvprintw(y++, 0, "%s %s", sc->v->cgroup[0] == '/' ? "subtree" : "only", sc->v->cgroup);
	if (sc->v->group_by)
		mvprintw(y++, 0, "grouped by %s", group_by_name(sc->v->group_by));
	if (sc->mode == SCREEN_MEMCGS ? sc->v->filter[0] : sc->filter[0])
		mvprintw(y++, 0, "filter: %s (Esc clears)",
			 sc->mode == SCREEN_MEMCGS ? sc->v->filter : sc->filter);
	if (sc->mode != SCREEN_MEMCGS && sc->mode != SCREEN_PROGS && !s->held.valid)
		mvprintw(y++, 0, "list_lrus unavailable: %.*s", COLS > 24 ? COLS - 24 : 0,
			 s->held.interval_s ? s->held.why : "--inventory-interval 0");
	else if (r->title[0])
		mvaddnstr(y++, 0, r->title, COLS);
	if (msg || sc->msg[0])
		mvaddnstr(y++, 0, msg ? msg : sc->msg, COLS);
	return y;
}

/* Keep the selection on its row (by id) and in sight; note the rows for the keys. */
static void place_selection(struct screen *sc, const struct screen_rows *r, int room)
{
	size_t i;

	for (i = 0; sc->sel_id && i < r->n && r->ids[i] != sc->sel_id; i++)
		;
	if (sc->sel_id && i < r->n)
		sc->sel = i;
	if (sc->sel >= r->n)
		sc->sel = r->n ? r->n - 1 : 0;
	sc->sel_id = r->n ? r->ids[sc->sel] : 0;
	if (sc->sel < sc->top)
		sc->top = sc->sel;
	if (room > 0 && sc->sel >= sc->top + room)
		sc->top = sc->sel - room + 1;
	sc->page = room > 0 ? room : 1;
	if (r->n > sc->ids_cap) {
		__u64 *ids = realloc(sc->ids, r->n * sizeof(*ids));

		if (!ids) {
			sc->nr_ids = 0;
			return;
		}
		sc->ids = ids;
		sc->ids_cap = r->n;
	}
	memcpy(sc->ids, r->ids, r->n * sizeof(*r->ids));
	sc->nr_ids = r->n;
}

/* The memcg view's histograms, rows of the table first. */
static char *hists(const struct screen *sc, const struct lrutop_state *s, int *lines)
{
	struct memcg_row **rows;
	char *hist = NULL;
	size_t n;

	*lines = 0;
	if (!sc->v->hist || sc->mode != SCREEN_MEMCGS)
		return NULL;
	rows = view_rows(s, sc->v, LINES, true, &n);
	hist = malloc(HIST_BUF);
	if (hist && text_hists(hist, HIST_BUF, s, sc->v, rows, n)) {
		for (const char *p = hist; *p; p++)
			*lines += *p == '\n';
	}
	free(rows);
	return hist;
}

static void draw_table(struct screen *sc, const struct screen_rows *r, int y, int hist_lines)
{
	char line[1024];
	int room = LINES - y - 1 - (hist_lines ? hist_lines + 1 : 0) - sc->prompting;

	if (room < 3)
		room = LINES - y - 1 - sc->prompting;	/* too small for both: rows win */
	place_selection(sc, r, room);
	bar(y++, r->header, sc, false);
	for (size_t i = sc->top; i < r->n && (int)(i - sc->top) < room; i++) {
		screen_rows_line(r, i, line, sizeof(line));
		if (i == sc->sel)
			bar(y++, line, sc, true);
		else
			mvaddnstr(y++, 0, line, COLS);
	}
}

void screen_draw(struct screen *sc, const struct lrutop_state *s, const char *msg)
{
	struct screen_rows r;
	int y, hist_lines;
	char *hist;

	erase();
	if (sc->help) {
		draw_block(0, help_text, LINES);
		refresh();
		return;
	}
	if (screen_rows_build(&r, sc, s, COLS))
		snprintf(sc->msg, sizeof(sc->msg), "out of memory: rows not shown");
	y = draw_top(sc, s, msg, &r);
	hist = hists(sc, s, &hist_lines);
	draw_table(sc, &r, y, hist_lines);
	if (hist_lines && LINES - y - (int)sc->page - 1 > hist_lines)
		draw_block(LINES - hist_lines - sc->prompting, hist, LINES);
	if (sc->prompting)
		mvprintw(LINES - 1, 0, "filter: %s_", sc->input);
	free(hist);
	screen_rows_free(&r);
	refresh();
}

/* Colour where the terminal has it and NO_COLOR (no-color.org) is not set. */
static bool want_color(void)
{
	const char *no = getenv("NO_COLOR");

	return has_colors() && !(no && no[0]);
}

int screen_open(struct screen *sc, struct view *v)
{
	memset(sc, 0, sizeof(*sc));
	sc->v = v;
	if (!initscr())
		return -ENOTTY;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	sc->color = want_color();
	if (sc->color) {
		start_color();
		use_default_colors();
		init_pair(PAIR_BAR, COLOR_BLACK, COLOR_GREEN);
		init_pair(PAIR_SEL, COLOR_BLACK, COLOR_CYAN);
	}
	return 0;
}

void screen_close(struct screen *sc)
{
	endwin();
	free(sc->ids);
	sc->ids = NULL;
	sc->nr_ids = sc->ids_cap = 0;
}

void screen_clear(void)
{
	clear();
}

int screen_wait_key(long ms)
{
	int ch;

	timeout(ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms);
	ch = getch();
	return ch == ERR ? -1 : ch;
}
