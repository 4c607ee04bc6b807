/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_SCREEN_H
#define __LRUTOP_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "state/state.h"
#include "state/view.h"

/* What the screen shows: memcgs or list_lrus, or what one of them holds (a drill-down). */
enum screen_mode {
	SCREEN_MEMCGS,
	SCREEN_LRUS,
	SCREEN_MEMCG_LRUS,	/* the list_lrus where focus_cgid holds lists */
	SCREEN_LRU_MEMCGS,	/* the memcgs holding lists on focus_lru */
	SCREEN_PROGS,		/* lrutop's own BPF programs and what they cost */
};

/* The list_lru views' sort keys. */
enum lru_sort {
	LRU_SORT_LISTS,
	LRU_SORT_BYTES,
	LRU_SORT_MEMCGS,
	LRU_SORT_EMPTY,
	LRU_SORT_OBJECTS,
	LRU_SORT_ALLOCS,
	LRU_SORT_NAME,
};

/* Where the screen was before a drill-down: Esc returns there. */
struct screen_place {
	enum screen_mode mode;
	__u64 focus_cgid, focus_lru, sel_id;
};
#define SCREEN_DEPTH	8

/* The screen's own state: where it is, what is selected, what is typed. The view (sort,
 * columns, filter, tree, groups) is the options' and is changed by keys too. */
struct screen {
	struct view *v;
	enum screen_mode mode;
	struct screen_place back[SCREEN_DEPTH];	/* what Esc returns to, the last on top */
	int depth;
	enum lru_sort lru_sort;
	size_t sel;			/* the selected row, an index into the rows drawn */
	__u64 sel_id;			/* its memcg id or list_lru address: it follows the row */
	size_t top;			/* the first row drawn */
	__u64 focus_cgid, focus_lru;	/* what a drill-down is of */
	bool help;
	bool prompting;			/* the filter is being typed */
	char input[64];
	char filter[64];		/* the list_lru views' and drill-downs' filter, which
					 * lasts while they are shown (the memcg view's is the
					 * view's) */
	bool color;
	/* What the last draw showed: the ids of its rows, what a key moves over. */
	__u64 *ids;
	size_t nr_ids, ids_cap;
	size_t page;			/* rows a page holds */
	char msg[160];			/* one line for the user, until the next key */
};

/* The live, top-like screen (ncurses). It draws the state as a view shows it, and turns
 * keys into changes of the view; the refresh loop that drives it is cmd/live.c's. */
int screen_open(struct screen *sc, struct view *v);	/* 0, or -ENOTTY without a terminal */
void screen_close(struct screen *sc);
void screen_clear(void);	/* the next draw repaints every cell */
void screen_draw(struct screen *sc, const struct lrutop_state *s, const char *msg);

/* What a key did. */
enum screen_key {
	SCREEN_KEY_NONE,	/* not a key of the screen's */
	SCREEN_KEY_REDRAW,	/* the view changed */
	SCREEN_KEY_CLEAR,	/* the terminal changed: clear, then draw */
	SCREEN_KEY_FOCUS,	/* a drill-down began: walk for it (held_focus), then draw */
	SCREEN_KEY_GROUP,	/* the rows are rolled up another way (groups_set), then draw */
	SCREEN_KEY_QUIT,
};
enum screen_key screen_key(int ch, struct screen *sc);
/* A key pressed within ms milliseconds (at most a second), or -1. */
int screen_wait_key(long ms);

/* The screen's rows as text, for the screen and its tests (screen_rows.c). */
struct screen_rows {
	char header[512];
	char title[256];	/* what the rows are: a drill-down's memcg or list_lru */
	size_t n;
	__u64 *ids;		/* each row's memcg id or list_lru address */
	void *priv;		/* what lines reads */
};
/* The rows sc's mode shows in s, width columns wide; screen_rows_line formats row i. */
int screen_rows_build(struct screen_rows *r, const struct screen *sc,
		      const struct lrutop_state *s, int width);
void screen_rows_line(const struct screen_rows *r, size_t i, char *buf, size_t len);
void screen_rows_free(struct screen_rows *r);

#endif
