// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "export/http.h"
#include "lib/version.h"
#include "args.h"
#include "opts.h"

const char *argp_program_version = "lrutop " LRUTOP_VERSION;
const char *argp_program_bug_address = "https://github.com/lrutop/lrutop/issues";

static const char doc[] =
"Show which memory cgroups make the kernel allocate memcg-aware list_lru memory.\n"
"\n"
"USAGE: lrutop [OPTIONS] [INTERVAL [COUNT]]\n"
"\n"
"EXAMPLES:\n"
"    lrutop               # live screen, refreshed every second\n"
"    lrutop -s bytes 5    # sort by bytes, refresh every 5 seconds\n"
"    lrutop -o allocs,objs,calls  # only these columns\n"
"    lrutop -b 1 10       # ten plain-text reports, one per second\n"
"    lrutop -b -j 2       # JSON Lines, one object every 2 seconds\n"
"    lrutop -c /kubepods  # only the /kubepods subtree\n"
"    lrutop -c 3f2a1b9c8d7e  # only this container (or pod uid, or unit)\n"
"    lrutop --group-by pod  # one row a Kubernetes pod\n"
"    lrutop -H            # with latency and lists-per-memcg histograms\n"
"    lrutop --prometheus /var/lib/prometheus/node-exporter/lrutop.prom 15\n"
"                         # node_exporter textfile, replaced every 15 seconds\n"
"    lrutop --listen 9843 # serve /metrics on 127.0.0.1:9843\n"
"    lrutop --probe       # which functions and backend this kernel allows";

enum {
	OPT_BACKEND = 0x100,
	OPT_CUMULATIVE,
	OPT_PROBE,
	OPT_MAX_MEMCGS,
	OPT_LRUS,
	OPT_PROMETHEUS,
	OPT_LISTEN,
	OPT_TOP,
	OPT_KEEP_REMOVED,
	OPT_NO_SELF_CHECK,
	OPT_BY,
	OPT_INVENTORY_INTERVAL,
	OPT_GROUP_BY,
	OPT_BPF_STATS,
};

static const struct argp_option options[] = {
	{ "batch", 'b', NULL, 0, "Batch mode: plain text reports, no screen", 0 },
	{ "json", 'j', NULL, 0, "With -b: one JSON object per report (JSON Lines)", 0 },
	{ "sort", 's', "KEY", 0, "Sort by a column's name (-o help lists them; default allocs) or path", 0 },
	{ "columns", 'o', "LIST", 0, "Columns to show: names separated by commas, default, all (-o help lists them)", 0 },
	{ "rows", 'r', "ROWS", 0, "Show at most ROWS memcgs", 0 },
	{ "cgroup", 'c', "PATH|NAME", 0, "Only memcgs in this subtree (a path under the memory hierarchy), or in this unit, pod or container (its name, or an id's first characters)", 0 },
	{ "group-by", OPT_GROUP_BY, "unit|pod|container", 0, "One row for each systemd unit, Kubernetes pod or container, its memcgs summed; memcgs in none keep their rows", 0 },
	{ "hist", 'H', NULL, 0, "Show histograms: allocator latency, lists per memcg", 0 },
	{ "lrus", 'l', NULL, 0, "Batch mode: also list each list_lru and, in JSON, the lists of each (memcg, list_lru) pair (fentry backend)", 0 },
	{ "cumulative", OPT_CUMULATIVE, NULL, 0, "Show totals since start, not per-interval deltas", 0 },
	{ "by", OPT_BY, "owner|cause", 0, "Charge each list to its owner (the memcg whose slot it fills; default) or to its cause (the memcg whose allocation made it)", 0 },
	{ "backend", OPT_BACKEND, "NAME", 0, "auto (default), fentry or tracepoint", 0 },
	{ "max-memcgs", OPT_MAX_MEMCGS, "N", 0, "Room for N memcgs in the maps (default 10240): per-memcg N, per-list_lru N, pairs and live lists 4 N", 0 },
	{ "keep-removed", OPT_KEEP_REMOVED, "SECS", 0, "Show a removed memcg this long, then drop it from the maps into the aged-out totals (default 60; 'never' keeps all)", 0 },
	{ "inventory-interval", OPT_INVENTORY_INTERVAL, "SECS", 0, "Walk what the kernel's list_lrus hold now (HELD, EMPTY) this often (default 10; 0: never)", 0 },
	{ "probe", OPT_PROBE, NULL, 0, "Print what this kernel allows and exit", 0 },
	{ "bpf-stats", OPT_BPF_STATS, "on|off", OPTION_ARG_OPTIONAL, "Turn the kernel's BPF statistics on to show what lrutop's own programs cost (on by default in the screen and --probe, off in batch and export modes: they time every BPF program on the host)", 0 },
	{ "no-self-check", OPT_NO_SELF_CHECK, NULL, 0, "Skip the start-up check that the backend counts a known allocation exactly (batch mode then runs even where it would fail)", 0 },
	{ "prometheus", OPT_PROMETHEUS, "FILE", 0, "Every interval, replace FILE (atomically) with Prometheus metrics; no screen", 0 },
	{ "listen", OPT_LISTEN, "[ADDR:]PORT", 0, "Serve Prometheus metrics at /metrics (address 127.0.0.1 unless given); no screen", 0 },
	{ "top", OPT_TOP, "N", 0, "Export the N memcgs with the most bytes one by one, the rest as cgroup=\"other\" (default 20)", 0 },
	{ "verbose", 'v', NULL, 0, "Verbose debug output (libbpf)", 0 },
	{},
};

/* argp_error returns under ARGP_NO_EXIT: stop parsing there too. */
#define BAD_ARG(...) do { argp_error(state, __VA_ARGS__); return EINVAL; } while (0)

/* -o help: the columns, from the metric table. */
static void columns_help(FILE *out)
{
	fprintf(out, "%-13s %-7s %-3s %s\n", "NAME", "COLUMN", "KEY", "WHAT (* default)");
	for (int m = 0; m < NR_MEMCG_METRICS; m++)
		fprintf(out, "%-13s %-7s %-3c %s%s\n", memcg_metrics[m].name, memcg_metrics[m].header,
			memcg_metrics[m].key ? memcg_metrics[m].key : '-', memcg_metrics[m].doc,
			memcg_metrics[m].column ? " *" : "");
}

/* What the rows show: sort, columns, rows, subtree, owner or cause, histograms. */
static error_t parse_view(int key, char *arg, struct argp_state *state)
{
	struct view *v = &((struct lrutop_opts *)state->input)->view;
	long long n;
	char bad[64];
	int k;

	switch (key) {
	case 'H':
		v->hist = true;
		break;
	case 'l':
		v->lrus = true;
		break;
	case OPT_CUMULATIVE:
		v->cumulative = true;
		break;
	case OPT_BY:
		if (strcmp(arg, "owner") && strcmp(arg, "cause"))
			BAD_ARG("invalid --by '%s' (owner or cause)", arg);
		v->by_cause = !strcmp(arg, "cause");
		break;
	case 's':
		k = memcg_metric_parse(arg);
		if (k < 0)
			BAD_ARG("unknown sort key '%s' (a column's name, or path: see lrutop -o help)", arg);
		v->sort = k;
		break;
	case 'o':
		if (!strcmp(arg, "help")) {
			columns_help(stdout);
			if (!(state->flags & ARGP_NO_EXIT))
				exit(0);
			break;
		}
		if (memcg_columns_parse(arg, &v->columns, bad, sizeof(bad)))
			BAD_ARG("unknown column '%s' (lrutop -o help lists them)", bad);
		break;
	case 'r':
		if (arg_int(state, "number of rows", arg, 1, 1000000, "", &n))
			return EINVAL;
		v->rows = n;
		break;
	case 'c':
		if (!arg[0] || (arg[0] != '/' && strchr(arg, '/') && strncmp(arg, "pod:", 4)))
			BAD_ARG("cgroup '%s' must be a path starting with '/', or a unit, pod or container name", arg);
		v->cgroup = arg;
		break;
	case OPT_GROUP_BY:
		k = group_by_parse(arg);
		if (k < 0)
			BAD_ARG("invalid --group-by '%s' (unit, pod or container)", arg);
		v->group_by = k;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Where reports go: batch text or JSON, Prometheus, or nothing but --probe. */
static error_t parse_output(int key, char *arg, struct argp_state *state)
{
	struct lrutop_opts *o = state->input;
	long long v;

	switch (key) {
	case 'b':
		o->batch = true;
		break;
	case 'j':
		o->json = true;
		break;
	case OPT_PROBE:
		o->probe = true;
		break;
	case OPT_PROMETHEUS:
		if (!arg[0] || arg[strlen(arg) - 1] == '/')
			BAD_ARG("--prometheus needs a file name, not '%s'", arg);
		o->prometheus = arg;
		break;
	case OPT_LISTEN:
		if (listen_parse(arg, NULL, 0, NULL))
			BAD_ARG("invalid --listen '%s' (PORT, ADDR:PORT or [IPV6]:PORT, port 1 to 65535)", arg);
		o->listen = arg;
		break;
	case OPT_TOP:
		if (arg_int(state, "--top", arg, 0, 100000, "", &v))
			return EINVAL;
		o->top = v;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* How lrutop watches the kernel: backend, map sizes, ageing, inventory, self-check. */
static error_t parse_watch(int key, char *arg, struct argp_state *state)
{
	struct lrutop_opts *o = state->input;
	long long v;
	int k;

	switch (key) {
	case 'v':
		o->verbose = true;
		break;
	case OPT_NO_SELF_CHECK:
		o->no_self_check = true;
		break;
	case OPT_BPF_STATS:
		if (!arg || !strcmp(arg, "on"))
			o->bpf_stats = 1;
		else if (!strcmp(arg, "off"))
			o->bpf_stats = 0;
		else
			BAD_ARG("invalid --bpf-stats '%s' (on or off)", arg);
		break;
	case OPT_BACKEND:
		k = backend_parse(arg);
		if (k < 0)
			BAD_ARG("unknown backend '%s' (auto, fentry, tracepoint)", arg);
		o->backend = k;
		break;
	case OPT_MAX_MEMCGS:
		if (arg_int(state, "--max-memcgs", arg, 16, 16 * 1024 * 1024, "", &v))
			return EINVAL;
		o->max_memcgs = v;
		break;
	case OPT_KEEP_REMOVED:
		if (!strcmp(arg, "never"))
			v = -1;
		else if (arg_int(state, "--keep-removed", arg, 0, 365 * 86400, "seconds, or never", &v))
			return EINVAL;
		o->keep_removed_s = v;
		break;
	case OPT_INVENTORY_INTERVAL:
		if (arg_real(state, "--inventory-interval", arg, 0, 86400, "seconds", &o->inventory_s))
			return EINVAL;
		if (o->inventory_s && o->inventory_s < 0.1)
			BAD_ARG("invalid --inventory-interval '%s' (0, or 0.1 to 86400 seconds)", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* [INTERVAL [COUNT]], and what only the whole command line can tell. */
static error_t parse_args(int key, char *arg, struct argp_state *state)
{
	struct lrutop_opts *o = state->input;
	static int pos;
	long long v;

	switch (key) {
	case ARGP_KEY_INIT:
		pos = 0;
		break;
	case ARGP_KEY_ARG:
		if (pos == 0) {
			if (arg_real(state, "interval", arg, 0.1, 86400, "seconds", &o->interval))
				return EINVAL;
		} else if (pos == 1) {
			if (arg_int(state, "count", arg, 1, LONG_MAX, "", &v))
				return EINVAL;
			o->count = v;
		} else {
			BAD_ARG("unexpected argument '%s'", arg);
		}
		pos++;
		break;
	case ARGP_KEY_END:
		if (o->json && !o->batch)
			BAD_ARG("-j needs -b (JSON Lines are a batch output)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	static error_t (*const parsers[])(int, char *, struct argp_state *) = {
		parse_view, parse_output, parse_watch, parse_args,
	};
	error_t err;

	for (size_t i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++) {
		err = parsers[i](key, arg, state);
		if (err != ARGP_ERR_UNKNOWN)
			return err;
	}
	return ARGP_ERR_UNKNOWN;
}

int opts_parse(int argc, char **argv, struct lrutop_opts *o, unsigned int argp_flags)
{
	static const struct argp argp = { options, parse_arg, "[INTERVAL [COUNT]]", doc };
	int err;

	memset(o, 0, sizeof(*o));
	o->interval = 1.0;
	o->max_memcgs = 10240;
	o->inventory_s = 10;
	o->keep_removed_s = LRUTOP_KEEP_REMOVED_S;
	o->view.sort = MC_ALLOCS;
	o->view.columns = memcg_columns_default();
	o->top = 20;
	o->bpf_stats = -1;
	argp_err_exit_status = 2;
	err = argp_parse(&argp, argc, argv, argp_flags, NULL, o);
	return err ? 2 : 0;
}
