// SPDX-License-Identifier: GPL-2.0
/* Unit tests of rows: the memcg table, deltas, 64-bit sorting, views. */
#include "unit.h"

static const struct row_filter pods = { .subtree = "/pods" };

static void test_rows_sort_u64(void **state)
{
	struct memcg_table t = {};
	__u64 ids[3] = { 30, 10, 20 };
	struct memcg_stats v[3] = {};
	struct memcg_row *view[3];

	/* Differences beyond 2^32 and 2^63: a subtracting comparator gets these wrong. */
	v[0].bytes = 1ULL << 40;
	v[1].bytes = (1ULL << 63) + 5;
	v[2].bytes = 7;
	assert_int_equal(unit_read_slots(&t, ids, v, 3, 3), 0);
	assert_int_equal(memcg_table_view(&t, NULL, MC_BYTES, true, 0, true, view), 3);
	assert_int_equal(view[0]->cgid, 10);
	assert_int_equal(view[1]->cgid, 30);
	assert_int_equal(view[2]->cgid, 20);
	memcg_table_free(&t);
}

static void test_rows_delta_and_filter(void **state)
{
	struct memcg_table t = {};
	__u64 ids[2] = { 1, 2 };
	struct memcg_stats v[2] = {};
	struct memcg_row *view[2];

	v[0].allocs = 4;
	v[1].allocs = 10;
	unit_read_slots(&t, ids, v, 2, 2);
	v[0].allocs = 9;	/* +5 */
	v[1].allocs = 11;	/* +1 */
	unit_read_slots(&t, ids, v, 2, 2);
	assert_int_equal(memcg_row_delta(&t, memcg_table_find(&t, 1))->allocs, 5);
	assert_int_equal(memcg_table_find(&t, 2)->cum.allocs, 11);
	/* Deltas: 1 first; totals: 2 first. */
	memcg_table_view(&t, NULL, MC_ALLOCS, false, 0, true, view);
	assert_int_equal(view[0]->cgid, 1);
	memcg_table_view(&t, NULL, MC_ALLOCS, true, 0, true, view);
	assert_int_equal(view[0]->cgid, 2);
	/* A row missing from the next read keeps its totals and shows no delta. */
	unit_read_slots(&t, ids, v, 1, 2);
	assert_int_equal(memcg_row_delta(&t, memcg_table_find(&t, 2))->allocs, 0);
	assert_int_equal(memcg_table_find(&t, 2)->cum.allocs, 11);
	t.rows[0].path = strdup("/pods/a");
	t.rows[1].path = strdup("/other");
	assert_int_equal(memcg_table_view(&t, &pods, SORT_PATH, true, 0, true, view), 1);
	assert_int_equal(view[0]->cgid, 1);
	assert_int_equal(memcg_metric_parse("lat"), MC_LAT);
	assert_int_equal(memcg_metric_parse("nope"), -EINVAL);
	/* Aged rows leave; the rest stay sorted and findable, and a later read adds back. */
	t.rows[0].aged = true;
	memcg_table_compact(&t);
	assert_int_equal(t.nr, 1);
	assert_null(memcg_table_find(&t, 1));
	assert_string_equal(memcg_table_find(&t, 2)->path, "/other");
	unit_read_slots(&t, ids, v, 2, 2);
	assert_int_equal(t.nr, 2);
	assert_int_equal(memcg_table_find(&t, 1)->cum.allocs, 9);
	memcg_table_free(&t);
}

/*
 * Reads in the map's order: the same ids in the same order reuse the last merge (no sort);
 * any change (order, a new id, one gone, rows compacted) merges again. Every read is checked
 * against counters computed apart.
 */
static void test_rows_read_order(void **state)
{
	enum { N = 300 };
	static __u64 ids[N], cum[N + 50];
	static struct memcg_stats v[N];
	struct memcg_table t = {};
	struct memcg_row *r;
	size_t n = N;

	srand(7);
	for (size_t i = 0; i < N; i++)
		ids[i] = 1000 + (i * 7919) % N;	/* a fixed order that is not the ids' */
	for (int round = 0; round < 12; round++) {
		if (round == 4) {	/* another order */
			__u64 tmp = ids[0];

			ids[0] = ids[N - 1];
			ids[N - 1] = tmp;
		}
		if (round == 6)
			ids[N - 1] = 1000 + N + 3;	/* one gone, one new */
		if (round == 8)
			n = N - 10;	/* ten missing from the read */
		if (round == 10) {
			memcg_table_find(&t, ids[3])->aged = true;
			memcg_table_compact(&t);
		}
		for (size_t i = 0; i < n; i++) {
			__u64 add = rand() % 5;

			cum[ids[i] - 1000] += add;
			v[i].allocs = cum[ids[i] - 1000];
		}
		assert_int_equal(unit_read_slots(&t, ids, v, n, N), 0);
		for (size_t i = 0; i < n; i++) {
			r = memcg_table_find(&t, ids[i]);
			assert_non_null(r);
			assert_int_equal(r->cum.allocs, cum[ids[i] - 1000]);
		}
		assert_int_equal(t.read_live, n);
		for (size_t i = 1; i < t.nr; i++)
			assert_true(t.rows[i - 1].cgid < t.rows[i].cgid);
	}
	/* Deltas through the reused path: exactly what was added since the last read. */
	for (size_t i = 0; i < n; i++)
		v[i].allocs += i;
	unit_read_slots(&t, ids, v, n, N);
	unit_read_slots(&t, ids, v, n, N);
	assert_int_equal(memcg_row_delta(&t, memcg_table_find(&t, ids[5]))->allocs, 0);
	for (size_t i = 0; i < n; i++)
		v[i].allocs += 1;
	unit_read_slots(&t, ids, v, n, N);
	assert_int_equal(memcg_row_delta(&t, memcg_table_find(&t, ids[5]))->allocs, 1);
	memcg_table_free(&t);
}

/*
 * Slots as BPF hands them out: free ones (cgid 0) are skipped; a slot given back and handed
 * to another memcg is that memcg's, and the memcg that had it keeps its counters with no
 * interval; a row whose counters did not move has none either, and a new row's interval is
 * all it counted. Read a window at a time, as the tracer does.
 */
static void test_rows_slots(void **state)
{
	struct memcg_entry e[4] = {
		{ .st.allocs = 3, .cgid = 50 }, {}, { .st.allocs = 7, .cgid = 40 }, {},
	};
	struct memcg_table t = {};

	assert_int_equal(memcg_table_update(&t, e, 4), 0);
	assert_int_equal(t.nr, 2);
	assert_int_equal(t.read_live, 2);
	assert_int_equal(memcg_row_delta(&t, memcg_table_find(&t, 40))->allocs, 7);
	e[2].st.allocs = 9;
	assert_int_equal(memcg_table_read_begin(&t, 4), 0);
	assert_int_equal(memcg_table_read(&t, e, 0, 2), 0);
	assert_int_equal(memcg_table_read(&t, e + 2, 2, 2), 0);
	memcg_table_read_end(&t);
	assert_int_equal(t.added, 0);
	assert_int_equal(memcg_row_delta(&t, memcg_table_find(&t, 40))->allocs, 2);
	assert_int_equal(memcg_row_delta(&t, memcg_table_find(&t, 50))->allocs, 0);
	assert_int_equal(t.nr_deltas, 1);	/* only the row that moved keeps one */
	/* 40 forgotten, its slot given back (zeroed) and handed to 60. */
	e[2] = (struct memcg_entry){ .st.allocs = 1, .cgid = 60 };
	assert_int_equal(memcg_table_update(&t, e, 4), 0);
	assert_int_equal(t.nr, 3);
	assert_int_equal(memcg_table_find(&t, 60)->cum.allocs, 1);
	assert_int_equal(memcg_table_find(&t, 40)->cum.allocs, 9);
	assert_int_equal(memcg_row_delta(&t, memcg_table_find(&t, 40))->allocs, 0);
	/* A memcg in a slot that was free, in the steady state. */
	assert_int_equal(memcg_table_update(&t, e, 4), 0);
	e[3] = (struct memcg_entry){ .st.allocs = 4, .cgid = 70 };
	assert_int_equal(memcg_table_update(&t, e, 4), 0);
	assert_int_equal(memcg_row_delta(&t, memcg_table_find(&t, 70))->allocs, 4);
	assert_int_equal(t.read_live, 3);
	/* Rows dropped: each slot still finds its memcg's row. */
	memcg_table_find(&t, 40)->aged = true;
	memcg_table_compact(&t);
	e[0].st.allocs = 5;
	e[3].st.allocs = 6;
	assert_int_equal(memcg_table_update(&t, e, 4), 0);
	assert_int_equal(memcg_row_delta(&t, memcg_table_find(&t, 50))->allocs, 2);
	assert_int_equal(memcg_row_delta(&t, memcg_table_find(&t, 70))->allocs, 2);
	memcg_table_free(&t);
}

/* The first limit rows of a limited view are those of a full sort, in its order, and the
 * rest are all the others. Many ties, every key. */
static void test_rows_view_limit(void **state)
{
	enum { N = 2000 };
	static __u64 ids[N];
	static struct memcg_stats v[N];
	static struct memcg_row *full[N], *part[N];
	static const size_t limits[] = { 1, 20, 50, 499 };
	struct memcg_table t = {};
	char path[32];

	srand(11);
	for (size_t i = 0; i < N; i++) {
		ids[i] = rand();
		v[i] = (struct memcg_stats){ .allocs = rand() % 10, .bytes = rand() % 50,
					     .calls = rand() % 3, .lat_ns = rand() % 100 };
	}
	assert_int_equal(unit_read_slots(&t, ids, v, N, N), 0);
	for (size_t i = 0; i < t.nr; i++) {
		snprintf(path, sizeof(path), "/c%d", rand() % 100);
		t.rows[i].path = strdup(path);
	}
	for (int k = 0; k <= SORT_PATH; k++) {
		size_t n = memcg_table_view(&t, NULL, k, true, 0, true, full);

		for (size_t l = 0; l < sizeof(limits) / sizeof(limits[0]); l++) {
			uint64_t seen = 0, all = 0;

			assert_int_equal(memcg_table_view(&t, NULL, k, true, limits[l], true, part), n);
			for (size_t i = 0; i < limits[l]; i++)
				assert_ptr_equal(part[i], full[i]);
			for (size_t i = 0; i < n; i++) {
				seen += part[i]->cgid * 2654435761u;
				all += full[i]->cgid * 2654435761u;
			}
			assert_int_equal(seen, all);
			/* Without the rest: the same first limit, and nothing stored after them. */
			memset(part, 0, N * sizeof(*part));
			assert_int_equal(memcg_table_view(&t, NULL, k, true, limits[l], false, part), n);
			for (size_t i = 0; i < limits[l] && i < n; i++)
				assert_ptr_equal(part[i], full[i]);
			if (limits[l] && limits[l] < n / 4)
				assert_null(part[limits[l]]);
		}
	}
	/* Within a subtree too (a heap over the rows that pass the filter). */
	for (size_t i = 0; i < t.nr; i++) {
		free(t.rows[i].path);
		t.rows[i].path = strdup(i % 3 ? "/pods/a" : "/other");
	}
	{
		size_t n = memcg_table_view(&t, &pods, MC_BYTES, true, 0, true, full);

		assert_int_equal(memcg_table_view(&t, &pods, MC_BYTES, true, 20, true, part), n);
		for (size_t i = 0; i < 20; i++)
			assert_ptr_equal(part[i], full[i]);
		for (size_t i = 0; i < n; i++)
			assert_string_equal(part[i]->path, "/pods/a");
	}
	memcg_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_sort_u64),
		cmocka_unit_test(test_rows_delta_and_filter),
		cmocka_unit_test(test_rows_read_order),
		cmocka_unit_test(test_rows_slots),
		cmocka_unit_test(test_rows_view_limit),
	};

	return cmocka_run_group_tests_name("rows", tests, NULL, NULL);
}
