/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_LIVE_H
#define __LRUTOP_LIVE_H

#include <signal.h>
#include <stdbool.h>
#include "export/http.h"
#include "state/state.h"
#include "view/screen.h"
#include "opts.h"

/* lrutop's live run: the state it refreshes, how it shows it, where it exports it. */
struct live {
	struct lrutop_state *s;
	struct lrutop_opts *o;		/* the screen's keys change o->view */
	struct metrics_server *srv;	/* --listen, or NULL */
	bool screen;			/* draw the screen, not batch reports */
	struct screen sc;		/* its selection, drill-downs, filter being typed */
	volatile sig_atomic_t *exiting;	/* set by a signal or 'q' */
	char why[4200];			/* what failed, where an errno alone would not say */
};

/* The Prometheus textfile and the /metrics server get the state as it is now. 0, or
 * negative errno (why says what failed). */
int live_export(struct live *l);
/* Refresh every interval until exiting or o->count reports; export and report each. 0, or
 * negative errno (why says what failed). */
int live_run(struct live *l);

#endif
