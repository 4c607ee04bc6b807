/* SPDX-License-Identifier: GPL-2.0 */
/* What the unit tests share: one test file per module, none needing a kernel. */
#ifndef __LRUTOP_UNIT_H
#define __LRUTOP_UNIT_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <argp.h>
#include <cmocka.h>
#include <jansson.h>
#include "lib/atomic.h"
#include "kernel/cgroup.h"
#include "view/columns.h"
#include "ab/compare.h"
#include "cmd/compare_cmd.h"
#include "view/hist.h"
#include "export/http.h"
#include "view/json.h"
#include "kernel/ksyms.h"
#include "state/metrics.h"
#include "lib/model.h"
#include "kernel/mounts.h"
#include "kernel/nodes.h"
#include "cmd/opts.h"
#include "export/prom.h"
#include "state/rows.h"
#include "state/state.h"
#include "view/text.h"
#include "state/view.h"

/* A read of the per-memcg slots: ids[i] at slot i below n, the slots from n to cap free. */
static inline int unit_read_slots(struct memcg_table *t, const __u64 *ids,
				  const struct memcg_stats *v, size_t n, size_t cap)
{
	struct memcg_entry *e = calloc(cap, sizeof(*e));
	int err;

	assert_non_null(e);
	for (size_t i = 0; i < n; i++)
		e[i] = (struct memcg_entry){ .st = v[i], .cgid = ids[i] };
	err = memcg_table_update(t, e, cap);
	free(e);
	return err;
}

/* A file holding text, in /tmp: the caller unlinks and frees its path. */
static inline char *write_temp(const char *text)
{
	char *path = strdup("/tmp/lrutop-test-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* Run argv[0] with argv; its exit status, or -1. */
static inline int run_argv(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* A post-patch kernel's plan whose allocator and list_lru_destroy are in kallsyms (and, with
 * fentry, the allocator in BTF). */
static inline void unit_plan(struct probe_plan *plan, bool fentry)
{
	memset(plan, 0, sizeof(*plan));
	plan->post_patch = true;
	plan->lazy_fn = FN_MEMCG_LIST_LRU_ALLOC;
	plan->obj_fn = fentry ? FN_ALLOC_LRU : -1;
	plan->has_kmalloc_tp = true;
	plan->funcs[FN_MEMCG_LIST_LRU_ALLOC].in_kallsyms = true;
	plan->lazy_ranges[0] = (struct addr_range){ 0x1000, 0x1200, "memcg_list_lru_alloc" };
	plan->nr_lazy_ranges = 1;
	plan->funcs[FN_LIST_LRU_DESTROY].in_kallsyms = true;
	plan->free_ranges[0] = plan->lazy_ranges[0];
	plan->free_ranges[1] = (struct addr_range){ 0x1400, 0x1600, "list_lru_destroy" };
	plan->nr_free_ranges = 2;
	plan->funcs[FN_MEMCG_LIST_LRU_ALLOC].in_btf = fentry;
	plan->funcs[FN_ALLOC_LRU].in_btf = fentry;
}

/*
 * lrutop's programs as watching_refresh leaves them with the statistics on: three programs,
 * in a 2-second interval 4,000 runs and 3 ms in all, the cheapest first; one skipped 7
 * runs since it loaded, 3 of them in the interval.
 */
static inline void unit_watching(struct lrutop_state *s)
{
	static const struct prog_cost progs[] = {
		{ "handle_cgroup_mkdir", "raw_tp/cgroup_mkdir", -1, 2, 4000 },
		{ "lazy_alloc_exit", "fexit/memcg_list_lru_alloc", -1, 5000, 2500000, 7 },
		{ "lru_obj_exit", "fexit/kmem_cache_alloc_lru", -1, 3000, 1200000 },
	};
	static const __u64 runs[] = { 0, 2500, 1500 }, ns[] = { 0, 2000000, 1000000 };
	struct watching *w = &s->watching;

	w->started = w->asked = true;
	w->progs.stats_fd = -1;
	w->progs.timed = w->interval_timed = true;
	w->progs.n = 3;
	memcpy(w->progs.progs, progs, sizeof(progs));
	memcpy(w->interval_runs, runs, sizeof(runs));
	memcpy(w->interval_ns, ns, sizeof(ns));
	w->runs = 4000;
	w->run_ns = 3000000;
	w->interval_missed = 3;
	w->missed = 5;
	s->interval_s = 2;
}

/* A state of that plan and backend, as a refresh would leave it, without a kernel. */
static inline void unit_state(struct lrutop_state *s, const struct probe_plan *plan,
			      enum backend backend)
{
	memset(s, 0, sizeof(*s));
	kernel_facts_init(&s->kernel, plan, backend);
	strcpy(s->kernel.release, "6.18.0-test");
	s->kernel.nr_nodes = 1;
	s->census.memcg_lrus = -1;
	s->census.kernel_memcgs = s->census.kernel_memcgs_peak = -1;
	s->census.pre_patch_ids = s->census.pre_patch_bytes = -1;
}

#endif
