// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace cost of one refresh with many memcg rows: loads lrutop's programs (the backend
 * this kernel allows), gives ROWS synthetic memcgs a slot of the per-memcg array each,
 * then times state_refresh() plus a text report, what lrutop -b does each interval (CPU time,
 * the median and the least of REPEAT), where every row's counters moved since the refresh before, as on a busy
 * host, beside the floor timed in the same run: a bare pass that reads the same counters
 * into a buffer, the same windows mapped. Also the same refresh with nothing moving, the
 * time from start to the first sample, one read of /proc/kallsyms (the largest part of
 * start-up that is lrutop's own) and one walk of the cgroup tree. Prints one JSON line.
 *
 * usage: bench-refresh ROWS [REPEAT]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel/cgroup.h"
#include "kernel/iters.h"
#include "kernel/ksyms.h"
#include "view/text.h"
#include "state/view.h"
#include "cmd/session.h"
#include "lrutop.skel.h"
#include "move_rows.h"

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Each synthetic memcg takes a slot as BPF would: off the free stack, into the array. */
static int fill(struct session *ss, long rows)
{
	int free_fd = bpf_map__fd(ss->skel->maps.free_slots);
	int slots_fd = bpf_map__fd(ss->skel->maps.memcg_slots);
	int stats_fd = bpf_map__fd(ss->skel->maps.memcg_stats);

	for (long i = 0; i < rows; i++) {
		struct memcg_entry e = { .st = { .allocs = i % 97, .bytes = 64 * (i % 97) },
					 .cgid = 1000000 + i };
		__u32 slot;

		if (bpf_map_lookup_and_delete_elem(free_fd, NULL, &slot) ||
		    bpf_map_update_elem(slots_fd, &e.cgid, &slot, BPF_NOEXIST) ||
		    bpf_map_update_elem(stats_fd, &slot, &e, BPF_ANY))
			return -1;
	}
	return 0;
}

/* The floor: the named rows' counters copied out, the windows mapped as a refresh maps them. */
struct bare_read {
	struct memcg_entry *buf;
	size_t n;
};

static int bare_copy(void *ctx, const struct memcg_entry *e, size_t first, size_t n)
{
	struct bare_read *b = ctx;

	for (size_t i = 0; i < n; i++) {
		if (e[i].cgid)
			b->buf[b->n++] = e[i];
	}
	return 0;
}

static int double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of n samples, in ms: this host's noise makes means move by times. */
static double median_ms(double *v, int n)
{
	qsort(v, n, sizeof(*v), double_cmp);
	return (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) * 1e3;
}

int main(int argc, char **argv)
{
	long rows = argc > 1 ? atol(argv[1]) : 10000;
	int repeat = argc > 2 ? atoi(argv[2]) : 5;
	struct view v = { .sort = MC_BYTES, .rows = 20, .columns = memcg_columns_default() };
	double t0 = now(CLOCK_MONOTONIC), first, c, w, r, ksyms_ms, walk_ms, iter_ms = 0, still_ms, floor_ms;
	double *ksyms_s, *walk_s, *iter_s, *read_s, *cpu_s, *wall_s, *still_s, *floor_s;
	char iter_json[96] = "null,\"cgroup_iter_cpu_ms_min\":null";
	struct bare_read bare = {};
	struct session ss;
	struct rusage ru;
	FILE *null;

	if (repeat < 1 || rows < 0)
		return 2;
	ksyms_s = calloc(repeat, sizeof(double));
	walk_s = calloc(repeat, sizeof(double));
	iter_s = calloc(repeat, sizeof(double));
	read_s = calloc(repeat, sizeof(double));
	cpu_s = calloc(repeat, sizeof(double));
	wall_s = calloc(repeat, sizeof(double));
	still_s = calloc(repeat, sizeof(double));
	floor_s = calloc(repeat, sizeof(double));
	bare.buf = calloc(rows + 1024, sizeof(*bare.buf));
	null = fopen("/dev/null", "w");
	if (!ksyms_s || !walk_s || !iter_s || !read_s || !cpu_s || !wall_s || !still_s || !floor_s ||
	    !bare.buf || !null)
		return 1;
	if (session_start(&ss, BACKEND_AUTO, rows + 1024, false, true, 0, false))
		return 1;
	if (state_refresh(&ss.state))
		return 1;
	first = now(CLOCK_MONOTONIC) - t0;
	/* The synthetic memcgs have no directory: removed rows, which ageing would drop
	 * (all of them at once, for room in the map) before any refresh read them. */
	ss.state.aging.keep_s = -1;
	for (int i = 0; i < repeat; i++) {
		c = now(CLOCK_PROCESS_CPUTIME_ID);
		ksyms__free(ksyms__load("/proc/kallsyms", probe_ksym_names()));
		ksyms_s[i] = now(CLOCK_PROCESS_CPUTIME_ID) - c;
		/* The walk of the real cgroup tree for the rows' paths after a change: by its
		 * directories, and by the kernel's cgroup iterator (lrutop's, where it has one). */
		c = now(CLOCK_PROCESS_CPUTIME_ID);
		cgroup_index_free(cgroup_index_build(ss.state.cg.root));
		walk_s[i] = now(CLOCK_PROCESS_CPUTIME_ID) - c;
		c = now(CLOCK_PROCESS_CPUTIME_ID);
		cgroup_index_free(cgroup_iter_index(ss.iters, ss.state.cg.root));
		iter_s[i] = now(CLOCK_PROCESS_CPUTIME_ID) - c;
	}
	if (fill(&ss, rows)) {
		fprintf(stderr, "bench-refresh: cannot fill the map\n");
		return 1;
	}
	state_refresh(&ss.state);	/* the rows' first sight: allocation, not steady state */
	for (int i = 0; i < repeat; i++) {
		/* Nothing moved since the refresh before. */
		c = now(CLOCK_PROCESS_CPUTIME_ID);
		state_refresh(&ss.state);
		text_report(null, &ss.state, &v);
		still_s[i] = now(CLOCK_PROCESS_CPUTIME_ID) - c;
		/* Every row moved: the floor, then the refresh, interleaved against drift. */
		if (move_rows(bpf_map__fd(ss.skel->maps.memcg_stats),
			      bpf_map__max_entries(ss.skel->maps.memcg_stats))) {
			fprintf(stderr, "bench-refresh: cannot map the per-memcg array\n");
			return 1;
		}
		bare.n = 0;
		c = now(CLOCK_PROCESS_CPUTIME_ID);
		tracer_read_memcgs(&ss.state.tracer, bare_copy, &bare);
		floor_s[i] = now(CLOCK_PROCESS_CPUTIME_ID) - c;
		c = now(CLOCK_PROCESS_CPUTIME_ID);
		w = now(CLOCK_MONOTONIC);
		state_refresh(&ss.state);
		r = now(CLOCK_PROCESS_CPUTIME_ID);
		text_report(null, &ss.state, &v);	/* what lrutop -b does each interval */
		read_s[i] = r - c;
		cpu_s[i] = now(CLOCK_PROCESS_CPUTIME_ID) - c;
		wall_s[i] = now(CLOCK_MONOTONIC) - w;
	}
	getrusage(RUSAGE_SELF, &ru);
	still_ms = median_ms(still_s, repeat);
	floor_ms = median_ms(floor_s, repeat);
	c = median_ms(cpu_s, repeat);	/* sorts: cpu_s[0] is then the least */
	ksyms_ms = median_ms(ksyms_s, repeat);	/* each sorts: [0] is then the least */
	walk_ms = median_ms(walk_s, repeat);
	if (ss.iters && ss.iters->cgroups) {
		iter_ms = median_ms(iter_s, repeat);
		snprintf(iter_json, sizeof(iter_json), "%.2f,\"cgroup_iter_cpu_ms_min\":%.2f", iter_ms,
			 iter_s[0] * 1e3);
	}
	printf("{\"rows\":%ld,\"backend\":\"%s\",\"repeat\":%d,\"moving\":%zu,\"refresh_cpu_ms\":%.2f,"
	       "\"refresh_cpu_ms_min\":%.2f,\"floor_cpu_ms\":%.2f,\"floor_cpu_ms_min\":%.2f,"
	       "\"refresh_to_floor\":%.2f,\"still_refresh_cpu_ms\":%.2f,\"still_refresh_cpu_ms_min\":%.2f,"
	       "\"refresh_wall_ms\":%.2f,\"read_cpu_ms\":%.2f,"
	       "\"start_to_first_sample_s\":%.3f,\"kallsyms_cpu_ms\":%.1f,"
	       "\"kallsyms_cpu_ms_min\":%.1f,\"cgroups\":%zu,\"cgroup_dirs_cpu_ms\":%.2f,"
	       "\"cgroup_dirs_cpu_ms_min\":%.2f,\"cgroup_iter_cpu_ms\":%s,\"max_rss_mb\":%.1f,"
	       "\"rows_seen\":%zu}\n", rows,
	       backend_name(ss.backend), repeat, bare.n, c, cpu_s[0] * 1e3, floor_ms,
	       floor_s[0] * 1e3, floor_ms > 0 ? c / floor_ms : 0.0, still_ms, still_s[0] * 1e3,
	       median_ms(wall_s, repeat), median_ms(read_s, repeat), first, ksyms_ms,
	       ksyms_s[0] * 1e3, cgroup_index_size(ss.state.cg.index), walk_ms, walk_s[0] * 1e3, iter_json,
	       ru.ru_maxrss / 1024.0,
	       ss.state.memcgs.nr);
	fclose(null);
	session_end(&ss);
	return 0;
}
