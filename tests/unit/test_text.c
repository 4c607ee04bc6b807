// SPDX-License-Identifier: GPL-2.0
/* Unit tests of text and columns: the batch report fits 80 columns, whatever it holds. */
#include "unit.h"

static char long_path[300];

/* Rows that stretch every cell: a long path, a removed memcg, one with no path, huge counts. */
static void fill(struct lrutop_state *s)
{
	__u64 ids[4] = { 11, 12, 13, 14 };
	struct memcg_stats v[4] = {
		{ .allocs = ~0ULL, .bytes = ~0ULL, .freed_bytes = 1ULL << 62, .fails = 99999,
		  .objs = 123456789, .calls = 100000, .lat_ns = 1ULL << 40, .caused_allocs = 7,
		  .caused_bytes = 1ULL << 50 },
		{ .allocs = 2, .bytes = 128 },
		{ .allocs = 99999, .bytes = 100000 },
		{ .allocs = 1 },
	};

	memset(long_path, 'x', sizeof(long_path) - 1);
	long_path[0] = '/';
	unit_read_slots(&s->memcgs, ids, v, 4, 4);
	s->memcgs.rows[0].path = strdup(long_path);
	s->memcgs.rows[1].path = strdup("/pods/a");
	s->memcgs.rows[1].removed = true;
	s->memcgs.rows[0].held = s->memcgs.rows[0].held_bytes = ~0ULL;
	s->memcgs.rows[0].nlrus = 1ULL << 33;
	s->held.valid = true;
	s->held.interval_s = 10;
	s->held.inv.lists = 1566470;
	s->held.inv.bytes = 1ULL << 45;
	s->held.inv.empty = 1566000;
	s->held.inv.nr_lrus = 65535;
	s->held.inv.book_bytes = 1ULL << 40;
	/* One list_lru of each kind, each holding more lists than any kernel. */
	s->held.inv.lrus = calloc(NR_LRUTOP_LRU_KINDS, sizeof(*s->held.inv.lrus));
	for (int k = 0; k < NR_LRUTOP_LRU_KINDS; k++) {
		s->held.inv.lrus[k].owner.kind = k;
		s->held.inv.lrus[k].lists = ~0ULL >> 1;
	}
	s->held.inv.nr_lrus = NR_LRUTOP_LRU_KINDS;
	s->census.memcg_lrus = 65535;
	s->census.kernel_memcgs = s->census.kernel_memcgs_peak = 65535;
	state_model_pre_patch(s);
	s->flow.tot = (struct totals){ .allocs = ~0ULL, .bytes = ~0ULL, .freed_bytes = ~0ULL,
				       .transient = ~0ULL, .unowned_freed = 1ULL << 40,
				       .drops_memcg = 1ULL << 40, .drops_lru = 1ULL << 40,
				       .drops_pair = 1ULL << 40, .drops_live = 1ULL << 40,
				       .drops_owner = 1ULL << 40, .eager_allocs = 1ULL << 40,
				       .eager_bytes = ~0ULL, .eager_freed_bytes = ~0ULL };
	s->aging.memcgs = 1ULL << 40;
	s->aging.early = 1ULL << 40;
	s->aging.stats.allocs = 1ULL << 40;
	s->kernel.self_check.ok = 0;
	snprintf(s->cg.root, sizeof(s->cg.root), "/sys/fs/cgroup/memory");
	s->cg.version = 1;
	snprintf(s->kernel.release, sizeof(s->kernel.release), "6.18.44-fc-v769-a-long-local-version");
}

/* Every line at most 80 characters; the column header and each row of one width. */
static void check_width(const struct lrutop_state *s, const struct view *v, const char *what)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0, table = 0;
	FILE *f = open_memstream(&buf, &len);

	text_report(f, s, v);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strlen(line) > TEXT_WIDTH)
			fail_msg("%s: %zu columns: '%s'", what, strlen(line), line);
		if (!strncmp(line, "MEMCG ", 6))
			table = strlen(line);
		else if (table && line[0] == '/' && strlen(line) != table)
			fail_msg("%s: a row of %zu columns under a header of %zu: '%s'", what,
				 strlen(line), table, line);
	}
	assert_true(table > 0);
	free(buf);
}

/* The lists held by kind, in enum order with other last, the line cut at 80 columns. */
/* The batch text report of s as v shows it (caller frees). */
static char *report_text(const struct lrutop_state *s, const struct view *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	text_report(f, s, v);
	fclose(f);
	return buf;
}

static void test_text_held_kinds(void **state)
{
	struct view v = { .sort = MC_ALLOCS, .columns = memcg_columns_default(), .cumulative = true };
	struct probe_plan plan;
	struct lrutop_state s;
	char *buf;

	unit_plan(&plan, true);
	unit_state(&s, &plan, BACKEND_FENTRY);
	fill(&s);
	s.held.inv.lrus[LRUTOP_LRU_DENTRY].lists = 24;
	s.held.inv.lrus[LRUTOP_LRU_INODE].lists = 22;
	s.held.inv.lrus[LRUTOP_LRU_SHADOW].lists = 9;
	s.held.inv.lrus[LRUTOP_LRU_ZSWAP].lists = 0;
	s.held.inv.lrus[LRUTOP_LRU_THP_SPLIT].lists = 0;
	s.held.inv.lrus[LRUTOP_LRU_GLOBAL].lists = 0;
	s.held.inv.lrus[LRUTOP_LRU_OTHER].lists = 3;
	buf = report_text(&s, &v);
	assert_non_null(strstr(buf, "\nheld by kind: dentry 24, inode 22, shadow 9, other 3\n"));
	free(buf);
	memcg_table_free(&s.memcgs);
	free(s.held.inv.lrus);
}

/* Lists whose owner was not found are said, never left to read as rows of 0; none when all
 * were found or freed first. */
static void test_text_owner_not_found(void **state)
{
	struct view v = { .sort = MC_ALLOCS, .columns = memcg_columns_default(), .cumulative = true };
	struct probe_plan plan;
	struct lrutop_state s;
	char *buf;

	unit_plan(&plan, false);
	unit_state(&s, &plan, BACKEND_TRACEPOINT);
	s.flow.tot = (struct totals){ .allocs = 9, .owned = 1, .unowned_freed = 1 };
	buf = report_text(&s, &v);
	assert_non_null(strstr(buf, "\nowner not found: 7 lists "));
	free(buf);
	s.flow.tot.owned = 8;
	buf = report_text(&s, &v);
	assert_null(strstr(buf, "owner not found"));
	free(buf);
}

static void test_text_fits_80(void **state)
{
	char *text;
	struct view v = { .sort = MC_ALLOCS, .columns = memcg_columns_default(), .hist = true,
			  .lrus = true, .cumulative = true };
	struct probe_plan plan;
	struct lrutop_state s;

	for (int fentry = 0; fentry <= 1; fentry++) {
		unit_plan(&plan, fentry);
		unit_state(&s, &plan, fentry ? BACKEND_FENTRY : BACKEND_TRACEPOINT);
		fill(&s);
		check_width(&s, &v, fentry ? "fentry" : "tracepoint");
		v.by_cause = true;
		check_width(&s, &v, "by cause");
		v.by_cause = false;
		memcg_table_free(&s.memcgs);
		free(s.held.inv.lrus);
	}
	/* What lrutop's programs cost: 4,000 runs and 3 ms in 2 s. */
	unit_plan(&plan, true);
	unit_state(&s, &plan, BACKEND_FENTRY);
	fill(&s);
	unit_watching(&s);
	check_width(&s, &v, "watching");
	text = report_text(&s, &v);
	assert_non_null(strstr(text, "\nwatching: 2000 events/s, 1.50 ms CPU/s in 3 BPF programs\n"));
	/* Runs the kernel skipped: events not counted, flagged whatever the statistics. */
	assert_non_null(strstr(text, "\nSKIPPED: the kernel skipped 5 runs of lrutop's programs: "
			       "counts may be short\n"));
	free(text);
	/* Asked for and refused: flagged with the reason, never a 0. */
	s.watching.progs.timed = s.watching.interval_timed = false;
	snprintf(s.watching.progs.why, sizeof(s.watching.progs.why), "BPF_ENABLE_STATS refused");
	text = report_text(&s, &v);
	assert_non_null(strstr(text, "\nwatching: unavailable: BPF_ENABLE_STATS refused\n"));
	free(text);
	/* Not asked for, and off: no line (batch mode's default). */
	s.watching.asked = false;
	text = report_text(&s, &v);
	assert_null(strstr(text, "watching:"));
	free(text);
	memcg_table_free(&s.memcgs);
	free(s.held.inv.lrus);
	/* Before the patch: the eager line. */
	plan.post_patch = false;
	plan.pre_patch = true;
	unit_state(&s, &plan, BACKEND_FENTRY);
	fill(&s);
	s.flow.g.id_space_known = true;
	s.flow.g.id_space = 65535;
	s.flow.g.growth_count = 15;
	s.flow.g.growths[14] = (struct growth_event){ .old_size = 49150, .new_size = 65535 };
	check_width(&s, &v, "pre-patch");
	memcg_table_free(&s.memcgs);
	free(s.held.inv.lrus);
}

/* A path too long for its column keeps its end, which names the memcg. */
static void test_columns_path(void **state)
{
	struct view v = { .columns = memcg_columns_default() };
	struct memcg_row r = { .cgid = 5, .path = "/kubepods/burstable/pod-1234/container-abcdef" };
	struct probe_plan plan;
	struct lrutop_state s;
	char line[256], head[256];
	int pathw = columns_path_width(&v, TEXT_WIDTH, 0);

	unit_plan(&plan, false);
	unit_state(&s, &plan, BACKEND_TRACEPOINT);
	assert_true(pathw >= 24);
	columns_header(head, sizeof(head), &v, pathw, 0);
	columns_row(line, sizeof(line), &s, &v, &r, pathw, 0, -1);
	assert_int_equal(strlen(line), strlen(head));
	assert_int_equal(strncmp(line, "...", 3), 0);
	assert_non_null(strstr(line, "container-abcdef "));
	/* Not measured with this backend, or no inventory yet: "-", never 0. */
	assert_non_null(strstr(head, "FAILS"));
	assert_non_null(strstr(line, " - "));
	/* The cause view: ALLOCS and BYTES show what each memcg caused, FREED has no meaning. */
	v.by_cause = true;
	columns_header(head, sizeof(head), &v, pathw, 0);
	assert_non_null(strstr(head, "CAUSED"));
	assert_non_null(strstr(head, "CBYTES"));
	assert_null(strstr(head, "ALLOCS"));
	assert_non_null(strstr(head, "FREED"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_fits_80),
		cmocka_unit_test(test_text_held_kinds),
		cmocka_unit_test(test_text_owner_not_found),
		cmocka_unit_test(test_columns_path),
	};

	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
