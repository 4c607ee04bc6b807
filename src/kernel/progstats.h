/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_PROGSTATS_H
#define __LRUTOP_PROGSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/types.h>

struct bpf_object;

/* Programs lrutop can report on: the tracer's and the inventory's. */
#define PROG_COSTS_MAX	48

/* One of lrutop's loaded programs, and what the kernel counted of it. */
struct prog_cost {
	char name[64];
	char hook[96];		/* "fexit/memcg_list_lru_alloc", "raw_tp/kmalloc", ... */
	int fd;			/* its object's: not closed here */
	__u64 runs, run_ns;	/* since it loaded, while the kernel's BPF statistics were on */
	/* Runs the kernel skipped since it loaded, whatever the statistics: an event whose
	 * program was already running on that CPU (an interrupt's kfree during a task's, or any
	 * while the kernel preempted a run): bpf_prog_info.recursion_misses, 0 where the
	 * kernel keeps no count. */
	__u64 misses;
};

/*
 * What lrutop's own BPF programs cost, as bpftop reads it: the run count and run time the
 * kernel keeps for each program while its BPF statistics are on (BPF_ENABLE_STATS, or the
 * kernel.bpf_stats_enabled sysctl). Those time every BPF program on the host, not only
 * lrutop's: a hold is taken only when asked for (prog_costs_hold).
 */
struct prog_costs {
	int stats_fd;		/* lrutop's hold on the statistics; -1: none */
	bool timed;		/* the statistics were on at the last read */
	char why[160];		/* when not timed: why */
	size_t n;
	struct prog_cost progs[PROG_COSTS_MAX];
};

void prog_costs_init(struct prog_costs *c);
/* Turn the kernel's BPF statistics on until prog_costs_release. 0, or negative errno (why
 * says it: before 5.8 the kernel has none to turn on). */
int prog_costs_hold(struct prog_costs *c);
/* Report on obj's loaded programs: target names the function of a program whose section
 * does not (fentry/fexit set at load), or returns NULL. */
struct bpf_program;
typedef const char *(*prog_target_fn)(const void *ctx, const struct bpf_program *prog);
void prog_costs_add(struct prog_costs *c, struct bpf_object *obj, prog_target_fn target,
		    const void *ctx);
/* Each program's skipped runs now, and where the statistics are on its run counts. 0, or
 * negative errno of the first program that did not read. */
int prog_costs_read(struct prog_costs *c);
void prog_costs_release(struct prog_costs *c);

#endif
