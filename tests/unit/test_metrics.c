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

/*
 * The documents name what the tables hold, no more and no less: the JSON schema's totals
 * and memcg keys, and the man page's FIELDS (one .B line a column, "CAUSED, CBYTES" naming
 * two).
 */
static void test_tables_documented(void **state)
{
	json_t *schema = json_load_file("docs/lrutop-jsonl.schema.json", 0, NULL);
	json_t *totals, *memcg;
	char line[512], fields[1024] = " ";
	const char *key;
	bool in_fields = false;
	json_t *v;
	FILE *man;

	assert_non_null(schema);
	totals = json_object_get(json_object_get(json_object_get(schema, "properties"), "totals"),
				 "properties");
	memcg = json_object_get(json_object_get(json_object_get(json_object_get(schema,
		"properties"), "memcgs"), "items"), "properties");
	assert_int_equal(json_object_size(totals), NR_TOTAL_METRICS);
	for (int i = 0; i < NR_TOTAL_METRICS; i++)
		if (!json_object_get(totals, total_metrics[i].json))
			fail_msg("total %s is not in the schema", total_metrics[i].json);
	json_object_foreach(totals, key, v) {
		int found = 0;

		for (int i = 0; i < NR_TOTAL_METRICS; i++)
			found |= !strcmp(key, total_metrics[i].json);
		if (!found)
			fail_msg("the schema's total %s is in no table", key);
	}
	for (int m = 0; m < NR_MEMCG_METRICS; m++)
		if (!json_object_get(memcg, memcg_metrics[m].json))
			fail_msg("metric %s: its key %s is not in the schema", memcg_metrics[m].name,
				 memcg_metrics[m].json);
	json_decref(schema);

	man = fopen("docs/lrutop.8", "r");
	assert_non_null(man);
	while (fgets(line, sizeof(line), man)) {
		if (!strncmp(line, ".SH", 3))
			in_fields = !strncmp(line, ".SH FIELDS", 10);
		else if (in_fields && !strncmp(line, ".B ", 3))
			strncat(fields, line + 3, sizeof(fields) - strlen(fields) - 2);
	}
	fclose(man);
	for (char *p = fields; *p; p++)
		if (*p == ',' || *p == '\n')
			*p = ' ';
	for (int m = 0; m < NR_MEMCG_METRICS; m++) {
		char want[16];

		snprintf(want, sizeof(want), " %s ", memcg_metrics[m].header);
		if (!strstr(fields, want))
			fail_msg("column %s is not in the man page's FIELDS", memcg_metrics[m].header);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metric_table),
		cmocka_unit_test(test_columns_parse),
		cmocka_unit_test(test_metrics_reach_outputs),
		cmocka_unit_test(test_tables_documented),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
