// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "lib/atomic.h"
#include "kernel/inventory.h"
#include "view/inventory_json.h"
#include "lib/model.h"
#include "kernel/nodes.h"
#include "kernel/slab.h"
#include "opts.h"
#include "view/json.h"
#include "state/memcgs.h"
#include "session.h"
#include "ab/snap.h"
#include "args.h"
#include "snapshot.h"

#define MAX_LABELS 32

struct snapshot_opts {
	const char *out;
	double duration;	/* 0: until the command exits */
	char **cmd;
	const char *labels[MAX_LABELS];
	int nr_labels;
	enum backend backend;
	unsigned int max_memcgs;
	bool verbose;
};

static const struct argp_option snapshot_options[] = {
	{ "output", 'o', "FILE", 0, "Write the snapshot to FILE (atomically)", 0 },
	{ "duration", 'd', "S", 0, "Measure for S seconds (default: until COMMAND exits, else 10)", 0 },
	{ "label", 'L', "KEY=VALUE", 0, "Record a label, e.g. memcgs=100 (repeatable)", 0 },
	{ "backend", 'B', "NAME", 0, "auto (default), fentry or tracepoint", 0 },
	{ "max-memcgs", 'M', "N", 0, "Size of the per-memcg map (default 10240)", 0 },
	{ "verbose", 'v', NULL, 0, "Verbose debug output (libbpf)", 0 },
	{},
};

static error_t snapshot_parse(int key, char *arg, struct argp_state *state)
{
	struct snapshot_opts *o = state->input;
	long long max;
	long v;

	switch (key) {
	case 'o':
		if (!arg[0] || arg[strlen(arg) - 1] == '/')
			argp_error(state, "-o needs a file name, not '%s'", arg);
		o->out = arg;
		break;
	case 'd':
		if (arg_real(state, "duration", arg, 0.1, 86400, "seconds", &o->duration))
			return EINVAL;
		break;
	case 'L':
		if (!strchr(arg, '=') || arg[0] == '=' || o->nr_labels == MAX_LABELS)
			argp_error(state, "invalid label '%s' (KEY=VALUE, at most %d)", arg, MAX_LABELS);
		o->labels[o->nr_labels++] = arg;
		break;
	case 'B':
		v = backend_parse(arg);
		if (v < 0)
			argp_error(state, "unknown backend '%s' (auto, fentry, tracepoint)", arg);
		o->backend = v;
		break;
	case 'M':
		if (arg_int(state, "--max-memcgs", arg, 16, 16 * 1024 * 1024, "", &max))
			return EINVAL;
		o->max_memcgs = max;
		break;
	case 'v':
		o->verbose = true;
		break;
	case ARGP_KEY_ARGS:
		o->cmd = state->argv + state->next;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (!o->out)
			argp_error(state, "-o FILE is required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* What the model needs from the kernel at one moment. */
struct moment {
	long long lrus;		/* memcg-aware list_lrus */
	long long memcgs;	/* besides the root */
	long long ids;		/* id space: measured before 5.18, grown by the model after */
};

static void moment_take(const struct lrutop_state *s, struct moment *m, bool peak)
{
	m->lrus = s->census.memcg_lrus;
	m->memcgs = peak ? s->census.kernel_memcgs_peak : s->census.kernel_memcgs;
	if (s->kernel.plan->pre_patch && s->flow.g.id_space_known)
		m->ids = s->flow.g.id_space;
	else
		m->ids = m->memcgs >= 0 ? (long long)pre_patch_id_space(m->memcgs) : -1;
}

static json_t *moment_json(const struct moment *m)
{
	return json_pack("{s:I,s:I,s:I}", "memcg_lrus", (json_int_t)m->lrus,
			 "memcgs", (json_int_t)m->memcgs, "ids", (json_int_t)m->ids);
}

/*
 * Both sides of the patch for this run (README, "The model"): before 5.18 every list_lru
 * holds a list per id and node, so the run costs what the growth of L x K x N between start
 * and end adds; after, one list per populated (memcg, list_lru) pair.
 */
static json_t *model_json(struct session *ss, const struct moment *a, const struct moment *b)
{
	const struct lrutop_state *s = &ss->state;
	long long k = s->kernel.nr_nodes, pairs;
	__u64 pre_lists, pre_bytes;

	/* Unknown where this kernel and backend cannot see them: null, never 0. */
	if (s->kernel.plan->post_patch)
		pairs = s->kernel.avail[M_ALLOCS] ? (long long)s->flow.tot.allocs : -1;
	else
		pairs = s->kernel.avail[M_WOULD_PAIRS] ? memcgs_would_pairs(s) : -1;
	if (a->lrus < 0 || b->lrus < 0 || a->ids < 0 || b->ids < 0)
		return json_null();
	pre_lists = b->lrus * k * b->ids - a->lrus * k * a->ids;
	pre_bytes = pre_patch_bytes(b->lrus, k, b->ids) - pre_patch_bytes(a->lrus, k, a->ids);
	return json_pack("{s:{s:I,s:I,s:I},s:o}",
		"pre_patch", "lists", (json_int_t)pre_lists, "list_bytes", (json_int_t)(32 * pre_lists),
		"bytes", (json_int_t)pre_bytes,
		"post_patch", pairs < 0 ? json_null() :
			json_pack("{s:I,s:I}", "lists", (json_int_t)pairs, "bytes",
				  (json_int_t)post_patch_bytes(pairs, k, ss->plan.list_lru_one_size)));
}

/* Lists and bytes this kernel really allocated during the run. */
static json_t *measured_json(const struct lrutop_state *s)
{
	bool post = s->kernel.plan->post_patch;

	if (!s->kernel.avail[post ? M_ALLOCS : M_EAGER])
		return json_null();
	return json_pack("{s:I,s:I}", "lists",
			 (json_int_t)(post ? s->flow.tot.allocs : s->flow.tot.eager_allocs), "bytes",
			 (json_int_t)(post ? s->flow.tot.bytes : s->flow.tot.eager_bytes));
}

static json_t *labels_json(const struct snapshot_opts *o)
{
	json_t *l = json_object();

	for (int i = 0; i < o->nr_labels; i++) {
		const char *eq = strchr(o->labels[i], '=');
		char key[128];

		snprintf(key, sizeof(key), "%.*s", (int)(eq - o->labels[i]), o->labels[i]);
		json_object_set_new(l, key, json_string(eq + 1));
	}
	return l;
}

static json_t *command_json(char **cmd)
{
	json_t *a = json_array();

	for (; cmd && *cmd; cmd++)
		json_array_append_new(a, json_string(*cmd));
	return a;
}

/* Run cmd to its end (a signal to lrutop ends it too). Its exit status, or -1. */
static int run_command(char **cmd, volatile sig_atomic_t *exiting)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(cmd[0], cmd);
		fprintf(stderr, "lrutop: snapshot: cannot run '%s': %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
		if (*exiting)
			kill(pid, SIGTERM);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void wait_for(double seconds, volatile sig_atomic_t *exiting)
{
	struct timespec ts = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };

	while (!*exiting && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * The kmalloc cache a list's size falls in, as /proc/slabinfo shows it: the kernel's own count
 * of its slots, beside which a comparison sets what lrutop's programs counted.
 */
static int slab_take(const struct probe_plan *plan, struct slab_cache_info *info)
{
	return slabinfo_kmalloc("/proc/slabinfo", list_request_size(plan->pre_patch,
				plan->list_lru_one_size, nr_node_ids()), info);
}

static json_t *slab_json(const struct slab_cache_info *a, const struct slab_cache_info *b, int err)
{
	if (err)
		return json_pack("{s:s,s:n,s:n,s:n,s:s}", "cache", a->name, "objsize", "start", "end",
				 "unavailable", strerror(-err));
	return json_pack("{s:s,s:I,s:{s:I,s:I},s:{s:I,s:I}}", "cache", a->name,
			 "objsize", (json_int_t)a->objsize,
			 "start", "active_objs", (json_int_t)a->active_objs,
			 "num_objs", (json_int_t)a->num_objs,
			 "end", "active_objs", (json_int_t)b->active_objs,
			 "num_objs", (json_int_t)b->num_objs);
}

/* What the kernel held at the start and the end of the run (the inventory), or why not. */
struct held_pair {
	json_t *start, *end;
	char why[256];
};

static json_t *take_held(struct inventory_walker *w, char *why, size_t len)
{
	struct inventory inv;
	json_t *o;

	if (!w || inventory_take(w, NULL, &inv, why, len))
		return NULL;
	o = inventory_summary_json(&inv);
	inventory_free(&inv);
	return o;
}

/* The pair as JSON; it takes the pair's references. */
static json_t *held_json(struct held_pair *h)
{
	json_t *o;

	if (!h->start || !h->end) {
		json_decref(h->start);
		json_decref(h->end);
		o = json_pack("{s:n,s:n,s:s}", "start", "end", "unavailable", h->why);
	} else {
		o = json_pack("{s:o,s:o}", "start", h->start, "end", h->end);
	}
	h->start = h->end = NULL;
	return o;
}

static int write_snapshot(struct session *ss, const struct snapshot_opts *o,
			  const struct moment *a, const struct moment *b, double secs, int cmd_rc,
			  struct held_pair *held, json_t *slab)
{
	struct view v = { .sort = MC_BYTES, .cumulative = true, .lrus = true };
	json_t *root = json_report_object(&ss->state, &v);
	char *text;
	int err;

	if (!root)
		return -ENOMEM;
	json_object_set_new(root, "kind", json_string(SNAPSHOT_KIND));
	json_object_set_new(root, "snapshot_version", json_integer(SNAPSHOT_VERSION));
	json_object_set_new(root, "patched", json_boolean(ss->plan.post_patch));
	/* From the kernel's BTF: what a list costs there (lrutop compare of two kernels). */
	json_object_set_new(root, "list_lru_one", json_integer(ss->plan.list_lru_one_size));
	json_object_set_new(root, "duration_s", json_real(secs));
	json_object_set_new(root, "labels", labels_json(o));
	json_object_set_new(root, "command", command_json(o->cmd));
	json_object_set_new(root, "command_status", o->cmd ? json_integer(cmd_rc) : json_null());
	json_object_set_new(root, "start", moment_json(a));
	json_object_set_new(root, "end", moment_json(b));
	json_object_set_new(root, "measured", measured_json(&ss->state));
	json_object_set_new(root, "model", model_json(ss, a, b));
	json_object_set_new(root, "inventory", held_json(held));
	json_object_set_new(root, "slab", slab);
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!text)
		return -ENOMEM;
	err = write_file_atomic(o->out, text, strlen(text));
	free(text);
	return err;
}

/* The measured window: the command and its settling time, or --duration. Its length in
 * seconds; the command's exit status in *cmd_rc. */
static double run_window(const struct snapshot_opts *o, volatile sig_atomic_t *exiting,
			 int *cmd_rc)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* With a command, --duration is time to settle after it exits. */
	if (o->cmd) {
		*cmd_rc = run_command(o->cmd, exiting);
		if (o->duration)
			wait_for(o->duration, exiting);
	} else {
		wait_for(o->duration ? o->duration : 10, exiting);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/* The exit status: 1 when the snapshot was not written (err, said here) or the measured
 * command failed. */
static int snapshot_status(const char *out, int err, int cmd_rc)
{
	if (err) {
		fprintf(stderr, "lrutop: snapshot %s: %s\n", out, strerror(-err));
		return 1;
	}
	if (cmd_rc)
		fprintf(stderr, "lrutop: snapshot: the command exited with %d\n", cmd_rc);
	return cmd_rc ? 1 : 0;
}

int snapshot_main(int argc, char **argv, volatile sig_atomic_t *exiting)
{
	static const struct argp argp = { snapshot_options, snapshot_parse,
		"-o FILE [-- COMMAND [ARGS...]]",
		"Measure list_lru memory over one run and write it as a JSON snapshot.\v"
		"EXAMPLE: lrutop snapshot -o 6.1.json -L memcgs=100 -- ./workload -m 100 ..." };
	struct snapshot_opts o = { .max_memcgs = 10240 };
	struct inventory_walker *walker = NULL;
	struct slab_cache_info slab_a, slab_b;
	struct held_pair held = {};
	struct moment start, end;
	struct session ss;
	int err, slab_err, cmd_rc = 0;
	double secs;

	argp_err_exit_status = 2;
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return 2;
	if (session_start(&ss, o.backend, o.max_memcgs, o.verbose, true, 0, false))
		return 1;
	/* Recorded in the snapshot (self_check), which lrutop compare --check then refuses. */
	if (ss.state.kernel.self_check.ok == 0)
		fprintf(stderr, "lrutop: snapshot: self-check %s\n", ss.state.kernel.self_check.result);
	err = state_refresh(&ss.state);
	if (err)
		goto cleanup;
	moment_take(&ss.state, &start, false);
	if (!inventory_walker_open(&ss.plan, &walker, held.why, sizeof(held.why)))
		held.start = take_held(walker, held.why, sizeof(held.why));
	slab_err = slab_take(&ss.plan, &slab_a);
	secs = run_window(&o, exiting, &cmd_rc);
	err = state_refresh(&ss.state);
	if (err)
		goto cleanup;
	moment_take(&ss.state, &end, true);
	if (!slab_err)
		slab_err = slab_take(&ss.plan, &slab_b);
	if (held.start)
		held.end = take_held(walker, held.why, sizeof(held.why));
	inventory_walker_close(walker);
	walker = NULL;
	err = write_snapshot(&ss, &o, &start, &end, secs, cmd_rc, &held,
			     slab_json(&slab_a, &slab_b, slab_err));
	if (!err)
		fprintf(stderr, "lrutop: snapshot %s: %s, %s backend, %.1fs\n", o.out,
			ss.state.kernel.release, backend_name(ss.backend), secs);
cleanup:
	inventory_walker_close(walker);
	json_decref(held.start);
	json_decref(held.end);
	session_end(&ss);
	return snapshot_status(o.out, err, cmd_rc);
}
