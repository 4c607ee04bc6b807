// SPDX-License-Identifier: GPL-2.0
/* lrutop compare: its options, and the pairs it reads, compares and checks. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ab/chart.h"
#include "ab/compare.h"
#include "args.h"
#include "compare_cmd.h"

#define MAX_SNAPSHOTS	64

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

	switch (key) {
	case 's':
		o->svg = arg;
		break;
	case 'c':
		if (arg_real(state, "--check", arg, 0, 1000, "percent", &o->check))
			return EINVAL;
		if (!o->check)
			argp_error(state, "invalid --check '%s' (a percentage above 0)", arg);
		break;
	case 't':
		if (arg_real(state, "--threshold", arg, 0, 1000, "percent", &o->threshold))
			return EINVAL;
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

/* Each pair: measured against the model across the patch, or against each other on one
 * side of it. The worst model error across the pairs in *worst; 1 if --check refuses a
 * pair, else 0. */
static int compare_pairs(const struct compare_opts *o, struct snap *snaps, int *model_pairs,
			 double *worst)
{
	char why[512];
	double w;
	int err = 0;

	for (int i = 0; i < o->n; i += 2) {
		struct snap *a = &snaps[i], *b = &snaps[i + 1];

		if (o->check && compare_pair_usable(a, b, why, sizeof(why))) {
			fprintf(stderr, "lrutop: compare: %s\n", why);
			err = 1;
		}
		if (a->patched == b->patched) {
			compare_measured_pair(stdout, a, b, o->threshold);
			continue;
		}
		(*model_pairs)++;
		if (!o->check && compare_pair_usable(a, b, why, sizeof(why)))
			fprintf(stderr, "lrutop: compare: %s (no --check)\n", why);
		if (o->svg && ((a->patched ? a : b)->pre_lists < 0 ||
			       (a->patched ? b : a)->post_bytes < 0))
			fprintf(stderr, "lrutop: compare: %s / %s: a model is missing; the chart leaves its point out\n",
				a->file, b->file);
		compare_pair(stdout, a->patched ? b : a, a->patched ? a : b, &w);
		if (w > *worst)
			*worst = w;
	}
	return err;
}

/* --svg: 0, or 1 with the reason said. */
static int draw_chart(const char *path, const struct snap *snaps, int n)
{
	int err = chart_svg(path, snaps, n);

	if (err == -EIO)
		fprintf(stderr, "lrutop: compare: gnuplot could not draw %s (is gnuplot-nox installed?)\n", path);
	else if (err)
		fprintf(stderr, "lrutop: compare: cannot write %s: %s\n", path, strerror(-err));
	return err ? 1 : 0;
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
	int i, err = 0, loaded = 0, model_pairs = 0;
	double worst = 0;
	char why[512];

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
	err = compare_pairs(&o, snaps, &model_pairs, &worst);
	if (o.check && model_pairs) {
		printf("\nModel check: the worst disagreement is %.1f%% (limit %.1f%%): %s\n", worst,
		       o.check, worst <= o.check ? "within" : "OUTSIDE");
		if (worst > o.check)
			err = 1;
	}
	if (o.svg && draw_chart(o.svg, snaps, o.n))
		err = 1;
cleanup:
	for (i = 0; i < loaded; i++)
		snap_free(&snaps[i]);
	return err;
}
