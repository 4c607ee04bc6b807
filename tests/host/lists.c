// SPDX-License-Identifier: GPL-2.0
/* test_host: Lists counted exactly, by owner: the lazy lists after the patch, the eager ones before. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "kernel/cgroup.h"
#include "kernel/probe.h"
#include "host_util.h"
#include "lib/model.h"
#include "host_tests.h"

/*
 * Exact lists per (memcg, superblock), by owner: every pair lrutop saw for the memcg holds
 * one list, lies on a superblock the workload made (and, where touched is given, on one the
 * memcg touched itself, each of them on both of its list_lrus), and there are as many pairs
 * as lists the memcg owns.
 */
static void check_pairs(json_t *report, const char *memcg, json_int_t id, json_int_t owned,
			json_t *devs, json_t *touched)
{
	json_t *pair, *lru, *want, *seen = json_object();
	json_int_t npairs = 0;
	size_t i;

	json_array_foreach(json_object_get(report, "pairs"), i, pair) {
		const char *kind, *dev;
		char key[64];

		if (jint(pair, "memcg") != id)
			continue;
		npairs++;
		lru = find_by(json_object_get(report, "lrus"), "addr", json_object_get(pair, "lru"));
		if (!lru)
			fail_msg("%s: a pair on list_lru %lld that lrutop does not list", memcg,
				 (long long)jint(pair, "lru"));
		kind = json_string_value(json_object_get(lru, "kind"));
		dev = json_string_value(json_object_get(lru, "dev"));
		if (jint(pair, "lists") != 1)
			fail_msg("%s: %lld lists in its one slot of the %s list_lru of %s", memcg,
				 (long long)jint(pair, "lists"), kind,
				 json_string_value(json_object_get(lru, "mount")));
		if (!json_object_get(devs, dev ? dev : "") ||
		    (touched && !find_by(touched, "dev", json_object_get(lru, "dev"))))
			fail_msg("%s: a list on the %s list_lru of %s (dev %s), which it never touched",
				 memcg, kind, json_string_value(json_object_get(lru, "mount")), dev);
		snprintf(key, sizeof(key), "%s/%s", dev, kind);
		json_object_set_new(seen, key, json_true());
	}
	if (npairs != owned)
		fail_msg("%s owns %lld lists but lrutop shows %lld (memcg, list_lru) pairs", memcg,
			 (long long)owned, (long long)npairs);
	json_array_foreach(touched, i, want) {
		for (int k = 0; k < 2; k++) {
			char key[64];

			snprintf(key, sizeof(key), "%s/%s", json_string_value(json_object_get(want, "dev")),
				 k ? "inode" : "dentry");
			if (!json_object_get(seen, key))
				fail_msg("%s: no list of its own on the %s list_lru of %s", memcg,
					 k ? "inode" : "dentry", json_string_value(json_object_get(want, "mount")));
		}
	}
	json_decref(seen);
}

/* One memcg's row, by owner: lists, their bytes, and (after the umount) all freed. */
static void check_owned(json_t *report, const char *memcg, json_int_t id, json_int_t lists,
			bool freed)
{
	unsigned int list_bytes = expected_list_bytes();
	json_t *m = find_memcg(report, id);
	json_int_t allocs = m ? jint(m, "allocs") : 0;

	if (allocs != lists)
		fail_msg("%s owns %lld lists (it holds them in its slots), lrutop counted %lld",
			 memcg, (long long)lists, (long long)allocs);
	if (!lists)
		return;
	assert_int_equal(jint(m, "bytes"), lists * list_bytes);
	assert_int_equal(jint(m, "freed_bytes"), freed ? lists * list_bytes : 0);
	assert_string_equal(json_string_value(json_object_get(m, "path")), memcg);
}

/*
 * The core claim: each (memcg, superblock) pair first touched makes one list on each of the
 * superblock's two list_lrus, for the memcg and each ancestor lacking one, with the bytes
 * kmalloc reports; unmounting frees them all. Each list belongs to the memcg whose slot it
 * fills (its owner); the memcg whose allocation made it is its cause. Seven memcgs, two
 * levels deep, over five mounts, three each (prime counts make accidental matches
 * unlikely). The workload keeps its mounts until lrutop has reported them, as a container
 * host does: a list freed before lrutop's tracepoint backend found its slot has no owner.
 */
void test_kernel_lazy_lists(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-test-mnt-XXXXXX", cmd[8192];
	char name[64], wl_out[32768], keep[8300], cleanup[8300];
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "-l", "--cumulative", "-r", "100000",
			 "1", NULL };
	json_t *report = NULL, *held = NULL, *last = NULL, *m, *wl, *summary = NULL, *o;
	json_t *devs = json_object(), *leaves = json_array();
	unsigned int list_bytes = expected_list_bytes();
	json_int_t alloc_calls = 0;
	bool fentry;
	pid_t pid;
	FILE *f;
	int checked = 0;
	size_t i, w;

	if (cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) < 0)
		fail_msg("no memory cgroup hierarchy is mounted: nothing to measure");
	lazy_or_skip();	/* a pre-5.18 kernel: test_kernel_eager_lists covers it */
	assert_non_null(mkdtemp(mntdir));
	snprintf(name, sizeof(name), "lrutop-test-%d", getpid());

	snprintf(cmd, sizeof(cmd), "%s -r %s -d %s -n %s -m 7 -t 5 -k 3 -D 2 -f 10",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, mntdir, name);
	snprintf(keep, sizeof(keep), "%s --keep", cmd);
	snprintf(cleanup, sizeof(cleanup), "%s --cleanup", cmd);
	for (int tries = 1; ; tries++) {
		f = spawn(argv, &pid, false);
		/* The first report proves the programs are attached. */
		report = read_json_line(f);
		assert_non_null(report);
		assert_int_equal(jint(report, "version"), 1);
		check_backend(report);
		assert_true(json_is_true(json_object_get(json_object_get(report, "self_check"), "ok")));
		fentry = !strcmp(json_string_value(json_object_get(report, "backend")), "fentry");
		json_decref(report);

		assert_int_equal(run(keep, wl_out, sizeof(wl_out)), 0);
		/* Held: a report of an interval that began after the workload made its lists. */
		held = report_after(f, time(NULL) + 1);
		assert_int_equal(run(cleanup, NULL, 0), 0);
		/* Freed: one that began after the cleanup. */
		last = report_after(f, time(NULL) + 1);
		assert_int_equal(stop_lrutop(f, pid, SIGINT, 10), 0);
		assert_non_null(held);
		assert_non_null(last);
		if (!measure_again(last, tries))
			break;
		json_decref(held);
		json_decref(last);
	}

	summary = workload_lines(wl_out, leaves);
	json_array_foreach(leaves, w, wl) {
		json_int_t lists;

		json_array_foreach(json_object_get(wl, "pairs"), i, o)
			json_object_set_new(devs, json_string_value(json_object_get(o, "dev")), json_true());
		/* By cause: what its allocations made, for itself and its ancestors. */
		m = find_memcg(held, jint(wl, "id"));
		if (!m)
			fail_msg("no row for memcg %s (id %lld)", json_string_value(json_object_get(wl, "memcg")),
				 (long long)jint(wl, "id"));
		lists = jint(wl, "expected_lists");
		if (jint(m, "caused_allocs") != lists)
			fail_msg("%s: its allocations made %lld lists, lrutop counted %lld",
				 json_string_value(json_object_get(wl, "memcg")), (long long)lists,
				 (long long)jint(m, "caused_allocs"));
		assert_int_equal(jint(m, "caused_bytes"), lists * list_bytes);
		if (fentry) {
			/* Each file is one dentry and one inode from kmem_cache_alloc_lru, and each
			 * of those calls the allocator, which allocates far less. */
			assert_true(jint(m, "objs") >= 2 * jint(wl, "files"));
		}
		/* Both backends count failures: none here. */
		assert_true(json_is_integer(json_object_get(m, "fails")));
		assert_int_equal(jint(m, "fails"), 0);
		assert_int_equal(jint(m, "lrus"), 2 * jint(wl, "mounts"));
		json_array_foreach(json_object_get(wl, "pairs"), i, o)
			alloc_calls += 2 * (jint(o, "lists_per_lru") > 0);
		checked++;
	}
	assert_int_equal(checked, 7);
	assert_non_null(summary);
	/* By owner: every memcg of the tree, the shared top and each chain's levels. */
	json_array_foreach(json_object_get(summary, "owners"), i, o) {
		const char *memcg = json_string_value(json_object_get(o, "memcg"));
		json_t *touched = NULL, *leaf;
		size_t j;

		check_owned(held, memcg, jint(o, "id"), jint(o, "lists"), false);
		check_owned(last, memcg, jint(o, "id"), jint(o, "lists"), true);
		assert_true(json_is_true(json_object_get(find_memcg(last, jint(o, "id")), "removed")));
		json_array_foreach(leaves, j, leaf) {
			if (jint(leaf, "id") == jint(o, "id"))
				touched = json_object_get(leaf, "pairs");
		}
		check_pairs(held, memcg, jint(o, "id"), jint(o, "lists"), devs, touched);
		checked++;
	}
	assert_int_equal(checked, 7 + 1 + 7 * 2);
	assert_int_equal(jint(json_object_get(held, "totals"), "allocs"),
			 jint(json_object_get(held, "totals"), "owned"));
	if (fentry) {
		json_t *lat = json_object_get(json_object_get(held, "hist"), "latency_alloc_ns");
		json_int_t timed = 0;

		/* Every call that allocated a list was timed: one a list_lru for each superblock a
		 * leaf touched first (its chain's missing lists come in the same call), as the
		 * workload counts its touches. */
		json_array_foreach(lat, i, o)
			timed += json_integer_value(o);
		if (timed != alloc_calls)
			fail_msg("the workload's leaves first touched %lld (memcg, list_lru) pairs, each one "
				 "allocating call; lrutop timed %lld such calls", (long long)alloc_calls,
				 (long long)timed);
		assert_int_equal(jint(json_object_get(held, "totals"), "alloc_calls"), alloc_calls);
		/* The fast check (is the slot there?) is in memcg_list_lru_alloc up to 7.1, so
		 * most calls allocate nothing; from 7.2 it is in a wrapper and lrutop brackets
		 * the helper behind it, reached only when a slot is missing. */
		if (kernel_has_func("__memcg_list_lru_alloc"))
			assert_true(timed <= jint(json_object_get(held, "totals"), "calls"));
		else
			assert_true(3 * timed < jint(json_object_get(held, "totals"), "calls"));
	}
	assert_true(json_array_size(json_object_get(held, "lrus")) >= 2 * 5);
	json_decref(summary);
	json_decref(leaves);
	json_decref(devs);
	json_decref(held);
	json_decref(last);
	rmdir(mntdir);
}

/*
 * Before 5.18: every memcg-aware list_lru holds one kmalloc'd list_lru_one per node for
 * every memcg id. Creating memcgs grows the id space (new size = 2 * (id + 1), at least 4)
 * for all L list_lrus at once; mounting a tmpfs then allocates the whole id range for its
 * two list_lrus. L, the nodes and the id space are read from the kernel by lrutop at start
 * (its walk of the kernel's list of memcg-aware list_lrus, memcg_nr_cache_ids), so:
 *   lists = L x nodes x (ids - ids0) + 2 mounts x 2 list_lrus x nodes x ids,  32 bytes each.
 */
void test_kernel_eager_lists(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-test-mnt-XXXXXX", cmd[8192], one[4200];
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "--cumulative", "1", NULL };
	json_int_t ids0, ids, nodes, lrus0, lists, want, size, mount_lists;
	json_t *first, *before, *after, *ta, *g;
	bool fentry;
	size_t i;
	pid_t pid;
	FILE *f;

	if (!kernel_has_field("list_lru_node", "memcg_lrus"))
		skip();	/* 5.18+: lists are lazy, test_kernel_lazy_lists covers it */
	assert_true(cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) > 0);
	assert_non_null(mkdtemp(mntdir));
	f = spawn(argv, &pid, false);
	first = read_json_line(f);	/* attached; what the kernel had before */
	assert_non_null(first);
	check_backend(first);
	/* Five memcgs and their parent: ids grow to 10 at least, and stay so after removal. */
	snprintf(cmd, sizeof(cmd), "%s -r %s -d %s -n lrutop-eager -m 5 -t 1 -k 1",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, mntdir);
	assert_int_equal(run(cmd, NULL, 0), 0);
	before = report_after(f, time(NULL) + 1);
	snprintf(one, sizeof(one), "%s/one", mntdir);
	mkdir(one, 0755);
	snprintf(cmd, sizeof(cmd), "mount -t tmpfs lrutop-one %s", one);
	assert_int_equal(run(cmd, NULL, 0), 0);
	after = report_after(f, time(NULL) + 1);
	assert_int_equal(stop_lrutop(f, pid, SIGINT, 10), 0);
	assert_non_null(before);
	assert_non_null(after);

	lrus0 = jint(first, "memcg_lrus");
	ids0 = jint(first, "id_space");
	ids = jint(after, "id_space");
	nodes = jint(after, "nodes");
	assert_true(ids0 >= 0);	/* 0 on 5.10 until the first memcg */
	assert_true(ids >= 10);
	/* A freshly booted kernel (the guests) had no memcg before: six take ids 0 to 5, and
	 * the space grows once, at id 4, to 2 x (4 + 1). Ids are reused after removal. */
	if (getenv("LRUTOP_FRESH_KERNEL"))
		assert_int_equal(ids, 10);
	assert_true(lrus0 >= 2);
	/* The test's own tmpfs is the only list_lru pair added since the start. */
	assert_int_equal(jint(after, "memcg_lrus"), lrus0 + 2);
	ta = json_object_get(after, "totals");
	mount_lists = 2 * nodes * ids;
	want = lrus0 * nodes * (ids - ids0) + 2 * mount_lists;
	lists = jint(ta, "eager_allocs");
	if (lists != want)
		fail_msg("expected %lld eager lists = %lld list_lrus x %lld nodes x (%lld - %lld ids) + "
			 "2 mounts x %lld, lrutop counted %lld", (long long)want, (long long)lrus0,
			 (long long)nodes, (long long)ids, (long long)ids0, (long long)mount_lists,
			 (long long)lists);
	print_message("eager lists: %lld list_lrus x %lld nodes x ids %lld->%lld + 2 mounts x %lld = %lld, "
		      "%lld bytes\n", (long long)lrus0, (long long)nodes, (long long)ids0, (long long)ids,
		      (long long)mount_lists, (long long)lists, (long long)jint(ta, "eager_bytes"));
	assert_int_equal(jint(ta, "eager_bytes"), expected_eager_list_bytes() * lists);
	/* The workload's umount freed its tmpfs's lists, and nothing else was freed. */
	assert_int_equal(jint(ta, "eager_freed_bytes"), expected_eager_list_bytes() * mount_lists);
	/* The test's own mount, alone in the last interval. */
	assert_int_equal(jint(ta, "eager_allocs") -
			 jint(json_object_get(before, "totals"), "eager_allocs"), mount_lists);
	fentry = !strcmp(json_string_value(json_object_get(after, "backend")), "fentry");
	if (fentry) {
		/* (The lists' count against what the kernel's arrays hold, read by the inventory
		 * rather than counted as made: test_kernel_inventory_flow.) */
		/* Each growth starts where the last ended, and they end at the id space. */
		size = ids0;
		json_array_foreach(json_object_get(after, "growths"), i, g) {
			assert_int_equal(jint(g, "old_size"), size);
			assert_true(jint(g, "new_size") > size);
			size = jint(g, "new_size");
		}
		assert_int_equal(size, ids);
	}
	json_decref(first);
	json_decref(before);
	json_decref(after);
	snprintf(cmd, sizeof(cmd), "umount %s", one);
	run(cmd, NULL, 0);
	rmdir(one);
	rmdir(mntdir);
}
