// SPDX-License-Identifier: GPL-2.0
/* test_reliability: What the tests share: the workload, RSS and clocks; lrutop started with its reports in a file; the totals' arithmetic; what churn leaves to clean. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <jansson.h>
#include "kernel/cgroup.h"
#include "host_util.h"
#include "reliability.h"

const char *workload_bin(void)
{
	return env_or("LRUTOP_WORKLOAD", "build/workload");
}

long rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The "expected_lists" of the workload's summary line. */
json_int_t summary_lists(const char *out)
{
	const char *p = strstr(out, "{\"summary\"");
	json_error_t jerr;
	json_int_t n;
	json_t *o;

	if (!p)
		fail_msg("workload printed no summary: %s", out);
	o = json_loadb(p, strchrnul(p, '\n') - p, 0, &jerr);
	assert_non_null(o);
	n = jint(json_object_get(o, "summary"), "expected_lists");
	json_decref(o);
	return n;
}

/* Sum of a counter over every memcg row of a report (made with -r large enough for all). */
json_int_t sum_rows(json_t *report, const char *key)
{
	json_int_t sum = 0;
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(report, "memcgs"), i, m)
		sum += jint(m, key);
	return sum;
}

/*
 * Totals = rows + aged out, nothing dropped: lists by cause give all lists, lists by owner
 * those whose owner was found; freed bytes are the owners' + late frees + frees of lists
 * whose owner was not found yet.
 */
bool totals_add_up(json_t *r, char *why, size_t len)
{
	json_t *t = json_object_get(r, "totals"), *aged = json_object_get(r, "aged_out");
	json_t *drops = json_object_get(r, "drops");
	json_int_t rows_c = sum_rows(r, "caused_allocs"), rows_cb = sum_rows(r, "caused_bytes");
	json_int_t rows_a = sum_rows(r, "allocs"), rows_b = sum_rows(r, "bytes");
	json_int_t rows_f = sum_rows(r, "freed_bytes");

	snprintf(why, len, "totals %lld lists %lld B, owned %lld %lld B, freed %lld B (no owner %lld B); "
		 "rows caused %lld %lld B, owned %lld %lld B, freed %lld B; aged caused %lld %lld B, "
		 "owned %lld %lld B, freed %lld B; late %lld; drops memcg %lld owner %lld lru %lld "
		 "pair %lld live %lld",
		 (long long)jint(t, "allocs"), (long long)jint(t, "bytes"), (long long)jint(t, "owned"),
		 (long long)jint(t, "owned_bytes"), (long long)jint(t, "freed_bytes"),
		 (long long)jint(t, "unowned_freed_bytes"), (long long)rows_c, (long long)rows_cb,
		 (long long)rows_a, (long long)rows_b, (long long)rows_f,
		 (long long)jint(aged, "caused_allocs"), (long long)jint(aged, "caused_bytes"),
		 (long long)jint(aged, "allocs"), (long long)jint(aged, "bytes"),
		 (long long)jint(aged, "freed_bytes"), (long long)jint(aged, "late_freed_bytes"),
		 (long long)jint(drops, "memcg"), (long long)jint(drops, "owner"),
		 (long long)jint(drops, "lru"), (long long)jint(drops, "pair"),
		 (long long)jint(drops, "live"));
	return jint(t, "allocs") == rows_c + jint(aged, "caused_allocs") &&
	       jint(t, "bytes") == rows_cb + jint(aged, "caused_bytes") &&
	       jint(t, "owned") == rows_a + jint(aged, "allocs") &&
	       jint(t, "owned_bytes") == rows_b + jint(aged, "bytes") &&
	       jint(t, "freed_bytes") == rows_f + jint(aged, "freed_bytes") +
					 jint(aged, "late_freed_bytes") + jint(t, "unowned_freed_bytes");
}

/* What test_churn leaves to clean whether it passes or fails: lrutop, memcgs, mounts. */
struct churn_left churn_left;

int churn_teardown(void **state)
{
	char cmd[8192];

	if (churn_left.lrutop > 0) {
		kill(churn_left.lrutop, SIGKILL);
		waitpid(churn_left.lrutop, NULL, 0);
	}
	if (churn_left.reports[0])
		unlink(churn_left.reports);
	if (churn_left.mntdir[0]) {
		snprintf(cmd, sizeof(cmd), "%s -r %s -d %s/live -n lrutop-live-%d -m 4 -t 3 -k 2 --cleanup",
			 workload_bin(), churn_left.cgroot, churn_left.mntdir, getpid());
		run(cmd, NULL, 0);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", churn_left.mntdir);
		run(cmd, NULL, 0);
	}
	memset(&churn_left, 0, sizeof(churn_left));
	return 0;
}

/*
 * Start lrutop with opts, its reports going to a new file (a pipe nobody reads would stop
 * lrutop at its first full write), and wait for its first report. Recorded in churn_left
 * for the teardown. Returns the file, read from its second report on.
 */
FILE *spawn_reports(const char *opts, char *reports, pid_t *pid)
{
	char sh[1024];
	char *argv[] = { "/bin/sh", "-c", sh, NULL };
	json_t *r = NULL;
	FILE *f;
	int fd;

	fd = mkstemp(reports);
	assert_true(fd >= 0);
	close(fd);
	snprintf(churn_left.reports, sizeof(churn_left.reports), "%s", reports);
	snprintf(sh, sizeof(sh), "exec %s %s > %s", lrutop_bin(), opts, reports);
	f = spawn(argv, pid, false);
	fclose(f);
	churn_left.lrutop = *pid;
	f = fopen(reports, "r");
	assert_non_null(f);
	for (int t = 0; t < 100 && !(r = read_json_line(f)); t++) {
		clearerr(f);
		usleep(100000);
	}
	assert_non_null(r);
	json_decref(r);
	return f;
}
