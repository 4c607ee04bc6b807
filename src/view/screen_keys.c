// SPDX-License-Identifier: GPL-2.0
/* The screen's keys: each changes the screen or the view, never the state. */
#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <ncurses.h>
#include "screen.h"

#define KEY_ESC		27
#define KEY_CTRL_L	12

_Static_assert(sizeof(((struct view *)0)->filter) == sizeof(((struct screen *)0)->filter),
	       "both filters take what is typed");

/* The filter of the mode shown: the memcg view's is the view's, the others' the screen's. */
static char *mode_filter(struct screen *sc)
{
	return sc->mode == SCREEN_MEMCGS ? sc->v->filter : sc->filter;
}

/* The filter being typed: a character more or less, Enter applies it, Esc drops it. */
static enum screen_key prompt_key(int ch, struct screen *sc)
{
	size_t n = strlen(sc->input);

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		snprintf(mode_filter(sc), sizeof(sc->filter), "%s", sc->input);
		sc->prompting = false;
		sc->sel = sc->top = 0;
		sc->sel_id = 0;
	} else if (ch == KEY_ESC) {
		sc->prompting = false;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (n)
			sc->input[n - 1] = '\0';
	} else if (ch > 0 && ch < 256 && isprint(ch) && n + 1 < sizeof(sc->input)) {
		sc->input[n] = ch;
		sc->input[n + 1] = '\0';
	} else if (ch == KEY_RESIZE) {
		return SCREEN_KEY_CLEAR;
	}
	return SCREEN_KEY_REDRAW;
}

/* Up, down, a page, the ends: the selection moves over the rows drawn last. */
static bool move_key(int ch, struct screen *sc)
{
	size_t last = sc->nr_ids ? sc->nr_ids - 1 : 0, page = sc->page ? sc->page : 1;

	switch (ch) {
	case KEY_UP:
		sc->sel = sc->sel ? sc->sel - 1 : 0;
		break;
	case KEY_DOWN:
		sc->sel = sc->sel < last ? sc->sel + 1 : last;
		break;
	case KEY_PPAGE:
		sc->sel = sc->sel > page ? sc->sel - page : 0;
		break;
	case KEY_NPAGE:
		sc->sel = sc->sel + page < last ? sc->sel + page : last;
		break;
	case KEY_HOME:
		sc->sel = 0;
		break;
	case KEY_END:
		sc->sel = SIZE_MAX;	/* the next draw orders every row and takes the last */
		break;
	default:
		return false;
	}
	sc->sel_id = sc->sel < sc->nr_ids ? sc->ids[sc->sel] : 0;
	return true;
}

/* Enter: a memcg's list_lrus, a list_lru's memcgs; where it was is kept for Esc. */
static enum screen_key enter_key(struct screen *sc)
{
	if (!sc->nr_ids || sc->sel >= sc->nr_ids || sc->mode == SCREEN_PROGS)
		return SCREEN_KEY_NONE;
	if (sc->mode == SCREEN_MEMCGS && sc->v->group_by) {
		snprintf(sc->msg, sizeof(sc->msg), "a group's row: g ungroups to drill into a memcg");
		return SCREEN_KEY_REDRAW;
	}
	if (sc->depth == SCREEN_DEPTH) {	/* the oldest place is forgotten */
		memmove(sc->back, sc->back + 1, (SCREEN_DEPTH - 1) * sizeof(sc->back[0]));
		sc->depth--;
	}
	sc->back[sc->depth++] = (struct screen_place){ sc->mode, sc->focus_cgid, sc->focus_lru,
						       sc->ids[sc->sel] };
	if (sc->mode == SCREEN_MEMCGS || sc->mode == SCREEN_LRU_MEMCGS) {
		sc->focus_cgid = sc->ids[sc->sel];
		sc->mode = SCREEN_MEMCG_LRUS;
	} else {
		sc->focus_lru = sc->ids[sc->sel];
		sc->mode = SCREEN_LRU_MEMCGS;
	}
	sc->sel = sc->top = 0;
	sc->sel_id = 0;
	sc->filter[0] = '\0';
	return SCREEN_KEY_FOCUS;
}

/* Esc: back where Enter was pressed, on the row it was pressed on; else the filter cleared. */
static enum screen_key back_key(struct screen *sc)
{
	struct screen_place *p;

	if (sc->depth) {
		p = &sc->back[--sc->depth];
		sc->mode = p->mode;
		sc->focus_cgid = p->focus_cgid;
		sc->focus_lru = p->focus_lru;
		sc->sel_id = p->sel_id;
		sc->filter[0] = '\0';
		return sc->mode == SCREEN_MEMCGS || sc->mode == SCREEN_LRUS ? SCREEN_KEY_REDRAW :
		       SCREEN_KEY_FOCUS;
	}
	if (!mode_filter(sc)[0])
		return SCREEN_KEY_NONE;
	mode_filter(sc)[0] = '\0';
	return SCREEN_KEY_REDRAW;
}

/* A sort key of the list_lru views. */
static bool lru_sort_key(int ch, struct screen *sc)
{
	static const char keys[] = { [LRU_SORT_LISTS] = 'n', [LRU_SORT_BYTES] = 'm',
				     [LRU_SORT_MEMCGS] = 'u', [LRU_SORT_EMPTY] = 'e',
				     [LRU_SORT_OBJECTS] = 'o', [LRU_SORT_ALLOCS] = 'a',
				     [LRU_SORT_NAME] = 'p' };

	for (size_t i = 0; i < sizeof(keys); i++) {
		if (ch == keys[i] || (ch == 'b' && i == LRU_SORT_BYTES)) {
			sc->lru_sort = i;
			return true;
		}
	}
	return false;
}

/* A sort key of the memcg view: a column's letter, or p. */
static bool memcg_sort_key(int ch, struct view *v)
{
	if (ch == 'p') {
		v->sort = SORT_PATH;
		return true;
	}
	for (int m = 0; ch > 0 && m < NR_MEMCG_METRICS; m++) {
		if (ch == memcg_metrics[m].key) {
			v->sort = m;
			return true;
		}
	}
	return false;
}

/* A view of its own (memcgs, list_lrus, lrutop's programs): no way back, no filter. */
static void switch_mode(struct screen *sc, enum screen_mode mode)
{
	sc->mode = mode;
	sc->depth = 0;
	sc->filter[0] = '\0';
	sc->sel = sc->top = 0;
	sc->sel_id = 0;
}

/* The keys that toggle the view, in every mode. */
static enum screen_key toggle_key(int ch, struct screen *sc)
{
	struct view *v = sc->v;

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
	case 't':
		v->tree = !v->tree;
		return SCREEN_KEY_REDRAW;
	case 'g':
		v->group_by = (v->group_by + 1) % NR_GROUP_BY;
		sc->sel_id = 0;
		return SCREEN_KEY_GROUP;
	case 'v':
	case '\t':
		switch_mode(sc, sc->mode == SCREEN_MEMCGS ? SCREEN_LRUS : SCREEN_MEMCGS);
		return SCREEN_KEY_REDRAW;
	case 'B':
		switch_mode(sc, sc->mode == SCREEN_PROGS ? SCREEN_MEMCGS : SCREEN_PROGS);
		return SCREEN_KEY_REDRAW;
	case '/':
		sc->prompting = true;
		snprintf(sc->input, sizeof(sc->input), "%s", mode_filter(sc));
		return SCREEN_KEY_REDRAW;
	case '?':
		sc->help = true;
		return SCREEN_KEY_REDRAW;
	case KEY_RESIZE:
	case KEY_CTRL_L:
		return SCREEN_KEY_CLEAR;
	default:
		return SCREEN_KEY_NONE;
	}
}

enum screen_key screen_key(int ch, struct screen *sc)
{
	sc->msg[0] = '\0';
	if (sc->prompting)
		return prompt_key(ch, sc);
	if (sc->help && ch >= 0) {
		sc->help = false;
		return ch == KEY_RESIZE ? SCREEN_KEY_CLEAR : SCREEN_KEY_REDRAW;
	}
	if (ch == 'q' || ch == 'Q')
		return SCREEN_KEY_QUIT;
	if (move_key(ch, sc))
		return SCREEN_KEY_REDRAW;
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		return enter_key(sc);
	if (ch == KEY_ESC || ch == KEY_BACKSPACE || ch == 127)
		return back_key(sc);
	/* lrutop's programs are by CPU time, always: no sort key there. */
	if (sc->mode != SCREEN_PROGS &&
	    (sc->mode == SCREEN_MEMCGS ? memcg_sort_key(ch, sc->v) : lru_sort_key(ch, sc)))
		return SCREEN_KEY_REDRAW;
	return toggle_key(ch, sc);
}
