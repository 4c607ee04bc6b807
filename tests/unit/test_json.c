// SPDX-License-Identifier: GPL-2.0
/* Unit tests of json: the JSON Lines report. */
#include "unit.h"

static void test_json_report(void **state)
{
	struct view view = { .sort = MC_ALLOCS };
	struct probe_plan plan;
	struct lrutop_state s;
	__u64 ids[2] = { 11, 12 };
	struct memcg_stats v[2] = { { .allocs = 3, .bytes = 192 }, { .allocs = 1, .bytes = 64 } };
	json_t *root, *m0, *unavail;
	json_error_t jerr;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	unit_plan(&plan, false);
	unit_state(&s, &plan, BACKEND_TRACEPOINT);
	unit_read_slots(&s.memcgs, ids, v, 2, 2);
	s.memcgs.rows[0].path = strdup("/a \"quoted\"\n");
	s.flow.delta.allocs = 4;
	s.flow.delta.bytes = 256;
	f = open_memstream(&buf, &len);
	assert_int_equal(json_report(f, &s, &view), 0);
	fclose(f);
	/* One line, ending in a newline, that a JSON parser accepts. */
	assert_non_null(strchr(buf, '\n'));
	assert_int_equal(strchr(buf, '\n') - buf, (long)len - 1);
	root = json_loads(buf, 0, &jerr);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "backend")), "tracepoint");
	assert_string_equal(json_string_value(json_object_get(root, "kernel")), "6.18.0-test");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "totals"), "allocs")), 4);
	/* Unmeasurable here: null, never a silent 0, and the reason is given. */
	assert_true(json_is_null(json_object_get(json_object_get(root, "totals"), "calls")));
	/* Failures: the tracepoint backend counts the allocator's kmallocs that returned NULL. */
	assert_true(json_is_integer(json_object_get(json_object_get(root, "totals"), "fails")));
	unavail = json_object_get(root, "unavailable");
	assert_non_null(json_object_get(unavail, "allocator latency"));
	m0 = json_array_get(json_object_get(root, "memcgs"), 0);
	assert_int_equal(json_integer_value(json_object_get(m0, "id")), 11);
	assert_string_equal(json_string_value(json_object_get(m0, "path")), "/a \"quoted\"\n");
	/* A row first seen: its delta is all it made since the baseline. */
	assert_int_equal(json_integer_value(json_object_get(m0, "bytes")), 192);
	assert_true(json_is_null(json_object_get(m0, "lat_ns_avg")));
	/* lrutop's own cost: off here, so null, with the reason. */
	assert_true(json_is_null(json_object_get(json_object_get(root, "watching"), "events_per_s")));
	assert_non_null(json_object_get(unavail, "lrutop's own cost (BPF statistics)"));
	json_decref(root);
	free(buf);
	/* On: each program's counts, since load and in the interval, and the rates. */
	unit_watching(&s);
	f = open_memstream(&buf, &len);
	assert_int_equal(json_report(f, &s, &view), 0);
	fclose(f);
	root = json_loads(buf, 0, &jerr);
	assert_non_null(root);
	assert_null(json_object_get(json_object_get(root, "unavailable"), "lrutop's own cost (BPF statistics)"));
	m0 = json_object_get(root, "watching");
	assert_true(json_real_value(json_object_get(m0, "events_per_s")) == 2000.0);
	assert_true(json_real_value(json_object_get(m0, "cpu_ms_per_s")) == 1.5);
	assert_int_equal(json_integer_value(json_object_get(m0, "missed_runs")), 5);
	assert_int_equal(json_integer_value(json_object_get(m0, "interval_missed_runs")), 3);
	m0 = json_array_get(json_object_get(m0, "programs"), 1);
	assert_string_equal(json_string_value(json_object_get(m0, "hook")), "fexit/memcg_list_lru_alloc");
	assert_int_equal(json_integer_value(json_object_get(m0, "runs")), 5000);
	assert_int_equal(json_integer_value(json_object_get(m0, "interval_runs")), 2500);
	assert_int_equal(json_integer_value(json_object_get(m0, "interval_ns")), 2000000);
	assert_int_equal(json_integer_value(json_object_get(m0, "missed_runs")), 7);
	json_decref(root);
	free(buf);
	memcg_table_free(&s.memcgs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_report),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
