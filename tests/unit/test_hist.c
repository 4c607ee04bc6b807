// SPDX-License-Identifier: GPL-2.0
/* Unit tests of hist: log2 slots and their bcc-style rendering. */
#include "unit.h"

static void test_hist_slots(void **state)
{
	__u64 slots[LRUTOP_MAX_SLOTS] = {};

	assert_int_equal(log2_slot(0), 0);
	assert_int_equal(log2_slot(1), 0);
	assert_int_equal(log2_slot(2), 1);
	assert_int_equal(log2_slot(3), 1);
	assert_int_equal(log2_slot(4), 2);
	assert_int_equal(log2_slot(1ULL << 40), 40);
	hist_add(slots, LRUTOP_MAX_SLOTS, 1ULL << 40);	/* clamps into the last slot */
	assert_int_equal(slots[LRUTOP_MAX_SLOTS - 1], 1);
}

static void test_hist_render(void **state)
{
	__u64 slots[LRUTOP_MAX_SLOTS] = { [1] = 2, [3] = 8 };
	char buf[4096];

	assert_int_equal(hist_render((__u64[LRUTOP_MAX_SLOTS]){}, LRUTOP_MAX_SLOTS, "x", buf,
				     sizeof(buf)), 0);
	assert_true(hist_render(slots, LRUTOP_MAX_SLOTS, "nsecs", buf, sizeof(buf)) > 0);
	assert_string_equal(buf,
		"     nsecs               : count    distribution\n"
		"         0 -> 1          : 0        |                                        |\n"
		"         2 -> 3          : 2        |**********                              |\n"
		"         4 -> 7          : 0        |                                        |\n"
		"         8 -> 15         : 8        |****************************************|\n");
	/* A buffer too small is cut, never overrun. */
	assert_int_equal(hist_render(slots, LRUTOP_MAX_SLOTS, "nsecs", buf, 10), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hist_slots),
		cmocka_unit_test(test_hist_render),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
