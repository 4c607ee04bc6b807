// SPDX-License-Identifier: GPL-2.0
/* test_reliability: Memcgs and mounts made and destroyed for a minute while lrutop runs. */
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

static bool is_churn_path(json_t *m)
{
	const char *path = json_string_value(json_object_get(m, "path"));

	return path && strstr(path, "/lrutop-churn-");
}

/* Reports until lrutop's stdout ends, keeping the last; counts those with removed churn rows. */
struct churn_watch {
	json_t *last;
	int reports, with_removed;
	json_int_t max_rows;
	bool recent[3];		/* whether the last three reports add up */
	char why[640];
};

static void watch_report(struct churn_watch *w, json_t *r)
{
	json_t *m;
	size_t i;
	bool removed = false;

	json_array_foreach(json_object_get(r, "memcgs"), i, m)
		removed |= is_churn_path(m) && json_is_true(json_object_get(m, "removed"));
	w->with_removed += removed;
	if (jint(r, "nr_memcgs") > w->max_rows)
		w->max_rows = jint(r, "nr_memcgs");
	w->reports++;
	json_decref(w->last);
	w->last = r;
	w->recent[w->reports % 3] = totals_add_up(r, w->why, sizeof(w->why));
}

/*
 * Memcgs and mounts made and destroyed for LRUTOP_CHURN_S seconds (default 60) while lrutop
 * runs with --keep-removed 2: it keeps running, its RSS stays flat, removed memcgs are marked
 * and then aged out, the living memcgs' counts stay exact, and the totals equal the rows
 * plus what aged out.
 */
void test_churn(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-churn-XXXXXX", cmd[8192];
	char live_out[32768], out[32768], reports[] = "/tmp/lrutop-churn-reports-XXXXXX";
	double secs = atof(env_or("LRUTOP_CHURN_S", "60")), t0, t_rss0 = 0;
	long rss0 = 0, rss_max = 0, rss;
	json_int_t churn_lists = 0, churn_memcgs = 0;
	struct churn_watch w = {};
	size_t i;
	int iter = 0, status;
	pid_t pid;
	FILE *f;
	json_t *r, *wl, *m, *lines = json_array();

	cgroot_or_skip(cgroot, sizeof(cgroot));
	lazy_or_skip();	/* lazy lists are what churn ages; 5.10 is covered in its guest */
	assert_non_null(mkdtemp(mntdir));
	snprintf(churn_left.cgroot, sizeof(churn_left.cgroot), "%s", cgroot);
	snprintf(churn_left.mntdir, sizeof(churn_left.mntdir), "%s", mntdir);
	f = spawn_reports("-b -j --cumulative --keep-removed 2 -r 1000000 1", reports, &pid);

	/* The memcgs that live through the churn: their counts must stay exact. */
	snprintf(cmd, sizeof(cmd), "%s -r %s -d %s/live -n lrutop-live-%d -m 4 -t 3 -k 2 -f 3 --keep",
		 workload_bin(), cgroot, mntdir, getpid());
	assert_int_equal(run(cmd, live_out, sizeof(live_out)), 0);

	t0 = now_s();
	while (now_s() - t0 < secs) {
		/* Half unmount first (lists die with the superblock), half rmdir first (lists die
		 * with the memcg, reparented by the kernel). */
		snprintf(cmd, sizeof(cmd), "%s -r %s -d %s/c%d -n lrutop-churn-%d -m 10 -t 2 -k 1 -f 1%s",
			 workload_bin(), cgroot, mntdir, iter, iter, iter % 2 ? " --rmdir-first" : "");
		if (run(cmd, out, sizeof(out)))
			fail_msg("churn iteration %d failed: %s", iter, out);
		churn_lists += summary_lists(out);
		churn_memcgs += 10;
		iter++;
		rss = rss_kb(pid);
		if (rss < 0)
			fail_msg("lrutop died during the churn (iteration %d)", iter);
		/* The baseline once the maps and buffers have grown to their working size. */
		if (!t_rss0 && now_s() - t0 > secs / 6) {
			t_rss0 = now_s();
			rss0 = rss;
		}
		if (t_rss0 && rss > rss_max)
			rss_max = rss;
	}
	/* Outlive --keep-removed by three reports: a list made between the read of the totals
	 * and the read of the rows (by anything on the host) shows in one report only, so one
	 * report of the last three must add up exactly. */
	sleep(6);
	kill(pid, SIGINT);
	waitpid(pid, &status, 0);
	churn_left.lrutop = 0;
	while ((r = read_json_line(f)))
		watch_report(&w, r);
	fclose(f);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(w.last);

	printf("churn: %d iterations, %lld memcgs and %d mounts made and removed in %.0f s, %lld lists; "
	       "lrutop RSS %ld kB after %.0f s, at most %ld kB after; %d reports, at most %lld rows\n",
	       iter, (long long)churn_memcgs, 2 * iter, secs, (long long)churn_lists, rss0,
	       t_rss0 - t0, rss_max, w.reports, (long long)w.max_rows);
	printf("churn: last report: %s\n", w.why);
	assert_true(churn_memcgs >= 1000);
	if (!w.recent[0] && !w.recent[1] && !w.recent[2])
		fail_msg("totals do not add up in any of the last three reports: %s", w.why);
	/* Flat: what grows with the churn would grow with it (thousands of rows, megabytes).
	 * ASan's quarantine holds freed memory for a while: no measure under make sanitize. */
	if (!getenv("LRUTOP_SANITIZED") && rss_max > rss0 + 4096)
		fail_msg("RSS grew from %ld kB to %ld kB during the churn", rss0, rss_max);
	assert_true(w.with_removed > 0);
	json_array_foreach(json_object_get(w.last, "memcgs"), i, m) {
		if (is_churn_path(m))
			fail_msg("%s still has a row after --keep-removed",
				 json_string_value(json_object_get(m, "path")));
	}
	/* Every churned list aged out with the memcg that caused it: all of the churn's lists. */
	if (jint(json_object_get(w.last, "aged_out"), "caused_allocs") < churn_lists)
		fail_msg("aged out %lld lists, the churn made %lld",
			 (long long)jint(json_object_get(w.last, "aged_out"), "caused_allocs"),
			 (long long)churn_lists);
	assert_true(jint(json_object_get(w.last, "aged_out"), "memcgs") >= churn_memcgs);
	assert_int_equal(jint(json_object_get(w.last, "drops"), "memcg"), 0);

	/* The living memcgs' own lines (the churn's are gone): each exact after the churn. */
	json_decref(workload_lines(live_out, lines));
	json_array_foreach(lines, i, wl) {
		m = find_memcg(w.last, jint(wl, "id"));
		if (!m)
			fail_msg("living memcg %s lost its row",
				 json_string_value(json_object_get(wl, "memcg")));
		if (jint(m, "caused_allocs") != jint(wl, "expected_lists"))
			fail_msg("living memcg %s: expected %lld lists, lrutop counted %lld after the churn",
				 json_string_value(json_object_get(wl, "memcg")),
				 (long long)jint(wl, "expected_lists"),
				 (long long)jint(m, "caused_allocs"));
		/* Its own slots: one list on each list_lru of each mount it touched. */
		if (jint(m, "allocs") != 2 * jint(wl, "mounts"))
			fail_msg("living memcg %s owns %lld lists where it holds %lld",
				 json_string_value(json_object_get(wl, "memcg")),
				 (long long)jint(m, "allocs"), (long long)(2 * jint(wl, "mounts")));
		assert_false(json_is_true(json_object_get(m, "removed")));
	}
	json_decref(lines);
	json_decref(w.last);
}
