// SPDX-License-Identifier: GPL-2.0
/* test_host: Every list_lru named: the page cache's shadow_nodes beside the superblocks', counted exactly per kind and by owner. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include "host_util.h"
#include "host_tests.h"

#define TMPFS_MAGIC	0x01021994
#define RAMFS_MAGIC	0x858458f6

/* What a kinds test leaves if it fails midway. */
static struct test_leftovers kinds_left;
/* What the zswap test changed: a zram swap device made for it, zswap's parameter. */
static struct {
	bool swap;
	int zswap_was;		/* zswap's enabled parameter before ('N', 'Y'), or 0 */
} zswap_left;

static bool thp_enable(bool restore);
static void zswap_teardown(void);

int kinds_teardown(void **state)
{
	leftovers_clean(&kinds_left);
	zswap_teardown();
	thp_enable(true);
	return 0;
}

/* Does kallsyms name the workingset's list_lru? Debian's kernels (CONFIG_KALLSYMS_ALL) do. */
static bool kallsyms_names_shadow_nodes(void)
{
	char line[512], type, name[256];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %c %255s", &type, name) == 2 && !strcmp(name, "shadow_nodes");
	if (f)
		fclose(f);
	return found;
}

/*
 * Where the files go. Where kallsyms names shadow_nodes: fresh ramfs mounts (page cache, but
 * not shmem's). Else the list_lru is told by its objects: a directory of the disk filesystem
 * the tests run on, whose pages --reclaim evicts in part, so that xarray nodes of shadow
 * entries sit on the leaves' lists.
 */
static void workload_where(char *args, size_t len)
{
	struct statfs fs;

	if (kallsyms_names_shadow_nodes()) {
		snprintf(kinds_left.dir, sizeof(kinds_left.dir), "/tmp/lrutop-test-kinds-XXXXXX");
		assert_non_null(mkdtemp(kinds_left.dir));
		snprintf(args, len, "-d %s --fstype ramfs -t 2 -k 1", kinds_left.dir);
		return;
	}
	snprintf(kinds_left.dir, sizeof(kinds_left.dir), "lrutop-test-kinds-XXXXXX");
	assert_non_null(mkdtemp(kinds_left.dir));
	assert_int_equal(statfs(kinds_left.dir, &fs), 0);
	if (fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC) {
		print_message("kallsyms does not name shadow_nodes, and the working directory's "
			      "pages cannot be reclaimed to tell it by its objects\n");
		skip();
	}
	snprintf(args, len, "-d /nonexistent --in %s --reclaim", kinds_left.dir);
}

/* The report's list_lru rows of a kind; exactly one for the global kinds. */
static json_t *lru_of_kind(json_t *report, const char *kind, int *n)
{
	json_t *l, *found = NULL;
	size_t i;

	*n = 0;
	json_array_foreach(json_object_get(report, "lrus"), i, l) {
		if (!strcmp(json_string_value(json_object_get(l, "kind")), kind)) {
			found = l;
			(*n)++;
		}
	}
	return found;
}

/* A memcg's lists by the kind of their list_lru, from the report's pairs (owner view). */
static void lists_by_kind(json_t *report, json_int_t id, json_t *by_kind)
{
	json_t *pair, *lru;
	const char *kind;
	size_t i;

	json_array_foreach(json_object_get(report, "pairs"), i, pair) {
		if (jint(pair, "memcg") != id)
			continue;
		lru = find_by(json_object_get(report, "lrus"), "addr", json_object_get(pair, "lru"));
		if (!lru)
			fail_msg("memcg %lld: a pair on list_lru %lld that lrutop does not list",
				 (long long)id, (long long)jint(pair, "lru"));
		kind = json_string_value(json_object_get(lru, "kind"));
		json_object_set_new(by_kind, kind, json_integer(jint(pair, "lists") +
				    (json_object_get(by_kind, kind) ? jint(by_kind, kind) : 0)));
	}
}

/* A list_lru of the kernel, one of a kind: the workload's keys that count each memcg's
 * lists on it (owners) and each leaf's (its lines), and the kernel symbol that holds it. */
struct global_kind {
	const char *kind, *owner_key, *symbol, *expected_key;
};

/* Each memcg of the tree: one list on the global list_lru of its kind (g), one on each of the
 * superblocks' two where it made files, and nothing on any other kind; the inventory holds
 * the same lists for it. */
static void check_owners(json_t *held, json_t *inv, json_t *summary, const struct global_kind *g)
{
	json_t *o, *by_kind, *m;
	json_int_t sum;
	const char *kind;
	size_t i;

	json_array_foreach(json_object_get(summary, "owners"), i, o) {
		const char *memcg = json_string_value(json_object_get(o, "memcg"));

		by_kind = json_object();
		lists_by_kind(held, jint(o, "id"), by_kind);
		if (!json_object_get(by_kind, g->kind) || jint(by_kind, g->kind) != jint(o, g->owner_key))
			fail_msg("%s owns %lld list on the %s list_lru, lrutop counted %lld", memcg,
				 (long long)jint(o, g->owner_key), g->kind,
				 json_object_get(by_kind, g->kind) ? (long long)jint(by_kind, g->kind) : 0LL);
		sum = 0;
		json_object_foreach(by_kind, kind, m) {
			if (strcmp(kind, g->kind) && strcmp(kind, "dentry") && strcmp(kind, "inode"))
				fail_msg("%s: %lld lists on a list_lru of kind %s", memcg,
					 (long long)json_integer_value(m), kind);
			sum += json_integer_value(m);
		}
		if (sum != jint(o, "lists"))
			fail_msg("%s owns %lld lists, lrutop's pairs hold %lld", memcg,
				 (long long)jint(o, "lists"), (long long)sum);
		m = find_by(json_object_get(inv, "memcgs"), "id", json_object_get(o, "id"));
		if (!m || jint(m, "held_lists") != jint(o, "lists"))
			fail_msg("%s owns %lld lists, the inventory read %lld", memcg,
				 (long long)jint(o, "lists"), m ? (long long)jint(m, "held_lists") : -1LL);
		json_decref(by_kind);
	}
}

/* By cause: each leaf's allocations made its chain's missing lists, the global kind's (its
 * workload key expected_key) included, on lrus distinct list_lrus. */
static void check_causes(json_t *held, json_t *lines, const char *expected_key, int lrus)
{
	json_t *wl, *m;
	size_t i;

	json_array_foreach(lines, i, wl) {
		const char *memcg = json_string_value(json_object_get(wl, "memcg"));

		assert_true(jint(wl, expected_key) > 0);
		m = find_memcg(held, jint(wl, "id"));
		if (!m || jint(m, "caused_allocs") != jint(wl, "expected_lists"))
			fail_msg("%s: its allocations made %lld lists (%lld of them %s), lrutop counted %lld",
				 memcg, (long long)jint(wl, "expected_lists"),
				 (long long)jint(wl, expected_key), expected_key,
				 m ? (long long)jint(m, "caused_allocs") : -1LL);
		assert_int_equal(jint(m, "lrus"), lrus);
	}
}

/* Its reclaimed pages left xarray nodes of shadow entries on each leaf's own list. */
static void check_leaves_hold_objects(json_t *lines, json_t *inv)
{
	json_t *wl, *m;
	size_t i;

	json_array_foreach(lines, i, wl) {
		m = find_by(json_object_get(inv, "memcgs"), "id", json_object_get(wl, "id"));
		if (!m || jint(m, "objects") < 1)
			fail_msg("%s: half its pages reclaimed, yet the inventory finds no object on its lists",
				 json_string_value(json_object_get(wl, "memcg")));
	}
}

/* The one list_lru of kind in the report and in the inventory, named by its symbol unless
 * symbol is NULL (named by its objects). */
static void check_named(json_t *held, json_t *inv, const char *kind, const char *symbol)
{
	json_t *l;
	int n;

	l = lru_of_kind(held, kind, &n);
	if (n != 1)
		fail_msg("lrutop shows %d list_lrus of kind %s, where the kernel has one", n, kind);
	if (symbol)
		assert_string_equal(json_string_value(json_object_get(l, "where")), symbol);
	l = lru_of_kind(inv, kind, &n);
	if (n != 1)
		fail_msg("the inventory shows %d list_lrus of kind %s, where the kernel has one", n, kind);
	if (symbol)
		assert_string_equal(json_string_value(json_object_get(l, "where")), symbol);
}

static void cleanup_workload(void)
{
	assert_int_equal(run(kinds_left.cleanup, NULL, 0), 0);
	kinds_left.cleanup[0] = '\0';
	if (kinds_left.dir[0])
		rmdir(kinds_left.dir);
	kinds_left.dir[0] = '\0';
}

/* A workload with no file (wl_out its output, held and inv lrutop's): g's one list_lru named
 * by its symbol, each memcg's lists there by owner, each leaf's by cause (one list_lru, g's);
 * then the workload cleaned up. */
static void check_global_kind(json_t *held, json_t *inv, const char *wl_out,
			      const struct global_kind *g)
{
	json_t *lines = json_array(), *summary = workload_lines(wl_out, lines);

	check_named(held, inv, g->kind, g->symbol);
	check_owners(held, inv, summary, g);
	check_causes(held, lines, g->expected_key, 1);
	json_decref(summary);
	json_decref(lines);
	json_decref(held);
	json_decref(inv);
	cleanup_workload();
}

/*
 * Files with pages, in memcgs three levels deep: a 5.18+ kernel allocates their page cache's
 * xarray nodes with the workingset's shadow_nodes list_lru, so each memcg of each chain gets
 * one list there (and one on each of the superblock's two, for its dentry and inode). lrutop
 * names that list_lru "shadow" (by its kernel symbol, or by its objects) and counts the
 * lists per kind exactly, by owner and by cause, as the workload's arithmetic says; the
 * inventory holds the same lists per memcg.
 */
void test_kernel_shadow_lists(void **state)
{
	static const struct global_kind shadow = { "shadow", "shadow_lists", "shadow_nodes",
						   "expected_shadow_lists" };
	char cgroot[4096], where[256], cmd[8192], wl_out[32768];
	json_t *held, *inv, *summary, *lines;
	bool reclaimed;

	cgroot_or_skip(cgroot, sizeof(cgroot));
	lazy_or_skip();
	workload_where(where, sizeof(where));
	reclaimed = strstr(where, "--reclaim");
	snprintf(cmd, sizeof(cmd), "%s -r %s -n lrutop-kinds-%d -m 3 -D 2 -f 1 --page-cache 1024 %s",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, getpid(), where);
	snprintf(kinds_left.cleanup, sizeof(kinds_left.cleanup), "%s --cleanup", cmd);
	measure_workload(cmd, &kinds_left.lrutop, &held, &inv, wl_out, sizeof(wl_out));

	lines = json_array();	/* made after the skips, which would leak it */
	summary = workload_lines(wl_out, lines);
	check_named(held, inv, "shadow", reclaimed ? NULL : "shadow_nodes");
	check_owners(held, inv, summary, &shadow);
	/* A file is a dentry, an inode and page cache: three list_lrus. */
	check_causes(held, lines, "expected_shadow_lists", 3);
	if (reclaimed)
		check_leaves_hold_objects(lines, inv);
	json_decref(summary);
	json_decref(lines);
	json_decref(held);
	json_decref(inv);
	cleanup_workload();
}

/* "[madvise]" of /sys/kernel/mm/transparent_hugepage/enabled, set for the test if "[never]". */
static bool thp_enable(bool restore)
{
	static const char path[] = "/sys/kernel/mm/transparent_hugepage/enabled";
	static bool changed;
	char text[128] = "";
	FILE *f;

	if (restore) {
		if (changed && (f = fopen(path, "w"))) {
			fputs("never", f);
			fclose(f);
		}
		changed = false;
		return true;
	}
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(text, sizeof(text), f))
		text[0] = '\0';
	fclose(f);
	if (!strstr(text, "[never]"))
		return true;
	f = fopen(path, "w");
	if (!f)
		return false;
	changed = fputs("madvise", f) >= 0;
	return !fclose(f) && changed;
}

/*
 * Anonymous huge pages, in memcgs three levels deep: from 7.2 the kernel makes each memcg of
 * a chain a list on the THP deferred-split list_lru when a huge page is charged to it
 * (folio_memcg_list_lru_alloc). lrutop names that list_lru "thp-split" and counts its lists
 * exactly, by owner and by cause; the inventory holds them.
 */
void test_kernel_thp_lists(void **state)
{
	static const struct global_kind thp = { "thp-split", "thp_lists", "deferred_split_lru",
						"expected_thp_lists" };
	char cgroot[4096], cmd[8192], wl_out[32768];
	json_t *held, *inv;

	cgroot_or_skip(cgroot, sizeof(cgroot));
	lazy_or_skip();
	if (!kernel_has_func("folio_memcg_list_lru_alloc")) {
		print_message("the THP deferred-split queue is a list_lru from 7.2 on\n");
		skip();
	}
	if (!thp_enable(false)) {
		print_message("transparent huge pages cannot be enabled here\n");
		skip();
	}
	snprintf(kinds_left.dir, sizeof(kinds_left.dir), "/tmp/lrutop-test-thp-XXXXXX");
	assert_non_null(mkdtemp(kinds_left.dir));
	/* No file: only huge pages, and the lists they make. */
	snprintf(cmd, sizeof(cmd), "%s -r %s -n lrutop-thp-%d -m 3 -D 2 -f 0 -t 1 --thp 2 -d %s",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, getpid(), kinds_left.dir);
	snprintf(kinds_left.cleanup, sizeof(kinds_left.cleanup), "%s --cleanup", cmd);
	measure_workload(cmd, &kinds_left.lrutop, &held, &inv, wl_out, sizeof(wl_out));
	thp_enable(true);

	check_global_kind(held, inv, wl_out, &thp);
}

/* A swap device for zswap: one already on, or a zram device made for the test (undone by
 * swap_teardown). False, with a line that says why, where none can be had. */
static bool zswap_setup(void)
{
	static const char make[] =
		"modprobe zram num_devices=1 2>/dev/null && echo 256M > /sys/block/zram0/disksize && "
		"mkswap /dev/zram0 > /dev/null 2>&1 && swapon /dev/zram0";
	char out[4096] = "";
	FILE *f;

	if (run("grep -q '^/' /proc/swaps", NULL, 0)) {
		if (run(make, out, sizeof(out))) {
			print_message("no swap device for zswap: zram cannot be loaded here, and no swap is on\n");
			return false;
		}
		zswap_left.swap = true;
	}
	f = fopen("/sys/module/zswap/parameters/enabled", "r+");
	if (!f) {
		print_message("no swap device for zswap: this kernel has no zswap\n");
		return false;
	}
	zswap_left.zswap_was = fgetc(f);
	rewind(f);
	fputs("Y", f);
	fclose(f);
	return true;
}

/* Undo zswap_setup. */
static void zswap_teardown(void)
{
	FILE *f;

	if (zswap_left.zswap_was && (f = fopen("/sys/module/zswap/parameters/enabled", "w"))) {
		fputc(zswap_left.zswap_was, f);
		fclose(f);
	}
	if (zswap_left.swap)
		run("swapoff /dev/zram0; echo 1 > /sys/block/zram0/reset; rmmod zram", NULL, 0);
	zswap_left.zswap_was = 0;
	zswap_left.swap = false;
}

/*
 * Anonymous memory swapped out through zswap, in memcgs three levels deep: from 6.8 zswap
 * keeps its compressed pages on a memcg-aware list_lru (zswap_list_lru), and storing a page
 * makes each memcg of the chain a list there. lrutop names it "zswap" and counts its lists
 * exactly, by owner and by cause; the inventory holds them.
 */
void test_kernel_zswap_lists(void **state)
{
	static const struct global_kind zswap = { "zswap", "zswap_lists", "zswap_list_lru",
						  "expected_zswap_lists" };
	char cgroot[4096], cmd[8192], wl_out[32768];
	json_t *held, *inv;

	cgroot_or_skip(cgroot, sizeof(cgroot));
	lazy_or_skip();
	if (!kernel_has_func("zswap_shrinker_count")) {
		print_message("zswap's LRU is memcg-aware from 6.8 on\n");
		skip();
	}
	if (!zswap_setup())
		skip();
	snprintf(kinds_left.dir, sizeof(kinds_left.dir), "/tmp/lrutop-test-zswap-XXXXXX");
	assert_non_null(mkdtemp(kinds_left.dir));
	/* No file: only swapped pages, and the lists zswap makes for them. */
	snprintf(cmd, sizeof(cmd), "%s -r %s -n lrutop-zswap-%d -m 3 -D 2 -f 0 -t 1 --swap 8192 -d %s",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, getpid(), kinds_left.dir);
	snprintf(kinds_left.cleanup, sizeof(kinds_left.cleanup), "%s --cleanup", cmd);
	measure_workload(cmd, &kinds_left.lrutop, &held, &inv, wl_out, sizeof(wl_out));

	check_global_kind(held, inv, wl_out, &zswap);
	zswap_teardown();
}
