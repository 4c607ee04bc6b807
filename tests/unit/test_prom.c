// SPDX-License-Identifier: GPL-2.0
/* Unit tests of prom: Prometheus exposition, read back by the client's parser. */
#include "unit.h"

static void test_prom_escape(void **state)
{
	char buf[64];

	assert_string_equal(prom_escape(buf, sizeof(buf), "/a\\b\"c\nd"), "/a\\\\b\\\"c\\nd");
	/* Cut short, never mid-escape. */
	assert_string_equal(prom_escape(buf, 6, "\"\"\""), "\\\"\\\"");
}

/*
 * A state with hostile cgroup paths, rendered, written atomically, and read back by the
 * Prometheus client's parser (tests/check_prom.py): names, HELP/TYPE, escaping, histogram
 * rules. --top 2 of 3 rows: the third and the dropped rows are in cgroup="other".
 */
static void test_prom_render(void **state)
{
	struct lrutop_opts o = { .view.sort = MC_ALLOCS, .top = 2 };	/* ranks by bytes anyway */
	struct probe_plan plan;
	struct lrutop_state s;
	__u64 ids[3] = { 11, 12, 13 };
	struct memcg_stats v[3] = {
		{ .allocs = 3, .bytes = 192, .calls = 10, .lat_ns = 5000 },
		{ .allocs = 1, .bytes = 64, .calls = 4, .lat_ns = 800 },
		{ .allocs = 2, .bytes = 128, .calls = 1, .lat_ns = 300 },
	};
	char path[] = "/tmp/lrutop-prom-XXXXXX", file[64], weird[] = "/a \"q\"\\x\ny";
	char *argv[] = { "tests/check_prom.py", "--file", file, "--expect-cgroup", weird,
			 "--expect-cgroup", "other", NULL };
	size_t len;
	char *text;

	unit_plan(&plan, true);
	unit_state(&s, &plan, BACKEND_FENTRY);
	strcpy(s.kernel.release, "6.1.0-\"test\"");
	s.census.memcg_lrus = 100;
	s.census.kernel_memcgs = s.census.kernel_memcgs_peak = 5;
	state_model_pre_patch(&s);
	unit_read_slots(&s.memcgs, ids, v, 3, 3);
	s.memcgs.rows[0].path = strdup(weird);
	s.memcgs.rows[1].path = strdup("/b");
	/* Totals include rows a full map dropped: 4 lists no row holds. */
	s.flow.tot = (struct totals){ .allocs = 10, .bytes = 640, .calls = 20, .lat_ns = 7000 };
	s.flow.g.lat[8] = 12;
	s.flow.g.lat[12] = 8;
	assert_int_equal(prom_render(&s, &o.view, o.top, &text, &len), 0);
	assert_non_null(strstr(text, "lrutop_list_lru_allocations_total{cgroup=\"/a \\\"q\\\"\\\\x\\ny\"} 3\n"));
	/* The top two by bytes are 11 and 13: other = 10 - 3 - 2 lists, 640 - 192 - 128 bytes. */
	assert_non_null(strstr(text, "lrutop_list_lru_allocations_total{cgroup=\"other\"} 5\n"));
	assert_non_null(strstr(text, "lrutop_list_lru_bytes_total{cgroup=\"other\"} 320\n"));
	assert_non_null(strstr(text, "lrutop_cgroups_in_other 1\n"));
	/* 100 list_lrus x (10 ids x 32 + kmalloc(16 + 80)) for 5 memcgs before the patch. */
	assert_non_null(strstr(text, "lrutop_list_lru_pre_patch_estimate_bytes 41600\n"));
	assert_non_null(strstr(text, "_duration_seconds_bucket{cgroup=\"other\",le=\"+Inf\"} 20\n"));
	assert_non_null(strstr(text, "_duration_seconds_count{cgroup=\"other\"} 20\n"));
	/* Failures are measurable with fentry: there, at 0. A row with no path is named by id. */
	assert_non_null(strstr(text, "lrutop_list_lru_failures_total{cgroup=\"id:13\"} 0\n"));

	/* lrutop's own programs: only while the kernel's statistics are on; none loaded, not
	 * even the runs the kernel skipped. */
	assert_null(strstr(text, "lrutop_bpf_program"));
	free(text);
	unit_watching(&s);
	assert_int_equal(prom_render(&s, &o.view, o.top, &text, &len), 0);
	assert_non_null(strstr(text, "lrutop_bpf_program_runs_total{program=\"lazy_alloc_exit\","
			       "hook=\"fexit/memcg_list_lru_alloc\"} 5000\n"));
	assert_non_null(strstr(text, "lrutop_bpf_program_seconds_total{program=\"lru_obj_exit\","
			       "hook=\"fexit/kmem_cache_alloc_lru\"} 0.001200000\n"));
	assert_non_null(strstr(text, "lrutop_bpf_program_missed_runs_total{program=\"lazy_alloc_exit\","
			       "hook=\"fexit/memcg_list_lru_alloc\"} 7\n"));

	assert_non_null(mkdtemp(path));
	snprintf(file, sizeof(file), "%s/lrutop.prom", path);
	assert_int_equal(write_file_atomic(file, text, len), 0);
	assert_int_equal(run_argv(argv), 0);
	unlink(file);
	rmdir(path);
	free(text);
	memcg_table_free(&s.memcgs);
}

/*
 * A histogram of a row with a long path (a systemd unit's, as in any service's cgroup):
 * every bucket carries the whole label and its le. Buckets were once cut at 64 bytes, and
 * a real Prometheus refused the whole scrape.
 */
static void test_prom_histogram_long_label(void **state)
{
	static const char path[] = "/system.slice/lrutop-exporter.service/a-long-child-of-it";
	struct lrutop_opts o = { .view.sort = MC_ALLOCS, .top = 1 };
	struct memcg_stats v = { .allocs = 1, .bytes = 64, .calls = 1, .lat_ns = 300 };
	char want[256], *text, *line;
	struct probe_plan plan;
	struct lrutop_state s;
	__u64 id = 21;
	size_t len, buckets = 0;

	unit_plan(&plan, true);
	unit_state(&s, &plan, BACKEND_FENTRY);
	unit_read_slots(&s.memcgs, &id, &v, 1, 1);
	s.memcgs.rows[0].path = strdup(path);
	assert_int_equal(prom_render(&s, &o.view, o.top, &text, &len), 0);
	snprintf(want, sizeof(want), "_duration_seconds_bucket{cgroup=\"%s\",le=\"", path);
	for (line = strstr(text, want); line; line = strstr(line + 1, want))
		buckets++;
	assert_true(buckets > 1);
	free(text);
	memcg_table_free(&s.memcgs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prom_escape),
		cmocka_unit_test(test_prom_render),
		cmocka_unit_test(test_prom_histogram_long_label),
	};

	return cmocka_run_group_tests_name("prom", tests, NULL, NULL);
}
