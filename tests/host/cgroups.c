// SPDX-License-Identifier: GPL-2.0
/* test_host: the cgroup tree through the kernel's cgroup iterator holds what its directories hold. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "kernel/cgroup.h"
#include "kernel/iters.h"
#include "host_util.h"
#include "host_tests.h"

/* Long names: the tree's records overflow one read of the iterator (8 pages), so the walk
 * takes several; a chain below each: the path climbs back several levels between two. */
#define TREE_WIDE	160
#define TREE_DEEP	2
#define LONG_NAME	200

static char tree_top[4200];
/* Made first, so first in the walk's order: a cgroup made or removed there between two
 * sessions of a walk moves every one after it. */
#define CHURN_DIR	"a-churn"
#define CHURN_WALKS	60

static void tree_path(char *buf, size_t len, int i, int depth)
{
	int n = snprintf(buf, len, "%s/%0*d", tree_top, LONG_NAME, i);

	for (int d = 0; d < depth; d++)
		n += snprintf(buf + n, len - n, "/level%d", d + 1);
}

static void tree_remove(void)
{
	char path[8192];

	for (int i = 0; i < TREE_WIDE; i++) {
		for (int d = TREE_DEEP; d >= 0; d--) {
			tree_path(path, sizeof(path), i, d);
			rmdir(path);
		}
	}
	snprintf(path, sizeof(path), "%s/" CHURN_DIR "/c", tree_top);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/" CHURN_DIR, tree_top);
	rmdir(path);
	rmdir(tree_top);
}

int cgroups_teardown(void **state)
{
	if (tree_top[0])
		tree_remove();
	tree_top[0] = '\0';
	return 0;
}

static void tree_make(const char *root)
{
	char path[8192];

	snprintf(tree_top, sizeof(tree_top), "%s/lrutop-test-tree-%d", root, getpid());
	if (mkdir(tree_top, 0755))
		fail_msg("mkdir %s: %s", tree_top, strerror(errno));
	snprintf(path, sizeof(path), "%s/" CHURN_DIR, tree_top);
	if (mkdir(path, 0755))
		fail_msg("mkdir %s: %s", path, strerror(errno));
	for (int i = 0; i < TREE_WIDE; i++) {
		for (int d = 0; d <= TREE_DEEP; d++) {
			tree_path(path, sizeof(path), i, d);
			if (mkdir(path, 0755))
				fail_msg("mkdir %s: %s", path, strerror(errno));
		}
	}
}

/* Every cgroup of both, with the same path. */
static void same_tree(const struct cgroup_index *dirs, const struct cgroup_index *iter)
{
	uint64_t id, id2;
	const char *p, *q;

	for (size_t i = 0; (p = cgroup_index_nth(dirs, i, &id)); i++) {
		q = cgroup_index_path(iter, id);
		if (!q || strcmp(p, q))
			fail_msg("cgroup %llu: %.300s by its directories, %.300s by the iterator",
				 (unsigned long long)id, p, q ? q : "not seen");
	}
	for (size_t i = 0; (q = cgroup_index_nth(iter, i, &id2)); i++) {
		if (!cgroup_index_path(dirs, id2))
			fail_msg("cgroup %llu: %.300s by the iterator, no such directory",
				 (unsigned long long)id2, q);
	}
	assert_int_equal(cgroup_index_size(iter), cgroup_index_size(dirs));
}

struct churn {
	char dir[8192];
	volatile bool stop;
	long changes;
};

/* A cgroup made and removed, over and over, until told to stop. */
static void *churn_run(void *arg)
{
	struct churn *c = arg;

	while (!c->stop) {
		c->changes += !mkdir(c->dir, 0755);
		c->changes += !rmdir(c->dir);
	}
	return NULL;
}

/* Every cgroup of stable, with its path, in iter; and no id twice. Beyond those, only the
 * churned one may be there. */
static void holds_stable(const struct cgroup_index *stable, const struct cgroup_index *iter)
{
	uint64_t id, last = 0;
	const char *p, *q;

	for (size_t i = 0; (p = cgroup_index_nth(stable, i, &id)); i++) {
		q = cgroup_index_path(iter, id);
		if (!q || strcmp(p, q))
			fail_msg("a walk while cgroups came and went: cgroup %llu (%.200s) %s%.200s",
				 (unsigned long long)id, p, q ? "at " : "not seen", q ? q : "");
	}
	for (size_t i = 0; cgroup_index_nth(iter, i, &id); i++) {
		if (i && id == last)
			fail_msg("a walk while cgroups came and went: cgroup %llu twice",
				 (unsigned long long)id);
		last = id;
	}
	if (cgroup_index_size(iter) > cgroup_index_size(stable) + 1)
		fail_msg("a walk while cgroups came and went: %zu cgroups, %zu stable and one churned",
			 cgroup_index_size(iter), cgroup_index_size(stable));
}

/*
 * Walks while a cgroup early in the walk's order is made and removed: each index the walk
 * returns holds the tree as it stood (it starts again, or fails, when the tree moved between
 * its sessions), never a cgroup skipped or seen twice.
 */
static void walks_under_churn(struct kernel_iters *it, const char *root,
			      const struct cgroup_index *stable)
{
	struct churn c = {};
	struct cgroup_index *idx;
	int whole = 0;
	pthread_t t;

	snprintf(c.dir, sizeof(c.dir), "%s/" CHURN_DIR "/c", tree_top);
	assert_int_equal(pthread_create(&t, NULL, churn_run, &c), 0);
	for (int i = 0; i < CHURN_WALKS; i++) {
		idx = cgroup_iter_index(it, root);
		if (idx) {
			holds_stable(stable, idx);
			whole++;
		}
		cgroup_index_free(idx);
	}
	c.stop = true;
	pthread_join(t, NULL);
	print_message("cgroup tree: %d of %d walks whole while a cgroup came and went %ld times\n",
		      whole, CHURN_WALKS, c.changes);
}

/*
 * The tree below the memory controller's mount, read two ways: by the kernel's cgroup
 * iterator (what lrutop reads where the kernel has one) and by listing its directories.
 * The same ids with the same paths, through a tree whose records take several reads.
 */
void test_kernel_cgroup_iter(void **state)
{
	struct cgroup_index *dirs, *iter;
	char root[4096], cmd[512], out[16384], *line;
	struct kernel_iters *it;
	struct btf *btf = btf__load_vmlinux_btf();
	bool has_iter;

	cgroot_or_skip(root, sizeof(root));
	/* The iterator's target (6.1+: kernel/bpf/cgroup_iter.c's DEFINE_BPF_ITER_FUNC(cgroup, ...)). */
	assert_non_null(btf);
	has_iter = btf__find_by_name_kind(btf, "bpf_iter_cgroup", BTF_KIND_FUNC) > 0;
	btf__free(btf);
	snprintf(cmd, sizeof(cmd), "%s --probe", lrutop_bin());
	run(cmd, out, sizeof(out));
	line = strstr(out, "cgroup tree: read through ");
	if (!line || !strstr(line, has_iter ? "the kernel's cgroup iterator," : "the kernel has no cgroup iterator"))
		fail_msg("lrutop --probe: %.*s, where the kernel %s a cgroup iterator",
			 line ? (int)strcspn(line, "\n") : 20, line ? line : "no cgroup tree line",
			 has_iter ? "has" : "has no");
	it = kernel_iters_open();
	assert_non_null(it);
	kernel_iters_load(it);
	if (!has_iter) {
		assert_false(it->cgroups);
		assert_null(cgroup_iter_index(it, root));
		kernel_iters_close(it);
		print_message("no cgroup iterator on this kernel: the tree from its directories\n");
		return;
	}
	if (!it->cgroups)
		fail_msg("the kernel has a cgroup iterator, and its program did not load");
	tree_make(root);
	dirs = cgroup_index_build(root);
	iter = cgroup_iter_index(it, root);
	if (!iter)
		fail_msg("the cgroup iterator's walk of %s failed: %s", root, strerror(errno));
	assert_non_null(dirs);
	same_tree(dirs, iter);
	print_message("cgroup tree: %zu cgroups, the same ids and paths by the iterator and the directories\n",
		      cgroup_index_size(iter));
	walks_under_churn(it, root, dirs);
	cgroup_index_free(dirs);
	cgroup_index_free(iter);
	kernel_iters_close(it);
	tree_remove();
	tree_top[0] = '\0';
}
