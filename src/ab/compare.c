// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <jansson.h>
#include "compare.h"
#include "model.h"
#include "snapshot.h"

#define MAX_SNAPSHOTS	64
/*
 * Bounds on what a snapshot may claim: MAX_NUMNODES is 1 << 10 at most, and 2^48 lists is more
 * than any machine holds. Within them every product compare forms fits in a long long.
 */
#define SNAP_NODES_MAX	1024
#define SNAP_COUNT_MAX	(1LL << 48)
/* Before the patch a list_lru_one of 24 bytes is a kmalloc-32. */
#define PRE_PATCH_LIST_BYTES 32

/* An integer, or -1 for null or absent. */
static long long opt_int(json_t *o)
{
	return json_is_integer(o) ? json_integer_value(o) : -1;
}

/* A count, or -1 for unknown. */
static bool count_ok(long long v)
{
	return v >= -1 && v <= SNAP_COUNT_MAX;
}

/* The workload's count of memcgs when the run was labelled with it; else the kernel's. */
static int labelled_memcgs(json_t *root, long long *memcgs)
{
	json_t *label = json_object_get(json_object_get(root, "labels"), "memcgs");
	char *end;

	if (!json_is_string(label))
		return 0;
	errno = 0;
	*memcgs = strtoll(json_string_value(label), &end, 10);
	return errno || *end || end == json_string_value(label) ? -EINVAL : 0;
}

static int snap_check_counts(const struct snap *s, char *why, size_t len)
{
	const long long counts[] = { s->lists, s->bytes, s->memcgs, s->lrus, s->ids,
				     s->pre_lists, s->pre_bytes, s->post_lists, s->post_bytes,
				     s->freed_bytes, s->held_bytes, s->held_book_bytes };

	if (s->nodes < 1 || s->nodes > SNAP_NODES_MAX || s->lists < 0 || s->bytes < 0)
		goto impossible;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (!count_ok(counts[i]))
			goto impossible;
	return 0;
impossible:
	snprintf(why, len, "%s: impossible counts (nodes %lld, lists %lld, bytes %lld, memcgs %lld, "
		 "list_lrus %lld, ids %lld)", s->file, s->nodes, s->lists, s->bytes, s->memcgs,
		 s->lrus, s->ids);
	return -EINVAL;
}

/* The list cache's line of /proc/slabinfo at the start and the end of the run, if recorded. */
static void snap_fill_slab(struct snap *s, json_t *slab)
{
	long long a = opt_int(json_object_get(json_object_get(slab, "start"), "num_objs"));
	long long b = opt_int(json_object_get(json_object_get(slab, "end"), "num_objs"));

	s->slab_cache = json_string_value(json_object_get(slab, "cache"));
	s->slab_objsize = opt_int(json_object_get(slab, "objsize"));
	if (s->slab_objsize < 0 || s->slab_objsize > 1 << 20)
		s->slab_objsize = -1;
	s->slab_bytes = s->slab_objsize > 0 && a >= 0 && b >= 0 && a <= SNAP_COUNT_MAX &&
			b <= SNAP_COUNT_MAX ? (b - a) * s->slab_objsize : -1;
}

static int snap_fill(struct snap *s, json_t *root, char *why, size_t len)
{
	json_t *pre = NULL, *post = NULL, *model, *measured, *held;
	json_int_t version, nodes, lists, bytes, lrus, memcgs, ids;
	const char *kind, *kernel;
	json_error_t err;
	int patched;

	if (json_unpack_ex(root, &err, 0, "{s:s,s:I,s:s,s:b,s:I,s:o,s:{s:I,s:I,s:I},s:o}",
			   "kind", &kind, "snapshot_version", &version, "kernel", &kernel,
			   "patched", &patched, "nodes", &nodes, "measured", &measured,
			   "end", "memcg_lrus", &lrus, "memcgs", &memcgs, "ids", &ids,
			   "model", &model)) {
		snprintf(why, len, "%s: not an lrutop snapshot: %s", s->file, err.text);
		return -EINVAL;
	}
	if (strcmp(kind, SNAPSHOT_KIND) || version != SNAPSHOT_VERSION) {
		snprintf(why, len, "%s: not an lrutop snapshot of version %d", s->file, SNAPSHOT_VERSION);
		return -EINVAL;
	}
	if (json_is_null(measured)) {
		snprintf(why, len, "%s: nothing measured: %s's kernel and backend could not see the lists",
			 s->file, kernel);
		return -EINVAL;
	}
	if (json_unpack_ex(measured, &err, 0, "{s:I,s:I}", "lists", &lists, "bytes", &bytes)) {
		snprintf(why, len, "%s: not an lrutop snapshot: measured: %s", s->file, err.text);
		return -EINVAL;
	}
	s->kernel = kernel;
	s->patched = patched;
	s->nodes = nodes;
	s->lists = lists;
	s->bytes = bytes;
	s->lrus = lrus;
	s->ids = ids;
	s->memcgs = memcgs;
	if (labelled_memcgs(root, &s->memcgs)) {
		snprintf(why, len, "%s: labels: memcgs is not a number", s->file);
		return -EINVAL;
	}
	if (json_is_object(model)) {
		pre = json_object_get(model, "pre_patch");
		post = json_object_get(model, "post_patch");
	}
	s->pre_lists = opt_int(json_object_get(pre, "lists"));
	s->pre_bytes = opt_int(json_object_get(pre, "bytes"));
	s->post_lists = opt_int(json_object_get(post, "lists"));
	s->post_bytes = opt_int(json_object_get(post, "bytes"));
	s->command_status = opt_int(json_object_get(root, "command_status"));
	s->one_size = opt_int(json_object_get(root, "list_lru_one"));
	s->freed_bytes = opt_int(json_object_get(json_object_get(root, "totals"), "freed_bytes"));
	held = json_object_get(json_object_get(json_object_get(root, "inventory"), "end"), "totals");
	s->held_bytes = opt_int(json_object_get(held, "held_bytes"));
	s->held_book_bytes = opt_int(json_object_get(held, "bookkeeping_bytes"));
	snap_fill_slab(s, json_object_get(root, "slab"));
	if (s->one_size != -1 && (s->one_size < 8 || s->one_size > 4096)) {
		snprintf(why, len, "%s: impossible list_lru_one size %lld", s->file, s->one_size);
		return -EINVAL;
	}
	return snap_check_counts(s, why, len);
}

int snap_parse(const char *text, size_t n, const char *name, struct snap *s, char *why,
	       size_t len)
{
	json_error_t err;
	json_t *root;
	int ret;

	memset(s, 0, sizeof(*s));
	s->file = name;
	root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		snprintf(why, len, "%s:%d:%d: %s", name, err.line, err.column, err.text);
		return -EINVAL;
	}
	s->json = root;
	ret = snap_fill(s, root, why, len);
	if (ret)
		snap_free(s);
	return ret;
}

int snap_load(const char *file, struct snap *s, char *why, size_t len)
{
	char *text = NULL;
	size_t n = 0, cap = 0, r;
	FILE *f;
	int ret;

	f = fopen(file, "r");
	if (!f) {
		snprintf(why, len, "%s: %s", file, strerror(errno));
		return -errno;
	}
	/* Snapshots are small: refuse what cannot be one rather than read it all. */
	do {
		if (n == cap) {
			char *t = cap < 256 << 20 ? realloc(text, cap = cap * 2 + 65536) : NULL;

			if (!t) {
				snprintf(why, len, "%s: larger than 256 MiB: not a snapshot", file);
				free(text);
				fclose(f);
				return -EINVAL;
			}
			text = t;
		}
		r = fread(text + n, 1, cap - n, f);
		n += r;
	} while (r);
	fclose(f);
	ret = snap_parse(text, n, file, s, why, len);
	free(text);
	return ret;
}

void snap_free(struct snap *s)
{
	json_decref(s->json);
	s->json = NULL;
}

double snap_model_error(long long measured, long long model)
{
	if (measured <= 0 || model < 0)
		return model == measured ? 0 : NAN;
	return 100.0 * (model - measured) / measured;
}

const char *compare_cell(char *buf, size_t len, long long v)
{
	if (v < 0)
		return "-";
	snprintf(buf, len, "%lld", v);
	return buf;
}

const char *compare_pct(char *buf, size_t len, double e)
{
	if (isnan(e))
		return "-";
	snprintf(buf, len, "%+.1f%%", e);
	return buf;
}

static void worst_of(double *worst, double e)
{
	if (!isnan(e) && fabs(e) > *worst)
		*worst = fabs(e);
	if (isnan(e))
		*worst = INFINITY;
}

void snap_lists_by_kind(const struct snap *s, long long sum[3])
{
	const char *kind;
	json_t *l;
	size_t i;

	sum[0] = sum[1] = sum[2] = 0;
	json_array_foreach(json_object_get(s->json, "lrus"), i, l) {
		long long *to, allocs = opt_int(json_object_get(l, "allocs"));

		kind = json_string_value(json_object_get(l, "kind"));
		to = &sum[kind && !strcmp(kind, "dentry") ? 1 : kind && !strcmp(kind, "inode") ? 2 : 0];
		/* A count no kernel has is not added; a sum past any count stops there. */
		if (allocs > 0 && count_ok(allocs) && __builtin_add_overflow(*to, allocs, to))
			*to = LLONG_MAX;
	}
}

/* Lists per list_lru kind on the patched side (fentry sees which list_lru). */
static void kinds_table(FILE *out, const struct snap *after)
{
	long long sum[3];

	snap_lists_by_kind(after, sum);
	if (!sum[0] && !sum[1] && !sum[2])
		return;
	fprintf(out, "\n| list_lru kind (%s) | lists |\n|---|---:|\n", after->kernel);
	fprintf(out, "| dentry (sb->s_dentry_lru) | %lld |\n| inode (sb->s_inode_lru) | %lld |\n"
		"| other | %lld |\n", sum[1], sum[2], sum[0]);
}

/* The top memcgs of the patched side, beside what the eager kernel gives each memcg id:
 * a list on every list_lru on every node. */
static void memcgs_table(FILE *out, const struct snap *before, const struct snap *after)
{
	json_t *m, *memcgs = json_object_get(after->json, "memcgs");
	char b[32];
	size_t i;

	if (!json_array_size(memcgs))
		return;
	fprintf(out, "\n| memcg (top 5) | %s lists | %s lists for its id |\n|---|---:|---:|\n",
		after->kernel, before->kernel);
	json_array_foreach(memcgs, i, m) {
		if (i == 5)
			break;
		fprintf(out, "| %s | %lld | %s |\n",
			json_string_value(json_object_get(m, "path")) ?: "?",
			opt_int(json_object_get(m, "allocs")),
			compare_cell(b, sizeof(b), before->lrus >= 0 ? before->lrus * before->nodes : -1));
	}
}

/* A snapshot whose command ran and which measured lists: one a comparison can use. */
static int snap_measured_usable(const struct snap *s, char *why, size_t len)
{
	if (s->command_status == -1 && !json_is_integer(json_object_get(s->json, "command_status"))) {
		snprintf(why, len, "%s: no command's exit status recorded: what ran is unknown", s->file);
		return -EINVAL;
	}
	if (s->command_status) {
		snprintf(why, len, "%s: the measured command failed (status %lld)", s->file,
			 s->command_status);
		return -EINVAL;
	}
	if (s->lists <= 0) {
		snprintf(why, len, "%s: no list was measured: nothing to compare but 0", s->file);
		return -EINVAL;
	}
	if (json_is_false(json_object_get(json_object_get(s->json, "self_check"), "ok"))) {
		snprintf(why, len, "%s: lrutop's self-check failed there: its counts are not to be "
			 "trusted", s->file);
		return -EINVAL;
	}
	return 0;
}

int compare_pair_usable(const struct snap *a, const struct snap *b, char *why, size_t len)
{
	if (snap_measured_usable(a, why, len) || snap_measured_usable(b, why, len))
		return -EINVAL;
	if (a->patched == b->patched) {
		snprintf(why, len, "%s and %s are both %s the patch: no model links them (compare "
			 "them without --check)", a->file, b->file, a->patched ? "after" : "before");
		return -EINVAL;
	}
	return 0;
}

long long snap_btf_list_bytes(const struct snap *s)
{
	if (!s->patched)
		return PRE_PATCH_LIST_BYTES;
	if (s->one_size < 0)
		return -1;
	return (long long)kmalloc_bucket(16 + (uint64_t)s->one_size * s->nodes);
}


void compare_pair(FILE *out, const struct snap *before, const struct snap *after, double *worst)
{
	long long pre_list_bytes = after->pre_lists >= 0 ? PRE_PATCH_LIST_BYTES * after->pre_lists : -1;
	double e_before = snap_model_error(before->lists, after->pre_lists);
	double e_after = snap_model_error(after->lists, before->post_lists);
	double eb_before = snap_model_error(before->bytes, pre_list_bytes);
	double eb_after = snap_model_error(after->bytes, before->post_bytes);
	char b[8][32];

	*worst = 0;
	worst_of(worst, e_before);
	worst_of(worst, e_after);
	worst_of(worst, eb_before);
	worst_of(worst, eb_after);
	fprintf(out, "\n### %lld memcgs, %lld node%s: %s (before the patch) vs %s (after)\n\n",
		after->memcgs, after->nodes, after->nodes > 1 ? "s" : "", before->kernel,
		after->kernel);
	fprintf(out, "| | %s | %s |\n|---|---:|---:|\n", before->kernel, after->kernel);
	fprintf(out, "| memcg-aware list_lrus, id space at the end | %s, %s | %s, %s (model) |\n",
		compare_cell(b[0], 32, before->lrus), compare_cell(b[1], 32, before->ids), compare_cell(b[2], 32, after->lrus),
		compare_cell(b[3], 32, after->ids));
	fprintf(out, "| list_lru lists allocated, measured | %lld | %lld |\n", before->lists,
		after->lists);
	fprintf(out, "| their bytes, measured | %lld | %lld |\n", before->bytes, after->bytes);
	fprintf(out, "| lists, the model from the other kernel's run | %s | %s |\n",
		compare_cell(b[4], 32, after->pre_lists), compare_cell(b[5], 32, before->post_lists));
	fprintf(out, "| model vs measured (lists) | %s | %s |\n", compare_pct(b[6], 32, e_before),
		compare_pct(b[7], 32, e_after));
	fprintf(out, "| list bytes, the model from the other kernel's run | %s | %s |\n",
		compare_cell(b[4], 32, pre_list_bytes), compare_cell(b[5], 32, before->post_bytes));
	fprintf(out, "| model vs measured (bytes) | %s | %s |\n", compare_pct(b[6], 32, eb_before),
		compare_pct(b[7], 32, eb_after));
	fprintf(out, "| bytes with pointer arrays, model | %s | %s |\n",
		compare_cell(b[0], 32, after->pre_bytes), compare_cell(b[1], 32, before->post_bytes));
	fprintf(out, "| list bytes held at the end, the inventory | %s | %s |\n",
		compare_cell(b[2], 32, before->held_bytes), compare_cell(b[3], 32, after->held_bytes));
	fprintf(out, "| bookkeeping held at the end (pointer arrays, xarray nodes), the inventory | %s | %s |\n",
		compare_cell(b[4], 32, before->held_book_bytes),
		compare_cell(b[5], 32, after->held_book_bytes));
	if (before->bytes > 0)
		fprintf(out, "\nAfter the patch: %.2f%% of the bytes before it (%.1fx less).\n",
			100.0 * after->bytes / before->bytes,
			after->bytes ? (double)before->bytes / after->bytes : INFINITY);
	kinds_table(out, after);
	memcgs_table(out, before, after);
}

/* The gnuplot script: memory against memcgs for both kernels, measured and modelled. */
static void chart_script(FILE *g, const struct snap *snaps, int n)
{
	/* Two kernels on one side of the patch: measured against measured, titled by kernel. */
	bool same = n >= 2 && snaps[0].patched == snaps[1].patched;

	fprintf(g, "set terminal svg size 900,540 dynamic enhanced font 'sans,12'\n");
	if (same)
		fprintf(g, "set title 'list\\_lru memory of the same workload on %s and %s'\n",
			snaps[0].kernel, snaps[1].kernel);
	else
		fprintf(g, "set title 'list\\_lru memory of the same workload before and after \"mm: introduce kmem\\_cache\\_alloc\\_lru\"'\n");
	fprintf(g, "set xlabel 'memory cgroups'\nset ylabel 'bytes of per-memcg lists (log)'\n");
	fprintf(g, "set logscale xy\nset grid\nset key top left\nset format y '%%.0s%%cB'\n");
	fprintf(g, "$d << EOD\n");
	for (int i = 0; i + 1 < n; i += 2) {
		const struct snap *a = snaps[i].patched && !same ? &snaps[i + 1] : &snaps[i];
		const struct snap *b = snaps[i].patched && !same ? &snaps[i] : &snaps[i + 1];
		long long model_a = same ? -1 : b->pre_lists >= 0 ? PRE_PATCH_LIST_BYTES * b->pre_lists : -1;
		long long model_b = same ? (snap_btf_list_bytes(b) > 0 ? a->lists * snap_btf_list_bytes(b) : -1)
					 : a->post_bytes;

		/* A new node count starts a new line: a blank line breaks gnuplot's. */
		if (i && snaps[i].nodes != snaps[i - 2].nodes)
			fprintf(g, "\n");
		/* No model: no point (NaN), never the measurement drawn as the model. */
		fprintf(g, "%lld %lld %lld ", b->memcgs, a->bytes, b->bytes);
		if (model_a >= 0)
			fprintf(g, "%lld ", model_a);
		else
			fprintf(g, "NaN ");
		if (model_b >= 0)
			fprintf(g, "%lld\n", model_b);
		else
			fprintf(g, "NaN\n");
	}
	fprintf(g, "EOD\n");
	if (same) {
		fprintf(g, "plot $d using 1:2 with linespoints pt 7 lw 2 title '%s (measured)', "
			   "$d using 1:3 with linespoints pt 5 lw 2 title '%s (measured)', "
			   "$d using 1:5 with lines dt 2 lw 1 title '%s (model: the lists of %s, its own bytes per list)'\n",
			snaps[0].kernel, snaps[1].kernel, snaps[1].kernel, snaps[0].kernel);
		return;
	}
	fprintf(g, "plot $d using 1:2 with linespoints pt 7 lw 2 title 'before (measured)', "
		   "$d using 1:4 with lines dt 2 lw 1 title 'before (model from the after run)', "
		   "$d using 1:3 with linespoints pt 5 lw 2 title 'after (measured)', "
		   "$d using 1:5 with lines dt 2 lw 1 title 'after (model from the before run)'\n");
}

/*
 * gnuplot draws to a temporary file beside path, renamed over it when whole. The path never
 * enters gnuplot's script (no quoting to get wrong): the file is gnuplot's stdout.
 */
static int chart_svg(const char *path, const struct snap *snaps, int n)
{
	char tmp[4200];
	int fds[2], out, status, err = 0;
	pid_t pid;
	FILE *g;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	out = mkstemp(tmp);
	if (out < 0)
		return -errno;
	if (pipe(fds)) {
		err = -errno;
		close(out);
		goto cleanup;
	}
	pid = fork();
	if (pid == 0) {
		dup2(fds[0], STDIN_FILENO);
		dup2(out, STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);	/* else gnuplot never sees the end of its script */
		close(out);
		close(STDERR_FILENO);	/* its complaints are not ours to print */
		execlp("gnuplot", "gnuplot", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	close(out);
	g = pid < 0 ? NULL : fdopen(fds[1], "w");
	if (!g) {
		err = pid < 0 ? -errno : -ENOMEM;
		close(fds[1]);
		goto cleanup;
	}
	signal(SIGPIPE, SIG_IGN);
	chart_script(g, snaps, n);
	fclose(g);	/* a gnuplot that died early: EPIPE, not SIGPIPE (ignored below) */
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		err = -EIO;	/* not installed (127) or could not draw */
	if (!err && (chmod(tmp, 0644) || rename(tmp, path)))
		err = -errno;
cleanup:
	if (err)
		unlink(tmp);
	return err;
}

struct compare_opts {
	const char *files[MAX_SNAPSHOTS];
	int n;
	const char *svg;
	double check;		/* fail when a model error exceeds this, percent; 0: never */
	double threshold;	/* same-side pairs: call out differences beyond this, percent */
};

static const struct argp_option compare_options[] = {
	{ "svg", 's', "FILE", 0, "Also draw memory against memcgs for both kernels (gnuplot)", 0 },
	{ "check", 'c', "PCT", 0, "Exit 1 if a model disagrees with a measurement by more than PCT%, or if a pair cannot be checked: two kernels on one side of the patch (no model links them), a command that failed or whose status is not recorded, nothing measured", 0 },
	{ "threshold", 't', "PCT", 0, "Two kernels on one side of the patch: call out differences beyond PCT% (default 5)", 0 },
	{},
};

static error_t compare_parse(int key, char *arg, struct argp_state *state)
{
	struct compare_opts *o = state->input;
	char *end;

	switch (key) {
	case 's':
		o->svg = arg;
		break;
	case 'c':
		o->check = strtod(arg, &end);
		if (*end || !(o->check > 0 && o->check < 1000))
			argp_error(state, "invalid --check '%s' (a percentage above 0)", arg);
		break;
	case 't':
		o->threshold = strtod(arg, &end);
		if (*end || !(o->threshold >= 0 && o->threshold < 1000))
			argp_error(state, "invalid --threshold '%s' (a percentage)", arg);
		break;
	case ARGP_KEY_ARG:
		if (o->n == MAX_SNAPSHOTS)
			argp_error(state, "at most %d snapshots", MAX_SNAPSHOTS);
		o->files[o->n++] = arg;
		break;
	case ARGP_KEY_END:
		if (o->n < 2 || o->n % 2)
			argp_error(state, "give snapshots in pairs: A.json B.json ...");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int compare_main(int argc, char **argv)
{
	static const struct argp argp = { compare_options, compare_parse,
		"A.json B.json [A2.json B2.json ...]",
		"Compare list_lru memory of snapshots taken on two kernels (lrutop snapshot). Before "
		"and after the patch: each measurement beside the model's estimate of it from the "
		"other's run. Two kernels on the same side (a baseline and a build, two releases): "
		"measured against measured, bytes per list against each kernel's BTF, and what "
		"changed beyond --threshold." };
	struct snap snaps[MAX_SNAPSHOTS];
	struct compare_opts o = { .threshold = 5 };
	double worst, all = 0;
	char why[512];
	int i, err = 0, loaded = 0, model_pairs = 0;

	argp_err_exit_status = 2;
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return 2;
	for (i = 0; i < o.n; i++, loaded++) {
		if (snap_load(o.files[i], &snaps[i], why, sizeof(why))) {
			fprintf(stderr, "lrutop: compare: %s\n", why);
			err = 1;
			goto cleanup;
		}
	}
	for (i = 0; i < o.n; i += 2) {
		struct snap *a = &snaps[i], *b = &snaps[i + 1];

		if (o.check && compare_pair_usable(a, b, why, sizeof(why))) {
			fprintf(stderr, "lrutop: compare: %s\n", why);
			err = 1;
		}
		if (a->patched == b->patched) {
			compare_measured_pair(stdout, a, b, o.threshold);
			continue;
		}
		model_pairs++;
		if (!o.check && compare_pair_usable(a, b, why, sizeof(why)))
			fprintf(stderr, "lrutop: compare: %s (no --check)\n", why);
		if (o.svg && ((a->patched ? a : b)->pre_lists < 0 ||
			      (a->patched ? b : a)->post_bytes < 0))
			fprintf(stderr, "lrutop: compare: %s / %s: a model is missing; the chart leaves its point out\n",
				a->file, b->file);
		compare_pair(stdout, a->patched ? b : a, a->patched ? a : b, &worst);
		if (worst > all)
			all = worst;
	}
	if (o.check && model_pairs) {
		printf("\nModel check: the worst disagreement is %.1f%% (limit %.1f%%): %s\n", all,
		       o.check, all <= o.check ? "within" : "OUTSIDE");
		if (all > o.check)
			err = 1;
	}
	if (o.svg) {
		int svg_err = chart_svg(o.svg, snaps, o.n);

		if (svg_err == -EIO)
			fprintf(stderr, "lrutop: compare: gnuplot could not draw %s (is gnuplot-nox installed?)\n", o.svg);
		else if (svg_err)
			fprintf(stderr, "lrutop: compare: cannot write %s: %s\n", o.svg, strerror(-svg_err));
		if (svg_err)
			err = 1;
	}
cleanup:
	for (i = 0; i < loaded; i++)
		snap_free(&snaps[i]);
	return err;
}
