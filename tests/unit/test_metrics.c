// SPDX-License-Identifier: GPL-2.0
/* Unit tests of metrics: the one table every output reads, and the names it gives. */
#include "unit.h"

/* Keys the screen keeps for itself. */
static const char reserved_keys[] = "pHhzwqQ";

static void test_metric_table(void **state)
{
	for (int m = 0; m < NR_MEMCG_METRICS; m++) {
		const struct memcg_metric *a = &memcg_metrics[m];

		if (!a->name || !a->header || !a->doc || !a->json)
			fail_msg("metric %d lacks a name, header, doc or JSON key", m);
		assert_true(strlen(a->header) <= (size_t)a->width);
		/* fmt_size's cells are at most 5 characters. */
		assert_true(a->width >= 5);
		assert_int_equal(memcg_metric_parse(a->name), m);
		assert_true(a->by_cause == MC_NONE || (a->by_cause >= 0 && a->by_cause < NR_MEMCG_METRICS));
		assert_true(a->need == NEED_INVENTORY || (a->need >= 0 && a->need < NR_METRICS));
		if (a->key)
			assert_null(strchr(reserved_keys, a->key));
		if (a->prom) {
			assert_int_equal(strncmp(a->prom, "lrutop_", 7), 0);
			assert_non_null(a->help);
			assert_int_not_equal(a->total, TOTAL_NONE);
			assert_true(a->prom_rank >= 0 && a->prom_rank < NR_MEMCG_METRICS);
		}
		for (int o = 0; o < m; o++) {
			const struct memcg_metric *b = &memcg_metrics[o];

			if (!strcmp(a->name, b->name) || !strcmp(a->json, b->json) ||
			    !strcmp(a->header, b->header) || (a->key && a->key == b->key) ||
			    (a->prom && b->prom && !strcmp(a->prom, b->prom)))
				fail_msg("metrics %s and %s share a name, key or family", a->name, b->name);
		}
	}
	assert_int_equal(memcg_metric_parse("path"), SORT_PATH);
	assert_string_equal(sort_key_name(SORT_PATH), "path");
	assert_int_equal(memcg_metric_parse("nope"), -EINVAL);
}

static void test_columns_parse(void **state)
{
	uint32_t c = 0;
	char bad[64];

	assert_int_equal(memcg_columns_parse("objs,calls", &c, bad, sizeof(bad)), 0);
	assert_int_equal(c, (1u << MC_OBJS) | (1u << MC_CALLS));
	assert_int_equal(memcg_columns_parse("all", &c, bad, sizeof(bad)), 0);
	assert_int_equal(c, (1u << NR_MEMCG_METRICS) - 1);
	assert_int_equal(memcg_columns_parse("default,objs", &c, bad, sizeof(bad)), 0);
	assert_int_equal(c, memcg_columns_default() | (1u << MC_OBJS));
	assert_int_equal(memcg_columns_parse("allocs,nope", &c, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "nope");
	assert_int_equal(memcg_columns_parse("path", &c, bad, sizeof(bad)), -EINVAL);
	assert_int_equal(memcg_columns_parse(",", &c, bad, sizeof(bad)), -EINVAL);
}

/* Each metric the table defines reaches every output: its JSON key, its column, its family. */
static void test_metrics_reach_outputs(void **state)
{
	struct lrutop_opts o = { .top = 5 };
	struct view v = { .sort = MC_ALLOCS, .columns = (1u << NR_MEMCG_METRICS) - 1 };
	struct memcg_stats st = { .allocs = 3, .bytes = 192, .calls = 3, .lat_ns = 900 };
	__u64 id = 7;
	struct probe_plan plan;
	struct lrutop_state s;
	char *buf = NULL, *prom;
	size_t len = 0;
	json_t *root, *m0;
	FILE *f;

	unit_plan(&plan, true);
	unit_state(&s, &plan, BACKEND_FENTRY);
	unit_read_slots(&s.memcgs, &id, &st, 1, 1);
	s.memcgs.rows[0].path = strdup("/m");
	s.held.valid = true;
	o.view = v;
	f = open_memstream(&buf, &len);
	text_report(f, &s, &v);
	fclose(f);
	root = json_report_object(&s, &v);
	m0 = json_array_get(json_object_get(root, "memcgs"), 0);
	assert_int_equal(prom_render(&s, &o.view, o.top, &prom, &len), 0);
	for (int m = 0; m < NR_MEMCG_METRICS; m++) {
		const struct memcg_metric *mm = &memcg_metrics[m];
		char header[16];

		if (!json_object_get(m0, mm->json))
			fail_msg("%s: no JSON key %s", mm->name, mm->json);
		snprintf(header, sizeof(header), " %s", mm->header);
		if (!strstr(buf, header))
			fail_msg("%s: no column %s", mm->name, mm->header);
		if (mm->prom && !strstr(prom, mm->prom))
			fail_msg("%s: no Prometheus family %s", mm->name, mm->prom);
	}
	assert_int_equal(json_integer_value(json_object_get(m0, "lat_ns_avg")), 300);
	json_decref(root);
	free(buf);
	free(prom);
	memcg_table_free(&s.memcgs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metric_table),
		cmocka_unit_test(test_columns_parse),
		cmocka_unit_test(test_metrics_reach_outputs),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
