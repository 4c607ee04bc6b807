// SPDX-License-Identifier: GPL-2.0
/* Unit tests of atomic: files replaced whole or not at all. */
#include "unit.h"

/* Written whole or not at all; a symlink at the path is replaced, never written through. */
static void test_write_file_atomic(void **state)
{
	char dir[] = "/tmp/lrutop-prom-XXXXXX", file[64], target[64], buf[64];
	struct stat st;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/m.prom", dir);
	snprintf(target, sizeof(target), "%s/target", dir);
	f = fopen(target, "w");
	fputs("precious\n", f);
	fclose(f);
	assert_int_equal(symlink(target, file), 0);
	assert_int_equal(write_file_atomic(file, "a 1\n", 4), 0);
	assert_int_equal(lstat(file, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0644);
	f = fopen(target, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "precious\n");
	assert_int_equal(write_file_atomic("/nonexistent-dir/m.prom", "a 1\n", 4), -ENOENT);
	unlink(file);
	unlink(target);
	/* Nothing but what was written is left behind. */
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_file_atomic),
	};

	return cmocka_run_group_tests_name("atomic", tests, NULL, NULL);
}
