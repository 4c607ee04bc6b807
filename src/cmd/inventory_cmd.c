// SPDX-License-Identifier: GPL-2.0
/*
 * lrutop inventory: what the kernel's memcg-aware list_lrus hold now, once, as slabtop -o
 * prints its caches: per memcg, and with -l per list_lru; -j for scripts.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <jansson.h>
#include "kernel/inventory.h"
#include "lib/lru_kinds.h"
#include "args.h"
#include "inventory_cmd.h"
#include "view/inventory_json.h"
#include "view/columns.h"
#include "session.h"

struct inventory_opts {
	bool json;
	bool lrus;
	unsigned long rows;	/* 0: all */
	bool verbose;
};

static const struct argp_option inventory_options[] = {
	{ "json", 'j', NULL, 0, "One JSON object", 0 },
	{ "lrus", 'l', NULL, 0, "Also list each memcg-aware list_lru (text; JSON always has them)", 0 },
	{ "rows", 'r', "N", 0, "Show at most N memcgs and list_lrus (default 25, 0: all)", 0 },
	{ "verbose", 'v', NULL, 0, "Verbose debug output (libbpf)", 0 },
	{},
};

static error_t inventory_parse(int key, char *arg, struct argp_state *state)
{
	struct inventory_opts *o = state->input;
	long long rows;

	switch (key) {
	case 'j':
		o->json = true;
		break;
	case 'l':
		o->lrus = true;
		break;
	case 'r':
		if (arg_int(state, "rows", arg, 0, 10000000, "", &rows))
			return EINVAL;
		o->rows = rows;
		break;
	case 'v':
		o->verbose = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char *memcg_name(const struct inv_memcg_row *m, char *buf, size_t len)
{
	if (m->path)
		return m->path;
	if (m->cgid)
		snprintf(buf, len, "(cgroup %llu, id %u)", (unsigned long long)m->cgid, m->kmemcg_id);
	else
		snprintf(buf, len, "(id %u: no memcg holds it)", m->kmemcg_id);
	return buf;
}

static void print_text(const struct inventory *inv, const struct inventory_opts *o)
{
	char b[4][32], name[96];
	struct utsname u;

	uname(&u);
	printf("lrutop inventory: %s, %zu memcg-aware list_lrus, %d node%s (%s)\n",
	       u.release, inv->nr_lrus, inv->nr_nodes, inv->nr_nodes > 1 ? "s" : "",
	       inv->pre_patch ? "before 5.18: a list per node for every id" : "5.18+: lists made when needed");
	printf("a list: %llu bytes, a slot of %s (read from %s)\n", (unsigned long long)inv->list_bytes,
	       inv->list_cache, inv->bytes_from);
	if (inv->bytes_unread)
		printf("UNREAD: the slab of %llu lists could not be read: their bytes are not counted\n",
		       (unsigned long long)inv->bytes_unread);
	printf("held now: %llu lists, %sB (%.1f%% empty), %llu objects; bookkeeping %sB (%s)\n",
	       (unsigned long long)inv->lists, fmt_size(b[0], 32, inv->bytes),
	       inv->lists ? 100.0 * inv->empty / inv->lists : 0.0, (unsigned long long)inv->objects,
	       fmt_size(b[1], 32, inv->book_bytes), inv->pre_patch ? "pointer arrays" : "xarray nodes");
	if (inv->pre_patch)
		printf("id space: %u ids\n", inv->ids);
	printf("walk: %llu runs, %.1f ms CPU, longest run %.2f ms%s\n", (unsigned long long)inv->runs,
	       inv->cpu_ms, inv->max_run_ms, inv->drops ? "; DROPS: maps full" : "");
	if (inv->paths_dirs)
		printf("memcg paths: %llu of the kernel's names, %llu found in the cgroup tree\n",
		       (unsigned long long)inv->paths_kernel, (unsigned long long)inv->paths_dirs);
	printf("\n%8s %8s %8s %10s  %s\n", "LISTS", "BYTES", "EMPTY", "OBJS", "MEMCG");
	for (size_t i = 0; i < rows_shown(inv->nr_memcgs, o->rows); i++) {
		const struct inv_memcg_row *m = &inv->memcgs[i];

		printf("%8llu %8s %8llu %10lld  %s\n", (unsigned long long)m->lists,
		       fmt_size(b[0], 32, m->bytes), (unsigned long long)m->empty,
		       (long long)m->objects, memcg_name(m, name, sizeof(name)));
	}
	if (!o->lrus)
		return;
	printf("\n%8s %8s %8s %10s %8s  %-9s %-10s %s\n", "LISTS", "BYTES", "EMPTY", "OBJS", "BOOKS",
	       "KIND", "FSTYPE", "WHERE");
	for (size_t i = 0; i < rows_shown(inv->nr_lrus, o->rows); i++) {
		const struct inv_lru_row *l = &inv->lrus[i];
		const char *where = lru_where(l->owner.kind, &l->owner, l->mnt, l->where);

		printf("%8llu %8s %8llu %10lld %8s  %-9s %-10s %s%s%s%s\n",
		       (unsigned long long)l->lists, fmt_size(b[0], 32, l->bytes),
		       (unsigned long long)l->empty, (long long)l->objects,
		       fmt_size(b[1], 32, l->book_bytes), lru_kind_name(l->owner.kind),
		       l->owner.fstype[0] ? l->owner.fstype : "-", where ? where : "-",
		       l->why ? " (" : "", l->why ? l->why : "", l->why ? ")" : "");
	}
}

int inventory_main(int argc, char **argv)
{
	static const struct argp argp = { inventory_options, inventory_parse, NULL,
		"Print what the kernel's memcg-aware list_lrus hold now, read from its own "
		"structures: lists, their bytes, empty ones and objects, per memcg (and with -l per "
		"list_lru), and the bookkeeping (pointer arrays before 5.18, xarray nodes after).\v"
		"EXAMPLES:\n"
		"  sudo lrutop inventory           the memcgs holding the most lists\n"
		"  sudo lrutop inventory -l -r 0   every memcg and every list_lru\n"
		"  sudo lrutop inventory -j        one JSON object" };
	struct inventory_opts o = { .rows = 25 };
	struct inventory_walker *w = NULL;
	struct inventory inv = {};
	struct session ss;
	char why[256];
	json_t *root;
	int err;

	argp_err_exit_status = 2;
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return 2;
	if (session_prepare(&ss, o.verbose))
		return 1;
	err = inventory_walker_open(&ss.plan, &w, why, sizeof(why));
	if (!err)
		err = inventory_take(w, NULL, &inv, why, sizeof(why));
	if (err) {
		fprintf(stderr, "lrutop: inventory unavailable: %s\n", why);
		inventory_walker_close(w);
		session_end(&ss);
		return 1;
	}
	if (o.json) {
		root = inventory_json(&inv, o.rows);
		err = !root || json_dumpf(root, stdout, JSON_COMPACT) || putchar('\n') == EOF;
		json_decref(root);
	} else {
		print_text(&inv, &o);
	}
	inventory_free(&inv);
	inventory_walker_close(w);
	session_end(&ss);
	return err ? 1 : 0;
}
