// SPDX-License-Identifier: GPL-2.0
/*
 * The one refresh loop: every interval the state is refreshed, then exported, printed or
 * drawn. Between refreshes lists with no owner yet are looked up (tracer_poll_owners), and
 * on the screen keys change the view.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "export/prom.h"
#include "lib/atomic.h"
#include "state/groups.h"
#include "state/held.h"
#include "view/json.h"
#include "view/screen.h"
#include "view/text.h"
#include "live.h"

static void add_seconds(struct timespec *t, double seconds)
{
	t->tv_sec += (time_t)seconds;
	t->tv_nsec += (long)((seconds - (time_t)seconds) * 1e9);
	if (t->tv_nsec >= 1000000000) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000;
	}
}

static long ms_until(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* A key on the screen: the view changes, and the screen shows it at once. A drill-down
 * walks the kernel's list_lrus for what it shows first. */
static void take_key(struct live *l, int ch)
{
	struct screen *sc = &l->sc;

	switch (screen_key(ch, sc)) {
	case SCREEN_KEY_QUIT:
		*l->exiting = 1;
		break;
	case SCREEN_KEY_FOCUS:
		held_focus(l->s, sc->mode == SCREEN_MEMCG_LRUS ? sc->focus_cgid : 0,
			   sc->mode == SCREEN_LRU_MEMCGS ? sc->focus_lru : 0, now_s());
		screen_draw(sc, l->s, NULL);
		break;
	case SCREEN_KEY_GROUP:
		groups_set(l->s, l->o->view.group_by);
		screen_draw(sc, l->s, NULL);
		break;
	case SCREEN_KEY_CLEAR:
		screen_clear();
		/* fall through */
	case SCREEN_KEY_REDRAW:
		screen_draw(sc, l->s, NULL);
		break;
	case SCREEN_KEY_NONE:
		break;
	}
}

/* Wait for the deadline, finding the owners of new lists meanwhile; a signal or 'q' ends
 * the wait early (the loop checks exiting). */
static void wait_until(struct live *l, const struct timespec *deadline)
{
	long ms;

	while (!*l->exiting && (ms = ms_until(deadline)) > 0) {
		if (ms > LRUTOP_OWNER_POLL_MS)
			ms = LRUTOP_OWNER_POLL_MS;
		if (l->screen) {
			int ch = screen_wait_key(ms);

			if (ch >= 0)
				take_key(l, ch);
		} else {
			struct timespec tick = { ms / 1000, (ms % 1000) * 1000000 };

			/* A signal ends the sleep early: the loop checks exiting. */
			if (clock_nanosleep(CLOCK_MONOTONIC, 0, &tick, NULL))
				return;
		}
		tracer_poll_owners(&l->s->tracer);
	}
}

int live_export(struct live *l)
{
	const struct lrutop_opts *o = l->o;
	size_t len;
	char *text;
	int err;

	if (!o->prometheus && !l->srv)
		return 0;
	err = prom_render(l->s, &o->view, o->top, &text, &len);
	if (err)
		return err;
	if (o->prometheus) {
		err = write_file_atomic(o->prometheus, text, len);
		if (err)
			snprintf(l->why, sizeof(l->why), "writing %s: %s", o->prometheus,
				 strerror(-err));
	}
	if (!err && l->srv)
		err = metrics_server_publish(l->srv, text, len);
	free(text);
	return err;
}

/* The interval's report: the screen, or text or JSON Lines in batch mode. */
static int report(struct live *l)
{
	const struct lrutop_opts *o = l->o;
	int err = 0;

	if (l->screen) {
		screen_draw(&l->sc, l->s, NULL);
		return 0;
	}
	if (!o->batch)
		return 0;
	if (o->json)
		err = json_report(stdout, l->s, &o->view);
	else
		text_report(stdout, l->s, &o->view);
	return err || ferror(stdout) ? -EIO : 0;
}

int live_run(struct live *l)
{
	const struct lrutop_opts *o = l->o;
	struct timespec deadline;
	long done = 0;
	int err = 0;

	groups_set(l->s, o->view.group_by);
	if (l->screen) {
		err = screen_open(&l->sc, &l->o->view);
		if (err)
			return err;
		screen_draw(&l->sc, l->s, "collecting the first interval...");
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	while (!*l->exiting && (!o->count || done < o->count)) {
		add_seconds(&deadline, o->interval);
		wait_until(l, &deadline);
		if (*l->exiting)
			break;
		err = state_refresh(l->s);
		if (err) {
			snprintf(l->why, sizeof(l->why), "reading BPF maps: %s", strerror(-err));
			break;
		}
		err = live_export(l);
		if (!err)
			err = report(l);
		if (err)
			break;
		done++;
	}
	if (l->screen)
		screen_close(&l->sc);
	return err;
}
