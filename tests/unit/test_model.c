// SPDX-License-Identifier: GPL-2.0
/* Unit tests of model: the series' four states, xarray nodes, the cover letter's table. */
#include "unit.h"

static void test_model(void **state)
{
	static const uint64_t growth[] = { 4, 10, 22, 46, 94, 190, 382, 766, 1534, 3070, 6142,
					   12286, 24574, 49150, 65535 };
	uint64_t prev = 0;

	assert_int_equal(kmalloc_bucket(24), 32);
	assert_int_equal(kmalloc_bucket(40), 64);	/* 16 + 24 x 1 node: kmalloc-64 */
	assert_int_equal(kmalloc_bucket(80), 96);	/* 16 + 32 x 2 nodes (6.13+): kmalloc-96 */
	assert_int_equal(kmalloc_bucket(144), 192);	/* 16 + 32 x 4 nodes */
	assert_int_equal(kmalloc_bucket(200), 256);
	assert_int_equal(kmalloc_bucket(9000), 16384);
	/* The id space grows through 4, 10, 22, 46, ... 49150, 65535 (new size 2 x (id + 1),
	 * at least 4, at most 65535: mm/memcontrol.c of 5.10, memcg_alloc_cache_id), one id past
	 * each size. */
	assert_int_equal(pre_patch_id_space(0), 0);
	for (size_t i = 0; i < sizeof(growth) / sizeof(growth[0]); i++) {
		assert_int_equal(pre_patch_id_space(prev + 1), growth[i]);
		assert_int_equal(pre_patch_id_space(growth[i] < 65535 ? growth[i] : 65535), growth[i]);
		prev = growth[i];
	}
	assert_int_equal(pre_patch_id_space(1000000), 65535);
	/* The 5.10 guest: 6 memcgs -> 10 ids; 45 list_lrus x 1 node x (10 x 32 + kmalloc(96)). */
	assert_int_equal(pre_patch_id_space(6), 10);
	assert_int_equal(pre_patch_bytes(45, 1, 10), 45 * (320 + 96));
	/* The series' production host: 4 nodes x 24574 ids x 32 B = 3 MB of lists per list_lru,
	 * plus a 256 KiB pointer array per node. */
	assert_int_equal(pre_patch_bytes(1, 4, 24574), 4 * (24574 * 32 + 262144));
	/* The 6.1 guest: 140 pairs of 64 bytes. */
	assert_int_equal(post_patch_bytes(140, 1, 24), 140 * 64);
}

/* Nodes of an xarray, counted by hand for entries the tests can place. */
static void test_model_xa_nodes(void **state)
{
	assert_true(model_xa_nodes(0, 10000) == 0);
	assert_true(model_xa_nodes(1, 1) == 0);		/* index 0 alone: in the head */
	assert_true(fabs(model_xa_nodes(1, 64) - 1) < 1e-9);
	assert_true(fabs(model_xa_nodes(64, 64) - 1) < 1e-9);
	/* One entry in 4096 ids: a root and a leaf. In 10,000: three levels. */
	assert_true(fabs(model_xa_nodes(1, 4096) - 2) < 1e-9);
	assert_true(fabs(model_xa_nodes(1, 10000) - 3) < 1e-9);
	/* Half an entry a list_lru on average: half of them hold one, in a node of its own. */
	assert_true(fabs(model_xa_nodes(0.5, 64) - 0.5) < 1e-9);
	/* Entries in every id of 4096: 64 leaves and a root. */
	assert_true(model_xa_nodes(1e7, 4096) > 64.99 && model_xa_nodes(1e7, 4096) <= 65);
}

/*
 * The series' cover letter: 10,000 memcgs, 10,000 mounts, 2 nodes, `free -m` at four states.
 * The absolute figures also hold memory the model does not cover (the memcgs and the
 * superblocks themselves), so the changes between neighbouring states are what must agree:
 * each within 5% of the letter's.
 */
static void test_model_cover_letter(void **state)
{
	static const double letter[NR_MODEL_STATES] = { 24464, 21957, 6895, 4367 };
	struct model_result r[NR_MODEL_STATES];
	struct model_inputs in;
	double model, published;

	model_inputs_plan(&in, 10000, 10000, 2, 1, 0, 2);
	model_states(&in, r);
	for (int st = 1; st < NR_MODEL_STATES; st++) {
		model = ((double)r[st].list_bytes + r[st].bookkeeping_bytes -
			 r[st - 1].list_bytes - r[st - 1].bookkeeping_bytes) / (1024 * 1024);
		published = letter[st] - letter[st - 1];
		print_message("%s -> %s: model %.0f MiB, cover letter %.0f MiB (%+.1f%%)\n",
			      model_state_name(st - 1), model_state_name(st), model, published,
			      100 * (model - published) / fabs(published));
		assert_true(fabs(model - published) <= 0.05 * fabs(published));
	}
	/* Each step changes only what the series changed in it. */
	assert_int_equal(r[MODEL_WITHOUT].list_bytes, r[MODEL_TRANSPOSED].list_bytes);
	assert_int_equal(r[MODEL_TRANSPOSED].bookkeeping_bytes, r[MODEL_LAZY].bookkeeping_bytes);
	assert_int_equal(r[MODEL_LAZY].list_bytes, r[MODEL_XARRAY].list_bytes);
	/* Without the series: 20,000 list_lrus x 2 nodes x 12,286 ids, the 5.10 formula. */
	assert_int_equal(r[MODEL_WITHOUT].list_bytes + r[MODEL_WITHOUT].bookkeeping_bytes,
			 pre_patch_bytes(20000, 2, 12286));
	assert_int_equal(r[MODEL_XARRAY].allocs, 20000);
}

/* The planner's inputs: shared mounts hold every memcg, the rest share the memcgs' touches. */
static void test_model_plan(void **state)
{
	struct model_result r[NR_MODEL_STATES];
	struct model_inputs in;

	model_inputs_plan(&in, 500, 100, 1, 2, 3, 2);
	/* 500 memcgs x (2 own + 3 shared mounts) x 2 list_lrus. */
	assert_int_equal(model_pairs(&in), 5000);
	model_states(&in, r);
	assert_int_equal(r[MODEL_LAZY].list_bytes, 5000 * 64);
	/* 6.13+: a 32-byte list_lru_one, 2 nodes: kmalloc-96 a pair. */
	model_inputs_plan(&in, 10, 5, 2, 1, 0, 2);
	in.one_size = 32;
	model_states(&in, r);
	assert_int_equal(r[MODEL_XARRAY].list_bytes, 20 * 96);
	assert_int_equal(r[MODEL_LAZY].list_bytes, 20 * 64);
	/* More touches than mounts of its own: every own mount, no more. */
	model_inputs_plan(&in, 10, 4, 1, 9, 0, 2);
	assert_int_equal(model_pairs(&in), 10 * 4 * 2);
	/* A measured count, spread evenly. */
	model_inputs_pairs(&in, 904);
	assert_int_equal(model_pairs(&in), 904);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_model_xa_nodes),
		cmocka_unit_test(test_model_cover_letter),
		cmocka_unit_test(test_model_plan),
	};

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
