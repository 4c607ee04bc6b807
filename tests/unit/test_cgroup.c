// SPDX-License-Identifier: GPL-2.0
/* Unit tests of cgroup: the memory hierarchy's root, the id -> path index, subtrees. */
#include "unit.h"

static void test_cgroup_memory_root(void **state)
{
	char root[256];
	char *mounts = write_temp(
		"cgroup2 /nonexistent/unified cgroup2 rw,relatime 0 0\n"
		"cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
		"cgroup /x/memory cgroup rw,relatime,memory 0 0\n");
	char *none = write_temp("proc /proc proc rw 0 0\n");

	/* cgroup2 without the memory controller loses to v1's memory hierarchy. */
	assert_int_equal(cgroup_memory_root(mounts, root, sizeof(root)), 1);
	assert_string_equal(root, "/x/memory");
	assert_int_equal(cgroup_memory_root(none, root, sizeof(root)), -ENOENT);
	unlink(mounts);
	unlink(none);
	free(mounts);
	free(none);
}

static void test_cgroup_index(void **state)
{
	char dir[] = "/tmp/lrutop-cg-XXXXXX", path[512];
	struct cgroup_index *idx;
	struct stat st;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a/b", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(stat(path, &st), 0);
	/* Files of a cgroup are not cgroups. */
	snprintf(path, sizeof(path), "%s/a/memory.stat", dir);
	close(creat(path, 0644));
	snprintf(path, sizeof(path), "%s/a/b", dir);
	idx = cgroup_index_build(dir);
	assert_non_null(idx);
	assert_int_equal(cgroup_index_size(idx), 3);
	assert_string_equal(cgroup_index_path(idx, st.st_ino), "/a/b");
	assert_int_equal(cgroup_index_id(idx, "/a/b"), st.st_ino);
	assert_null(cgroup_index_path(idx, 1));
	cgroup_index_free(idx);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a/memory.stat", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/a", dir);
	rmdir(path);
	rmdir(dir);
	assert_null(cgroup_index_build("/nonexistent/cgroup"));
}

/* An index made by hand (as the cgroup iterator's walk makes one): found by id once sorted,
 * and listed in id order. */
static void test_cgroup_index_made(void **state)
{
	struct cgroup_index *idx = cgroup_index_new();
	uint64_t id = 0;

	assert_non_null(idx);
	assert_int_equal(cgroup_index_add(idx, 30, "/"), 0);
	assert_int_equal(cgroup_index_add(idx, 7, "/b"), 0);
	assert_int_equal(cgroup_index_add(idx, 12, "/b/c"), 0);
	cgroup_index_sort(idx);
	assert_int_equal(cgroup_index_size(idx), 3);
	assert_string_equal(cgroup_index_path(idx, 12), "/b/c");
	assert_int_equal(cgroup_index_id(idx, "/"), 30);
	assert_string_equal(cgroup_index_nth(idx, 0, &id), "/b");
	assert_int_equal(id, 7);
	assert_string_equal(cgroup_index_nth(idx, 2, &id), "/");
	assert_int_equal(id, 30);
	assert_null(cgroup_index_nth(idx, 3, &id));
	assert_null(cgroup_index_nth(NULL, 0, &id));
	cgroup_index_free(idx);
}

static void test_cgroup_within(void **state)
{
	assert_true(cgroup_path_within("/a/b", "/a"));
	assert_true(cgroup_path_within("/a", "/a"));
	assert_true(cgroup_path_within("/a", "/a/"));
	assert_false(cgroup_path_within("/ab", "/a"));
	assert_true(cgroup_path_within("/anything", "/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_memory_root),
		cmocka_unit_test(test_cgroup_index),
		cmocka_unit_test(test_cgroup_index_made),
		cmocka_unit_test(test_cgroup_within),
	};

	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
