// SPDX-License-Identifier: GPL-2.0
/*
 * Attach planning against the real BTF of Debian's kernels (fetched by
 * scripts/fetch-kernel.sh into $LRUTOP_KERNELS/<alias>/btf), the running kernel's, and a
 * BTF built here with only the names of the posted v2 patch.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "kernel/ksyms.h"
#include "kernel/probe.h"

static struct btf *load_kernel_btf(const char *alias)
{
	const char *dir = getenv("LRUTOP_KERNELS");
	char path[4096];
	struct btf *btf;

	snprintf(path, sizeof(path), "%s/%s/btf", dir ? dir : ".cache/kernels", alias);
	btf = btf__parse_raw(path);
	if (!btf)
		fail_msg("cannot read %s: run scripts/fetch-kernel.sh %s", path, alias);
	return btf;
}

/* A kallsyms of these lines, loaded as lrutop loads the real one. */
static struct ksyms *ksyms_of(const char *syms)
{
	char path[] = "/tmp/lrutop-ksyms-XXXXXX";
	struct ksyms *ksyms;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, syms, strlen(syms)), (ssize_t)strlen(syms));
	close(fd);
	ksyms = ksyms__load(path, probe_ksym_names());
	unlink(path);
	assert_non_null(ksyms);
	return ksyms;
}

/* x86-64's direct map and struct page array bases, data symbols of Debian's kallsyms. */
static const char *const slab_syms = "ffffffffa0c1b378 D page_offset_base\n"
				     "ffffffffa0c1b368 D vmemmap_base\n";

static bool available(const struct probe_plan *p, enum backend b, enum metric m)
{
	char why[160];

	return probe_metric_available(p, b, m, why, sizeof(why));
}

static void test_plan_5_10(void **state)
{
	struct btf *btf = load_kernel_btf("5.10");
	struct probe_plan p;
	char why[160];

	assert_int_equal(probe_plan_build(&p, btf, NULL), 0);
	assert_true(p.pre_patch);
	assert_false(p.post_patch);
	assert_int_equal(p.lazy_fn, -1);
	assert_int_equal(p.obj_fn, -1);
	assert_true(p.funcs[FN_UPDATE_ALL_LIST_LRUS].in_btf);
	assert_true(p.funcs[FN_INIT_LIST_LRU_NODE].in_btf);
	assert_true(p.funcs[FN_DRAIN_ALL_LIST_LRUS].in_btf);
	/* Inlined on Debian's build: nothing to attach to. */
	assert_false(p.funcs[FN_UPDATE_LIST_LRU].in_btf);
	assert_false(p.funcs[FN_REPARENT_LIST_LRUS].in_btf);
	/* Before 6.1 kmalloc_node() has a tracepoint of its own. */
	assert_true(p.has_kmalloc_tp);
	assert_true(p.has_kmalloc_node_tp);
	assert_int_equal(probe_backend_usable(&p, BACKEND_FENTRY, why, sizeof(why)), 0);
	/* Without kallsyms no call site can be matched. */
	assert_int_equal(probe_backend_usable(&p, BACKEND_TRACEPOINT, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "kallsyms"));
	assert_true(available(&p, BACKEND_FENTRY, M_GROWTH));
	assert_false(available(&p, BACKEND_FENTRY, M_ALLOCS));
	/* Its eager lists' count needs the id space's address, from kallsyms. */
	assert_false(p.lists_from_slots);
	assert_non_null(strstr(p.slots_missing, "memcg_nr_cache_ids"));
	assert_false(available(&p, BACKEND_FENTRY, M_OBJS));
	assert_false(available(&p, BACKEND_TRACEPOINT, M_GROWTH));
	btf__free(btf);
}

static void check_post_patch(const char *alias, enum lru_func obj, enum lru_func lazy)
{
	struct btf *btf = load_kernel_btf(alias);
	struct ksyms *ksyms;
	struct probe_plan p;
	char why[160];

	assert_int_equal(probe_plan_build(&p, btf, NULL), 0);
	assert_true(p.post_patch);
	assert_false(p.pre_patch);
	assert_int_equal(p.lazy_fn, lazy);
	assert_false(p.lru_first);
	assert_int_equal(p.obj_fn, obj);
	assert_true(p.funcs[FN_REPARENT_LIST_LRUS].in_btf);
	assert_false(p.funcs[FN_UPDATE_ALL_LIST_LRUS].in_btf);
	assert_false(p.has_kmalloc_node_tp);
	assert_int_equal(probe_backend_usable(&p, BACKEND_FENTRY, why, sizeof(why)), 0);
	/* fentry counts the lists from the allocator's slots with BTF alone (their bytes then
	 * the slot /proc/slabinfo gives their cache); the tracepoint backend's call sites need
	 * kallsyms. */
	assert_true(p.lists_from_slots);
	assert_int_equal(p.page_offset_base_addr, 0);
	/* With kallsyms' page_offset_base and vmemmap_base, each list's own slab is read. */
	ksyms = ksyms_of(slab_syms);
	assert_int_equal(probe_plan_build(&p, btf, ksyms), 0);
	ksyms__free(ksyms);
	assert_int_equal(p.page_offset_base_addr, 0xffffffffa0c1b378ULL);
	assert_int_equal(p.vmemmap_base_addr, 0xffffffffa0c1b368ULL);
	assert_true(p.lists_from_slots);
	assert_true(available(&p, BACKEND_FENTRY, M_ALLOCS));
	assert_true(available(&p, BACKEND_FENTRY, M_FREED));
	assert_false(available(&p, BACKEND_FENTRY, M_TRANSIENT));
	assert_false(available(&p, BACKEND_TRACEPOINT, M_ALLOCS));
	assert_true(available(&p, BACKEND_FENTRY, M_LATENCY));
	assert_true(available(&p, BACKEND_FENTRY, M_OBJS));
	assert_true(available(&p, BACKEND_FENTRY, M_PER_LRU));
	assert_false(available(&p, BACKEND_TRACEPOINT, M_LATENCY));
	assert_false(available(&p, BACKEND_FENTRY, M_EAGER));
	btf__free(btf);
}

static void test_plan_6_1(void **state)
{
	check_post_patch("6.1", FN_ALLOC_LRU, FN_MEMCG_LIST_LRU_ALLOC);
}

/* 6.10 renamed the allocators: kmem_cache_alloc_lru_noprof. */
static void test_plan_6_12(void **state)
{
	check_post_patch("6.12", FN_ALLOC_LRU_NOPROF, FN_MEMCG_LIST_LRU_ALLOC);
}

/* 6.13 gave list_lru_one a lock: 32 bytes, where it was 24. */
static void test_plan_6_18(void **state)
{
	struct btf *btf = load_kernel_btf("6.18");
	struct probe_plan p;

	check_post_patch("6.18", FN_ALLOC_LRU_NOPROF, FN_MEMCG_LIST_LRU_ALLOC);
	assert_int_equal(probe_plan_build(&p, btf, NULL), 0);
	assert_int_equal(p.list_lru_one_size, 32);
	btf__free(btf);
}

/*
 * 7.2 split the allocator: memcg_list_lru_alloc() keeps the fast check and calls the static
 * __memcg_list_lru_alloc(), as does the new folio_memcg_list_lru_alloc(). The bracket goes on
 * the helper, and the call sites of all three count: kallsyms as Debian's 7.3.4 shows it.
 */
static void test_plan_7_3(void **state)
{
	const char *syms =
		"ffffffff9d6c2d30 t __pfx___memcg_list_lru_alloc\n"
		"ffffffff9d6c2d40 t __memcg_list_lru_alloc\n"
		"ffffffff9d6c2f90 t __pfx___list_lru_add.part.0\n"
		"ffffffff9d6c3a00 T list_lru_destroy\n"
		"ffffffff9d6c3c30 T __pfx_list_lru_count_one\n"
		"ffffffff9d6c41a0 T __pfx_memcg_list_lru_alloc\n"
		"ffffffff9d6c41b0 T memcg_list_lru_alloc\n"
		"ffffffff9d6c4210 T __pfx_folio_memcg_list_lru_alloc\n"
		"ffffffff9d6c4220 T folio_memcg_list_lru_alloc\n"
		"ffffffff9d6c4310 T __pfx_workingset_update_node\n"
		"ffffffff9e100000 t memcg_destroy_list_lru.cold\n"
		"ffffffff9e100040 t __pfx_other.cold\n";
	struct btf *btf = load_kernel_btf("7.3");
	struct ksyms *ksyms;
	struct probe_plan p;

	check_post_patch("7.3", FN_ALLOC_LRU_NOPROF, FN_MEMCG_LIST_LRU_ALLOC_CORE);
	ksyms = ksyms_of(syms);
	assert_int_equal(probe_plan_build(&p, btf, ksyms), 0);
	assert_true(p.funcs[FN_FOLIO_MEMCG_LIST_LRU_ALLOC].in_btf);
	assert_int_equal(p.nr_lazy_ranges, 3);
	assert_string_equal(p.lazy_ranges[0].name, "__memcg_list_lru_alloc");
	assert_int_equal(p.lazy_ranges[0].hi - p.lazy_ranges[0].lo, 0x250);
	assert_string_equal(p.lazy_ranges[1].name, "memcg_list_lru_alloc");
	assert_string_equal(p.lazy_ranges[2].name, "folio_memcg_list_lru_alloc");
	/* Where lists are kfree'd: the lazy path, then list_lru_destroy and a cold clone. */
	assert_int_equal(p.nr_free_ranges, 5);
	assert_string_equal(p.free_ranges[2].name, "folio_memcg_list_lru_alloc");
	assert_string_equal(p.free_ranges[3].name, "list_lru_destroy");
	assert_int_equal(p.free_ranges[3].hi - p.free_ranges[3].lo, 0x230);
	assert_string_equal(p.free_ranges[4].name, "memcg_destroy_list_lru");
	assert_int_equal(p.free_ranges[4].hi - p.free_ranges[4].lo, 0x40);
	assert_true(available(&p, BACKEND_TRACEPOINT, M_FREED));
	assert_true(available(&p, BACKEND_TRACEPOINT, M_ALLOCS));
	/* Without list_lru_destroy's address no kfree of a list is seen: freed not measured. */
	p.funcs[FN_LIST_LRU_DESTROY].in_kallsyms = false;
	assert_false(available(&p, BACKEND_TRACEPOINT, M_FREED));
	assert_true(available(&p, BACKEND_TRACEPOINT, M_ALLOCS));
	assert_true(available(&p, BACKEND_TRACEPOINT, M_PER_LRU));
	ksyms__free(ksyms);
	btf__free(btf);
}

/* A BTF with the posted v2 patch's names: list_lru_memcg_alloc(lru, memcg, gfp). */
static struct btf *v2_patch_btf(void)
{
	struct btf *btf = btf__new_empty();
	int ptr, proto, i32;

	i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	ptr = btf__add_ptr(btf, 0);
	proto = btf__add_func_proto(btf, i32);
	btf__add_func_param(btf, "lru", ptr);
	btf__add_func_param(btf, "memcg", ptr);
	btf__add_func_param(btf, "gfp", i32);
	btf__add_func(btf, "list_lru_memcg_alloc", BTF_FUNC_STATIC, proto);
	btf__add_func(btf, "kmem_cache_alloc_lru", BTF_FUNC_GLOBAL, proto);
	btf__add_func(btf, "memcg_update_all_list_lrus", BTF_FUNC_STATIC, proto);
	btf__add_func(btf, "memcg_update_list_lru", BTF_FUNC_STATIC, proto);
	btf__add_typedef(btf, "btf_trace_kmalloc", ptr);
	return btf;
}

static void test_plan_v2_patch(void **state)
{
	struct btf *btf = v2_patch_btf();
	struct probe_plan p;
	char why[160];

	assert_int_equal(probe_plan_build(&p, btf, NULL), 0);
	assert_int_equal(p.lazy_fn, FN_LIST_LRU_MEMCG_ALLOC);
	assert_true(p.lru_first);
	assert_int_equal(p.obj_fn, FN_ALLOC_LRU);
	assert_true(p.post_patch);
	assert_true(p.funcs[FN_UPDATE_LIST_LRU].in_btf);
	assert_int_equal(probe_backend_usable(&p, BACKEND_FENTRY, why, sizeof(why)), 0);
	assert_true(available(&p, BACKEND_FENTRY, M_LATENCY));
	/* No function that frees its lists: fentry counts them through kmalloc and kfree, which
	 * takes their call sites, from kallsyms. */
	assert_false(p.lists_from_slots);
	assert_non_null(strstr(p.slots_missing, "memcg_reparent_list_lrus"));
	assert_false(available(&p, BACKEND_FENTRY, M_ALLOCS));
	btf__free(btf);
}

static void test_plan_no_memcg(void **state)
{
	struct btf *btf = btf__new_empty();
	struct probe_plan p;
	char why[160];

	btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	assert_int_equal(probe_plan_build(&p, btf, NULL), 0);
	assert_false(p.pre_patch || p.post_patch);
	assert_int_equal(probe_backend_usable(&p, BACKEND_FENTRY, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "CONFIG_MEMCG"));
	btf__free(btf);
}

static void test_plan_host(void **state)
{
	struct btf *btf = btf__load_vmlinux_btf();
	struct ksyms *ksyms;
	struct probe_plan p;
	const struct func_info *f;

	if (!btf)
		skip();	/* no BTF on this machine: the Debian kernels above still ran */
	ksyms = ksyms__load("/proc/kallsyms", probe_ksym_names());
	assert_non_null(ksyms);
	assert_int_equal(probe_plan_build(&p, btf, ksyms__hidden(ksyms) ? NULL : ksyms), 0);
	assert_true(p.pre_patch || p.post_patch);
	assert_true(p.has_kmalloc_tp);
	if (p.post_patch && !ksyms__hidden(ksyms)) {
		/* The call-site ranges the tracepoint backend matches: functions' bodies, the
		 * bracketed allocator's among them. */
		f = &p.funcs[p.lazy_fn];
		assert_true(f->in_kallsyms);
		assert_true(p.nr_lazy_ranges >= 1);
		for (int i = 0; i < p.nr_lazy_ranges; i++) {
			assert_true(p.lazy_ranges[i].lo < p.lazy_ranges[i].hi);
			assert_true(p.lazy_ranges[i].hi - p.lazy_ranges[i].lo < 64 * 1024);
		}
	}
	if (!ksyms__hidden(ksyms)) {
		/* Where the kfree tracepoint counts lists freed: list_lru_destroy at least. */
		assert_true(p.nr_free_ranges > p.nr_lazy_ranges);
		assert_string_equal(p.free_ranges[p.nr_lazy_ranges].name, "list_lru_destroy");
		for (int i = 0; i < p.nr_free_ranges; i++)
			assert_true(p.free_ranges[i].hi - p.free_ranges[i].lo < 64 * 1024);
	}
	ksyms__free(ksyms);
	btf__free(btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_5_10),
		cmocka_unit_test(test_plan_6_1),
		cmocka_unit_test(test_plan_6_12),
		cmocka_unit_test(test_plan_6_18),
		cmocka_unit_test(test_plan_7_3),
		cmocka_unit_test(test_plan_v2_patch),
		cmocka_unit_test(test_plan_no_memcg),
		cmocka_unit_test(test_plan_host),
	};

	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
