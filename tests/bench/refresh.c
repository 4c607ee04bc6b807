// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace cost of one refresh with many memcg rows: loads lrutop's programs (the backend
 * this kernel allows), fills the per-memcg map with ROWS synthetic memcgs (a
 * value each), then times state_refresh() plus a text and a JSON report, and the time from
 * start to the first sample. Prints one JSON line.
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
#include "report.h"
#include "session.h"
#include "lrutop.skel.h"

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fill(struct session *ss, long rows)
{
	int fd = bpf_map__fd(ss->skel->maps.memcg_stats);

	for (long i = 0; i < rows; i++) {
		struct memcg_stats v = { .allocs = i % 97, .bytes = 64 * (i % 97) };
		__u64 key = 1000000 + i;

		if (bpf_map_update_elem(fd, &key, &v, BPF_ANY))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long rows = argc > 1 ? atol(argv[1]) : 10000;
	int repeat = argc > 2 ? atoi(argv[2]) : 5;
	struct lrutop_opts o = { .sort = SORT_BYTES, .rows = 20 };
	double t0 = now(CLOCK_MONOTONIC), first, cpu0, cpu1, wall0, wall1, read_ms;
	struct session ss;
	struct rusage ru;
	FILE *null;

	if (session_start(&ss, BACKEND_AUTO, rows + 1024, false))
		return 1;
	if (state_refresh(&ss.state))
		return 1;
	first = now(CLOCK_MONOTONIC) - t0;
	if (fill(&ss, rows)) {
		fprintf(stderr, "bench-refresh: cannot fill the map\n");
		return 1;
	}
	null = fopen("/dev/null", "w");
	state_refresh(&ss.state);	/* the rows' first sight: allocation, not steady state */
	cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
	wall0 = now(CLOCK_MONOTONIC);
	for (int i = 0; i < repeat; i++)
		state_refresh(&ss.state);
	read_ms = (now(CLOCK_PROCESS_CPUTIME_ID) - cpu0) * 1e3 / repeat;
	for (int i = 0; i < repeat; i++) {
		report_text(null, &ss.state, &o);
		report_json(null, &ss.state, &o);
	}
	cpu1 = now(CLOCK_PROCESS_CPUTIME_ID);
	wall1 = now(CLOCK_MONOTONIC);
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"rows\":%ld,\"backend\":\"%s\",\"refresh_cpu_ms\":%.2f,\"refresh_wall_ms\":%.2f,\"read_cpu_ms\":%.2f,"
	       "\"start_to_first_sample_s\":%.3f,\"max_rss_mb\":%.1f,\"rows_seen\":%zu}\n", rows,
	       backend_name(ss.backend), (cpu1 - cpu0) * 1e3 / repeat, (wall1 - wall0) * 1e3 / repeat,
	       read_ms, first, ru.ru_maxrss / 1024.0, ss.state.memcgs.nr);
	fclose(null);
	session_end(&ss);
	return 0;
}
