/* SPDX-License-Identifier: GPL-2.0 */
/* The tests test_host runs (tests/test_host.c registers them), one file of tests/host/ a
 * feature. */
#ifndef __LRUTOP_HOST_TESTS_H
#define __LRUTOP_HOST_TESTS_H

void test_kernel_lazy_lists(void **state);
void test_kernel_eager_lists(void **state);
void test_kernel_shadow_lists(void **state);
void test_kernel_thp_lists(void **state);
void test_kernel_owner_cause(void **state);
void test_kernel_inventory(void **state);
void test_kernel_inventory_flow(void **state);
void test_lru_address_reuse(void **state);
void test_kernel_probe(void **state);
void test_kernel_hot_path(void **state);
void test_prometheus_export(void **state);
void test_json_schema(void **state);
void test_snapshot_host(void **state);
void test_not_root(void **state);
void test_bad_args(void **state);
void test_kernel_self_check_failure(void **state);
void test_kernel_signals_detach(void **state);
void test_screen_tmux(void **state);
int owner_cause_teardown(void **state);
int inventory_teardown(void **state);
int kinds_teardown(void **state);

#endif
