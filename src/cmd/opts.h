/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_OPTS_H
#define __LRUTOP_OPTS_H

#include <stdbool.h>
#include "kernel/probe.h"
#include "state/rows.h"
#include "state/view.h"

struct lrutop_opts {
	double interval;	/* seconds between reports */
	long count;		/* reports to print, 0 = until interrupted */
	enum backend backend;
	struct view view;	/* sort, columns, rows, subtree and what the rows show */
	unsigned int max_memcgs;
	long keep_removed_s;	/* -1: never age removed memcgs out */
	double inventory_s;	/* seconds between walks of what the kernel holds; 0: never */
	bool batch;
	bool json;
	bool probe;
	bool no_self_check;
	int bpf_stats;		/* the kernel's BPF statistics: 1 on, 0 off, -1 the mode's default */
	bool verbose;
	const char *prometheus;	/* textfile to replace every interval */
	const char *listen;	/* [ADDR:]PORT to serve /metrics on */
	int top;		/* memcgs exported one by one; the rest as "other" */
};

/* Parse argv into o (defaults first). A bad argument prints one line naming it and exits 2;
 * with ARGP_NO_EXIT in argp_flags (tests) it returns 2 instead. Returns 0 when all is well. */
int opts_parse(int argc, char **argv, struct lrutop_opts *o, unsigned int argp_flags);

#endif
