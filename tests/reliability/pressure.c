// SPDX-License-Identifier: GPL-2.0
/* test_reliability: Churn faster than the map, the inventory under churn, a map too small on purpose, maps sized by --max-memcgs. */
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

/*
 * A per-memcg map of 16 entries (the least --max-memcgs allows) and 24 new memcgs: the rows
 * that did not fit are counted as drops, in JSON and on the screen, and the totals, kept
 * apart from the map, still hold every list.
 */
/* Wait until lrutop has written a report since the size *seen (10 s at most). */
static void wait_report(const char *reports, off_t *seen)
{
	struct stat st;

	for (int t = 0; t < 1000; t++) {
		if (!stat(reports, &st) && st.st_size > *seen) {
			*seen = st.st_size;
			return;
		}
		usleep(10000);
	}
	fail_msg("lrutop wrote no report in 10 s");
}

/*
 * A host that makes and removes memcgs faster than --keep-removed lets the map hold them:
 * removed memcgs leave it sooner (aged_out.early_memcgs) and nothing is dropped. A map of
 * 256, 600 memcgs made and removed 10 at a time. Each round waits for two reports after
 * it, a whole refresh after its memcgs were removed: lrutop ages at its refreshes, and a
 * refresh put off on a loaded machine, or slower under ASan, let 4 and then 8 rows drop in
 * CI runs (what the test asks is the aging, not how soon the scheduler runs lrutop).
 */
void test_pressure_aging(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-press-XXXXXX", cmd[8192], out[32768];
	char reports[] = "/tmp/lrutop-press-reports-XXXXXX", why[640];
	json_t *r, *last = NULL, *aged, *drops;
	json_int_t lists = 0;
	off_t seen = 0;
	int status;
	pid_t pid;
	FILE *f;

	cgroot_or_skip(cgroot, sizeof(cgroot));
	lazy_or_skip();
	assert_non_null(mkdtemp(mntdir));
	snprintf(churn_left.mntdir, sizeof(churn_left.mntdir), "%s", mntdir);
	snprintf(churn_left.cgroot, sizeof(churn_left.cgroot), "%s", cgroot);
	f = spawn_reports("-b -j --cumulative --max-memcgs 256 -r 1000000 0.25", reports, &pid);

	for (int i = 0; i < 60; i++) {
		snprintf(cmd, sizeof(cmd), "%s -r %s -d %s/p%d -n lrutop-press-%d-%d -m 10 -t 2 -k 1 -f 1",
			 workload_bin(), cgroot, mntdir, i, getpid(), i);
		if (run(cmd, out, sizeof(out)))
			fail_msg("workload round %d failed: %s", i, out);
		lists += summary_lists(out);
		/* Two: the second refresh began after the round's memcgs were gone. */
		wait_report(reports, &seen);
		wait_report(reports, &seen);
	}
	sleep(1);
	kill(pid, SIGINT);
	waitpid(pid, &status, 0);
	churn_left.lrutop = 0;
	while ((r = read_json_line(f))) {
		json_decref(last);
		last = r;
	}
	fclose(f);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_non_null(last);
	aged = json_object_get(last, "aged_out");
	drops = json_object_get(last, "drops");
	printf("pressure: %lld lists in 600 memcgs; aged %lld memcgs, %lld early; at the end %zu rows; "
	       "drops %lld\n", (long long)lists, (long long)jint(aged, "memcgs"),
	       (long long)jint(aged, "early_memcgs"), json_array_size(json_object_get(last, "memcgs")),
	       (long long)jint(drops, "memcg"));
	if (jint(drops, "memcg") || jint(drops, "owner"))
		fail_msg("600 memcgs through a map of 256 dropped %lld rows and %lld owners",
			 (long long)jint(drops, "memcg"), (long long)jint(drops, "owner"));
	/* --keep-removed is 60 s: only the map's pressure ages a memcg within this test. */
	assert_true(jint(aged, "early_memcgs") >= 600 - 256);
	assert_int_equal(jint(aged, "early_memcgs"), jint(aged, "memcgs"));
	if (!totals_add_up(last, why, sizeof(why)))
		fail_msg("totals do not add up: %s", why);
	if (sum_rows(last, "caused_allocs") + jint(aged, "caused_allocs") < lists)
		fail_msg("rows and aged hold fewer lists than the %lld the workload made", (long long)lists);
	json_decref(last);
}

/*
 * lrutop inventory while memcgs and mounts come and go under its walk: each run exits 0
 * with totals that equal the sum of its rows, or says in one line that the walk failed
 * (exit 1); never a crash.
 */
void test_inventory_churn(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-invchurn-XXXXXX", sh[8192], cmd[1024];
	char *out = malloc(1 << 22);
	int ok = 0, failed = 0, rc;
	pid_t churn;
	json_t *inv;

	assert_non_null(out);
	cgroot_or_skip(cgroot, sizeof(cgroot));
	assert_non_null(mkdtemp(mntdir));
	snprintf(sh, sizeof(sh), "end=$(($(date +%%s) + 6)); i=0; while [ $(date +%%s) -lt $end ]; do "
		 "%s -r %s -d %s/c$i -n lrutop-invchurn-%d-$i -m 5 -t 2 -k 1 -f 1 %s > /dev/null || exit 1; "
		 "i=$((i + 1)); done", workload_bin(), cgroot, mntdir, getpid(), "");
	churn = fork();
	assert_true(churn >= 0);
	if (!churn) {
		execl("/bin/sh", "sh", "-c", sh, (char *)NULL);
		_exit(127);
	}
	snprintf(cmd, sizeof(cmd), "%s inventory -j -r 0 2>&1", lrutop_bin());
	for (int i = 0; i < 20; i++) {
		json_int_t sum = 0;
		json_t *m;
		size_t j;

		rc = run(cmd, out, 1 << 22);
		if (rc == 1 && strstr(out, "lrutop: inventory unavailable: the walk") && !strchr(out, '\n')[1]) {
			failed++;
			continue;
		}
		if (rc)
			fail_msg("lrutop inventory during churn exited %d: %.2000s", rc, out);
		inv = json_loads(out, 0, NULL);
		if (!inv)
			fail_msg("lrutop inventory during churn printed no JSON: %.2000s", out);
		json_array_foreach(json_object_get(inv, "memcgs"), j, m)
			sum += jint(m, "held_lists");
		if (sum != jint(json_object_get(inv, "totals"), "held_lists"))
			fail_msg("during churn: the memcgs hold %lld lists, the totals say %lld",
				 (long long)sum, (long long)jint(json_object_get(inv, "totals"), "held_lists"));
		json_decref(inv);
		ok++;
	}
	waitpid(churn, &rc, 0);
	rmdir(mntdir);
	free(out);
	print_message("inventory under churn: %d passes whole, %d said the walk failed\n", ok, failed);
	assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
	assert_true(ok > 0);
}

void test_overflow(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-ovf-XXXXXX", cmd[8192], out[65536];
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "--cumulative", "--max-memcgs", "16",
			 "-r", "1000000", "1", NULL };
	json_int_t lists, drops;
	json_t *r, *last;
	pid_t pid;
	FILE *f;

	cgroot_or_skip(cgroot, sizeof(cgroot));
	lazy_or_skip();
	assert_non_null(mkdtemp(mntdir));
	f = spawn(argv, &pid, false);
	r = read_json_line(f);
	assert_non_null(r);
	json_decref(r);
	snprintf(cmd, sizeof(cmd), "%s -r %s -d %s -n lrutop-ovf-%d -m 24 -t 2 -k 1",
		 workload_bin(), cgroot, mntdir, getpid());
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	lists = summary_lists(out);
	last = report_after(f, time(NULL) + 1);
	kill(pid, SIGINT);
	while ((r = read_json_line(f)))
		json_decref(r);
	fclose(f);
	assert_int_equal(wait_exit(pid, 5), 0);
	assert_non_null(last);

	assert_true(json_array_size(json_object_get(last, "memcgs")) <= 16);
	drops = jint(json_object_get(last, "drops"), "memcg");
	if (drops < 1)
		fail_msg("24 new memcgs in a map of 16 and no drop counted");
	/* Every list is in the totals, and each list a row could not hold is one drop, by
	 * cause and by owner. */
	if (jint(json_object_get(last, "totals"), "allocs") < lists)
		fail_msg("totals hold %lld lists, the workload made %lld",
			 (long long)jint(json_object_get(last, "totals"), "allocs"), (long long)lists);
	assert_int_equal(jint(json_object_get(last, "totals"), "allocs"),
			 sum_rows(last, "caused_allocs") +
			 jint(json_object_get(last, "aged_out"), "caused_allocs") + drops);
	assert_int_equal(jint(json_object_get(last, "totals"), "owned"),
			 sum_rows(last, "allocs") + jint(json_object_get(last, "aged_out"), "allocs") +
			 jint(json_object_get(last, "drops"), "owner"));
	json_decref(last);

	/* The text header says so too. */
	snprintf(cmd, sizeof(cmd), "%s -b --max-memcgs 16 1 3 & p=$!; sleep 1.2; "
		 "%s -r %s -d %s -n lrutop-ovf2-%d -m 24 -t 2 -k 1; wait $p",
		 lrutop_bin(), workload_bin(), cgroot, mntdir, getpid());
	/* A full map is no error: lrutop (a sanitizer's report included) must exit 0. */
	if (run(cmd, out, sizeof(out)))
		fail_msg("lrutop with a full map did not exit 0: %.2000s", out);
	if (!strstr(out, "DROPS (--max-memcgs): "))
		fail_msg("no DROPS line in the text report: %.2000s", out);
	rmdir(mntdir);
}

/* Is a map of that name and size loaded now? */
static bool map_loaded(const char *name, __u32 entries)
{
	struct bpf_map_info info;
	__u32 id = 0, len;
	bool found = false;
	int fd;

	while (!found && !bpf_map_get_next_id(id, &id)) {
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		found = !bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name) &&
			info.max_entries == entries;
		close(fd);
	}
	return found;
}

/*
 * Every map that drops updates when full grows with --max-memcgs, so the advice the DROPS
 * line gives ("raise --max-memcgs") makes room in each: per memcg N (its slots, their index
 * and the free ones), per list_lru N, pairs and live lists 4 N.
 */
void test_map_sizes(void **state)
{
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "--max-memcgs", "40000", "1", NULL };
	static const struct {
		const char *name;
		__u32 entries;
	} want[] = {
		{ "memcg_stats", 40000 }, { "memcg_slots", 40000 }, { "free_slots", 40000 },
		{ "memcg_lat", 40000 }, { "lru_stats", 40000 },
		{ "pairs", 160000 }, { "live", 160000 },
	};
	json_t *r;
	pid_t pid;
	FILE *f;

	f = spawn(argv, &pid, false);
	r = read_json_line(f);	/* attached and reporting */
	assert_non_null(r);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!map_loaded(want[i].name, want[i].entries))
			fail_msg("no map %s of %u entries with --max-memcgs 40000", want[i].name,
				 want[i].entries);
	}
	json_decref(r);
	kill(pid, SIGINT);
	while ((r = read_json_line(f)))
		json_decref(r);
	fclose(f);
	assert_int_equal(wait_exit(pid, 10), 0);
}
