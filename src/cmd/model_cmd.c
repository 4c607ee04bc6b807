// SPDX-License-Identifier: GPL-2.0
/*
 * lrutop model: the list_lru memory of the four states of the kernel that the series
 * "Optimize list lru memory consumption" went through, at a planner's scale or at a
 * snapshot's, and the cover letter's own test beside its published figures.
 */
#include <argp.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "ab/snap.h"
#include "lib/model.h"
#include "args.h"
#include "model_cmd.h"

#define MIB	(1024.0 * 1024.0)

/* The cover letter's test, and what `free -m` (MiB) showed at each state. */
static const double cover_letter_mib[NR_MODEL_STATES] = { 24464, 21957, 6895, 4367 };

struct model_opts {
	uint64_t memcgs, mounts, nodes, touch, shared, list_lrus, ids, one_size, pairs, lrus;
	bool have_memcgs, have_mounts, have_nodes, have_pairs, have_lrus;
	const char *from;
	bool cover_letter;
	bool json;
};

enum {
	OPT_MEMCGS = 0x100, OPT_MOUNTS, OPT_NODES, OPT_TOUCH, OPT_SHARED, OPT_LIST_LRUS, OPT_IDS,
	OPT_ONE_SIZE, OPT_PAIRS, OPT_LRUS, OPT_FROM, OPT_COVER_LETTER,
};

static const struct argp_option model_options[] = {
	{ "memcgs", OPT_MEMCGS, "N", 0, "Memory cgroups alive at once, besides the root", 0 },
	{ "mounts", OPT_MOUNTS, "M", 0, "Mounted superblocks", 0 },
	{ "nodes", OPT_NODES, "K", 0, "NUMA nodes (nr_node_ids)", 0 },
	{ "touch", OPT_TOUCH, "T", 0, "Mounts of its own each memcg puts objects on (default 1)", 0 },
	{ "shared", OPT_SHARED, "S", 0, "Mounts every memcg puts objects on (default 0)", 0 },
	{ "list-lrus", OPT_LIST_LRUS, "L", 0, "Memcg-aware list_lrus per mount (default 2: dentries, inodes)", 0 },
	{ "ids", OPT_IDS, "N", 0, "Id space before 5.18 (default: grown from --memcgs; it never shrinks)", 0 },
	{ "list-lru-one", OPT_ONE_SIZE, "BYTES", 0, "sizeof(struct list_lru_one) in the xarray state: 24 (default), 32 from 6.13", 0 },
	{ "pairs", OPT_PAIRS, "P", 0, "Populated (list_lru, memcg) pairs, where known (e.g. a workload's expected_lists), instead of --touch and --shared", 0 },
	{ "lrus", OPT_LRUS, "N", 0, "Memcg-aware list_lrus in all, where known (lrutop's memcg_lrus): the mounts' and others no memcg touches", 0 },
	{ "from", OPT_FROM, "FILE", 0, "Take the inputs from a snapshot (lrutop snapshot) or a patched host's inventory (lrutop inventory -j -r 0)", 0 },
	{ "cover-letter", OPT_COVER_LETTER, NULL, 0, "The series' own test (10,000 memcgs, 10,000 mounts, 2 nodes) beside its figures", 0 },
	{ "json", 'j', NULL, 0, "One JSON object", 0 },
	{},
};

/* A count option's value (args.h says what a bad one gets); argp exits on a bad one. */
static uint64_t count_arg(struct argp_state *state, const char *what, const char *arg,
			  long long lo, long long hi)
{
	long long v = lo;

	arg_int(state, what, arg, lo, hi, "", &v);
	return v;
}

/* The inputs as a whole: one source of them, and counts that fit together. */
static void model_check(struct argp_state *state, const struct model_opts *o)
{
	if (!!o->from + o->cover_letter > 1)
		argp_error(state, "--from and --cover-letter are two different inputs");
	if (!o->from && !o->cover_letter && !(o->have_memcgs && o->have_mounts && o->have_nodes))
		argp_error(state, "give --memcgs, --mounts and --nodes, or --from SNAPSHOT, "
			   "or --cover-letter");
	if ((o->from || o->cover_letter) && (o->have_pairs || o->have_lrus))
		argp_error(state, "--pairs and --lrus go with --memcgs, --mounts and --nodes");
	if (o->have_lrus && o->lrus < o->mounts * o->list_lrus)
		argp_error(state, "--lrus %llu is fewer than --mounts x --list-lrus",
			   (unsigned long long)o->lrus);
	if (o->shared > o->mounts && o->have_mounts)
		argp_error(state, "--shared %llu is more than --mounts %llu",
			   (unsigned long long)o->shared, (unsigned long long)o->mounts);
}

/* Where the inputs come from, and how the answer is written. */
static error_t model_parse_source(int key, char *arg, struct argp_state *state)
{
	struct model_opts *o = state->input;

	switch (key) {
	case OPT_FROM:
		o->from = arg;
		break;
	case OPT_COVER_LETTER:
		o->cover_letter = true;
		break;
	case 'j':
		o->json = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		model_check(state, o);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* The counts of the host to model. */
static error_t model_parse(int key, char *arg, struct argp_state *state)
{
	struct model_opts *o = state->input;

	switch (key) {
	case OPT_MEMCGS:
		o->memcgs = count_arg(state, "--memcgs", arg, 0, 1 << 24);
		o->have_memcgs = true;
		break;
	case OPT_MOUNTS:
		o->mounts = count_arg(state, "--mounts", arg, 0, 1 << 24);
		o->have_mounts = true;
		break;
	case OPT_NODES:
		o->nodes = count_arg(state, "--nodes", arg, 1, 1024);
		o->have_nodes = true;
		break;
	case OPT_TOUCH:
		o->touch = count_arg(state, "--touch", arg, 0, 1 << 24);
		break;
	case OPT_SHARED:
		o->shared = count_arg(state, "--shared", arg, 0, 1 << 24);
		break;
	case OPT_LIST_LRUS:
		o->list_lrus = count_arg(state, "--list-lrus", arg, 1, 16);
		break;
	case OPT_IDS:
		o->ids = count_arg(state, "--ids", arg, 1, 65535);
		break;
	case OPT_ONE_SIZE:
		o->one_size = count_arg(state, "--list-lru-one", arg, 24, 32);
		if (o->one_size != 24 && o->one_size != 32)
			argp_error(state, "invalid --list-lru-one '%s' (24 or 32)", arg);
		break;
	case OPT_PAIRS:
		o->pairs = count_arg(state, "--pairs", arg, 0, 1ULL << 40);
		o->have_pairs = true;
		break;
	case OPT_LRUS:
		o->lrus = count_arg(state, "--lrus", arg, 0, 1ULL << 32);
		o->have_lrus = true;
		break;
	default:
		return model_parse_source(key, arg, state);
	}
	return 0;
}

/*
 * `lrutop inventory -j` of a patched host: its list_lrus and nodes, the lists it holds (one
 * per populated pair) and the memcgs holding them. 1 if the file is no inventory.
 */
static int inputs_from_inventory(const char *file, struct model_inputs *in, char *what, size_t len)
{
	json_int_t lrus, lists, nodes, one;
	json_t *root, *t;
	int ret = 1;

	root = json_load_file(file, 0, NULL);
	t = json_object_get(root, "totals");
	if (!t || json_unpack(root, "{s:I}", "nodes", &nodes) ||
	    json_unpack(t, "{s:I,s:I}", "list_lrus", &lrus, "held_lists", &lists))
		goto out;
	ret = -EINVAL;
	if (json_is_true(json_object_get(root, "pre_patch"))) {
		fprintf(stderr, "lrutop: model: %s: an inventory of a pre-5.18 kernel holds every id's "
			"lists, not the pairs in use: take a snapshot there instead\n", file);
		goto out;
	}
	if (nodes < 1 || nodes > 1024 || lrus < 0 || lists < 0 || lrus > (1LL << 32) ||
	    lists > (1LL << 40)) {
		fprintf(stderr, "lrutop: model: %s: impossible counts\n", file);
		goto out;
	}
	memset(in, 0, sizeof(*in));
	in->nodes = nodes;
	in->lrus = lrus;
	in->memcgs = json_array_size(json_object_get(root, "memcgs"));
	/* Its list's bucket tells the list_lru_one (32 bytes from 6.13). */
	one = json_integer_value(json_object_get(root, "list_bytes"));
	in->one_size = (uint64_t)one > kmalloc_bucket(16 + 24 * nodes) ? 32 : 24;
	model_inputs_pairs(in, lists);
	snprintf(what, len, "%s (an inventory: %lld memcgs holding lists)", file,
		 (long long)in->memcgs);
	ret = 0;
out:
	json_decref(root);
	return ret;
}

/*
 * A snapshot's own scale: its memcgs, list_lrus, nodes and id space, and the populated
 * pairs it measured (5.18+) or would have made (before 5.18, fentry's model).
 */
static int inputs_from_snapshot(const char *file, struct model_inputs *in, char *what, size_t len)
{
	char why[512];
	long long pairs;
	struct snap s;
	int err;

	err = inputs_from_inventory(file, in, what, len);
	if (err <= 0)
		return err;
	if (snap_load(file, &s, why, sizeof(why))) {
		fprintf(stderr, "lrutop: model: %s\n", why);
		return -EINVAL;
	}
	pairs = s.patched ? s.lists : s.post_lists;
	if (pairs < 0 || s.memcgs < 0 || s.lrus < 0) {
		fprintf(stderr, "lrutop: model: %s: no %s in it\n", file,
			pairs < 0 ? "count of populated pairs" : "count of memcgs and list_lrus");
		snap_free(&s);
		return -EINVAL;
	}
	memset(in, 0, sizeof(*in));
	in->memcgs = s.memcgs;
	in->nodes = s.nodes;
	in->lrus = s.lrus;
	in->ids = s.patched ? 0 : s.ids;
	in->one_size = 24;
	/* The bucket a patched kernel measured gives its list_lru_one (32 bytes from 6.13). */
	if (s.patched && s.lists > 0 &&
	    (uint64_t)(s.bytes / s.lists) > kmalloc_bucket(16 + 24 * s.nodes))
		in->one_size = 32;
	model_inputs_pairs(in, pairs);
	snprintf(what, len, "%s (%s, %s the patch)", file, s.kernel, s.patched ? "after" : "before");
	snap_free(&s);
	return 0;
}

static json_t *result_json(enum model_state st, const struct model_result *r)
{
	return json_pack("{s:s,s:I,s:I,s:I,s:I}", "state", model_state_name(st),
			 "bytes", (json_int_t)(r->list_bytes + r->bookkeeping_bytes),
			 "lists", (json_int_t)r->allocs, "list_bytes", (json_int_t)r->list_bytes,
			 "bookkeeping_bytes", (json_int_t)r->bookkeeping_bytes);
}

static long long change(uint64_t from, uint64_t to)
{
	return (long long)to - (long long)from;
}

static int print_json(const struct model_inputs *in, const struct model_result *r,
		      const char *source, bool cover)
{
	json_t *states = json_array(), *changes = json_array(), *root;
	uint64_t ids = in->ids ? in->ids : pre_patch_id_space(in->memcgs);

	for (int st = 0; st < NR_MODEL_STATES; st++) {
		json_t *o = result_json(st, &r[st]);

		if (cover)
			json_object_set_new(o, "cover_letter_mib", json_real(cover_letter_mib[st]));
		json_array_append_new(states, o);
		if (!st)
			continue;
		json_array_append_new(changes, json_pack("{s:s,s:s,s:I,s:I,s:I}",
			"from", model_state_name(st - 1), "to", model_state_name(st),
			"bytes", change(r[st - 1].list_bytes + r[st - 1].bookkeeping_bytes,
					r[st].list_bytes + r[st].bookkeeping_bytes),
			"list_bytes", change(r[st - 1].list_bytes, r[st].list_bytes),
			"bookkeeping_bytes", change(r[st - 1].bookkeeping_bytes, r[st].bookkeeping_bytes)));
	}
	root = json_pack("{s:o,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:s}}", "states", states,
			 "changes", changes, "inputs",
			 "memcgs", (json_int_t)in->memcgs, "nodes", (json_int_t)in->nodes,
			 "list_lrus", (json_int_t)in->lrus, "ids", (json_int_t)ids,
			 "pairs", (json_int_t)model_pairs(in), "list_lru_one", (json_int_t)in->one_size,
			 "source", source);
	if (!root || json_dumpf(root, stdout, JSON_COMPACT) || putchar('\n') == EOF) {
		json_decref(root);
		return -EIO;
	}
	json_decref(root);
	return 0;
}

static void print_text(const struct model_inputs *in, const struct model_result *r,
		       const char *source, bool cover)
{
	uint64_t ids = in->ids ? in->ids : pre_patch_id_space(in->memcgs);
	/* MiB as `free -m` counts, KiB where a host is small. */
	bool mib = cover || r[MODEL_WITHOUT].list_bytes + r[MODEL_WITHOUT].bookkeeping_bytes >= 64 * MIB;
	double unit = mib ? MIB : 1024, total, prev = 0;
	const char *u = mib ? "MiB" : "KiB";

	printf("lrutop model: %s\n", source);
	printf("  %llu memcgs, %llu memcg-aware list_lrus, %llu node%s; %llu populated pairs; "
	       "id space %llu before 5.18\n\n", (unsigned long long)in->memcgs,
	       (unsigned long long)in->lrus, (unsigned long long)in->nodes, in->nodes > 1 ? "s" : "",
	       (unsigned long long)model_pairs(in), (unsigned long long)ids);
	printf("%-11s %13s   lists %s   books %s   total %s %10s%s\n", "state", "list allocs", u, u,
	       u, "change", cover ? "  letter  change  off" : "");
	for (int st = 0; st < NR_MODEL_STATES; st++) {
		total = (r[st].list_bytes + r[st].bookkeeping_bytes) / unit;
		printf("%-11s %13llu %11.1f %11.1f %11.1f", model_state_name(st),
		       (unsigned long long)r[st].allocs, r[st].list_bytes / unit,
		       r[st].bookkeeping_bytes / unit, total);
		if (st)
			printf(" %+10.1f", total - prev);
		else
			printf(" %10s", "");
		if (cover) {
			printf("  %6.0f", cover_letter_mib[st]);
			if (st) {
				double letter = cover_letter_mib[st] - cover_letter_mib[st - 1];

				printf("  %6.0f  %+4.1f%%", letter, 100 * ((total - prev) - letter) / fabs(letter));
			}
		}
		putchar('\n');
		prev = total;
	}
	printf("\nlists: the per-memcg lists, allocations and bytes. books: pointer arrays before the\n"
	       "xarray (kvmalloc: whole pages of a power-of-two order above 8 KiB), xarray nodes\n"
	       "(%d B) after it.\n", XA_NODE_BYTES);
	if (cover)
		printf("letter: the cover letter's `free -m` (MiB), which also holds memory the model\n"
		       "does not cover (memcgs, superblocks): compare the changes. off: the model's\n"
		       "change against the letter's.\n");
}

int model_main(int argc, char **argv)
{
	static const struct argp argp = { model_options, model_parse, NULL,
		"The list_lru memory of the four states of the kernel the series \"Optimize list lru "
		"memory consumption\" went through: without it, per-node arrays transposed, lists "
		"allocated only when needed (the seed of 5.18), the pointer array replaced by an "
		"xarray (5.18+).\v"
		"EXAMPLES:\n"
		"  lrutop model --memcgs 2000 --mounts 500 --nodes 2     plan a host\n"
		"  lrutop model --cover-letter                           the series' own test\n"
		"  lrutop model --from docs/ab/5.10.0-32-amd64-m100-n4.json -j" };
	struct model_opts o = { .touch = 1, .list_lrus = 2, .one_size = 24 };
	struct model_result r[NR_MODEL_STATES];
	struct model_inputs in;
	char source[4200];

	argp_err_exit_status = 2;
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return 2;
	if (o.from) {
		if (inputs_from_snapshot(o.from, &in, source, sizeof(source)))
			return 1;
	} else {
		if (o.cover_letter) {
			o.memcgs = o.mounts = 10000;
			o.nodes = 2;
			o.touch = 1;
			o.shared = 0;
			o.list_lrus = 2;
		}
		model_inputs_plan(&in, o.memcgs, o.mounts, o.nodes, o.touch, o.shared, o.list_lrus);
		in.ids = o.ids;
		in.one_size = o.one_size;
		if (o.have_lrus)
			in.lrus = o.lrus;	/* the others hold no pair */
		if (o.have_pairs)
			model_inputs_pairs(&in, o.pairs);
		snprintf(source, sizeof(source), "%s%llu mounts x %llu list_lrus; each memcg on %llu "
			 "mount%s of its own and %llu shared", o.cover_letter ? "the cover letter's test: " : "",
			 (unsigned long long)o.mounts, (unsigned long long)o.list_lrus,
			 (unsigned long long)o.touch, o.touch == 1 ? "" : "s",
			 (unsigned long long)o.shared);
		if (o.have_pairs)
			snprintf(source, sizeof(source), "%llu mounts x %llu list_lrus; %llu pairs given",
				 (unsigned long long)o.mounts, (unsigned long long)o.list_lrus,
				 (unsigned long long)o.pairs);
	}
	model_states(&in, r);
	if (o.json)
		return print_json(&in, r, source, o.cover_letter) ? 1 : 0;
	print_text(&in, r, source, o.cover_letter);
	return 0;
}
