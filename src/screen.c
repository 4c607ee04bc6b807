// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ncurses.h>
#include "report.h"
#include "screen.h"

#define HIST_BUF 16384

static const struct {
	int key;
	enum sort_key sort;
} sort_keys[] = {
	{ 'a', SORT_ALLOCS }, { 'b', SORT_BYTES }, { 'f', SORT_FAILS }, { 'o', SORT_OBJS },
	{ 'c', SORT_CALLS }, { 'l', SORT_LAT }, { 'u', SORT_LRUS }, { 'n', SORT_HELD },
	{ 'p', SORT_PATH },
};

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

static void draw(struct lrutop_state *s, const struct lrutop_opts *o, const char *msg)
{
	int pathw = COLS - REPORT_ROW_FIXED - 1 > 12 ? COLS - REPORT_ROW_FIXED - 1 : 12, y, room;
	int hist_lines = 0;
	char *head = NULL, line[512], *hist = NULL;
	struct memcg_row **rows;
	size_t hlen = 0, n;
	FILE *f;

	erase();
	f = open_memstream(&head, &hlen);
	if (f) {
		report_header(f, s);
		fclose(f);
	}
	y = draw_block(0, head ? head : "", LINES);
	free(head);
	/* Fits 80 columns; clipped on a narrower terminal rather than wrapped. */
	snprintf(line, sizeof(line), "sort %s, by %s, %s | abfoclunp sort H hist z total w cause q quit",
		 sort_key_name(o->sort), s->by_cause ? "cause" : "owner",
		 s->cumulative ? "totals" : "deltas");
	mvaddnstr(y++, 0, line, COLS);
	if (o->cgroup)
		mvprintw(y++, 0, "subtree %s", o->cgroup);
	if (msg)
		mvprintw(y++, 0, "%s", msg);
	rows = report_view(s, o, LINES, &n);	/* no screen shows more rows */
	if (o->hist) {
		hist = malloc(HIST_BUF);
		if (hist && report_hists(hist, HIST_BUF, s, rows, n)) {
			for (const char *p = hist; *p; p++)
				hist_lines += *p == '\n';
		}
	}
	report_columns(line, sizeof(line), s, pathw);
	attron(A_REVERSE);
	mvprintw(y++, 0, "%-*s", COLS, line);
	attroff(A_REVERSE);
	room = LINES - y - (hist_lines ? hist_lines + 1 : 0);
	if (room < 3)
		room = LINES - y;	/* too small for both: rows win */
	if (o->rows && o->rows < room)
		room = o->rows;
	for (size_t i = 0; i < n && (int)i < room; i++) {
		report_row(line, sizeof(line), s, rows[i], pathw);
		mvaddnstr(y++, 0, line, COLS);
	}
	if (hist_lines && LINES - y > hist_lines)
		draw_block(y + 1, hist, LINES);
	free(hist);
	free(rows);
	refresh();
}

static bool handle_key(int ch, struct lrutop_state *s, struct lrutop_opts *o)
{
	for (size_t i = 0; i < sizeof(sort_keys) / sizeof(sort_keys[0]); i++) {
		if (ch == sort_keys[i].key) {
			o->sort = sort_keys[i].sort;
			return true;
		}
	}
	switch (ch) {
	case 'H':
	case 'h':
		o->hist = !o->hist;
		return true;
	case 'z':
		s->cumulative = !s->cumulative;
		return true;
	case 'w':
		s->by_cause = !s->by_cause;
		return true;
	case KEY_RESIZE:
	case 12:	/* Ctrl-L */
		clear();
		return true;
	default:
		return false;
	}
}

static long ms_until(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

int screen_run(struct lrutop_state *s, struct lrutop_opts *o, volatile sig_atomic_t *exiting)
{
	struct timespec deadline;
	long ms, done = 0;
	int ch, err = 0;

	if (!initscr())
		return -ENOTTY;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	draw(s, o, "collecting the first interval...");
	while (!*exiting && (!o->count || done < o->count)) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += (time_t)o->interval;
		deadline.tv_nsec += (long)((o->interval - (time_t)o->interval) * 1e9);
		if (deadline.tv_nsec >= 1000000000) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000;
		}
		while (!*exiting && (ms = ms_until(&deadline)) > 0) {
			timeout(ms < LRUTOP_OWNER_POLL_MS ? (int)ms : LRUTOP_OWNER_POLL_MS);
			ch = getch();
			state_poll_owners(s);
			if (ch == 'q' || ch == 'Q')
				*exiting = 1;
			else if (ch != ERR && handle_key(ch, s, o))
				draw(s, o, NULL);
		}
		if (*exiting)
			break;
		err = state_refresh(s);
		if (err)
			break;
		done++;
		draw(s, o, NULL);
	}
	endwin();
	return err;
}
