// SPDX-License-Identifier: GPL-2.0
/*
 * test_host: allocation failures, made on purpose. On a kernel built to fail allocations
 * (failslab and fail-nth: scripts/ci-kernel.sh --faults), the workload fails the slab
 * allocation that makes a memcg's lists, as many times as it says, each failure confirmed
 * by the kernel's own report of it (its stack in the log). lrutop counts exactly those, for
 * the memcg that asked; the lists are not made, which lrutop's counts and the inventory's
 * walk of the kernel's list_lrus both show.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kernel/ksyms.h"
#include "kernel/loader.h"
#include "kernel/probe.h"
#include "host_util.h"
#include "host_tests.h"
#include "lrutop.h"
#include "lrutop.skel.h"

static struct test_leftovers faults_left;

int faults_teardown(void **state)
{
	leftovers_clean(&faults_left);
	return 0;
}

/* The workload's command for these tests, its cleanup kept for the teardown. */
static void workload_cmd(char *cmd, size_t len, const char *cgroot, const char *args)
{
	snprintf(faults_left.dir, sizeof(faults_left.dir), "/tmp/lrutop-test-faults-XXXXXX");
	assert_non_null(mkdtemp(faults_left.dir));
	snprintf(cmd, len, "%s -r %s -n lrutop-faults-%d -d %s %s",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, getpid(), faults_left.dir, args);
	snprintf(faults_left.cleanup, sizeof(faults_left.cleanup), "%s --cleanup", cmd);
}

static void cleanup_workload(void)
{
	assert_int_equal(run(faults_left.cleanup, NULL, 0), 0);
	faults_left.cleanup[0] = '\0';
	rmdir(faults_left.dir);
	faults_left.dir[0] = '\0';
}

/* A number lrutop measured: present and not null (null is "not measured here"). */
static json_int_t measured(json_t *o, const char *key, const char *what)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("%s: %s is not measured (%s)", what, key, v ? "null" : "absent");
	return json_integer_value(v);
}

/* The inventory's list_lrus of the superblock dev: the lists they hold, summed. */
static json_int_t held_on_dev(json_t *inv, const char *dev, int *lrus)
{
	json_int_t sum = 0;
	json_t *l;
	size_t i;

	*lrus = 0;
	json_array_foreach(json_object_get(inv, "lrus"), i, l) {
		if (strcmp(json_string_value(json_object_get(l, "dev")), dev))
			continue;
		sum += jint(l, "held_lists");
		(*lrus)++;
	}
	return sum;
}

/* Each leaf: its failure counted for it, its calls and their latency still counted (where
 * the backend measures them), its lists by cause; its failed mount holding no list. */
static void check_leaves(json_t *held, json_t *inv, json_t *lines)
{
	bool calls = !json_is_null(json_object_get(json_object_get(held, "totals"), "calls"));
	json_t *wl, *m, *pair;
	json_int_t lists;
	size_t i, j;
	int lrus;

	json_array_foreach(lines, i, wl) {
		const char *memcg = json_string_value(json_object_get(wl, "memcg"));

		assert_int_equal(jint(wl, "injected_failures"), 1);
		m = find_memcg(held, jint(wl, "id"));
		if (!m)
			fail_msg("%s: no row in lrutop's report", memcg);
		if (measured(m, "fails", memcg) != 1)
			fail_msg("%s: the kernel failed 1 of its list allocations, lrutop counted %lld",
				 memcg, (long long)jint(m, "fails"));
		if (measured(m, "caused_allocs", memcg) != jint(wl, "expected_lists"))
			fail_msg("%s: its allocations made %lld lists, lrutop counted %lld", memcg,
				 (long long)jint(wl, "expected_lists"), (long long)jint(m, "caused_allocs"));
		/* The failed call and those that made its lists on its other mounts. */
		if (calls && (measured(m, "calls", memcg) < 2 || measured(m, "lat_ns_avg", memcg) <= 0))
			fail_msg("%s: %lld calls of the allocator, %lld ns each", memcg,
				 (long long)jint(m, "calls"), (long long)jint(m, "lat_ns_avg"));
		if (!calls && !json_is_null(json_object_get(m, "calls")))
			fail_msg("%s: calls shown where the backend cannot count them", memcg);
		json_array_foreach(json_object_get(wl, "pairs"), j, pair) {
			const char *dev = json_string_value(json_object_get(pair, "dev"));

			lists = held_on_dev(inv, dev, &lrus);
			if (lrus != 2)
				fail_msg("%s: the inventory shows %d list_lrus on %s, not 2", memcg, lrus, dev);
			if (lists != 2 * jint(pair, "lists_per_lru"))
				fail_msg("%s: %s holds %lld lists where %lld were made (its allocation %s)",
					 memcg, json_string_value(json_object_get(pair, "mount")),
					 (long long)lists, (long long)(2 * jint(pair, "lists_per_lru")),
					 json_is_true(json_object_get(pair, "failed")) ? "failed" : "passed");
		}
	}
}

/* Each memcg of the tree: the lists it owns, by lrutop and by the inventory; no failure
 * counted for a memcg that did not ask (its ancestors). */
static void check_owners(json_t *held, json_t *inv, json_t *summary, json_t *lines)
{
	json_t *o, *m;
	size_t i;

	json_array_foreach(json_object_get(summary, "owners"), i, o) {
		const char *memcg = json_string_value(json_object_get(o, "memcg"));

		m = find_memcg(held, jint(o, "id"));
		if (!m || measured(m, "allocs", memcg) != jint(o, "lists"))
			fail_msg("%s owns %lld lists, lrutop counted %lld", memcg,
				 (long long)jint(o, "lists"), m ? (long long)jint(m, "allocs") : -1LL);
		if (!find_by(lines, "id", json_object_get(o, "id")) && jint(m, "fails"))
			fail_msg("%s: %lld failures counted for a memcg whose allocations did not fail",
				 memcg, (long long)jint(m, "fails"));
		m = find_by(json_object_get(inv, "memcgs"), "id", json_object_get(o, "id"));
		if (!m || jint(m, "held_lists") != jint(o, "lists"))
			fail_msg("%s owns %lld lists, the inventory read %lld", memcg,
				 (long long)jint(o, "lists"), m ? (long long)jint(m, "held_lists") : -1LL);
	}
}

/* A workload run with failures injected, and what lrutop and the inventory saw. */
struct failed_run {
	json_t *held, *inv, *lines, *summary;
};

/*
 * The workload with args (3 failures injected) inside lrutop: the kernel reported each
 * failure in the allocator, and lrutop's total key counts exactly those.
 */
static void run_failing(struct failed_run *r, const char *cgroot, const char *args,
			const char *key)
{
	char cmd[8192], wl_out[65536];
	json_t *totals;

	workload_cmd(cmd, sizeof(cmd), cgroot, args);
	measure_workload(cmd, &faults_left.lrutop, &r->held, &r->inv, wl_out, sizeof(wl_out));
	r->lines = json_array();
	r->summary = workload_lines(wl_out, r->lines);
	assert_non_null(r->summary);
	assert_int_equal(jint(r->summary, "injected_failures"), 3);
	totals = json_object_get(r->held, "totals");
	if (measured(totals, key, "totals") != 3)
		fail_msg("%s: the kernel failed 3 list allocations, lrutop's %s counted %lld", args,
			 key, (long long)jint(totals, key));
}

static void failed_run_done(struct failed_run *r)
{
	json_decref(r->summary);
	json_decref(r->lines);
	json_decref(r->held);
	json_decref(r->inv);
	cleanup_workload();
}

/*
 * After the patch: 3 leaves DEPTH levels deep each touch 2 fresh tmpfs of their own. On its
 * first, the allocation of its chain's lists fails (the first slab allocation inside
 * memcg_list_lru_alloc: the chain's top list, or up to 6.12 the table the lists are
 * gathered in), so the file is not made and no memcg of the chain gets a list there; on the
 * second all are made. lrutop counts 3 failures, 1 for each leaf and none for an ancestor.
 */
static void check_lazy_failures(const char *cgroot, int depth)
{
	struct failed_run r;
	char args[128];

	snprintf(args, sizeof(args), "-m 3 -D %d -t 6 -k 2 -f 2 --fail-lists lazy", depth);
	run_failing(&r, cgroot, args, "fails");
	check_leaves(r.held, r.inv, r.lines);
	check_owners(r.held, r.inv, r.summary, r.lines);
	failed_run_done(&r);
}

/*
 * Before the patch: each of 3 fresh tmpfs is first mounted with the allocation of its eager
 * lists failed (the first kmalloc of __memcg_init_list_lru_node), then mounted for real.
 * lrutop counts 3 eager failures; the failed mounts left no list_lru behind (the inventory
 * finds 2 a superblock, the real mounts').
 */
static void check_eager_failures(const char *cgroot)
{
	struct failed_run r;
	json_t *wl, *pair;
	size_t i, j;
	int lrus;

	run_failing(&r, cgroot, "-m 3 -t 3 -k 1 -f 1 --fail-lists eager", "eager_fails");
	json_array_foreach(r.lines, i, wl) {
		json_array_foreach(json_object_get(wl, "pairs"), j, pair) {
			const char *dev = json_string_value(json_object_get(pair, "dev"));

			held_on_dev(r.inv, dev, &lrus);
			if (lrus != 2)
				fail_msg("the inventory shows %d list_lrus on %s, not 2", lrus, dev);
		}
	}
	failed_run_done(&r);
}

void test_faults_list_allocs(void **state)
{
	char cgroot[4096];

	if (access("/proc/self/fail-nth", F_OK))
		fail_msg("this kernel cannot fail allocations on purpose (no /proc/self/fail-nth: "
			 "CONFIG_FAULT_INJECTION); scripts/ci-kernel.sh --faults builds one");
	cgroot_or_skip(cgroot, sizeof(cgroot));
	if (!kernel_has_field("list_lru", "xa")) {
		check_eager_failures(cgroot);
		return;
	}
	check_lazy_failures(cgroot, 1);
	/* Nested: the chain's ancestors lack the list too, and the allocator fails for all. */
	check_lazy_failures(cgroot, 3);
}

/* The totals, summed over CPUs. */
static struct totals read_totals(struct lrutop_bpf *skel)
{
	int ncpus = libbpf_num_possible_cpus();
	struct cpu_counts *per_cpu = calloc(ncpus, sizeof(*per_cpu));
	struct totals sum = { 0 };
	__u32 zero = 0;

	assert_non_null(per_cpu);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.totals), &zero, per_cpu), 0);
	for (int c = 0; c < ncpus; c++) {
		sum.fails += per_cpu[c].totals.fails;
		sum.eager_fails += per_cpu[c].totals.eager_fails;
		sum.freed_bytes += per_cpu[c].totals.freed_bytes;
		sum.eager_freed_bytes += per_cpu[c].totals.eager_freed_bytes;
	}
	free(per_cpu);
	return sum;
}

/* The kmalloc tracepoint's program run once on (call_site, ptr), as the tracepoint would. */
static void kmalloc_event(struct lrutop_bpf *skel, __u64 call_site, __u64 ptr)
{
	__u64 args[4] = { call_site, ptr, 64, 64 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.handle_kmalloc),
						&opts), 0);
}

/* The kfree tracepoint's program run once on (call_site, ptr). */
static void kfree_event(struct lrutop_bpf *skel, __u64 call_site, __u64 ptr)
{
	__u64 args[2] = { call_site, ptr };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.handle_kfree),
						&opts), 0);
}

/* The tracepoint backend loaded on this kernel, and a call site of its list allocator. */
static struct lrutop_bpf *tracepoint_backend(struct probe_plan *plan, __u64 *site)
{
	struct ksyms *ksyms = ksyms__load("/proc/kallsyms", probe_ksym_names());
	struct btf *btf = btf__load_vmlinux_btf();
	struct lrutop_bpf *skel;
	enum backend got;
	char why[256];

	assert_non_null(ksyms);
	assert_non_null(btf);
	assert_int_equal(probe_plan_build(plan, btf, ksyms), 0);
	ksyms__free(ksyms);
	btf__free(btf);
	if (loader_start(plan, BACKEND_TRACEPOINT, 1024, &skel, &got, why, sizeof(why)))
		fail_msg("the tracepoint backend does not load: %s", why);
	if (plan->post_patch) {
		assert_true(plan->nr_lazy_ranges > 0);
		*site = plan->lazy_ranges[0].lo + 1;
	} else {
		assert_true(plan->funcs[FN_INIT_LIST_LRU_NODE].in_kallsyms);
		*site = plan->funcs[FN_INIT_LIST_LRU_NODE].lo + 1;
	}
	return skel;
}

/* The bytes counted freed so far: the lazy lists' or, before 5.18, the eager ones'. */
static __u64 freed_bytes(struct lrutop_bpf *skel, const struct probe_plan *plan)
{
	struct totals t = read_totals(skel);

	return plan->post_patch ? t.freed_bytes : t.eager_freed_bytes;
}

/*
 * The kfree program counts a list freed where list_lru's code kfrees it, and nowhere else:
 * every other kfree in the system returns at its call site, however many lists are live
 * (bpf/lrutop_maps.bpf.h, free_lo). 256 lists (addresses made up, 64 bytes apart) made by
 * the allocator through BPF_PROG_TEST_RUN, kfree'd from a call site outside list_lru's
 * functions (none counts, all stay live), then from list_lru_destroy's (all count).
 */
void test_kernel_kfree_call_sites(void **state)
{
	const __u64 base = 0xffff888100000000ULL, lists = 256;
	__u64 site, destroy_site, before, outside, inside;
	struct probe_plan plan;
	struct lrutop_bpf *skel;

	skel = tracepoint_backend(&plan, &site);
	assert_true(plan.funcs[FN_LIST_LRU_DESTROY].in_kallsyms);
	destroy_site = plan.funcs[FN_LIST_LRU_DESTROY].lo + 1;
	before = freed_bytes(skel, &plan);
	for (__u64 i = 0; i < lists; i++)
		kmalloc_event(skel, site, base + i * 64);
	for (__u64 i = 0; i < lists; i++)
		kfree_event(skel, 4096, base + i * 64);
	outside = freed_bytes(skel, &plan) - before;
	for (__u64 i = 0; i < lists; i++)
		kfree_event(skel, destroy_site, base + i * 64);
	inside = freed_bytes(skel, &plan) - before - outside;
	lrutop_bpf__destroy(skel);
	if (outside)
		fail_msg("%llu bytes counted freed by kfrees outside list_lru's functions",
			 (unsigned long long)outside);
	if (inside != lists * 64)
		fail_msg("%llu lists of 64 bytes kfree'd by list_lru_destroy: %llu bytes counted "
			 "freed", (unsigned long long)lists, (unsigned long long)inside);
}

/*
 * The tracepoint backend's failures, on whatever kernel runs the tests (no failure need be
 * made): the kmalloc tracepoint's program, run by BPF_PROG_TEST_RUN on the events a failed
 * list allocation fires, a NULL pointer from a call site inside the allocator, counts one
 * failure; a NULL from elsewhere counts none. Before 5.18 the eager allocator's count.
 */
void test_tracepoint_failures(void **state)
{
	struct totals before, after;
	struct probe_plan plan;
	struct lrutop_bpf *skel;
	__u64 site;

	skel = tracepoint_backend(&plan, &site);
	before = read_totals(skel);
	kmalloc_event(skel, site, 0);
	kmalloc_event(skel, site, 0);
	/* Outside every range: another kmalloc that failed, none of lrutop's business. */
	kmalloc_event(skel, 4096, 0);
	after = read_totals(skel);
	lrutop_bpf__destroy(skel);
	if (plan.post_patch && after.fails - before.fails != 2)
		fail_msg("2 failed kmallocs of the lazy allocator: %llu failures counted",
			 (unsigned long long)(after.fails - before.fails));
	if (!plan.post_patch && after.eager_fails - before.eager_fails != 2)
		fail_msg("2 failed kmallocs of the eager allocator: %llu failures counted",
			 (unsigned long long)(after.eager_fails - before.eager_fails));
}
