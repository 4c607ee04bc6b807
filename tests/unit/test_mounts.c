// SPDX-License-Identifier: GPL-2.0
/* Unit tests of mounts: a superblock's mount point by dev. */
#include "unit.h"

static void test_mount_point(void **state)
{
	char dir[64];
	char *mi = write_temp(
		"22 1 0:21 / /proc rw - proc proc rw\n"
		"36 35 0:52 / /tmp/t0 rw,relatime - tmpfs lrutop-workload rw,size=1024k\n"
		"37 35 8:1 / /boot rw - ext4 /dev/sda1 rw\n");

	assert_int_equal(mount_point_of_kdev(mi, 52, dir, sizeof(dir)), 0);
	assert_string_equal(dir, "/tmp/t0");
	assert_int_equal(mount_point_of_kdev(mi, (8 << 20) | 1, dir, sizeof(dir)), 0);
	assert_string_equal(dir, "/boot");
	assert_int_equal(mount_point_of_kdev(mi, 53, dir, sizeof(dir)), -ENOENT);
	unlink(mi);
	free(mi);
}

/* The table finds each dev's earliest mount, whatever order the lines come in. */
static void test_mount_table(void **state)
{
	char *mi = write_temp(
		"40 35 0:60 / /tmp/b rw - tmpfs t rw\n"
		"36 35 0:52 / /tmp/t0 rw - tmpfs t rw\n"
		"41 35 0:60 / /tmp/b-again rw - tmpfs t rw\n"
		"37 35 8:1 / /boot rw - ext4 /dev/sda1 rw\n"
		"38 35 0:52 / /tmp/t0-bind rw - tmpfs t rw\n");
	struct mount_table *t = mount_table_load(mi);

	assert_non_null(t);
	assert_string_equal(mount_table_find(t, 52), "/tmp/t0");
	assert_string_equal(mount_table_find(t, 60), "/tmp/b");
	assert_string_equal(mount_table_find(t, (8 << 20) | 1), "/boot");
	assert_null(mount_table_find(t, 53));
	assert_null(mount_table_find(t, 0));
	assert_null(mount_table_find(NULL, 52));
	mount_table_free(t);
	unlink(mi);
	free(mi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_point),
		cmocka_unit_test(test_mount_table),
	};

	return cmocka_run_group_tests_name("mounts", tests, NULL, NULL);
}
