// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
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

void screen_draw(const struct lrutop_state *s, const struct view *v, const char *msg)
{
	int pathw = columns_path_width(v, COLS), y, room, hist_lines = 0;
	char *head = NULL, line[512], keys[NR_MEMCG_METRICS + 2], *hist = NULL;
	struct memcg_row **rows;
	size_t hlen = 0, n;
	FILE *f;

	erase();
	f = open_memstream(&head, &hlen);
	if (f) {
		text_header(f, s, v);
		fclose(f);
	}
	y = draw_block(0, head ? head : "", LINES);
	free(head);
	/* Fits 80 columns; clipped on a narrower terminal rather than wrapped. */
	sort_letters(v, keys);
	snprintf(line, sizeof(line), "sort %s, by %s, %s | %s sort H hist z total w cause q quit",
		 sort_key_name(v->sort), v->by_cause ? "cause" : "owner",
		 v->cumulative ? "totals" : "deltas", keys);
	mvaddnstr(y++, 0, line, COLS);
	if (v->cgroup)
		mvprintw(y++, 0, "subtree %s", v->cgroup);
	if (msg)
		mvprintw(y++, 0, "%s", msg);
	rows = view_rows(s, v, LINES, &n);	/* no screen shows more rows */
	if (v->hist) {
		hist = malloc(HIST_BUF);
		if (hist && text_hists(hist, HIST_BUF, s, v, rows, n)) {
			for (const char *p = hist; *p; p++)
				hist_lines += *p == '\n';
		}
	}
	columns_header(line, sizeof(line), v, pathw);
	attron(A_REVERSE);
	mvprintw(y++, 0, "%-*s", COLS, line);
	attroff(A_REVERSE);
	room = LINES - y - (hist_lines ? hist_lines + 1 : 0);
	if (room < 3)
		room = LINES - y;	/* too small for both: rows win */
	if (v->rows && v->rows < room)
		room = v->rows;
	for (size_t i = 0; i < n && (int)i < room; i++) {
		columns_row(line, sizeof(line), s, v, rows[i], pathw);
		mvaddnstr(y++, 0, line, COLS);
	}
	if (hist_lines && LINES - y > hist_lines)
		draw_block(y + 1, hist, LINES);
	free(hist);
	free(rows);
	refresh();
}

/* A key changes the view, never the state. */
enum screen_key screen_key(int ch, struct view *v)
{
	if (ch == 'q' || ch == 'Q')
		return SCREEN_KEY_QUIT;
	if (ch == 'p') {
		v->sort = SORT_PATH;
		return SCREEN_KEY_REDRAW;
	}
	for (int m = 0; ch > 0 && m < NR_MEMCG_METRICS; m++) {
		if (ch == memcg_metrics[m].key) {
			v->sort = m;
			return SCREEN_KEY_REDRAW;
		}
	}
	switch (ch) {
	case 'H':
	case 'h':
		v->hist = !v->hist;
		return SCREEN_KEY_REDRAW;
	case 'z':
		v->cumulative = !v->cumulative;
		return SCREEN_KEY_REDRAW;
	case 'w':
		v->by_cause = !v->by_cause;
		return SCREEN_KEY_REDRAW;
	case KEY_RESIZE:
	case 12:	/* Ctrl-L */
		return SCREEN_KEY_CLEAR;
	default:
		return SCREEN_KEY_NONE;
	}
}

int screen_open(void)
{
	if (!initscr())
		return -ENOTTY;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	return 0;
}

void screen_close(void)
{
	endwin();
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

