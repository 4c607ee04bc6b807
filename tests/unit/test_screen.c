// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the screen's keys: each changes the view (never the state) or quits; the
 * refresh loop (cmd/live.c) draws what the key asks for. */
#include <ncurses.h>
#include "unit.h"
#include "view/screen.h"

static void test_screen_keys(void **state)
{
	struct view v = { .sort = MC_ALLOCS }, before;

	assert_int_equal(screen_key('q', &v), SCREEN_KEY_QUIT);
	assert_int_equal(screen_key('Q', &v), SCREEN_KEY_QUIT);
	assert_int_equal(screen_key('p', &v), SCREEN_KEY_REDRAW);
	assert_int_equal(v.sort, SORT_PATH);
	/* Every metric's sort key sorts by it. */
	for (int m = 0; m < NR_MEMCG_METRICS; m++) {
		if (!memcg_metrics[m].key)
			continue;
		assert_int_equal(screen_key(memcg_metrics[m].key, &v), SCREEN_KEY_REDRAW);
		assert_int_equal(v.sort, m);
	}
	assert_int_equal(screen_key('z', &v), SCREEN_KEY_REDRAW);
	assert_true(v.cumulative);
	assert_int_equal(screen_key('z', &v), SCREEN_KEY_REDRAW);
	assert_false(v.cumulative);
	assert_int_equal(screen_key('w', &v), SCREEN_KEY_REDRAW);
	assert_true(v.by_cause);
	assert_int_equal(screen_key('H', &v), SCREEN_KEY_REDRAW);
	assert_true(v.hist);
	assert_int_equal(screen_key('h', &v), SCREEN_KEY_REDRAW);
	assert_false(v.hist);
	assert_int_equal(screen_key(KEY_RESIZE, &v), SCREEN_KEY_CLEAR);
	assert_int_equal(screen_key(12, &v), SCREEN_KEY_CLEAR);	/* Ctrl-L */
	/* Anything else changes nothing. */
	before = v;
	assert_int_equal(screen_key('!', &v), SCREEN_KEY_NONE);
	assert_int_equal(screen_key(-1, &v), SCREEN_KEY_NONE);
	assert_memory_equal(&v, &before, sizeof(v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_screen_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
