/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_SCREEN_H
#define __LRUTOP_SCREEN_H

#include "state/state.h"
#include "state/view.h"

/* The live, top-like screen (ncurses). It draws the state as a view shows it, and turns
 * keys into changes of the view; the refresh loop that drives it is cmd/live.c's. */
int screen_open(void);		/* 0, or -ENOTTY without a terminal */
void screen_close(void);
void screen_clear(void);	/* the next draw repaints every cell */
void screen_draw(const struct lrutop_state *s, const struct view *v, const char *msg);

/* What a key did to the view. */
enum screen_key {
	SCREEN_KEY_NONE,	/* not a key of the screen's */
	SCREEN_KEY_REDRAW,	/* the view changed */
	SCREEN_KEY_CLEAR,	/* the terminal changed: clear, then draw */
	SCREEN_KEY_QUIT,
};
enum screen_key screen_key(int ch, struct view *v);
/* A key pressed within ms milliseconds (at most a second), or -1. */
int screen_wait_key(long ms);

#endif
