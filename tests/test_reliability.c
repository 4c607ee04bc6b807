// SPDX-License-Identifier: GPL-2.0
/*
 * Reliability on the running kernel, as root (docs/RELIABILITY.md): memcg and mount churn
 * while lrutop runs, a per-memcg map too small on purpose, signals in every phase, and bad
 * input of every kind.
 */
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
#include "reliability/reliability.h"

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_input_table),
		cmocka_unit_test(test_snapshot_atomic),
		cmocka_unit_test(test_signals_every_phase),
		cmocka_unit_test(test_signals_restore_terminal),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_map_sizes),
		cmocka_unit_test(test_inventory_churn),
		cmocka_unit_test_teardown(test_pressure_aging, churn_teardown),
		cmocka_unit_test(test_http_abuse),
		cmocka_unit_test(test_valgrind_batch),
		cmocka_unit_test_teardown(test_churn, churn_teardown),
	};

	/* e.g. LRUTOP_TEST_FILTER=test_churn: one test alone (cmocka's wildcards) */
	if (getenv("LRUTOP_TEST_FILTER"))
		cmocka_set_test_filter(getenv("LRUTOP_TEST_FILTER"));
	/* One test alone, by name (a glob): LRUTOP_TESTS=test_http_abuse. */
	if (getenv("LRUTOP_TESTS"))
		cmocka_set_test_filter(getenv("LRUTOP_TESTS"));
	return cmocka_run_group_tests(tests, setup_root, NULL);
}
