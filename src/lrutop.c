// SPDX-License-Identifier: GPL-2.0
/*
 * lrutop: live view of memcg-aware list_lru memory, per memory cgroup.
 *
 * Before Linux 5.18 every memcg-aware list_lru held a list for every memcg id, allocated
 * eagerly; since "mm: introduce kmem_cache_alloc_lru" a memcg's list is made on its first
 * insert. lrutop counts those allocations in the kernel and shows whose they are.
 */
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "state.h"
#include "compare.h"
#include "held.h"
#include "http.h"
#include "inventory_cmd.h"
#include "model_cmd.h"
#include "opts.h"
#include "probe.h"
#include "atomic.h"
#include "prom.h"
#include "json.h"
#include "probe_report.h"
#include "text.h"
#include "screen.h"
#include "session.h"
#include "snapshot.h"

static volatile sig_atomic_t exiting;

static void sig_handler(int sig)
{
	exiting = 1;
}

static void add_seconds(struct timespec *t, double seconds)
{
	t->tv_sec += (time_t)seconds;
	t->tv_nsec += (long)((seconds - (time_t)seconds) * 1e9);
	if (t->tv_nsec >= 1000000000) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000;
	}
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Wait for the next interval, finding owners of new lists meanwhile (tracer_poll_owners). */
static void sleep_until(struct lrutop_state *s, struct timespec *deadline, double interval)
{
	struct timespec now, tick;

	add_seconds(deadline, interval);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		tick = now;
		add_seconds(&tick, LRUTOP_OWNER_POLL_MS / 1000.0);
		if (!before(&tick, deadline))
			tick = *deadline;
		/* A signal ends the wait early: the loop checks exiting. */
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &tick, NULL) || exiting)
			return;
		if (!before(&tick, deadline))
			return;
		tracer_poll_owners(&s->tracer);
	}
}

/* -c PATH names a memory cgroup that exists; else say which and why. */
static bool is_memcg_dir(const struct lrutop_state *s, const char *path)
{
	char full[8192];
	struct stat st;

	if (!s->cg.version) {
		fprintf(stderr, "lrutop: -c %s: no memory cgroup hierarchy is mounted\n", path);
		return false;
	}
	snprintf(full, sizeof(full), "%s%s/cgroup.procs", s->cg.root, path);
	if (stat(full, &st)) {
		fprintf(stderr, "lrutop: -c %s: not a memory cgroup (no %s)\n", path, full);
		return false;
	}
	return true;
}

/* Prometheus: the textfile and/or the /metrics server get the state as it is now. */
static int export_metrics(const struct lrutop_state *s, const struct lrutop_opts *o,
			  struct metrics_server *srv)
{
	size_t len;
	char *text;
	int err;

	if (!o->prometheus && !srv)
		return 0;
	err = prom_render(s, o, &text, &len);
	if (err)
		return err;
	if (o->prometheus) {
		err = write_file_atomic(o->prometheus, text, len);
		if (err) {
			fprintf(stderr, "lrutop: writing %s: %s\n", o->prometheus, strerror(-err));
			err = 1;	/* said: main need not say it again */
		}
	}
	if (!err && srv)
		err = metrics_server_publish(srv, text, len);
	free(text);
	return err;
}

static int run_batch(struct lrutop_state *s, const struct lrutop_opts *o,
		     struct metrics_server *srv)
{
	struct timespec deadline;
	long done = 0;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	while (!exiting && (!o->count || done < o->count)) {
		sleep_until(s, &deadline, o->interval);
		if (exiting)
			break;
		err = state_refresh(s);
		if (err) {
			fprintf(stderr, "lrutop: reading BPF maps: %s\n", strerror(-err));
			return err;
		}
		err = export_metrics(s, o, srv);
		if (err)
			return err;
		if (o->batch) {
			if (o->json)
				err = json_report(stdout, s, &o->view);
			else
				text_report(stdout, s, &o->view);
			if (err || ferror(stdout))
				return -EIO;
		}
		done++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct metrics_server *srv = NULL;
	bool interactive, exporting;
	struct lrutop_opts o;
	struct session ss;
	int err;

	/* Subcommands; argp names them in its messages by argv[0]. */
	if (argc > 1 && !strcmp(argv[1], "snapshot")) {
		signal(SIGINT, sig_handler);
		signal(SIGTERM, sig_handler);
		signal(SIGHUP, sig_handler);
		argv[1] = "lrutop snapshot";
		return snapshot_main(argc - 1, argv + 1, &exiting);
	}
	if (argc > 1 && !strcmp(argv[1], "inventory")) {
		argv[1] = "lrutop inventory";
		return inventory_main(argc - 1, argv + 1);
	}
	if (argc > 1 && !strcmp(argv[1], "model")) {
		argv[1] = "lrutop model";
		return model_main(argc - 1, argv + 1);
	}
	if (argc > 1 && !strcmp(argv[1], "compare")) {
		argv[1] = "lrutop compare";
		return compare_main(argc - 1, argv + 1);
	}
	err = opts_parse(argc, argv, &o, 0);
	if (err)
		return err;
	exporting = o.prometheus || o.listen;
	interactive = !o.batch && !o.probe && !exporting && isatty(STDOUT_FILENO);
	if (!interactive && !o.probe && !exporting)
		o.batch = true;	/* not a terminal: a script is reading */

	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	signal(SIGHUP, sig_handler);
	if (session_start(&ss, o.backend, o.max_memcgs, o.verbose, !o.no_self_check,
			  o.probe ? 0 : o.inventory_s))
		return 1;
	ss.state.aging.keep_s = o.keep_removed_s;
	if (o.view.cgroup && !is_memcg_dir(&ss.state, o.view.cgroup)) {
		err = 1;
		goto cleanup;
	}
	if (o.probe) {
		probe_report(stdout, &ss.state, ss.why);
		goto cleanup;
	}
	/* A script must not take numbers the self-check could not stand behind for true. */
	if (ss.state.k.self_check.ok == 0) {
		fprintf(stderr, "lrutop: self-check %s\n", ss.state.k.self_check.result);
		if (o.batch && !exporting) {
			fprintf(stderr, "lrutop: the %s backend does not count this kernel's lists: "
				"not reporting (--no-self-check to report anyway)\n",
				backend_name(ss.backend));
			err = 1;
			goto cleanup;
		}
	}
	if (o.listen) {
		err = metrics_server_start(o.listen, &srv, ss.why, sizeof(ss.why));
		if (err) {
			fprintf(stderr, "lrutop: --listen: %s\n", ss.why);
			err = 1;
			goto cleanup;
		}
	}
	/* The baseline: the first report covers the first interval only. Exports start at
	 * once, so a scrape right after start finds every series. */
	if (exporting)
		held_wait(&ss.state);
	err = state_refresh(&ss.state);
	if (!err)
		err = export_metrics(&ss.state, &o, srv);
	/* Scripts wait for this line before they start what they measure. */
	if (!err && !interactive)
		fprintf(stderr, "lrutop: attached (%s backend, self-check %s). Tracing... Hit Ctrl-C to end.\n",
			backend_name(ss.backend), ss.state.k.self_check.ok > 0 ? "passed" :
			ss.state.k.self_check.ok == 0 ? "FAILED" : "not run");
	if (!err)
		err = interactive ? screen_run(&ss.state, &o, &exiting) : run_batch(&ss.state, &o, srv);
	if (err < 0)
		fprintf(stderr, "lrutop: %s\n", strerror(-err));
	err = err ? 1 : 0;
cleanup:
	metrics_server_stop(srv);
	session_end(&ss);
	return err;
}
