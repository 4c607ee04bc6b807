/* SPDX-License-Identifier: GPL-2.0 */
/* The tests test_host runs (tests/test_host.c registers them), one file of tests/host/ a
 * feature. */
#ifndef __LRUTOP_HOST_TESTS_H
#define __LRUTOP_HOST_TESTS_H

void test_kernel_lazy_lists(void **state);
void test_kernel_eager_lists(void **state);
void test_kernel_shadow_lists(void **state);
void test_kernel_thp_lists(void **state);
void test_kernel_zswap_lists(void **state);
void test_kernel_owner_cause(void **state);
void test_kernel_inventory(void **state);
void test_kernel_inventory_flow(void **state);
void test_kernel_inventory_first_report(void **state);
void test_lru_address_reuse(void **state);
void test_kernel_probe(void **state);
void test_kernel_hot_path(void **state);
void test_prometheus_export(void **state);
void test_kernel_memcg_latency(void **state);
void test_json_schema(void **state);
void test_snapshot_host(void **state);
void test_not_root(void **state);
void test_bad_args(void **state);
void test_kernel_self_check_failure(void **state);
void test_kernel_self_check_skipped(void **state);
void test_kernel_signals_detach(void **state);
void test_screen_tmux(void **state);
void test_names_rollup(void **state);
void test_screen_explore(void **state);
void test_faults_list_allocs(void **state);
void test_tracepoint_failures(void **state);
void test_kernel_kfree_call_sites(void **state);
void test_kernel_watching_cost(void **state);
void test_kernel_watching_brackets(void **state);
void test_kernel_skipped_runs(void **state);
void test_kernel_core_btf(void **state);
void test_kernel_kallsyms_iter(void **state);
void test_kernel_cgroup_iter(void **state);
int cgroups_teardown(void **state);
int owner_cause_teardown(void **state);
int inventory_teardown(void **state);
int kinds_teardown(void **state);
int names_teardown(void **state);
int faults_teardown(void **state);

/*
 * The named workload of names.c, which explore.c shares. Each chain: m<i> / a burstable
 * pod's slice / a containerd container's scope / a child of it, the pod uid and container id
 * of chain i starting with its two digits, as the kubelet (systemd driver) and containerd
 * write them.
 */
#include <jansson.h>
#include <sys/types.h>
#define POD_FMT "kubepods-burstable-pod%02d2c3d4e_5f60_4718_8a9b_0c1d2e3f4a5b.slice"
#define CTR_FMT "cri-containerd-%02da1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0.scope"
#define CHAINS 2
/* What a names or explore test leaves if it fails midway. */
extern struct test_leftovers names_left;
/* The workload of CHAINS chains named name-PID under the memory root (kept until
 * teardown), and its owners' summary. */
json_t *named_workload(const char *name, char *cgroot, size_t len);
/* The lists the workload's owners under prefix hold (the memcg at prefix and below). */
json_int_t owned_within(json_t *summary, const char *prefix);
/* The memcg path of chain i down to level (1: m<i>) under the workload's top. */
void chain_path(char *buf, size_t len, const char *top, int i, int level);

#endif
