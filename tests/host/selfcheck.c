// SPDX-License-Identifier: GPL-2.0
/* test_host: The self-check's failure paths, forced. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "kernel/cgroup.h"
#include "kernel/probe.h"
#include "host_util.h"
#include "lib/model.h"
#include "host_tests.h"

/* The backend lrutop attaches here by default, from --probe's "backend: NAME (...)" line. */
static void default_backend(char name[32])
{
	char cmd[512], out[16384], *b;

	snprintf(cmd, sizeof(cmd), "%s --probe", lrutop_bin());
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	b = strstr(out, "\nbackend: ");
	assert_non_null(b);
	assert_int_equal(sscanf(b, "\nbackend: %31[a-z]", name), 1);
}

/* Run lrutop with LRUTOP_FAULT_SELF_CHECK=blind and these arguments: its exit status, and
 * its stdout and stderr in out. */
static int run_blind(const char *blind, const char *args, char *out, size_t len)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "LRUTOP_FAULT_SELF_CHECK=%s %s %s 2>&1", blind, lrutop_bin(), args);
	return run(cmd, out, len);
}

static void assert_has(const char *out, const char *text, const char *what)
{
	if (!strstr(out, text))
		fail_msg("%s: no '%s' in: %s", what, text, out);
}

/*
 * A self-check that fails (LRUTOP_FAULT_SELF_CHECK blinds a backend to what its check made,
 * as on a kernel whose lists it cannot see): fentry falls back to the tracepoint backend,
 * which counts them; with both blind, or the tracepoint backend unable to attach (kallsyms
 * hidden), lrutop stays on fentry and says so. A batch run then exits 1 with the check's
 * result and reports nothing; an exporter keeps running with lrutop_self_check_ok 0; a
 * snapshot records it, and lrutop compare --check refuses it.
 */
void test_kernel_self_check_failure(void **state)
{
	char backend[32], out[65536], args[512], prom[] = "/tmp/lrutop-sc-XXXXXX";
	const char *blind;
	int fd, rc, restrict_fd;

	default_backend(backend);
	if (getenv("LRUTOP_EXPECT_BACKEND") && strcmp(backend, getenv("LRUTOP_EXPECT_BACKEND")))
		fail_msg("lrutop chose the %s backend where %s must work", backend,
			 getenv("LRUTOP_EXPECT_BACKEND"));
	if (!strcmp(backend, "fentry")) {
		/* fentry blind: the tracepoint backend takes over, its own check passed. */
		assert_int_equal(run_blind("fentry", "--probe", out, sizeof(out)), 0);
		assert_has(out, "\nbackend: tracepoint", "fentry blind");
		assert_has(out, "\nself-check: passed", "fentry blind");
		/* Both blind: fentry stays, with its failed check and the other's. */
		assert_int_equal(run_blind("fentry,tracepoint", "-b 0.2 1", out, sizeof(out)), 1);
		assert_has(out, "self-check FAILED", "both blind");
		assert_has(out, "(tracepoint backend: failed too)", "both blind");
		assert_has(out, "not reporting", "both blind");
		blind = "fentry,tracepoint";
		/* kallsyms hidden, so no call site for the tracepoint backend: fentry stays.
		 * (Before 5.18 fentry then counts nothing either: its check does not run.) */
		if (!kernel_has_field("list_lru", "xa"))
			goto exporter;
		restrict_fd = open("/proc/sys/kernel/kptr_restrict", O_RDWR | O_CLOEXEC);
		assert_true(restrict_fd >= 0);
		assert_true(read(restrict_fd, args, 8) > 0);
		assert_int_equal(pwrite(restrict_fd, "2\n", 2, 0), 2);
		rc = run_blind("fentry", "-b 0.2 1", out, sizeof(out));
		assert_true(pwrite(restrict_fd, args, 2, 0) > 0);
		close(restrict_fd);
		assert_int_equal(rc, 1);
		assert_has(out, "self-check FAILED", "fentry blind, kallsyms hidden");
		assert_has(out, "(tracepoint backend: ", "fentry blind, kallsyms hidden");
	} else {
		blind = backend;
		assert_int_equal(run_blind(blind, "-b 0.2 1", out, sizeof(out)), 1);
		assert_has(out, "self-check FAILED", backend);
		assert_has(out, "not reporting", backend);
	}
exporter:
	/* An exporter keeps running and says so: a metric an alert can fire on. */
	fd = mkstemp(prom);
	assert_true(fd >= 0);
	close(fd);
	snprintf(args, sizeof(args), "--prometheus %s 0.2 1", prom);
	assert_int_equal(run_blind(blind, args, out, sizeof(out)), 0);
	run(strcat(strcpy(out, "cat "), prom), out, sizeof(out));
	unlink(prom);
	assert_has(out, "\nlrutop_self_check_ok 0\n", "exporter");
	/* A snapshot records it (not through the guests' backend wrapper: on the host only). */
	if (!getenv("LRUTOP_EXPECT_BACKEND")) {
		snprintf(args, sizeof(args), "snapshot -o %s -- true", prom);
		assert_int_equal(run_blind(blind, args, out, sizeof(out)), 0);
		assert_has(out, "self-check FAILED", "snapshot");
		snprintf(args, sizeof(args), "%s compare --check 5 %s %s 2>&1", lrutop_bin(), prom, prom);
		run(args, out, sizeof(out));
		unlink(prom);
		assert_has(out, "self-check failed there", "compare --check");
	}
}

/*
 * Runs skipped while the check runs (LRUTOP_FAULT_SKIPPED_RUNS=1: each read of the kernel's
 * count finds one more): a check that fails then is run again, three times in all, and is
 * inconclusive, not failed; one that passes is not run again; the reports flag the runs.
 */
void test_kernel_self_check_skipped(void **state)
{
	char backend[32], out[65536], cmd[1024];

	default_backend(backend);
	snprintf(cmd, sizeof(cmd), "%s --probe", lrutop_bin());
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	if (!strstr(out, "\nself-check: passed")) {
		/* 5.10 in a fresh guest: no memcg id yet, nothing to check. */
		print_message("the self-check does not pass here: nothing to run again\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "LRUTOP_FAULT_SKIPPED_RUNS=1 LRUTOP_FAULT_SELF_CHECK=%s "
		 "%s --probe 2>&1", backend, lrutop_bin());
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	/* At least the fault's one a try: the kernel may skip more of its own. */
	assert_has(out, "\nself-check: inconclusive: the kernel skipped runs of lrutop's programs "
		   "in each of 3 tries (", "failed while runs were skipped");
	assert_has(out, " in the last: FAILED: ", "failed while runs were skipped");
	snprintf(cmd, sizeof(cmd), "LRUTOP_FAULT_SKIPPED_RUNS=1 %s -b 0.2 2 2>&1", lrutop_bin());
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_has(out, "self-check passed", "passed while runs were skipped");
	assert_has(out, "\nSKIPPED: the kernel skipped ", "a report");
}
