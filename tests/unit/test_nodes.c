// SPDX-License-Identifier: GPL-2.0
/* Unit tests of nodes: sysfs node lists. */
#include "unit.h"

/* sysfs node lists: how many nodes online, and nr_node_ids (the highest possible + 1). */
static void test_node_list(void **state)
{
	static const struct { const char *text; int count, end; } cases[] = {
		{ "0\n", 1, 1 }, { "0-3\n", 4, 4 }, { "0,2-3\n", 3, 4 }, { "1\n", 1, 2 },
		{ "\n", 1, 1 },
	};
	char path[] = "/tmp/lrutop-nodes-XXXXXX";
	struct node_list nl;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(cases[i].text, f);
		fclose(f);
		node_list_read(path, &nl);
		assert_int_equal(nl.count, cases[i].count);
		assert_int_equal(nl.end, cases[i].end);
	}
	unlink(path);
	node_list_read(path, &nl);	/* gone: one node */
	assert_int_equal(nl.count, 1);
	assert_int_equal(nl.end, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_list),
	};

	return cmocka_run_group_tests_name("nodes", tests, NULL, NULL);
}
