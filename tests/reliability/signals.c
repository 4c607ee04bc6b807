// SPDX-License-Identifier: GPL-2.0
/* test_reliability: Signals in every phase; the terminal restored. */
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

static void wait_progs_gone(int before, const char *what)
{
	/* The kernel frees a released program from a work queue: give it a moment. */
	for (int t = 0; t < 50 && count_lrutop_bpf() > before; t++)
		usleep(100000);
	if (count_lrutop_bpf() > before)
		fail_msg("%s: %d of lrutop's programs still loaded", what, count_lrutop_bpf() - before);
}

/*
 * SIGINT, SIGTERM and SIGHUP at start-up (BTF, kallsyms), while loading and attaching
 * (the verifier), during the self-check, and while running: lrutop ends within seconds with
 * status 0, leaves nothing loaded, and its self-check's memcg and tmpfs are gone.
 */
/* The mount points the self-check of lrutop pid made in /tmp (its pid, then mkdtemp's). */
static size_t self_check_dirs(pid_t pid)
{
	char pattern[64];
	glob_t g;
	size_t n;

	snprintf(pattern, sizeof(pattern), "/tmp/lrutop-self-check-%d-*", pid);
	if (glob(pattern, 0, NULL, &g))
		return 0;
	n = g.gl_pathc;
	globfree(&g);
	return n;
}

/*
 * What the self-check of lrutop pid made, its memcg and its tmpfs, must be gone. Its own
 * only: another lrutop on this machine (an exporter, a run by hand) has its own, by pid.
 */
static void check_self_check_gone(pid_t pid, const char *what)
{
	char cgroot[4096], path[4200], line[1024], mnt[64];
	FILE *f;

	if (cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) >= 0) {
		snprintf(path, sizeof(path), "%s/lrutop-self-check-%d", cgroot, pid);
		if (!access(path, F_OK))
			fail_msg("%s: the self-check's memcg %s is left behind", what, path);
	}
	snprintf(mnt, sizeof(mnt), " /tmp/lrutop-self-check-%d-", pid);
	f = fopen("/proc/self/mounts", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "lrutop-self-check ", 18) && strstr(line, mnt)) {
			fclose(f);
			fail_msg("%s: the self-check's tmpfs is left mounted: %s", what, line);
		}
	}
	fclose(f);
	if (self_check_dirs(pid))
		fail_msg("%s: the self-check's mount point is left in /tmp", what);
}

void test_signals_every_phase(void **state)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	static const int delays_ms[] = { 0, 20, 80, 200, 400, 800, 1600 };
	char *argv[] = { (char *)lrutop_bin(), "-b", "1", NULL };
	int before, rc;
	char what[64];
	pid_t pid;
	FILE *f;

	/* Programs of an earlier test may still be on the kernel's work queue. */
	wait_progs_gone(0, "before the test");
	before = count_lrutop_bpf();
	for (size_t s = 0; s < sizeof(sigs) / sizeof(sigs[0]); s++) {
		for (size_t d = 0; d < sizeof(delays_ms) / sizeof(delays_ms[0]); d++) {
			f = spawn(argv, &pid, true);
			usleep(delays_ms[d] * 1000);
			rc = stop_lrutop(f, pid, sigs[s], 10);
			snprintf(what, sizeof(what), "%s after %d ms", strsignal(sigs[s]), delays_ms[d]);
			/* Handled: a clean exit. Only a signal sent as the process is made (0 ms; 20
			 * under the sanitizers' start-up) may kill it before main() installs the
			 * handlers, with the shell's 128 + signal. */
			if (rc != 0 && !(delays_ms[d] <= 20 && rc == 128 + sigs[s]))
				fail_msg("%s: exit status %d", what, rc);
			check_self_check_gone(pid, what);
			wait_progs_gone(before, what);
		}
	}
}

static bool file_equal(const char *a, const char *b)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "cmp -s %s %s", a, b);
	return run(cmd, NULL, 0) == 0;
}

/* The live screen killed while attaching and while drawing gives the terminal back as it was. */
void test_signals_restore_terminal(void **state)
{
	static const int delays_ms[] = { 300, 2500 };
	static const int sigs[] = { SIGTERM, SIGHUP };
	char cmd[1024], out[4096];
	pid_t pid;

	run("tmux kill-session -t lrutop-rel", NULL, 0);
	for (size_t i = 0; i < 2; i++) {
		unlink("/tmp/lrutop-rel.rc");
		snprintf(cmd, sizeof(cmd), "tmux new-session -d -s lrutop-rel -x 100 -y 30 "
			 "'stty -g > /tmp/lrutop-rel.before; %s 0.7; echo $? > /tmp/lrutop-rel.rc; "
			 "stty -g > /tmp/lrutop-rel.after; sleep 30'", lrutop_bin());
		assert_int_equal(run(cmd, NULL, 0), 0);
		pid = 0;
		for (int t = 0; t < 50 && !pid; t++) {
			usleep(20000);
			run("pgrep -n -f 'lrutop 0.7$'", out, sizeof(out));
			pid = atoi(out);
		}
		assert_true(pid > 0);
		usleep(delays_ms[i] * 1000);
		kill(pid, sigs[i]);
		for (int t = 0; t < 100 && access("/tmp/lrutop-rel.after", F_OK); t++)
			usleep(100000);
		run("cat /tmp/lrutop-rel.rc", out, sizeof(out));
		if (atoi(out) != 0 && atoi(out) != 128 + sigs[i])
			fail_msg("%s after %d ms: exit status %s", strsignal(sigs[i]), delays_ms[i], out);
		if (!file_equal("/tmp/lrutop-rel.before", "/tmp/lrutop-rel.after"))
			fail_msg("%s after %d ms: terminal settings not restored", strsignal(sigs[i]),
				 delays_ms[i]);
		run("tmux kill-session -t lrutop-rel", NULL, 0);
		unlink("/tmp/lrutop-rel.before");
		unlink("/tmp/lrutop-rel.after");
	}
}
