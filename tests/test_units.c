// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the userspace pieces that need no kernel: kallsyms ranges, cgroup paths,
 * row sorting, histograms, options, JSON output, the model, Prometheus exposition. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <argp.h>
#include <cmocka.h>
#include <jansson.h>
#include "cgroup.h"
#include "collect.h"
#include "compare.h"
#include "hist.h"
#include "http.h"
#include "ksyms.h"
#include "model.h"
#include "nodes.h"
#include "mounts.h"
#include "opts.h"
#include "atomic.h"
#include "prom.h"
#include "report.h"
#include "rows.h"

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/lrutop-test-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* ---- kallsyms ---- */

static void test_ksyms_ranges(void **state)
{
	char *path = write_temp(
		"ffffffff815d6bf0 t __pfx_mod_lruvec_state\n"
		"ffffffff815d6970 T memcg_list_lru_alloc\n"
		"ffffffff815d6970 t memcg_list_lru_alloc_alias\n"
		"ffffffff815d6c00 t mod_lruvec_state\n"
		"ffffffffc0001000 t memcg_list_lru_alloc_mod\t[somemod]\n"
		"not a symbol line\n"
		"ffffffff815d6a00 T\n"
		"\n"
		"ffffffff81000000 T _stext\n");
	struct ksyms *k = ksyms__load(path);
	uint64_t lo, hi;

	assert_non_null(k);
	assert_false(ksyms__hidden(k));
	assert_int_equal(ksyms__func_range(k, "memcg_list_lru_alloc", &lo, &hi), 0);
	assert_int_equal(lo, 0xffffffff815d6970ULL);
	/* The next symbol, padding (__pfx_) included, ends the function; aliases do not. */
	assert_int_equal(hi, 0xffffffff815d6bf0ULL);
	assert_int_equal(ksyms__func_range(k, "memcg_list_lru_alloc_mod", &lo, &hi), -ENOENT);
	assert_int_equal(ksyms__func_range(k, "no_such", &lo, &hi), -ENOENT);
	/* The last symbol has no end. */
	assert_int_equal(ksyms__func_range(k, "mod_lruvec_state", &lo, &hi), -ENOENT);
	assert_int_equal(ksyms__addr(k, "_stext"), 0xffffffff81000000ULL);
	ksyms__free(k);
	unlink(path);
	free(path);
}

/* A function and its compiler clones: one range each, never a lookalike name's. */
static void test_ksyms_clones(void **state)
{
	char *path = write_temp(
		"ffffffff81001000 t __memcg_list_lru_alloc\n"
		"ffffffff81001250 t memcg_list_lru_alloc.part.0\n"
		"ffffffff81001300 t memcg_list_lru_alloc_other\n"
		"ffffffff81001400 T memcg_list_lru_alloc\n"
		"ffffffff81001460 t memcg_list_lru_alloc.cold\n"
		"ffffffff81001480 T workingset_update_node\n");
	struct ksyms *k = ksyms__load(path);
	uint64_t lo[8], hi[8];

	assert_non_null(k);
	assert_int_equal(ksyms__func_ranges(k, "memcg_list_lru_alloc", lo, hi, 8), 3);
	assert_int_equal(lo[0], 0xffffffff81001250ULL);
	assert_int_equal(hi[0], 0xffffffff81001300ULL);
	assert_int_equal(lo[1], 0xffffffff81001400ULL);
	assert_int_equal(hi[1], 0xffffffff81001460ULL);
	assert_int_equal(lo[2], 0xffffffff81001460ULL);
	assert_int_equal(ksyms__func_ranges(k, "memcg_list_lru_alloc", lo, hi, 1), 1);
	assert_int_equal(ksyms__func_ranges(k, "__memcg_list_lru_alloc", lo, hi, 8), 1);
	assert_int_equal(hi[0] - lo[0], 0x250);
	assert_int_equal(ksyms__func_ranges(k, "list_lru_alloc", lo, hi, 8), 0);
	ksyms__free(k);
	unlink(path);
	free(path);
}

static void test_ksyms_hidden(void **state)
{
	char *path = write_temp("0000000000000000 T a\n0000000000000000 T b\n");
	struct ksyms *k = ksyms__load(path);
	uint64_t lo, hi;

	assert_non_null(k);
	assert_true(ksyms__hidden(k));
	assert_int_equal(ksyms__func_range(k, "a", &lo, &hi), -ENOENT);
	ksyms__free(k);
	unlink(path);
	free(path);
	assert_null(ksyms__load("/nonexistent/kallsyms"));
}

/* ---- cgroup ---- */

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

static void test_cgroup_within(void **state)
{
	assert_true(cgroup_path_within("/a/b", "/a"));
	assert_true(cgroup_path_within("/a", "/a"));
	assert_true(cgroup_path_within("/a", "/a/"));
	assert_false(cgroup_path_within("/ab", "/a"));
	assert_true(cgroup_path_within("/anything", "/"));
}

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

/* ---- rows ---- */

static void test_rows_sort_u64(void **state)
{
	struct memcg_table t = {};
	__u64 ids[3] = { 30, 10, 20 };
	struct memcg_stats v[3] = {};
	struct memcg_row *view[3];

	/* Differences beyond 2^32 and 2^63: a subtracting comparator gets these wrong. */
	v[0].bytes = 1ULL << 40;
	v[1].bytes = (1ULL << 63) + 5;
	v[2].bytes = 7;
	assert_int_equal(memcg_table_update(&t, ids, v, 3), 0);
	assert_int_equal(memcg_table_view(&t, NULL, SORT_BYTES, true, 0, view), 3);
	assert_int_equal(view[0]->cgid, 10);
	assert_int_equal(view[1]->cgid, 30);
	assert_int_equal(view[2]->cgid, 20);
	memcg_table_free(&t);
}

static void test_rows_delta_and_filter(void **state)
{
	struct memcg_table t = {};
	__u64 ids[2] = { 1, 2 };
	struct memcg_stats v[2] = {};
	struct memcg_row *view[2];

	v[0].allocs = 4;
	v[1].allocs = 10;
	memcg_table_update(&t, ids, v, 2);
	v[0].allocs = 9;	/* +5 */
	v[1].allocs = 11;	/* +1 */
	memcg_table_update(&t, ids, v, 2);
	assert_int_equal(memcg_table_find(&t, 1)->delta.allocs, 5);
	assert_int_equal(memcg_table_find(&t, 2)->cum.allocs, 11);
	/* Deltas: 1 first; totals: 2 first. */
	memcg_table_view(&t, NULL, SORT_ALLOCS, false, 0, view);
	assert_int_equal(view[0]->cgid, 1);
	memcg_table_view(&t, NULL, SORT_ALLOCS, true, 0, view);
	assert_int_equal(view[0]->cgid, 2);
	/* A row missing from the next read keeps its totals and shows no delta. */
	memcg_table_update(&t, ids, v, 1);
	assert_int_equal(memcg_table_find(&t, 2)->delta.allocs, 0);
	assert_int_equal(memcg_table_find(&t, 2)->cum.allocs, 11);
	t.rows[0].path = strdup("/pods/a");
	t.rows[1].path = strdup("/other");
	assert_int_equal(memcg_table_view(&t, "/pods", SORT_PATH, true, 0, view), 1);
	assert_int_equal(view[0]->cgid, 1);
	assert_int_equal(sort_key_parse("lat"), SORT_LAT);
	assert_int_equal(sort_key_parse("nope"), -EINVAL);
	/* Aged rows leave; the rest stay sorted and findable, and a later read adds back. */
	t.rows[0].aged = true;
	memcg_table_compact(&t);
	assert_int_equal(t.nr, 1);
	assert_null(memcg_table_find(&t, 1));
	assert_string_equal(memcg_table_find(&t, 2)->path, "/other");
	memcg_table_update(&t, ids, v, 2);
	assert_int_equal(t.nr, 2);
	assert_int_equal(memcg_table_find(&t, 1)->cum.allocs, 9);
	memcg_table_free(&t);
}

/*
 * Reads in the map's order: the same ids in the same order reuse the last merge (no sort);
 * any change (order, a new id, one gone, rows compacted) merges again. Every read is checked
 * against counters computed apart.
 */
static void test_rows_read_order(void **state)
{
	enum { N = 300 };
	static __u64 ids[N], cum[N + 50];
	static struct memcg_stats v[N];
	struct memcg_table t = {};
	struct memcg_row *r;
	size_t n = N;

	srand(7);
	for (size_t i = 0; i < N; i++)
		ids[i] = 1000 + (i * 7919) % N;	/* a fixed order that is not the ids' */
	for (int round = 0; round < 12; round++) {
		if (round == 4) {	/* another order */
			__u64 tmp = ids[0];

			ids[0] = ids[N - 1];
			ids[N - 1] = tmp;
		}
		if (round == 6)
			ids[N - 1] = 1000 + N + 3;	/* one gone, one new */
		if (round == 8)
			n = N - 10;	/* ten missing from the read */
		if (round == 10) {
			memcg_table_find(&t, ids[3])->aged = true;
			memcg_table_compact(&t);
		}
		for (size_t i = 0; i < n; i++) {
			__u64 add = rand() % 5;

			cum[ids[i] - 1000] += add;
			v[i].allocs = cum[ids[i] - 1000];
		}
		assert_int_equal(memcg_table_update(&t, ids, v, n), 0);
		for (size_t i = 0; i < n; i++) {
			r = memcg_table_find(&t, ids[i]);
			assert_non_null(r);
			assert_int_equal(r->cum.allocs, cum[ids[i] - 1000]);
		}
		if (round == 1 || round == 2 || round == 5 || round == 7)
			assert_int_equal(t.read_nr, n);	/* reusable from now on */
		for (size_t i = 1; i < t.nr; i++)
			assert_true(t.rows[i - 1].cgid < t.rows[i].cgid);
	}
	/* Deltas through the reused path: exactly what was added since the last read. */
	for (size_t i = 0; i < n; i++)
		v[i].allocs += i;
	memcg_table_update(&t, ids, v, n);
	memcg_table_update(&t, ids, v, n);
	assert_int_equal(memcg_table_find(&t, ids[5])->delta.allocs, 0);
	for (size_t i = 0; i < n; i++)
		v[i].allocs += 1;
	memcg_table_update(&t, ids, v, n);
	assert_int_equal(memcg_table_find(&t, ids[5])->delta.allocs, 1);
	memcg_table_free(&t);
}

/* The first limit rows of a limited view are those of a full sort, in its order, and the
 * rest are all the others. Many ties, every key. */
static void test_rows_view_limit(void **state)
{
	enum { N = 2000 };
	static __u64 ids[N];
	static struct memcg_stats v[N];
	static struct memcg_row *full[N], *part[N];
	static const size_t limits[] = { 1, 20, 50, 499 };
	struct memcg_table t = {};
	char path[32];

	srand(11);
	for (size_t i = 0; i < N; i++) {
		ids[i] = rand();
		v[i] = (struct memcg_stats){ .allocs = rand() % 10, .bytes = rand() % 50,
					     .calls = rand() % 3, .lat_ns = rand() % 100 };
	}
	assert_int_equal(memcg_table_update(&t, ids, v, N), 0);
	for (size_t i = 0; i < t.nr; i++) {
		snprintf(path, sizeof(path), "/c%d", rand() % 100);
		t.rows[i].path = strdup(path);
	}
	for (int k = 0; k < NR_SORT_KEYS; k++) {
		size_t n = memcg_table_view(&t, NULL, k, true, 0, full);

		for (size_t l = 0; l < sizeof(limits) / sizeof(limits[0]); l++) {
			uint64_t seen = 0, all = 0;

			assert_int_equal(memcg_table_view(&t, NULL, k, true, limits[l], part), n);
			for (size_t i = 0; i < limits[l]; i++)
				assert_ptr_equal(part[i], full[i]);
			for (size_t i = 0; i < n; i++) {
				seen += part[i]->cgid * 2654435761u;
				all += full[i]->cgid * 2654435761u;
			}
			assert_int_equal(seen, all);
		}
	}
	/* Within a subtree too (a heap over the rows that pass the filter). */
	for (size_t i = 0; i < t.nr; i++) {
		free(t.rows[i].path);
		t.rows[i].path = strdup(i % 3 ? "/pods/a" : "/other");
	}
	{
		size_t n = memcg_table_view(&t, "/pods", SORT_BYTES, true, 0, full);

		assert_int_equal(memcg_table_view(&t, "/pods", SORT_BYTES, true, 20, part), n);
		for (size_t i = 0; i < 20; i++)
			assert_ptr_equal(part[i], full[i]);
		for (size_t i = 0; i < n; i++)
			assert_string_equal(part[i]->path, "/pods/a");
	}
	memcg_table_free(&t);
}

/* ---- histograms ---- */

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

/* ---- options ---- */

static int parse(struct lrutop_opts *o, const char *line)
{
	char *copy = strdup(line), *argv[16], *save = NULL;
	int argc = 0, err;

	argv[argc++] = "lrutop";
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	err = opts_parse(argc, argv, o, ARGP_NO_EXIT | ARGP_NO_ERRS);
	free(copy);
	return err;
}

static void test_opts_table(void **state)
{
	static const struct {
		const char *args;
		int ok;
	} table[] = {
		{ "", 1 }, { "2", 1 }, { "2 5", 1 }, { "0.5 3", 1 }, { "-b -j 1 1", 1 },
		{ "-s bytes", 1 }, { "-s path", 1 }, { "-r 5", 1 }, { "-c /a/b", 1 },
		{ "--backend tracepoint", 1 }, { "--backend fentry", 1 }, { "--max-memcgs 100", 1 },
		{ "-H --cumulative --probe -l -v", 1 },
		{ "0", 0 }, { "-1", 0 }, { "abc", 0 }, { "1x", 0 }, { "1 0", 0 }, { "1 -3", 0 },
		{ "1 2 3", 0 }, { "-s nope", 0 }, { "-s", 0 }, { "-r 0", 0 }, { "-r x", 0 },
		{ "-c relative", 0 }, { "--backend kprobe", 0 }, { "--max-memcgs 1", 0 },
		{ "--max-memcgs 99999999999", 0 }, { "-j", 0 }, { "--bogus", 0 }, { "nan", 0 },
		{ "inf", 0 }, { "1e9", 0 },
		{ "--prometheus /tmp/x.prom", 1 }, { "--listen 9843", 1 }, { "--listen 0.0.0.0:80", 1 },
		{ "--listen [::1]:9843", 1 }, { "--top 0", 1 }, { "--top 5 --prometheus f -b", 1 },
		{ "--prometheus", 0 }, { "--prometheus /tmp/", 0 }, { "--listen 0", 0 },
		{ "--listen 70000", 0 }, { "--listen host:80", 0 }, { "--listen 1.2.3.4:", 0 },
		{ "--listen [::1]", 0 }, { "--listen [zz]:80", 0 }, { "--listen :80", 0 },
		{ "--top -1", 0 }, { "--top x", 0 }, { "--top 100001", 0 },
		{ "--keep-removed 0", 1 }, { "--keep-removed never", 1 }, { "--keep-removed 3600", 1 },
		{ "--keep-removed -1", 0 }, { "--keep-removed soon", 0 }, { "--keep-removed 1e99", 0 },
		{ "--by owner", 1 }, { "--by cause", 1 }, { "--by", 0 }, { "--by both", 0 },
		{ "-s caused", 1 }, { "-s caused-bytes --by cause", 1 }, { "--no-self-check", 1 },
	};
	struct lrutop_opts o;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		int err = parse(&o, table[i].args);

		if ((err == 0) != table[i].ok)
			fail_msg("'%s': expected %s, got %d", table[i].args,
				 table[i].ok ? "success" : "an error", err);
	}
	assert_int_equal(parse(&o, "-s bytes -r 7 2.5 4"), 0);
	assert_int_equal(o.sort, SORT_BYTES);
	assert_int_equal(o.rows, 7);
	assert_true(o.interval > 2.49 && o.interval < 2.51);
	assert_int_equal(o.count, 4);
	assert_int_equal(parse(&o, "--by cause --no-self-check"), 0);
	assert_true(o.by_cause);
	assert_true(o.no_self_check);
	assert_int_equal(parse(&o, ""), 0);
	assert_false(o.by_cause);
	assert_false(o.no_self_check);
	assert_int_equal(o.max_memcgs, 10240);
	assert_int_equal(o.backend, BACKEND_AUTO);
	assert_int_equal(o.keep_removed_s, 60);
	assert_int_equal(parse(&o, "--keep-removed never"), 0);
	assert_int_equal(o.keep_removed_s, -1);
}

static void test_listen_parse(void **state)
{
	char addr[64];
	uint16_t port;

	assert_int_equal(listen_parse("9843", addr, sizeof(addr), &port), 0);
	/* Loopback unless an address is given: metrics are not for every network by default. */
	assert_string_equal(addr, "127.0.0.1");
	assert_int_equal(port, 9843);
	assert_int_equal(listen_parse("10.1.2.3:80", addr, sizeof(addr), &port), 0);
	assert_string_equal(addr, "10.1.2.3");
	assert_int_equal(listen_parse("[::1]:65535", addr, sizeof(addr), &port), 0);
	assert_string_equal(addr, "::1");
	assert_int_equal(port, 65535);
	assert_int_equal(listen_parse("localhost:80", addr, sizeof(addr), &port), -EINVAL);
}

/* ---- the model ---- */

static void test_model(void **state)
{
	static const uint64_t growth[] = { 4, 10, 22, 46, 94, 190, 382, 766, 1534, 3070, 6142,
					   12286, 24574, 49150, 65535 };
	uint64_t prev = 0;

	assert_int_equal(kmalloc_bucket(24), 32);
	assert_int_equal(kmalloc_bucket(40), 64);	/* 16 + 24 x 1 node: kmalloc-64 */
	assert_int_equal(kmalloc_bucket(80), 96);	/* 16 + 32 x 2 nodes (6.13+): kmalloc-96 */
	assert_int_equal(kmalloc_bucket(144), 192);	/* 16 + 32 x 4 nodes */
	assert_int_equal(kmalloc_bucket(200), 256);
	assert_int_equal(kmalloc_bucket(9000), 16384);
	/* The id space grows through 4, 10, 22, 46, ... 49150, 65535 (new size 2 x (id + 1),
	 * at least 4, at most 65535: mm/memcontrol.c of 5.10, memcg_alloc_cache_id), one id past
	 * each size. */
	assert_int_equal(pre_patch_id_space(0), 0);
	for (size_t i = 0; i < sizeof(growth) / sizeof(growth[0]); i++) {
		assert_int_equal(pre_patch_id_space(prev + 1), growth[i]);
		assert_int_equal(pre_patch_id_space(growth[i] < 65535 ? growth[i] : 65535), growth[i]);
		prev = growth[i];
	}
	assert_int_equal(pre_patch_id_space(1000000), 65535);
	/* The 5.10 guest: 6 memcgs -> 10 ids; 45 list_lrus x 1 node x (10 x 32 + kmalloc(96)). */
	assert_int_equal(pre_patch_id_space(6), 10);
	assert_int_equal(pre_patch_bytes(45, 1, 10), 45 * (320 + 96));
	/* The series' production host: 4 nodes x 24574 ids x 32 B = 3 MB of lists per list_lru,
	 * plus a 256 KiB pointer array per node. */
	assert_int_equal(pre_patch_bytes(1, 4, 24574), 4 * (24574 * 32 + 262144));
	/* The 6.1 guest: 140 pairs of 64 bytes. */
	assert_int_equal(post_patch_bytes(140, 1, 24), 140 * 64);
}

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

/* Nodes of an xarray, counted by hand for entries the tests can place. */
static void test_model_xa_nodes(void **state)
{
	assert_true(model_xa_nodes(0, 10000) == 0);
	assert_true(model_xa_nodes(1, 1) == 0);		/* index 0 alone: in the head */
	assert_true(fabs(model_xa_nodes(1, 64) - 1) < 1e-9);
	assert_true(fabs(model_xa_nodes(64, 64) - 1) < 1e-9);
	/* One entry in 4096 ids: a root and a leaf. In 10,000: three levels. */
	assert_true(fabs(model_xa_nodes(1, 4096) - 2) < 1e-9);
	assert_true(fabs(model_xa_nodes(1, 10000) - 3) < 1e-9);
	/* Half an entry a list_lru on average: half of them hold one, in a node of its own. */
	assert_true(fabs(model_xa_nodes(0.5, 64) - 0.5) < 1e-9);
	/* Entries in every id of 4096: 64 leaves and a root. */
	assert_true(model_xa_nodes(1e7, 4096) > 64.99 && model_xa_nodes(1e7, 4096) <= 65);
}

/*
 * The series' cover letter: 10,000 memcgs, 10,000 mounts, 2 nodes, `free -m` at four states.
 * The absolute figures also hold memory the model does not cover (the memcgs and the
 * superblocks themselves), so the changes between neighbouring states are what must agree:
 * each within 5% of the letter's.
 */
static void test_model_cover_letter(void **state)
{
	static const double letter[NR_MODEL_STATES] = { 24464, 21957, 6895, 4367 };
	struct model_result r[NR_MODEL_STATES];
	struct model_inputs in;
	double model, published;

	model_inputs_plan(&in, 10000, 10000, 2, 1, 0, 2);
	model_states(&in, r);
	for (int st = 1; st < NR_MODEL_STATES; st++) {
		model = ((double)r[st].list_bytes + r[st].bookkeeping_bytes -
			 r[st - 1].list_bytes - r[st - 1].bookkeeping_bytes) / (1024 * 1024);
		published = letter[st] - letter[st - 1];
		print_message("%s -> %s: model %.0f MiB, cover letter %.0f MiB (%+.1f%%)\n",
			      model_state_name(st - 1), model_state_name(st), model, published,
			      100 * (model - published) / fabs(published));
		assert_true(fabs(model - published) <= 0.05 * fabs(published));
	}
	/* Each step changes only what the series changed in it. */
	assert_int_equal(r[MODEL_WITHOUT].list_bytes, r[MODEL_TRANSPOSED].list_bytes);
	assert_int_equal(r[MODEL_TRANSPOSED].bookkeeping_bytes, r[MODEL_LAZY].bookkeeping_bytes);
	assert_int_equal(r[MODEL_LAZY].list_bytes, r[MODEL_XARRAY].list_bytes);
	/* Without the series: 20,000 list_lrus x 2 nodes x 12,286 ids, the 5.10 formula. */
	assert_int_equal(r[MODEL_WITHOUT].list_bytes + r[MODEL_WITHOUT].bookkeeping_bytes,
			 pre_patch_bytes(20000, 2, 12286));
	assert_int_equal(r[MODEL_XARRAY].allocs, 20000);
}

/* The planner's inputs: shared mounts hold every memcg, the rest share the memcgs' touches. */
static void test_model_plan(void **state)
{
	struct model_result r[NR_MODEL_STATES];
	struct model_inputs in;

	model_inputs_plan(&in, 500, 100, 1, 2, 3, 2);
	/* 500 memcgs x (2 own + 3 shared mounts) x 2 list_lrus. */
	assert_int_equal(model_pairs(&in), 5000);
	model_states(&in, r);
	assert_int_equal(r[MODEL_LAZY].list_bytes, 5000 * 64);
	/* 6.13+: a 32-byte list_lru_one, 2 nodes: kmalloc-96 a pair. */
	model_inputs_plan(&in, 10, 5, 2, 1, 0, 2);
	in.one_size = 32;
	model_states(&in, r);
	assert_int_equal(r[MODEL_XARRAY].list_bytes, 20 * 96);
	assert_int_equal(r[MODEL_LAZY].list_bytes, 20 * 64);
	/* More touches than mounts of its own: every own mount, no more. */
	model_inputs_plan(&in, 10, 4, 1, 9, 0, 2);
	assert_int_equal(model_pairs(&in), 10 * 4 * 2);
	/* A measured count, spread evenly. */
	model_inputs_pairs(&in, 904);
	assert_int_equal(model_pairs(&in), 904);
}

/* ---- Prometheus ---- */

static int run_argv(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

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
	struct probe_plan plan = { .post_patch = true, .lazy_fn = FN_MEMCG_LIST_LRU_ALLOC,
				   .obj_fn = FN_ALLOC_LRU, .has_kmalloc_tp = true };
	struct lrutop_state s = { .plan = &plan, .backend = BACKEND_FENTRY };
	struct lrutop_opts o = { .sort = SORT_ALLOCS, .top = 2 };	/* sorts by bytes anyway */
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

	plan.funcs[FN_MEMCG_LIST_LRU_ALLOC].in_kallsyms = true;
	plan.lazy_ranges[0] = (struct addr_range){ 0x1000, 0x1200, "memcg_list_lru_alloc" };
	plan.nr_lazy_ranges = 1;
	plan.funcs[FN_MEMCG_LIST_LRU_ALLOC].in_btf = true;
	plan.funcs[FN_ALLOC_LRU].in_btf = true;
	state_plan_metrics(&s);
	strcpy(s.release, "6.1.0-\"test\"");
	s.nr_nodes = 1;
	s.memcg_lrus = 100;
	s.kernel_memcgs = s.kernel_memcgs_peak = 5;
	memcg_table_update(&s.memcgs, ids, v, 3);
	s.memcgs.rows[0].path = strdup(weird);
	s.memcgs.rows[1].path = strdup("/b");
	/* Totals include rows a full map dropped: 4 lists no row holds. */
	s.tot = (struct totals){ .allocs = 10, .bytes = 640, .calls = 20, .lat_ns = 7000 };
	s.lat[8] = 12;
	s.lat[12] = 8;
	assert_int_equal(prom_render(&s, &o, &text, &len), 0);
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

	assert_non_null(mkdtemp(path));
	snprintf(file, sizeof(file), "%s/lrutop.prom", path);
	assert_int_equal(write_file_atomic(file, text, len), 0);
	assert_int_equal(run_argv(argv), 0);
	unlink(file);
	rmdir(path);
	free(text);
	memcg_table_free(&s.memcgs);
}

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

/* ---- snapshots and compare ---- */

static const char snap_before[] =
	"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"5.10.0-32-amd64\","
	"\"patched\":false,\"nodes\":1,\"labels\":{\"memcgs\":\"20\"},"
	"\"measured\":{\"lists\":1518,\"bytes\":48576},"
	"\"end\":{\"memcg_lrus\":69,\"memcgs\":21,\"ids\":22},"
	"\"model\":{\"pre_patch\":{\"lists\":1518,\"bytes\":61824},"
	"\"post_patch\":{\"lists\":184,\"bytes\":11776}}}";
static const char snap_after[] =
	"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"6.1.0-50-amd64\","
	"\"patched\":true,\"nodes\":1,\"labels\":{\"memcgs\":\"20\"},"
	"\"measured\":{\"lists\":184,\"bytes\":11776},"
	"\"end\":{\"memcg_lrus\":69,\"memcgs\":21,\"ids\":22},"
	"\"model\":{\"pre_patch\":{\"lists\":1500,\"bytes\":61000},"
	"\"post_patch\":{\"lists\":184,\"bytes\":11776}},"
	"\"lrus\":[{\"kind\":\"dentry\",\"allocs\":92},{\"kind\":\"inode\",\"allocs\":92}],"
	"\"memcgs\":[{\"path\":\"/ab/m0\",\"allocs\":16}]}";

static void test_snapshot_parse(void **state)
{
	struct snap s;
	char why[512];

	assert_int_equal(snap_parse(snap_before, strlen(snap_before), "a.json", &s, why, sizeof(why)), 0);
	assert_false(s.patched);
	assert_string_equal(s.kernel, "5.10.0-32-amd64");
	assert_int_equal(s.memcgs, 20);
	assert_int_equal(s.lists, 1518);
	assert_int_equal(s.post_lists, 184);
	snap_free(&s);
}

/* Truncated, malformed, mistyped and hostile documents: one clear reason, never a crash. */
static void test_snapshot_hostile(void **state)
{
	static const char *const bad[] = {
		"", "{", "[]", "null", "{\"kind\":\"lrutop-snapshot\"}",
		"{\"kind\":\"other\",\"snapshot_version\":1,\"kernel\":\"x\",\"patched\":true,"
		"\"nodes\":1,\"measured\":{\"lists\":1,\"bytes\":1},\"end\":{\"memcg_lrus\":1,"
		"\"memcgs\":1,\"ids\":1},\"model\":null}",
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":2,\"kernel\":\"x\",\"patched\":true,"
		"\"nodes\":1,\"measured\":{\"lists\":1,\"bytes\":1},\"end\":{\"memcg_lrus\":1,"
		"\"memcgs\":1,\"ids\":1},\"model\":null}",
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":7,\"patched\":true,"
		"\"nodes\":1,\"measured\":{\"lists\":1,\"bytes\":1},\"end\":{\"memcg_lrus\":1,"
		"\"memcgs\":1,\"ids\":1},\"model\":null}",
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"x\",\"patched\":true,"
		"\"nodes\":0,\"measured\":{\"lists\":-5,\"bytes\":1},\"end\":{\"memcg_lrus\":1,"
		"\"memcgs\":1,\"ids\":1},\"model\":null}",
		/* Counts no kernel has, which would overflow what compare multiplies (make fuzz). */
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"x\",\"patched\":true,"
		"\"nodes\":149,\"measured\":{\"lists\":1,\"bytes\":1},\"end\":{\"memcg_lrus\":"
		"9223372036854775807,\"memcgs\":1,\"ids\":1},\"model\":null}",
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"x\",\"patched\":true,"
		"\"nodes\":100000,\"measured\":{\"lists\":1,\"bytes\":1},\"end\":{\"memcg_lrus\":1,"
		"\"memcgs\":1,\"ids\":1},\"model\":null}",
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"x\",\"patched\":true,"
		"\"nodes\":1,\"measured\":{\"lists\":1,\"bytes\":1},\"end\":{\"memcg_lrus\":1,"
		"\"memcgs\":1,\"ids\":-7},\"model\":{\"pre_patch\":{\"lists\":9223372036854775807}}}",
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"x\",\"patched\":true,"
		"\"nodes\":1,\"labels\":{\"memcgs\":\"99999999999999999999\"},\"measured\":{\"lists\":1,"
		"\"bytes\":1},\"end\":{\"memcg_lrus\":1,\"memcgs\":1,\"ids\":1},\"model\":null}",
		"{\"kind\":\"lrutop-snapshot\",\"kind\":\"lrutop-snapshot\"}",
		"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1e999}",
		"\xff\xfe{}",
	};
	struct snap s;
	char why[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (snap_parse(bad[i], strlen(bad[i]), "bad.json", &s, why, sizeof(why)) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		if (strncmp(why, "bad.json", 8) || strchr(why, '\n'))
			fail_msg("reason not one line naming the file: '%s'", why);
	}
	assert_int_equal(snap_load("/nonexistent/x.json", &s, why, sizeof(why)), -ENOENT);
}

static void test_compare_tables(void **state)
{
	struct snap a, b;
	char why[512], *buf = NULL;
	size_t len = 0;
	double worst;
	FILE *f;

	assert_true(isnan(snap_model_error(0, 5)));
	assert_true(snap_model_error(200, 190) < -4.99 && snap_model_error(200, 190) > -5.01);
	assert_int_equal(snap_parse(snap_before, strlen(snap_before), "a", &a, why, sizeof(why)), 0);
	assert_int_equal(snap_parse(snap_after, strlen(snap_after), "b", &b, why, sizeof(why)), 0);
	f = open_memstream(&buf, &len);
	compare_pair(f, &a, &b, &worst);
	fclose(f);
	/* 1500 modelled against 1518 measured before; 184 exactly after. */
	assert_true(worst > 1.18 && worst < 1.19);
	assert_non_null(strstr(buf, "| list_lru lists allocated, measured | 1518 | 184 |"));
	assert_non_null(strstr(buf, "| model vs measured (lists) | -1.2% | +0.0% |"));
	assert_non_null(strstr(buf, "After the patch: 24.24% of the bytes before it (4.1x less)."));
	assert_non_null(strstr(buf, "| dentry (sb->s_dentry_lru) | 92 |"));
	assert_non_null(strstr(buf, "| /ab/m0 | 16 | 69 |"));
	/* Bytes too: 1500 x 32 against 48576, and 11776 exactly. */
	assert_non_null(strstr(buf, "| model vs measured (bytes) | -1.2% | +0.0% |"));
	assert_int_equal(compare_pair_usable(&a, &b, why, sizeof(why)), 0);
	free(buf);
	snap_free(&a);
	snap_free(&b);
}

/* Two patched kernels, 2 nodes: 6.12 (list_lru_one 24 B) and 6.18 (32 B), the same host. */
static const char snap_612[] =
	"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"6.12\",\"list_lru_one\":24,"
	"\"patched\":true,\"nodes\":2,\"measured\":{\"lists\":184,\"bytes\":11776},"
	"\"end\":{\"memcg_lrus\":73,\"memcgs\":21,\"ids\":46},\"model\":null,"
	"\"totals\":{\"freed_bytes\":640},"
	"\"inventory\":{\"start\":null,\"end\":{\"totals\":{\"held_bytes\":11776,\"bookkeeping_bytes\":576}}},"
	"\"lrus\":[{\"kind\":\"dentry\",\"allocs\":92},{\"kind\":\"inode\",\"allocs\":92}],"
	"\"memcgs\":[{\"path\":\"/ab\",\"allocs\":24},{\"path\":\"/ab/m0\",\"allocs\":8}]}";
static const char snap_618[] =
	"{\"kind\":\"lrutop-snapshot\",\"snapshot_version\":1,\"kernel\":\"6.18\",\"list_lru_one\":32,"
	"\"patched\":true,\"nodes\":2,\"measured\":{\"lists\":184,\"bytes\":17664},"
	"\"end\":{\"memcg_lrus\":73,\"memcgs\":21,\"ids\":46},\"model\":null,"
	"\"totals\":{\"freed_bytes\":0},"
	"\"inventory\":{\"start\":null,\"end\":{\"totals\":{\"held_bytes\":17664,\"bookkeeping_bytes\":576}}},"
	"\"lrus\":[{\"kind\":\"dentry\",\"allocs\":92},{\"kind\":\"inode\",\"allocs\":92}],"
	"\"memcgs\":[{\"path\":\"/ab/m0\",\"allocs\":8},{\"path\":\"/ab\",\"allocs\":24}]}";

/* Measured against measured: the tables, the call-outs, and what --check holds each kernel to. */
static void test_compare_measured(void **state)
{
	struct snap a, b;
	char why[512], *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(snap_parse(snap_612, strlen(snap_612), "a", &a, why, sizeof(why)), 0);
	assert_int_equal(snap_parse(snap_618, strlen(snap_618), "b", &b, why, sizeof(why)), 0);
	assert_int_equal(snap_btf_list_bytes(&a), 64);
	assert_int_equal(snap_btf_list_bytes(&b), 96);
	f = open_memstream(&buf, &len);
	assert_int_equal(compare_measured_pair(f, &a, &b, 5, 1, why, sizeof(why)), 0);
	fclose(f);
	/* B's model: A's lists at B's own bytes per list. */
	assert_non_null(strstr(buf, "| their bytes, measured | 11776 | 17664 | 17664 | +50.0% |"));
	assert_non_null(strstr(buf, "| 64 | 96 | | |"));
	assert_non_null(strstr(buf, "| /ab | 24 | 24 |"));
	/* What each kernel held at the end, from the inventory in the snapshot. */
	assert_non_null(strstr(buf, "| list bytes held at the end, the inventory | 11776 | 17664 | - | +50.0% |"));
	assert_non_null(strstr(buf, "**More bytes per list**: 6.18 spends 96.0 bytes a list where 6.12 spent 64.0 (+50.0%); its list_lru_one is 32 bytes (24 on 6.12)"));
	assert_non_null(strstr(buf, "**Lists no longer freed**"));
	assert_null(strstr(buf, "for the same workload"));
	free(buf);
	/* More lists for the same workload: called out, and refused by --check. */
	b.lists = 200;
	b.bytes = 200 * 96;
	f = open_memstream(&buf, &len);
	assert_int_equal(compare_measured_pair(f, &a, &b, 5, 1, why, sizeof(why)), -EINVAL);
	fclose(f);
	assert_non_null(strstr(buf, "**More lists for the same workload**: 6.18 made 200 where 6.12 made 184 (+8.7%)"));
	assert_non_null(strstr(why, "184 lists"));
	free(buf);
	/* Bytes per list that are not what the kernel's BTF says. */
	b.lists = 184;
	b.bytes = 184 * 64;
	f = fopen("/dev/null", "w");
	assert_non_null(f);
	assert_int_equal(compare_measured_pair(f, &a, &b, 5, 1, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "its BTF says 96"));
	/* Without --check, only the tables. */
	assert_int_equal(compare_measured_pair(f, &a, &b, 5, 0, why, sizeof(why)), 0);
	fclose(f);
	snap_free(&a);
	snap_free(&b);
}

/* What --check refuses before any model: a failed command, nothing measured, one side twice. */
static void test_compare_unusable(void **state)
{
	struct snap a, b;
	char why[512];

	assert_int_equal(snap_parse(snap_before, strlen(snap_before), "a", &a, why, sizeof(why)), 0);
	assert_int_equal(snap_parse(snap_after, strlen(snap_after), "b", &b, why, sizeof(why)), 0);
	assert_int_equal(compare_pair_usable(&b, &b, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "both after the patch"));
	b.command_status = 1;
	assert_int_equal(compare_pair_usable(&a, &b, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "command failed"));
	b.command_status = 0;
	a.lists = 0;
	assert_int_equal(compare_pair_usable(&a, &b, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "no list was measured"));
	snap_free(&a);
	snap_free(&b);
}

/* ---- JSON ---- */

static void test_json_report(void **state)
{
	struct probe_plan plan = { .post_patch = true, .lazy_fn = FN_MEMCG_LIST_LRU_ALLOC,
				   .obj_fn = -1, .has_kmalloc_tp = true };
	struct lrutop_state s = { .plan = &plan, .backend = BACKEND_TRACEPOINT };
	struct lrutop_opts o = { .sort = SORT_ALLOCS };
	__u64 ids[2] = { 11, 12 };
	struct memcg_stats v[2] = { { .allocs = 3, .bytes = 192 }, { .allocs = 1, .bytes = 64 } };
	json_t *root, *m0, *unavail;
	json_error_t jerr;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	plan.funcs[FN_MEMCG_LIST_LRU_ALLOC].in_kallsyms = true;
	plan.lazy_ranges[0] = (struct addr_range){ 0x1000, 0x1200, "memcg_list_lru_alloc" };
	plan.nr_lazy_ranges = 1;
	state_plan_metrics(&s);
	strcpy(s.release, "6.18.0-test");
	s.nr_nodes = 1;
	memcg_table_update(&s.memcgs, ids, v, 2);
	s.memcgs.rows[0].path = strdup("/a \"quoted\"\n");
	s.delta.allocs = 4;
	s.delta.bytes = 256;
	f = open_memstream(&buf, &len);
	assert_int_equal(report_json(f, &s, &o), 0);
	fclose(f);
	/* One line, ending in a newline, that a JSON parser accepts. */
	assert_non_null(strchr(buf, '\n'));
	assert_int_equal(strchr(buf, '\n') - buf, (long)len - 1);
	root = json_loads(buf, 0, &jerr);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "backend")), "tracepoint");
	assert_string_equal(json_string_value(json_object_get(root, "kernel")), "6.18.0-test");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "totals"), "allocs")), 4);
	/* Unmeasurable here: null, never a silent 0, and the reason is given. */
	assert_true(json_is_null(json_object_get(json_object_get(root, "totals"), "fails")));
	unavail = json_object_get(root, "unavailable");
	assert_non_null(json_object_get(unavail, "allocator latency"));
	m0 = json_array_get(json_object_get(root, "memcgs"), 0);
	assert_int_equal(json_integer_value(json_object_get(m0, "id")), 11);
	assert_string_equal(json_string_value(json_object_get(m0, "path")), "/a \"quoted\"\n");
	/* A row first seen: its delta is all it made since the baseline. */
	assert_int_equal(json_integer_value(json_object_get(m0, "bytes")), 192);
	assert_true(json_is_null(json_object_get(m0, "lat_ns_avg")));
	json_decref(root);
	free(buf);
	memcg_table_free(&s.memcgs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ksyms_ranges),
		cmocka_unit_test(test_ksyms_clones),
		cmocka_unit_test(test_ksyms_hidden),
		cmocka_unit_test(test_cgroup_memory_root),
		cmocka_unit_test(test_cgroup_index),
		cmocka_unit_test(test_cgroup_within),
		cmocka_unit_test(test_mount_point),
		cmocka_unit_test(test_rows_sort_u64),
		cmocka_unit_test(test_rows_delta_and_filter),
		cmocka_unit_test(test_rows_read_order),
		cmocka_unit_test(test_rows_view_limit),
		cmocka_unit_test(test_hist_slots),
		cmocka_unit_test(test_hist_render),
		cmocka_unit_test(test_opts_table),
		cmocka_unit_test(test_json_report),
		cmocka_unit_test(test_listen_parse),
		cmocka_unit_test(test_snapshot_parse),
		cmocka_unit_test(test_snapshot_hostile),
		cmocka_unit_test(test_compare_tables),
		cmocka_unit_test(test_compare_unusable),
		cmocka_unit_test(test_compare_measured),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_model_xa_nodes),
		cmocka_unit_test(test_node_list),
		cmocka_unit_test(test_model_cover_letter),
		cmocka_unit_test(test_model_plan),
		cmocka_unit_test(test_prom_escape),
		cmocka_unit_test(test_prom_render),
		cmocka_unit_test(test_write_file_atomic),
	};

	return cmocka_run_group_tests_name("units", tests, NULL, NULL);
}
