/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_SCREEN_H
#define __LRUTOP_SCREEN_H

#include <signal.h>
#include "state.h"
#include "opts.h"

/* The live, top-like screen (ncurses) until 'q', a signal or COUNT refreshes. */
int screen_run(struct lrutop_state *s, struct lrutop_opts *o, volatile sig_atomic_t *exiting);

#endif
