// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the screen: each key changes the screen or the view (never the state) or
 * quits; a redraw of 100,000 rows sends only what changed, and never clears. */
#include "unit.h"
#include <ncurses.h>
#include "state/groups.h"
#include "view/screen.h"

#define KEY_ESC 27

static void test_screen_keys(void **state)
{
	struct view v = { .sort = MC_ALLOCS };
	struct screen sc = { .v = &v }, before;

	assert_int_equal(screen_key('q', &sc), SCREEN_KEY_QUIT);
	assert_int_equal(screen_key('Q', &sc), SCREEN_KEY_QUIT);
	assert_int_equal(screen_key('p', &sc), SCREEN_KEY_REDRAW);
	assert_int_equal(v.sort, SORT_PATH);
	/* Every metric's sort key sorts by it. */
	for (int m = 0; m < NR_MEMCG_METRICS; m++) {
		if (!memcg_metrics[m].key)
			continue;
		assert_int_equal(screen_key(memcg_metrics[m].key, &sc), SCREEN_KEY_REDRAW);
		assert_int_equal(v.sort, m);
	}
	assert_int_equal(screen_key('z', &sc), SCREEN_KEY_REDRAW);
	assert_true(v.cumulative);
	assert_int_equal(screen_key('z', &sc), SCREEN_KEY_REDRAW);
	assert_false(v.cumulative);
	assert_int_equal(screen_key('w', &sc), SCREEN_KEY_REDRAW);
	assert_true(v.by_cause);
	assert_int_equal(screen_key('H', &sc), SCREEN_KEY_REDRAW);
	assert_true(v.hist);
	assert_int_equal(screen_key('h', &sc), SCREEN_KEY_REDRAW);
	assert_false(v.hist);
	assert_int_equal(screen_key('t', &sc), SCREEN_KEY_REDRAW);
	assert_true(v.tree);
	assert_int_equal(screen_key('g', &sc), SCREEN_KEY_GROUP);
	assert_int_equal(v.group_by, GROUP_UNIT);
	for (int i = 0; i < NR_GROUP_BY - 1; i++)
		screen_key('g', &sc);
	assert_int_equal(v.group_by, GROUP_NONE);
	assert_int_equal(screen_key(KEY_RESIZE, &sc), SCREEN_KEY_CLEAR);
	assert_int_equal(screen_key(12, &sc), SCREEN_KEY_CLEAR);	/* Ctrl-L */
	/* Anything else changes nothing. */
	before = sc;
	assert_int_equal(screen_key('!', &sc), SCREEN_KEY_NONE);
	assert_int_equal(screen_key(-1, &sc), SCREEN_KEY_NONE);
	assert_memory_equal(&sc, &before, sizeof(sc));
	/* Help: '?' shows it, any key returns. */
	assert_int_equal(screen_key('?', &sc), SCREEN_KEY_REDRAW);
	assert_true(sc.help);
	assert_int_equal(screen_key('x', &sc), SCREEN_KEY_REDRAW);
	assert_false(sc.help);
}

/* Moving over the rows drawn, Enter into a memcg, then into one of its list_lrus, and Esc
 * back on the rows they were entered from. */
static void test_screen_drill(void **state)
{
	__u64 memcgs[3] = { 11, 12, 13 }, lrus[2] = { 0xa0, 0xb0 };
	struct view v = { .sort = MC_ALLOCS };
	struct screen sc = { .v = &v, .ids = memcgs, .nr_ids = 3, .page = 2 };

	assert_int_equal(screen_key(KEY_DOWN, &sc), SCREEN_KEY_REDRAW);
	assert_int_equal(sc.sel_id, 12);
	screen_key(KEY_NPAGE, &sc);
	assert_int_equal(sc.sel_id, 13);
	screen_key(KEY_DOWN, &sc);		/* the last row stays selected */
	assert_int_equal(sc.sel, 2);
	screen_key(KEY_HOME, &sc);
	screen_key(KEY_DOWN, &sc);
	assert_int_equal(screen_key('\n', &sc), SCREEN_KEY_FOCUS);
	assert_int_equal(sc.mode, SCREEN_MEMCG_LRUS);
	assert_int_equal(sc.focus_cgid, 12);
	/* A drill-down's filter is its own, and goes with it. */
	screen_key('/', &sc);
	screen_key('x', &sc);
	screen_key('\n', &sc);
	assert_string_equal(sc.filter, "x");
	assert_string_equal(v.filter, "");
	/* The draw gives the memcg's list_lrus; the list_lru view's sort keys apply. */
	sc.ids = lrus;
	sc.nr_ids = 2;
	assert_int_equal(screen_key('m', &sc), SCREEN_KEY_REDRAW);
	assert_int_equal(sc.lru_sort, LRU_SORT_BYTES);
	assert_int_equal(v.sort, MC_ALLOCS);
	screen_key(KEY_END, &sc);
	sc.sel = 1;	/* as the draw leaves it */
	assert_int_equal(screen_key(KEY_ENTER, &sc), SCREEN_KEY_FOCUS);
	assert_int_equal(sc.mode, SCREEN_LRU_MEMCGS);
	assert_int_equal(sc.focus_lru, 0xb0);
	assert_string_equal(sc.filter, "");
	/* Esc: back to the memcg's list_lrus on 0xb0, then to the memcgs on 12. */
	assert_int_equal(screen_key(KEY_ESC, &sc), SCREEN_KEY_FOCUS);
	assert_int_equal(sc.mode, SCREEN_MEMCG_LRUS);
	assert_int_equal(sc.sel_id, 0xb0);
	assert_int_equal(sc.focus_cgid, 12);
	assert_int_equal(screen_key(KEY_ESC, &sc), SCREEN_KEY_REDRAW);
	assert_int_equal(sc.mode, SCREEN_MEMCGS);
	assert_int_equal(sc.sel_id, 12);
	assert_int_equal(screen_key(KEY_ESC, &sc), SCREEN_KEY_NONE);	/* nowhere further */
	/* A group's row has no memcg to drill into. */
	v.group_by = GROUP_POD;
	sc.ids = memcgs;
	sc.nr_ids = 3;
	assert_int_equal(screen_key('\n', &sc), SCREEN_KEY_REDRAW);
	assert_int_equal(sc.mode, SCREEN_MEMCGS);
	assert_non_null(strstr(sc.msg, "group"));
	/* v switches to the list_lrus and back. */
	assert_int_equal(screen_key('v', &sc), SCREEN_KEY_REDRAW);
	assert_int_equal(sc.mode, SCREEN_LRUS);
	assert_int_equal(screen_key('\t', &sc), SCREEN_KEY_REDRAW);
	assert_int_equal(sc.mode, SCREEN_MEMCGS);
}

/* '/' types a filter: Enter applies it, Esc drops what was typed, Esc again clears it. */
static void test_screen_filter(void **state)
{
	struct view v = { .sort = MC_ALLOCS };
	struct screen sc = { .v = &v };
	const char *typed = "q/zx";

	assert_int_equal(screen_key('/', &sc), SCREEN_KEY_REDRAW);
	assert_true(sc.prompting);
	for (const char *p = typed; *p; p++)
		screen_key(*p, &sc);
	/* Typing is no command: 'q' and 'z' were letters, and Backspace edits. */
	screen_key(KEY_BACKSPACE, &sc);
	assert_string_equal(sc.input, "q/z");
	assert_false(v.cumulative);
	assert_string_equal(v.filter, "");
	screen_key('\n', &sc);
	assert_false(sc.prompting);
	assert_string_equal(v.filter, "q/z");
	screen_key('/', &sc);
	screen_key('z', &sc);
	screen_key(KEY_ESC, &sc);
	assert_string_equal(v.filter, "q/z");
	assert_false(v.cumulative);
	assert_int_equal(screen_key(KEY_ESC, &sc), SCREEN_KEY_REDRAW);
	assert_string_equal(v.filter, "");
}

/* B: lrutop's own programs, the costliest in the interval first; B again returns. */
static void test_screen_programs(void **state)
{
	struct view v = { .sort = MC_ALLOCS };
	struct screen sc = { .v = &v };
	struct screen_rows r;
	struct probe_plan plan;
	struct lrutop_state s;
	char line[256];

	unit_plan(&plan, true);
	unit_state(&s, &plan, BACKEND_FENTRY);
	unit_watching(&s);
	assert_int_equal(screen_key('B', &sc), SCREEN_KEY_REDRAW);
	assert_int_equal(sc.mode, SCREEN_PROGS);
	/* No sort key, no drill-down here. */
	assert_int_equal(screen_key('m', &sc), SCREEN_KEY_NONE);
	assert_int_equal(sc.lru_sort, LRU_SORT_LISTS);
	assert_int_equal(screen_rows_build(&r, &sc, &s, 80), 0);
	sc.ids = r.ids;
	sc.nr_ids = r.n;
	assert_int_equal(screen_key('\n', &sc), SCREEN_KEY_NONE);
	assert_int_equal(r.n, 3);
	assert_non_null(strstr(r.header, "RUNS/S"));
	assert_string_equal(r.title, "");
	/* 2,500 runs and 2 ms in 2 s: 1,250 a second, 800 ns a run, 1 ms a second. */
	screen_rows_line(&r, 0, line, sizeof(line));
	assert_non_null(strstr(line, "lazy_alloc_exit"));
	assert_non_null(strstr(line, "fexit/memcg_list_lru_alloc"));
	assert_non_null(strstr(line, "fexit/memcg_list_lru_alloc       1250     800   1.00   5000"));
	screen_rows_line(&r, 2, line, sizeof(line));
	assert_non_null(strstr(line, "handle_cgroup_mkdir"));
	assert_true(strlen(line) <= 80);
	screen_rows_free(&r);
	/* Off: each program's name, no figure, and why in the title. */
	s.watching.progs.timed = s.watching.interval_timed = false;
	snprintf(s.watching.progs.why, sizeof(s.watching.progs.why), "statistics off");
	assert_int_equal(screen_rows_build(&r, &sc, &s, 80), 0);
	assert_non_null(strstr(r.title, "unavailable: statistics off"));
	screen_rows_line(&r, 0, line, sizeof(line));
	assert_null(strstr(line, "800"));
	screen_rows_free(&r);
	sc.ids = NULL;
	sc.nr_ids = 0;
	assert_int_equal(screen_key('B', &sc), SCREEN_KEY_REDRAW);
	assert_int_equal(sc.mode, SCREEN_MEMCGS);
}

/* The bytes a draw sends to the terminal (curses writes to the file's descriptor). */
static size_t draw_bytes(struct screen *sc, const struct lrutop_state *s, FILE *out)
{
	off_t at = lseek(fileno(out), 0, SEEK_END);

	screen_draw(sc, s, NULL);
	fflush(out);
	return lseek(fileno(out), 0, SEEK_END) - at;
}

/*
 * 100,000 memcgs on a 120 x 40 terminal: the first draw paints the screen; a second with
 * nothing changed sends almost nothing and no clear (no blank frame); a move of the
 * selection sends two rows' worth; a clear only where asked.
 */
static void test_screen_no_flicker(void **state)
{
	enum { N = 100000 };
	struct view v = { .sort = MC_ALLOCS, .columns = memcg_columns_default() };
	struct memcg_stats *st = calloc(N, sizeof(*st));
	__u64 *ids = calloc(N, sizeof(*ids));
	char *out_buf, *clear_seq;
	size_t out_len, first, again, moved;
	struct probe_plan plan;
	struct lrutop_state s;
	struct screen sc;
	FILE *out = tmpfile(), *in = fopen("/dev/null", "r");
	SCREEN *term;

	assert_non_null(st);
	assert_non_null(out);
	unit_plan(&plan, false);
	unit_state(&s, &plan, BACKEND_TRACEPOINT);
	for (size_t i = 0; i < N; i++) {
		ids[i] = i + 1;
		st[i].allocs = i;
	}
	assert_int_equal(unit_read_slots(&s.memcgs, ids, st, N, N), 0);
	setenv("NO_COLOR", "1", 1);
	term = newterm("xterm", out, in);
	assert_non_null(term);
	resizeterm(40, 120);
	memset(&sc, 0, sizeof(sc));
	sc.v = &v;
	first = draw_bytes(&sc, &s, out);
	again = draw_bytes(&sc, &s, out);
	screen_key(KEY_DOWN, &sc);
	moved = draw_bytes(&sc, &s, out);
	clear_seq = tigetstr("clear");
	fflush(out);
	out_len = lseek(fileno(out), 0, SEEK_END);
	out_buf = malloc(out_len);
	assert_non_null(out_buf);
	assert_int_equal(pread(fileno(out), out_buf, out_len, 0), (ssize_t)out_len);
	assert_true(first > 2000);
	/* Nothing changed: at most a cursor move, never the screen again. */
	assert_true(again < 64);
	assert_true(moved < 3 * 120 + 64);
	assert_true(clear_seq && clear_seq != (char *)-1);
	/* The clear sequence appears only once: the first draw's. */
	assert_ptr_equal(memmem(out_buf + first, out_len - first, clear_seq, strlen(clear_seq)), NULL);
	screen_close(&sc);
	delscreen(term);
	fclose(out);
	fclose(in);
	free(out_buf);
	free(st);
	free(ids);
	memcg_table_free(&s.memcgs);
	unsetenv("NO_COLOR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_screen_keys),
		cmocka_unit_test(test_screen_drill),
		cmocka_unit_test(test_screen_filter),
		cmocka_unit_test(test_screen_programs),
		cmocka_unit_test(test_screen_no_flicker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
