// SPDX-License-Identifier: GPL-2.0
/* Unit tests of list_lru names: by kernel symbol, by objects, and why not. */
#include "unit.h"
#include "kernel/ksyms.h"
#include "kernel/lru_names.h"

static const char kallsyms[] =
	"ffffffff81000000 T _stext\n"
	"ffffffff82000000 t memcg_list_lru_alloc\n"
	"ffffffff83212240 b list_lrus_mutex\n"
	"ffffffff83212260 B shadow_nodes\n"
	"ffffffff83212290 b shadow_nodes_key\n"
	"ffffffff832193a0 b zswap_list_lru\n"
	"ffffffff832193d0 b zswap_shrinker_enabled\n"
	"ffffffff84a7e180 b deferred_split_lru\n"
	"ffffffff84a7e1c0 d some_driver_state\n"
	"ffffffff84a7e400 D last_data\n"
	"ffffffffc0a01000 d nfs4_xattr_cache_lru\t[nfsv4]\n"
	"ffffffffc0a01100 d nfs4_xattr_other\t[nfsv4]\n";

static void name(struct lru_namer *n, uint64_t addr, const char *objs, unsigned int kind,
		 const char *where)
{
	struct lru_name out;

	lru_namer_name(n, addr, objs, &out);
	assert_string_equal(lru_kind_name(out.kind), lru_kind_name(kind));
	assert_string_equal(out.where, where);
	if (kind == LRUTOP_LRU_OTHER)
		assert_non_null(out.why);
	else
		assert_null(out.why);
}

/* The same names, whether the namer reads kallsyms itself or takes the one read that also
 * found the plan's functions (ksyms__load_with_data: lrutop's start). */
static void names_by_symbol(struct lru_namer *n)
{
	assert_non_null(n);
	name(n, 0xffffffff83212260ULL, NULL, LRUTOP_LRU_SHADOW, "shadow_nodes");
	name(n, 0xffffffff832193a0ULL, "", LRUTOP_LRU_ZSWAP, "zswap_list_lru");
	name(n, 0xffffffff84a7e180ULL, NULL, LRUTOP_LRU_THP_SPLIT, "deferred_split_lru");
	/* Inside a global: a list_lru that is a field of it. */
	name(n, 0xffffffff84a7e200ULL, NULL, LRUTOP_LRU_GLOBAL, "some_driver_state+0x40");
	name(n, 0xffffffffc0a01000ULL, NULL, LRUTOP_LRU_GLOBAL, "nfs4_xattr_cache_lru [nfsv4]");
	/* The symbol wins over the objects; a heap address falls back on them. */
	name(n, 0xffffffff83212260ULL, "dentry", LRUTOP_LRU_SHADOW, "shadow_nodes");
	name(n, 0xffff888012345678ULL, "radix_tree_node", LRUTOP_LRU_SHADOW,
	     "objects: radix_tree_node");
	name(n, 0xffff888012345678ULL, "xa_node", LRUTOP_LRU_SHADOW, "objects: xa_node");
	name(n, 0xffff888012345678ULL, "zswap_entry", LRUTOP_LRU_ZSWAP, "objects: zswap_entry");
	name(n, 0xffff888012345678ULL, "kmalloc-64", LRUTOP_LRU_OTHER, "objects: kmalloc-64");
	name(n, 0xffff888012345678ULL, NULL, LRUTOP_LRU_OTHER, "");
	/* The last symbol has no end: nothing past it is named after it. */
	name(n, 0xffffffffc0a01200ULL, NULL, LRUTOP_LRU_OTHER, "");
	/* A function is no global list_lru. */
	name(n, 0xffffffff82000010ULL, NULL, LRUTOP_LRU_OTHER, "");
}

static void test_names_by_symbol(void **state)
{
	const char *const funcs[] = { "memcg_list_lru_alloc", NULL };
	char *path = write_temp(kallsyms);
	struct lru_namer *n = lru_namer_new(path);
	struct ksyms *both;
	uint64_t lo, hi;

	names_by_symbol(n);
	lru_namer_free(n);
	both = ksyms__load_with_data(path, funcs);
	assert_non_null(both);
	assert_int_equal(ksyms__func_range(both, "memcg_list_lru_alloc", &lo, &hi), 0);
	assert_int_equal(hi, 0xffffffff83212240ULL);
	assert_int_equal(ksyms__count_data(both), 10);
	n = lru_namer_of(both);
	names_by_symbol(n);
	lru_namer_free(n);
	/* The namer borrowed the symbols: still the caller's. */
	assert_int_equal(ksyms__addr(both, "shadow_nodes"), 0xffffffff83212260ULL);
	ksyms__free(both);
	unlink(path);
	free(path);
}

static void test_names_why_not(void **state)
{
	char *text = write_temp("ffffffff81000000 T _stext\nffffffff82000000 t f\n");
	char *hidden = write_temp("0000000000000000 B shadow_nodes\n0000000000000000 T f\n");
	struct lru_namer *n = lru_namer_new(text);
	struct lru_name out;

	/* Functions only (no CONFIG_KALLSYMS_ALL): named by objects, or not at all. */
	lru_namer_name(n, 0xffffffff83212260ULL, NULL, &out);
	assert_int_equal(out.kind, LRUTOP_LRU_OTHER);
	assert_non_null(strstr(out.why, "CONFIG_KALLSYMS_ALL"));
	lru_namer_name(n, 0xffffffff83212260ULL, "radix_tree_node", &out);
	assert_int_equal(out.kind, LRUTOP_LRU_SHADOW);
	lru_namer_free(n);
	n = lru_namer_new(hidden);
	lru_namer_name(n, 0, NULL, &out);
	assert_int_equal(out.kind, LRUTOP_LRU_OTHER);
	assert_non_null(strstr(out.why, "kptr_restrict"));
	lru_namer_free(n);
	n = lru_namer_new("/nonexistent/kallsyms");
	lru_namer_name(n, 0xffffffff83212260ULL, NULL, &out);
	assert_non_null(strstr(out.why, "could not be read"));
	lru_namer_free(n);
	lru_namer_name(NULL, 1, NULL, &out);
	assert_non_null(out.why);
	unlink(text);
	unlink(hidden);
	free(text);
	free(hidden);
}

/*
 * A prefetch reads kallsyms before any name is asked for: through a FIFO, whose writer's
 * non-blocking open succeeds only once a reader has it open. Without the prefetch no one
 * reads it until the first name, and the open below never succeeds.
 */
static void test_names_prefetch(void **state)
{
	char dir[] = "/tmp/lrutop-unit-XXXXXX", fifo[64];
	struct lru_namer *n;
	int fd = -1;

	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/kallsyms", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	n = lru_namer_new(fifo);
	lru_namer_prefetch(n);
	for (int i = 0; i < 500 && fd < 0; i++) {
		fd = open(fifo, O_WRONLY | O_NONBLOCK);
		if (fd < 0)
			usleep(10000);
	}
	if (fd < 0)
		fail_msg("nothing read kallsyms within 5 s of the prefetch");
	assert_int_equal(write(fd, kallsyms, sizeof(kallsyms) - 1), (ssize_t)(sizeof(kallsyms) - 1));
	close(fd);
	name(n, 0xffffffff83212260ULL, NULL, LRUTOP_LRU_SHADOW, "shadow_nodes");
	lru_namer_prefetch(n);	/* read once: a second prefetch reads nothing */
	name(n, 0xffffffff832193a0ULL, NULL, LRUTOP_LRU_ZSWAP, "zswap_list_lru");
	lru_namer_free(n);
	unlink(fifo);
	rmdir(dir);
}

static void test_kind_names(void **state)
{
	for (int k = 0; k < NR_LRUTOP_LRU_KINDS; k++)
		assert_int_equal(lru_kind_parse(lru_kind_name(k)), k);
	assert_string_equal(lru_kind_name(99), "other");
	assert_int_equal(lru_kind_parse("no-such-kind"), -1);
	assert_int_equal(lru_kind_parse(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_by_symbol),
		cmocka_unit_test(test_names_why_not),
		cmocka_unit_test(test_names_prefetch),
		cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests_name("lru_names", tests, NULL, NULL);
}
