// SPDX-License-Identifier: GPL-2.0
/* Unit tests of kallsyms: function ranges, compiler clones, hidden addresses. */
#include "unit.h"

static void test_ksyms_ranges(void **state)
{
	char *path = write_temp(
		"ffffffff815d6bf0 t __pfx_mod_lruvec_state\n"
		"ffffffff815d6970 T memcg_list_lru_alloc\n"
		"ffffffff815d6970 t memcg_list_lru_alloc_alias\n"
		"ffffffff815d6c00 t mod_lruvec_state\n"
		"ffffffffc0001000 t memcg_list_lru_alloc_mod\t[somemod]\n"
		"not a symbol line\n"
		"ffffffff815d6a00 T\n"
		"\n"
		"ffffffff81000000 T _stext\n");
	struct ksyms *k = ksyms__load(path, NULL);
	const char *const only[] = { "memcg_list_lru_alloc", NULL };
	uint64_t lo, hi;

	assert_non_null(k);
	assert_false(ksyms__hidden(k));
	assert_int_equal(ksyms__func_range(k, "memcg_list_lru_alloc", &lo, &hi), 0);
	assert_int_equal(lo, 0xffffffff815d6970ULL);
	/* The next symbol, padding (__pfx_) included, ends the function; aliases do not. */
	assert_int_equal(hi, 0xffffffff815d6bf0ULL);
	assert_int_equal(ksyms__func_range(k, "memcg_list_lru_alloc_mod", &lo, &hi), -ENOENT);
	assert_int_equal(ksyms__func_range(k, "no_such", &lo, &hi), -ENOENT);
	/* The last symbol has no end. */
	assert_int_equal(ksyms__func_range(k, "mod_lruvec_state", &lo, &hi), -ENOENT);
	assert_int_equal(ksyms__addr(k, "_stext"), 0xffffffff81000000ULL);
	ksyms__free(k);
	/* Only the names asked for are kept, and their ranges still end at any next symbol. */
	k = ksyms__load(path, only);
	assert_non_null(k);
	assert_int_equal(ksyms__func_range(k, "memcg_list_lru_alloc", &lo, &hi), 0);
	assert_int_equal(hi, 0xffffffff815d6bf0ULL);
	assert_int_equal(ksyms__addr(k, "_stext"), 0);
	assert_int_equal(ksyms__addr(k, "memcg_list_lru_alloc_alias"), 0);
	ksyms__free(k);
	unlink(path);
	free(path);
}

/* A function and its compiler clones: one range each, never a lookalike name's. */
static void test_ksyms_clones(void **state)
{
	char *path = write_temp(
		"ffffffff81001000 t __memcg_list_lru_alloc\n"
		"ffffffff81001250 t memcg_list_lru_alloc.part.0\n"
		"ffffffff81001300 t memcg_list_lru_alloc_other\n"
		"ffffffff81001400 T memcg_list_lru_alloc\n"
		"ffffffff81001460 t memcg_list_lru_alloc.cold\n"
		"ffffffff81001480 T workingset_update_node\n");
	const char *const only[] = { "memcg_list_lru_alloc", "__memcg_list_lru_alloc", NULL };
	struct ksyms *k = ksyms__load(path, only);
	uint64_t lo[8], hi[8];

	assert_non_null(k);
	assert_int_equal(ksyms__func_ranges(k, "memcg_list_lru_alloc", lo, hi, 8), 3);
	assert_int_equal(lo[0], 0xffffffff81001250ULL);
	assert_int_equal(hi[0], 0xffffffff81001300ULL);
	assert_int_equal(lo[1], 0xffffffff81001400ULL);
	assert_int_equal(hi[1], 0xffffffff81001460ULL);
	assert_int_equal(lo[2], 0xffffffff81001460ULL);
	assert_int_equal(ksyms__func_ranges(k, "memcg_list_lru_alloc", lo, hi, 1), 1);
	assert_int_equal(ksyms__func_ranges(k, "__memcg_list_lru_alloc", lo, hi, 8), 1);
	assert_int_equal(hi[0] - lo[0], 0x250);
	assert_int_equal(ksyms__func_ranges(k, "list_lru_alloc", lo, hi, 8), 0);
	ksyms__free(k);
	unlink(path);
	free(path);
}

static void test_ksyms_hidden(void **state)
{
	char *path = write_temp("0000000000000000 T a\n0000000000000000 T b\n");
	struct ksyms *k = ksyms__load(path, NULL);
	uint64_t lo, hi;

	assert_non_null(k);
	assert_true(ksyms__hidden(k));
	assert_int_equal(ksyms__func_range(k, "a", &lo, &hi), -ENOENT);
	ksyms__free(k);
	unlink(path);
	free(path);
	assert_null(ksyms__load("/nonexistent/kallsyms", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ksyms_ranges),
		cmocka_unit_test(test_ksyms_clones),
		cmocka_unit_test(test_ksyms_hidden),
	};

	return cmocka_run_group_tests_name("ksyms", tests, NULL, NULL);
}
