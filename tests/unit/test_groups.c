// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the rows rolled up (--group-by), the tree, and filters by name. */
#include "unit.h"
#include "state/groups.h"
#include "state/tree.h"

#define ID_A "aaaa1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a"
#define ID_B "bbbb1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a"
#define POD "/kubepods/burstable/pod1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b"

/* The memcgs of a host: two containers of one pod, one with a child; a unit; a bare path. */
static const char *const paths[] = {
	POD, POD "/" ID_A, POD "/" ID_B, POD "/" ID_B "/sub", "/system.slice/nginx.service",
	"/lrutop-test", "/lrutop-test/a",
};
#define NR_PATHS (sizeof(paths) / sizeof(paths[0]))

/* Row i holds i + 1 lists (its gauge), and made 10 (i + 1) allocations, 1 in the interval. */
static void fill(struct lrutop_state *s, struct probe_plan *plan)
{
	__u64 ids[NR_PATHS];
	struct memcg_stats v[NR_PATHS] = {};

	unit_plan(plan, false);
	unit_state(s, plan, BACKEND_TRACEPOINT);
	for (size_t i = 0; i < NR_PATHS; i++) {
		ids[i] = 100 + i;
		v[i].allocs = 10 * (i + 1) - 1;
	}
	unit_read_slots(&s->memcgs, ids, v, NR_PATHS, NR_PATHS);
	for (size_t i = 0; i < NR_PATHS; i++)
		v[i].allocs = 10 * (i + 1);
	unit_read_slots(&s->memcgs, ids, v, NR_PATHS, NR_PATHS);
	for (size_t i = 0; i < NR_PATHS; i++) {
		struct memcg_row *r = memcg_table_find(&s->memcgs, 100 + i);

		memcg_row_set_path(r, strdup(paths[i]));
		r->held = i + 1;
	}
}

static const struct memcg_row *group_of(const struct lrutop_state *s, const char *path)
{
	const struct memcg_table *t = state_rows(s);

	for (size_t i = 0; i < t->nr; i++) {
		if (t->rows[i].path && !strcmp(t->rows[i].path, path))
			return &t->rows[i];
	}
	fail_msg("no row %s", path);
	return NULL;
}

/* Each group sums its memcgs, since start and in the interval; the others keep their rows;
 * the groups add up to the table. */
static void test_groups_rollup(void **state)
{
	struct probe_plan plan;
	struct lrutop_state s;
	const struct memcg_row *g;
	__u64 held = 0;

	fill(&s, &plan);
	groups_set(&s, GROUP_POD);
	g = group_of(&s, POD);
	assert_int_equal(state_row_members(&s, g), 4);
	assert_int_equal(g->held, 1 + 2 + 3 + 4);
	assert_int_equal(g->cum.allocs, 10 + 20 + 30 + 40);
	assert_int_equal(memcg_metric_value(state_rows(&s), g, MC_ALLOCS, false), 4);
	g = group_of(&s, "/lrutop-test/a");
	assert_int_equal(state_row_members(&s, g), 0);	/* in no pod: its own row */
	assert_int_equal(state_rows(&s)->nr, 1 + 3);
	for (size_t i = 0; i < state_rows(&s)->nr; i++)
		held += state_rows(&s)->rows[i].held;
	assert_int_equal(held, NR_PATHS * (NR_PATHS + 1) / 2);

	groups_set(&s, GROUP_CONTAINER);
	g = group_of(&s, POD "/" ID_B);
	assert_int_equal(state_row_members(&s, g), 2);
	assert_int_equal(g->held, 4 + 3);
	assert_int_equal(state_row_members(&s, group_of(&s, POD "/" ID_A)), 1);
	assert_int_equal(state_row_members(&s, group_of(&s, POD)), 0);	/* the pod is no container */
	assert_int_equal(state_rows(&s)->nr, NR_PATHS - 1);

	groups_set(&s, GROUP_UNIT);
	assert_int_equal(state_row_members(&s, group_of(&s, "/system.slice/nginx.service")), 1);
	assert_int_equal(state_rows(&s)->nr, NR_PATHS);

	groups_set(&s, GROUP_NONE);
	assert_ptr_equal(state_rows(&s), &s.memcgs);
	groups_free(&s);
	memcg_table_free(&s.memcgs);
}

/* -c NAME and the screen's filter: by a container's id, a pod's uid, a unit, a path's part. */
static void test_groups_filter(void **state)
{
	struct row_filter f = { .name = "bbbb1b9c" };
	struct probe_plan plan;
	struct lrutop_state s;
	struct memcg_row *out[NR_PATHS];

	fill(&s, &plan);
	assert_int_equal(memcg_table_view(&s.memcgs, &f, SORT_PATH, true, 0, true, out), 2);
	assert_string_equal(out[0]->path, POD "/" ID_B);
	f.name = "1b2c3d4e-5f60";
	assert_int_equal(memcg_table_view(&s.memcgs, &f, SORT_PATH, true, 0, true, out), 4);
	f.name = "nginx.service";
	assert_int_equal(memcg_table_view(&s.memcgs, &f, SORT_PATH, true, 0, true, out), 1);
	f.name = "lrutop-test";		/* a path's part is no name */
	assert_int_equal(memcg_table_view(&s.memcgs, &f, SORT_PATH, true, 0, true, out), 0);
	f = (struct row_filter){ .text = "lrutop-test" };
	assert_int_equal(memcg_table_view(&s.memcgs, &f, SORT_PATH, true, 0, true, out), 2);
	f.text = "cri:aaaa";		/* the short name the NAME column shows */
	assert_int_equal(memcg_table_view(&s.memcgs, &f, SORT_PATH, true, 0, true, out), 1);
	memcg_table_free(&s.memcgs);
}

/* Each row under its nearest ancestor shown; a parent's sum is its subtree's; siblings by
 * their sums, largest first. */
static void test_groups_tree(void **state)
{
	struct probe_plan plan;
	struct lrutop_state s;
	struct memcg_row *rows[NR_PATHS];
	struct tree_ent t[NR_PATHS];
	size_t n;

	fill(&s, &plan);
	n = memcg_table_view(&s.memcgs, NULL, MC_HELD, true, 0, true, rows);
	assert_int_equal(memcg_tree(rows, n, &s.memcgs, MC_HELD, true, t), 0);
	/* /lrutop-test (6 + 7) before the pod (1 + 2 + 3 + 4), before nginx (5). */
	assert_string_equal(t[0].row->path, "/lrutop-test");
	assert_int_equal(t[0].sum, 13);
	assert_int_equal(t[0].children, 1);
	assert_string_equal(t[1].row->path, "/lrutop-test/a");
	assert_int_equal(t[1].depth, 1);
	assert_string_equal(t[2].row->path, POD);
	assert_int_equal(t[2].depth, 0);
	assert_int_equal(t[2].sum, 10);
	assert_int_equal(t[2].children, 2);
	/* ID_B's subtree (3 + 4) before ID_A (2). */
	assert_string_equal(t[3].row->path, POD "/" ID_B);
	assert_int_equal(t[3].depth, 1);
	assert_int_equal(t[3].sum, 7);
	assert_string_equal(t[4].row->path, POD "/" ID_B "/sub");
	assert_int_equal(t[4].depth, 2);
	assert_string_equal(t[5].row->path, POD "/" ID_A);
	assert_int_equal(t[5].depth, 1);
	assert_string_equal(t[6].row->path, "/system.slice/nginx.service");
	assert_int_equal(t[6].depth, 0);
	/* Without its parent, a row is a root of its own. */
	rows[0] = memcg_table_find(&s.memcgs, 106);	/* /lrutop-test/a */
	rows[1] = memcg_table_find(&s.memcgs, 101);
	assert_int_equal(memcg_tree(rows, 2, &s.memcgs, SORT_PATH, true, t), 0);
	assert_int_equal(t[0].depth, 0);
	assert_int_equal(t[1].depth, 0);
	assert_string_equal(t[1].row->path, "/lrutop-test/a");	/* by path: '/k' < '/l' */
	memcg_table_free(&s.memcgs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_rollup),
		cmocka_unit_test(test_groups_filter),
		cmocka_unit_test(test_groups_tree),
	};

	return cmocka_run_group_tests_name("groups", tests, NULL, NULL);
}
