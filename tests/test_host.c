// SPDX-License-Identifier: GPL-2.0
/*
 * Integration tests on the running kernel, as root: lrutop against a workload whose list
 * allocations are known exactly, error paths, detaching on signals, and the live screen
 * driven through tmux.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
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
#include "host/host_tests.h"

/* Does name match one of patterns ("a*,b", fnmatch globs; NULL: every name)? */
static bool test_chosen(const char *patterns, const char *name)
{
	char buf[1024], *save, *p;

	if (!patterns)
		return true;
	snprintf(buf, sizeof(buf), "%s", patterns);
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (!fnmatch(p, name, 0))
			return true;
	}
	return false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_lazy_lists),
		cmocka_unit_test_teardown(test_kernel_shadow_lists, kinds_teardown),
		cmocka_unit_test_teardown(test_kernel_thp_lists, kinds_teardown),
		cmocka_unit_test_teardown(test_kernel_zswap_lists, kinds_teardown),
		cmocka_unit_test_teardown(test_kernel_owner_cause, owner_cause_teardown),
		/* The probe first: on a fresh pre-5.18 kernel it leaves the id space non-empty, so
		 * the eager test's lrutop runs its self-check for real and must keep it apart. */
		cmocka_unit_test(test_kernel_probe),
		cmocka_unit_test(test_kernel_hot_path),
		cmocka_unit_test(test_kernel_watching_cost),
		cmocka_unit_test(test_kernel_watching_brackets),
		cmocka_unit_test(test_kernel_skipped_runs),
		cmocka_unit_test(test_kernel_core_btf),
		cmocka_unit_test(test_kernel_kallsyms_iter),
		cmocka_unit_test_teardown(test_kernel_cgroup_iter, cgroups_teardown),
		cmocka_unit_test(test_kernel_eager_lists),
		/* After the eager test: its memcgs would grow a fresh 5.10's id space first. */
		cmocka_unit_test_teardown(test_kernel_inventory, inventory_teardown),
		cmocka_unit_test_teardown(test_kernel_inventory_flow, inventory_teardown),
		cmocka_unit_test_teardown(test_kernel_inventory_first_report, inventory_teardown),
		cmocka_unit_test_teardown(test_lru_address_reuse, inventory_teardown),
		cmocka_unit_test(test_prometheus_export),
		cmocka_unit_test(test_kernel_memcg_latency),
		cmocka_unit_test(test_json_schema),
		cmocka_unit_test(test_snapshot_host),
		cmocka_unit_test(test_not_root),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_kernel_self_check_failure),
		cmocka_unit_test(test_kernel_self_check_skipped),
		cmocka_unit_test(test_kernel_signals_detach),
		cmocka_unit_test(test_screen_tmux),
		cmocka_unit_test_teardown(test_names_rollup, names_teardown),
		cmocka_unit_test_teardown(test_screen_explore, names_teardown),
		cmocka_unit_test(test_tracepoint_failures),
		cmocka_unit_test(test_kernel_kfree_call_sites),
		/* Only where chosen: it needs a kernel built to fail allocations. */
		cmocka_unit_test_teardown(test_faults_list_allocs, faults_teardown),
	};

	struct CMUnitTest chosen[sizeof(tests) / sizeof(tests[0])];
	size_t n = 0;

	/* In a booted test kernel only the test_kernel_* tests apply (no tmux, no setpriv):
	 * LRUTOP_TESTS, patterns separated by commas, picks them. The test_faults_* need a
	 * kernel that fails allocations on purpose, and run only where they are picked. */
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		const char *picked = getenv("LRUTOP_TESTS");

		if (!picked && !strncmp(tests[i].name, "test_faults_", 12))
			continue;
		if (test_chosen(picked, tests[i].name))
			chosen[n++] = tests[i];
	}
	return _cmocka_run_group_tests(env_or("LRUTOP_SUITE", "host"), chosen, n, setup_root, NULL);
}
