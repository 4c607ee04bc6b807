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
#include <unistd.h>
#include "export/http.h"
#include "kernel/probe.h"
#include "state/held.h"
#include "state/memcgs.h"
#include "state/state.h"
#include "view/probe_report.h"
#include "compare_cmd.h"
#include "inventory_cmd.h"
#include "live.h"
#include "model_cmd.h"
#include "opts.h"
#include "session.h"
#include "snapshot.h"

static volatile sig_atomic_t exiting;

static void sig_handler(int sig)
{
	exiting = 1;
}

/* -c PATH names a memory cgroup that exists; else say which and why. A name (a unit, pod or
 * container) may be one that starts later: its rows appear when it does. */
static bool is_memcg_dir(const struct lrutop_state *s, const char *path)
{
	char full[8192];
	struct stat st;

	if (path[0] != '/')
		return true;
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

static void on_signals(void)
{
	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	signal(SIGHUP, sig_handler);
}

static int do_snapshot(int argc, char **argv)
{
	on_signals();
	return snapshot_main(argc, argv, &exiting);
}

/* The subcommands, as bpftool's commands[]: lrutop NAME [ARGS]. */
static const struct cmd {
	const char *name;
	int (*main)(int argc, char **argv);
} cmds[] = {
	{ "snapshot", do_snapshot },
	{ "inventory", inventory_main },
	{ "model", model_main },
	{ "compare", compare_main },
};

/* A subcommand's status, or -1 when argv names none. argp names a subcommand in its
 * messages by its argv[0]: "lrutop NAME". */
static int cmd_select(int argc, char **argv)
{
	static char name[32];

	if (argc < 2)
		return -1;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		snprintf(name, sizeof(name), "lrutop %s", cmds[i].name);
		argv[1] = name;
		return cmds[i].main(argc - 1, argv + 1);
	}
	return -1;
}

/* A script must not take numbers the self-check could not stand behind for true. 0 to go
 * on, 1 to stop. */
static int self_check_gate(const struct session *ss, const struct lrutop_opts *o, bool exporting)
{
	int ok = ss->state.kernel.self_check.ok;

	/* Failed, or not run and why (an exporter's log must say it too), unless asked not to. */
	if (ok > 0 || (ok < 0 && o->no_self_check))
		return 0;
	fprintf(stderr, "lrutop: self-check %s\n", ss->state.kernel.self_check.result);
	if (ok < 0 || !o->batch || exporting)
		return 0;
	fprintf(stderr, "lrutop: the %s backend does not count this kernel's lists: "
		"not reporting (--no-self-check to report anyway)\n", backend_name(ss->backend));
	return 1;
}

/* Attached: the baseline read, then the live run. Exports start at once, so a scrape right
 * after start finds every series. */
static int watch(struct session *ss, struct live *l, bool exporting)
{
	int err;

	if (exporting)
		held_wait(&ss->state);
	/* The baseline: the first report covers the first interval only. */
	err = state_refresh(&ss->state);
	if (!err)
		err = live_export(l);
	/* Scripts wait for this line before they start what they measure. */
	if (!err && !l->screen)
		fprintf(stderr, "lrutop: attached (%s backend, self-check %s). Tracing... Hit Ctrl-C to end.\n",
			backend_name(ss->backend), ss->state.kernel.self_check.ok > 0 ? "passed" :
			ss->state.kernel.self_check.ok == 0 ? "FAILED" : "not run");
	if (!err)
		err = live_run(l);
	if (err)
		fprintf(stderr, "lrutop: %s\n", l->why[0] ? l->why : strerror(-err));
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct live l = { .exiting = &exiting };
	bool exporting;
	struct lrutop_opts o;
	struct session ss;
	int err;

	err = cmd_select(argc, argv);
	if (err >= 0)
		return err;
	err = opts_parse(argc, argv, &o, 0);
	if (err)
		return err;
	exporting = o.prometheus || o.listen;
	l.screen = !o.batch && !o.probe && !exporting && isatty(STDOUT_FILENO);
	if (!l.screen && !o.probe && !exporting)
		o.batch = true;	/* not a terminal: a script is reading */

	/* The statistics time every BPF program on the host: on where someone watches lrutop
	 * (the screen, --probe), asked for where it runs unattended (lrutop.8, BPF STATISTICS). */
	if (o.bpf_stats < 0)
		o.bpf_stats = l.screen || o.probe;
	on_signals();
	if (session_start(&ss, o.backend, o.max_memcgs, o.verbose, !o.no_self_check,
			  o.probe ? 0 : o.inventory_s, o.bpf_stats))
		return 1;
	ss.state.aging.keep_s = o.keep_removed_s;
	l.s = &ss.state;
	l.o = &o;
	if (o.view.cgroup && !is_memcg_dir(&ss.state, o.view.cgroup)) {
		err = 1;
		goto cleanup;
	}
	if (o.probe) {
		memcgs_index(&ss.state);	/* to say how the tree is read */
		probe_report(stdout, &ss.state, ss.why);
		goto cleanup;
	}
	err = self_check_gate(&ss, &o, exporting);
	if (err)
		goto cleanup;
	if (o.listen && metrics_server_start(o.listen, &l.srv, ss.why, sizeof(ss.why))) {
		fprintf(stderr, "lrutop: --listen: %s\n", ss.why);
		err = 1;
		goto cleanup;
	}
	err = watch(&ss, &l, exporting);
cleanup:
	metrics_server_stop(l.srv);
	session_end(&ss);
	return err;
}
