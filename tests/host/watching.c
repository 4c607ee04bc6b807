// SPDX-License-Identifier: GPL-2.0
/*
 * test_host: what lrutop's own programs cost (--bpf-stats). The kernel's BPF statistics are
 * on while lrutop runs with it, and off again at its exit, as a do-nothing program of the
 * test's own tells; lrutop's counts move with a workload and stay still without one; on the
 * lazy allocator, its program's runs are exactly the calls lrutop counted. The runs the
 * kernel skipped of each program are the kernel's own count, as the test reads it too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <jansson.h>
#include <bpf/bpf.h>
#include "host_util.h"
#include "host_tests.h"

#define IDLE_TRIES	5	/* reports read for one with no cgroup made on the host */
#define AFTER_TRIES	10	/* reports read for the workload's end */

/* A program that does nothing, run by BPF_PROG_TEST_RUN: the kernel counts its runs only while
 * its BPF statistics are on. */
static int idle_prog_load(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "lrutop_t_stats", "GPL", insns, 2,
			       NULL);

	assert_true(fd >= 0);
	return fd;
}

static bool stats_on(int prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, run);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	__u64 before;

	assert_int_equal(bpf_obj_get_info_by_fd(prog, &info, &len), 0);
	before = info.run_cnt;
	assert_int_equal(bpf_prog_test_run_opts(prog, &run), 0);
	memset(&info, 0, sizeof(info));	/* the counts it returned would ask for arrays */
	len = sizeof(info);
	assert_int_equal(bpf_obj_get_info_by_fd(prog, &info, &len), 0);
	return info.run_cnt != before;
}

static bool sysctl_on(void)
{
	char v = '0';
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "r");

	if (f) {
		if (fread(&v, 1, 1, f) != 1)
			v = '0';
		fclose(f);
	}
	return v == '1';
}

/* A program's counts in a report's "watching"; the runs in the interval, -1 if null. */
static json_int_t interval_runs(json_t *report, const char *prog, json_int_t *ns)
{
	json_t *name = json_string(prog);
	json_t *p = find_by(json_object_get(json_object_get(report, "watching"), "programs"),
			    "name", name);

	json_decref(name);
	*ns = 0;
	if (!p || json_is_null(json_object_get(p, "interval_runs")))
		return -1;
	*ns = jint(p, "interval_ns");
	return jint(p, "interval_runs");
}

/* lrutop -b -j without --bpf-stats: the statistics stay off, and its costs are null with
 * the reason. */
static void check_off_by_default(int prog)
{
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "0.5", NULL };
	json_t *r;
	pid_t pid;
	FILE *f;

	f = spawn(argv, &pid, false);
	r = read_json_line(f);
	assert_non_null(r);
	assert_false(stats_on(prog));
	assert_true(json_is_null(json_object_get(json_object_get(r, "watching"), "events_per_s")));
	assert_non_null(json_object_get(json_object_get(r, "unavailable"),
					"lrutop's own cost (BPF statistics)"));
	json_decref(r);
	assert_int_equal(stop_lrutop(f, pid, SIGINT, 10), 0);
}

/* A report with no cgroup made in its interval: the cgroup_mkdir program stayed still. */
static void check_still(FILE *f, bool lazy)
{
	json_int_t ns, runs = -1;
	json_t *r;

	for (int i = 0; i < IDLE_TRIES && runs; i++) {
		r = read_json_line(f);
		assert_non_null(r);
		runs = interval_runs(r, "handle_cgroup_mkdir", &ns);
		assert_true(runs >= 0);
		/* Nothing in a memcg allocates list_lru objects: the allocator's programs idle. */
		if (lazy && !runs && interval_runs(r, "lazy_alloc_exit", &ns) != 0)
			fail_msg("lazy_alloc_exit ran with no workload");
		json_decref(r);
	}
	if (runs)
		fail_msg("no report of %d had its cgroup_mkdir program still", IDLE_TRIES);
}

/*
 * Runs, counts and calls while lrutop watches a workload. Without call records
 * (LRUTOP_FAULT_NO_CALL_RECORDS), every call of the allocator goes the way of one whose
 * record slot another task holds (brackets): its calls still each counted once.
 */
static void check_watching_cost(bool records)
{
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "--bpf-stats", "0.5", NULL };
	char cgroot[4096], mnt[] = "/tmp/lrutop-watch-XXXXXX", cmd[8300];
	json_int_t ns, runs, calls = 0, exits = 0, objs = 0, obj_runs = 0, mkdirs = 0, all_ns = 0;
	bool lazy = kernel_has_field("list_lru", "xa"), fentry;
	int prog = idle_prog_load();
	json_t *r, *t;
	pid_t pid;
	FILE *f;

	cgroot_or_skip(cgroot, sizeof(cgroot));
	if (sysctl_on())
		skip();	/* on for the host: lrutop's part cannot be told apart */
	assert_false(stats_on(prog));
	check_off_by_default(prog);

	if (!records)
		setenv("LRUTOP_FAULT_NO_CALL_RECORDS", "1", 1);
	f = spawn(argv, &pid, false);
	unsetenv("LRUTOP_FAULT_NO_CALL_RECORDS");
	r = read_json_line(f);
	assert_non_null(r);
	check_backend(r);
	fentry = !strcmp(json_string_value(json_object_get(r, "backend")), "fentry");
	lazy = lazy && fentry;
	assert_true(json_is_true(json_object_get(json_object_get(r, "watching"), "stats_held")));
	json_decref(r);
	assert_true(stats_on(prog));
	check_still(f, lazy);

	/* 4 memcgs, 20 files each on a tmpfs: lists, objects, calls. */
	assert_non_null(mkdtemp(mnt));
	snprintf(cmd, sizeof(cmd), "%s -r %s -d %s -n lrutop-watch-%d -m 4 -t 1 -k 1 -f 20 > /dev/null",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, mnt, getpid());
	assert_int_equal(system(cmd), 0);
	rmdir(mnt);
	/* Every report until one where the workload's programs are still again. */
	for (int i = 0; i < AFTER_TRIES; i++) {
		r = read_json_line(f);
		assert_non_null(r);
		t = json_object_get(r, "totals");
		runs = interval_runs(r, "handle_cgroup_mkdir", &ns);
		assert_true(runs >= 0);
		mkdirs += runs;
		for (size_t k = 0; k < json_array_size(json_object_get(json_object_get(r, "watching"), "programs")); k++)
			all_ns += jint(json_array_get(json_object_get(json_object_get(r, "watching"),
								     "programs"), k), "interval_ns");
		if (lazy) {
			runs = interval_runs(r, "lazy_alloc_exit", &ns);
			exits += runs;
			calls += jint(t, "calls");
			obj_runs += interval_runs(r, "lru_obj_exit", &ns);
			objs += jint(t, "objs");
		}
		json_decref(r);
		if (mkdirs && (!lazy || (exits && !runs)))
			break;
	}
	assert_int_equal(stop_lrutop(f, pid, SIGINT, 10), 0);
	/* Released at exit. */
	assert_false(stats_on(prog));
	close(prog);
	print_message("%s%s: %lld cgroup mkdir runs, %lld ns in all; lazy_alloc_exit %lld runs for "
		      "%lld calls; lru_obj_exit %lld runs for %lld objects\n",
		      fentry ? "fentry" : "tracepoint", records ? "" : " (no call records)",
		      (long long)mkdirs, (long long)all_ns,
		      (long long)exits, (long long)calls, (long long)obj_runs, (long long)objs);
	/* The workload's 4 memcgs, at least (the host may make others meanwhile). */
	assert_true(mkdirs >= 4);
	assert_true(all_ns > 0);
	if (lazy) {
		assert_true(calls > 0);
		if (exits != calls)
			fail_msg("lazy_alloc_exit ran %lld times for %lld calls counted",
				 (long long)exits, (long long)calls);
		assert_true(objs > 0 && obj_runs >= objs);
	}
}

void test_kernel_watching_cost(void **state)
{
	check_watching_cost(true);
}

void test_kernel_watching_brackets(void **state)
{
	check_watching_cost(false);
}

/* Processes that make kernel allocations for LOAD_S seconds: forks, files made and removed. */
#define LOAD_PROCS	3
#define LOAD_S		3

static void load_run(const char *dir, int n)
{
	time_t end = time(NULL) + LOAD_S;
	char path[128];
	pid_t pid;
	int fd;

	snprintf(path, sizeof(path), "%s/f%d", dir, n);
	while (time(NULL) < end) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
		unlink(path);
	}
	_exit(0);
}

/* An attached program's entry in a report's programs: the kernel keeps 15 bytes of a name
 * (handle_cgroup_rmdir and _rename share theirs), so its target tells them apart where the
 * kernel names it (5.10 does not name a tracing link's; lrutop's fentry names are unique). */
static json_t *report_prog(json_t *progs, const struct attached_prog *a)
{
	const char *name, *hook, *slash;
	json_t *p;
	size_t i;

	json_array_foreach(progs, i, p) {
		name = json_string_value(json_object_get(p, "name"));
		hook = json_string_value(json_object_get(p, "hook"));
		slash = hook ? strchr(hook, '/') : NULL;
		if (name && slash && !strncmp(name, a->name, strlen(a->name)) &&
		    (!a->target[0] || !strcmp(slash + 1, a->target)))
			return p;
	}
	return NULL;
}

/*
 * lrutop's programs under a load of allocations on every CPU: what each report says the
 * kernel skipped of each program (watching's missed_runs) is the kernel's count, read by the
 * test before and after that report. Where runs nest (an interrupt's kfree inside a task's)
 * or the kernel preempts a running program, the load makes skipped runs; else both say none.
 */
void test_kernel_skipped_runs(void **state)
{
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "0.5", NULL };
	char dir[] = "/tmp/lrutop-skips-XXXXXX";
	struct attached_prog before[32], after[32];
	int n, compared = 0;
	pid_t pid, load[LOAD_PROCS];
	json_t *r, *progs, *p;
	unsigned long long seen, total = 0;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	f = spawn(argv, &pid, false);
	r = read_json_line(f);	/* attached */
	assert_non_null(r);
	check_backend(r);
	json_decref(r);
	for (int i = 0; i < LOAD_PROCS; i++) {
		load[i] = fork();
		assert_true(load[i] >= 0);
		if (load[i] == 0)
			load_run(dir, i);
	}
	for (int i = 0; i < LOAD_PROCS; i++)
		waitpid(load[i], NULL, 0);
	rmdir(dir);

	n = lrutop_attached(before, 32);
	assert_true(n > 0);
	/* A report whose counts were read after the test's (its time is taken after). */
	r = report_after(f, time(NULL) + 2);
	assert_non_null(r);
	memcpy(after, before, sizeof(after[0]) * n);
	attached_refresh(after, n);
	progs = json_object_get(json_object_get(r, "watching"), "programs");
	for (int i = 0; i < n; i++) {
		p = report_prog(progs, &before[i]);
		if (!p)
			fail_msg("lrutop's program %s is attached but not in its report", before[i].name);
		seen = jint(p, "missed_runs");
		if (seen < before[i].misses || seen > after[i].misses)
			fail_msg("%s: lrutop reports %llu runs skipped, the kernel's count went from "
				 "%llu to %llu around that report", before[i].name, seen,
				 before[i].misses, after[i].misses);
		total += seen;
		compared++;
	}
	print_message("%d programs: %llu runs skipped since they loaded, as the kernel counts them\n",
		      compared, total);
	/* Skipped runs since the self-check are flagged in the report that counts them. */
	if (total && !jint(json_object_get(r, "watching"), "missed_runs"))
		print_message("(all of them before its reports: the self-check's)\n");
	json_decref(r);
	attached_close(before, n);
	assert_int_equal(stop_lrutop(f, pid, SIGINT, 10), 0);
}
