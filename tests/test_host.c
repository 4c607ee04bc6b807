// SPDX-License-Identifier: GPL-2.0
/*
 * Integration tests on the running kernel, as root: lrutop against a workload whose list
 * allocations are known exactly, error paths, detaching on signals, and the live screen
 * driven through tmux.
 */
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
#include "host/host_tests.h"

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_lazy_lists),
		cmocka_unit_test_teardown(test_kernel_owner_cause, owner_cause_teardown),
		/* The probe first: on a fresh pre-5.18 kernel it leaves the id space non-empty, so
		 * the eager test's lrutop runs its self-check for real and must keep it apart. */
		cmocka_unit_test(test_kernel_probe),
		cmocka_unit_test(test_kernel_hot_path),
		cmocka_unit_test(test_kernel_eager_lists),
		/* After the eager test: its memcgs would grow a fresh 5.10's id space first. */
		cmocka_unit_test_teardown(test_kernel_inventory, inventory_teardown),
		cmocka_unit_test_teardown(test_kernel_inventory_flow, inventory_teardown),
		cmocka_unit_test_teardown(test_lru_address_reuse, inventory_teardown),
		cmocka_unit_test(test_prometheus_export),
		cmocka_unit_test(test_json_schema),
		cmocka_unit_test(test_snapshot_host),
		cmocka_unit_test(test_not_root),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_kernel_self_check_failure),
		cmocka_unit_test(test_kernel_signals_detach),
		cmocka_unit_test(test_screen_tmux),
	};

	/* In a booted test kernel only the test_kernel_* tests apply (no tmux, no setpriv). */
	if (getenv("LRUTOP_TESTS"))
		cmocka_set_test_filter(getenv("LRUTOP_TESTS"));
	return cmocka_run_group_tests_name(env_or("LRUTOP_SUITE", "host"), tests, setup_root, NULL);
}
