/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_SESSION_H
#define __LRUTOP_SESSION_H

#include <stdbool.h>
#include "state/held.h"
#include "state/state.h"
#include "kernel/probe.h"

struct lrutop_bpf;

/* Everything one run of lrutop holds: the plan made from BTF and kallsyms, the loaded
 * programs and the state read from them. */
struct session {
	struct probe_plan plan;
	struct lrutop_bpf *skel;
	enum backend backend;
	char why[512];		/* why this backend */
	struct lrutop_state state;
	bool state_ok;
	double inventory_s;	/* of the live view, 0: none */
	bool bpf_stats;		/* hold the kernel's BPF statistics on while attached */
	struct held_preload preload;
	struct ksyms *kallsyms;	/* read at start, the plan's (probe_plan.kallsyms) */
	struct kernel_iters *iters;	/* the kernel's iterators: kallsyms, the cgroup tree */
	int core_btf_fd;	/* the plan's core_btf, while open (0: none) */
	char core_btf[32];
	uintptr_t huge_lo, huge_hi;	/* the start-up heap's range on huge pages (session.c) */
};

/* Privileges, BTF and kallsyms, into ss->plan: what a run that loads no tracer needs (the
 * inventory). On failure prints one line naming the cause and returns 1. */
int session_prepare(struct session *ss, bool verbose);
/*
 * Privileges, BTF, kallsyms, plan, load and attach, then (self_check) the start-up
 * self-check; with BACKEND_AUTO, a backend that fails it gives way to the other. The
 * inventory of the live view, every inventory_s seconds (0: none), loads meanwhile. On
 * failure prints one line naming the cause and returns 1 (after session_end). A self-check
 * that no backend passes is not a failure here: ss->state.self_check says so. bpf_stats:
 * turn the kernel's BPF statistics on, to report what lrutop's programs cost.
 */
int session_start(struct session *ss, enum backend want, unsigned int max_memcgs, bool verbose,
		  bool self_check, double inventory_s, bool bpf_stats);
void session_end(struct session *ss);

#endif
