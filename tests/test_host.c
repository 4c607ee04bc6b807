// SPDX-License-Identifier: GPL-2.0
/*
 * Integration tests on the running kernel, as root: lrutop against a workload whose list
 * allocations are known exactly, error paths, detaching on signals, and the live screen
 * driven through tmux.
 */
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

/* The backend LRUTOP_EXPECT_BACKEND names (the guests know theirs), if it names one. */
static void check_backend(json_t *report)
{
	const char *want = getenv("LRUTOP_EXPECT_BACKEND");
	const char *got = json_string_value(json_object_get(report, "backend"));

	if (want && strcmp(want, got))
		fail_msg("lrutop chose the %s backend where %s must work", got, want);
}

/* The same for a text report's first line: "HH:MM:SS RELEASE BACKEND, ...". */
static void check_backend_line(const char *line)
{
	const char *want = getenv("LRUTOP_EXPECT_BACKEND");
	char got[32] = "";

	if (sscanf(line, "%*s %*s %31[a-z]", got) != 1)
		fail_msg("not a report's first line: %s", line);
	if (want && strcmp(want, got))
		fail_msg("lrutop chose the %s backend where %s must work", got, want);
}

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
static void test_kernel_lazy_lists(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-test-mnt-XXXXXX", cmd[8192];
	char name[64], wl_out[32768], keep[8300];
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "-l", "--cumulative", "-r", "100000",
			 "1", NULL };
	json_t *report = NULL, *held = NULL, *last = NULL, *m, *wl, *summary = NULL, *o;
	json_t *devs = json_object(), *leaves = json_array();
	unsigned int list_bytes = expected_list_bytes();
	json_int_t alloc_calls = 0;
	bool fentry;
	const char *p;
	pid_t pid;
	FILE *f;
	int checked = 0;
	size_t i;

	if (cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) < 0)
		fail_msg("no memory cgroup hierarchy is mounted: nothing to measure");
	if (!kernel_has_field("list_lru", "xa"))
		skip();	/* a pre-5.18 kernel: test_kernel_eager_lists covers it */
	assert_non_null(mkdtemp(mntdir));
	snprintf(name, sizeof(name), "lrutop-test-%d", getpid());

	f = spawn(argv, &pid, false);
	/* The first report proves the programs are attached. */
	report = read_json_line(f);
	assert_non_null(report);
	assert_int_equal(jint(report, "version"), 1);
	check_backend(report);
	assert_true(json_is_true(json_object_get(json_object_get(report, "self_check"), "ok")));
	fentry = !strcmp(json_string_value(json_object_get(report, "backend")), "fentry");
	json_decref(report);

	snprintf(cmd, sizeof(cmd), "%s -r %s -d %s -n %s -m 7 -t 5 -k 3 -D 2 -f 10",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, mntdir, name);
	snprintf(keep, sizeof(keep), "%s --keep", cmd);
	assert_int_equal(run(keep, wl_out, sizeof(wl_out)), 0);
	/* Held: a report of an interval that began after the workload made its lists. */
	held = report_after(f, time(NULL) + 1);
	assert_int_equal(run(strcat(cmd, " --cleanup"), NULL, 0), 0);
	/* Freed: one that began after the cleanup. */
	last = report_after(f, time(NULL) + 1);
	assert_int_equal(stop_lrutop(f, pid, SIGINT, 10), 0);
	assert_non_null(held);
	assert_non_null(last);

	for (p = wl_out; *p; p = strchrnul(p, '\n'), p += *p == '\n') {
		json_error_t jerr;
		json_int_t lists;

		wl = json_loadb(p, strchrnul(p, '\n') - p, 0, &jerr);
		if (!wl)
			fail_msg("workload output is not JSON: %s", p);
		if (json_object_get(wl, "summary")) {
			summary = json_incref(json_object_get(wl, "summary"));
			json_decref(wl);
			continue;
		}
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
			assert_int_equal(jint(m, "fails"), 0);
		}
		assert_int_equal(jint(m, "lrus"), 2 * jint(wl, "mounts"));
		json_array_foreach(json_object_get(wl, "pairs"), i, o)
			alloc_calls += 2 * (jint(o, "lists_per_lru") > 0);
		json_array_append(leaves, wl);
		json_decref(wl);
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


/* mkdir a memcg; on cgroup v2 its parent first hands it the memory controller. */
static void make_memcg(const char *parent, const char *path)
{
	char ctl[4300];
	FILE *f;

	snprintf(ctl, sizeof(ctl), "%s/cgroup.subtree_control", parent);
	f = fopen(ctl, "w");
	if (f) {	/* cgroup v1 has no such file: every memcg has the controller */
		assert_true(fputs("+memory", f) >= 0);
		assert_int_equal(fclose(f), 0);
	}
	assert_int_equal(mkdir(path, 0755), 0);
}

/* From inside memcg path, create file name in each directory of dirs. */
static void touch_from_memcg(const char *path, char dirs[][64], int n, const char *name)
{
	char procs[4300];
	int fd, status;
	pid_t pid;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char file[128];

		if (write(fd, "0", 1) != 1)
			_exit(2);
		for (int i = 0; i < n; i++) {
			snprintf(file, sizeof(file), "%s/%s", dirs[i], name);
			if (close(open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)))
				_exit(3);
		}
		_exit(0);
	}
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static json_int_t memcg_id(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static json_int_t memcg_field(json_t *report, json_int_t id, const char *key)
{
	json_t *m = find_memcg(report, id);

	return m ? jint(m, key) : 0;
}

/*
 * Owner and cause: a/b/c then its sibling a/b/d touch K fresh tmpfs. c's allocations make a
 * list on each of a superblock's two list_lrus for c, b and a (none had one); d's only for
 * d. Each list belongs to the memcg whose slot it fills: a, a/b, c and d each own 2K. c
 * caused 6K and d 2K.
 */
#define OWNER_K 7

/* What test_kernel_owner_cause makes, removed by its teardown whether it passed or not. */
static struct {
	char a[4160], b[4170], c[4180], d[4180], dirs[OWNER_K][64];
} owner_env;

static int owner_cause_teardown(void **state)
{
	for (int i = 0; i < OWNER_K && owner_env.dirs[i][0]; i++) {
		umount(owner_env.dirs[i]);
		rmdir(owner_env.dirs[i]);
	}
	rmdir(owner_env.d);
	rmdir(owner_env.c);
	rmdir(owner_env.b);
	rmdir(owner_env.a);
	memset(&owner_env, 0, sizeof(owner_env));
	return 0;
}

/*
 * rmdir the leaves c and d, then the first report (of the next 20) in which lrutop counts all
 * their lists freed: offlining is asynchronous. NULL if none did.
 */
static json_t *removed_leaves_freed(FILE *f, const char *c, const char *d, const json_int_t *id)
{
	json_int_t want = 2 * OWNER_K * expected_list_bytes();
	json_t *r;
	int done;

	assert_int_equal(rmdir(c), 0);
	assert_int_equal(rmdir(d), 0);
	for (int n = 0; n < 20 && (r = read_json_line(f)); n++) {
		done = 0;
		for (int i = 0; i < 2; i++)
			done += memcg_field(r, id[i], "freed_bytes") == want;
		if (done == 2)
			return r;
		json_decref(r);
	}
	return NULL;
}

static void test_kernel_owner_cause(void **state)
{
	char *a = owner_env.a, *b = owner_env.b, *c = owner_env.c, *d = owner_env.d;
	char (*dirs)[64] = owner_env.dirs, cgroot[4096];
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "--cumulative", "-r", "100000", "1", NULL };
	json_t *report, *held, *freed;
	json_int_t id[4];
	pid_t pid;
	FILE *f;
	int status;

	if (cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) < 0)
		fail_msg("no memory cgroup hierarchy is mounted: nothing to measure");
	if (!kernel_has_field("list_lru", "xa"))
		skip();	/* before 5.18 every list belongs to every memcg id */
	snprintf(a, sizeof(owner_env.a), "%s/lrutop-owner-%d", cgroot, getpid());
	snprintf(b, sizeof(owner_env.b), "%s/b", a);
	snprintf(c, sizeof(owner_env.c), "%s/c", b);
	snprintf(d, sizeof(owner_env.d), "%s/d", b);
	make_memcg(cgroot, a);
	make_memcg(a, b);
	make_memcg(b, c);
	make_memcg(b, d);
	for (int i = 0; i < OWNER_K; i++) {
		snprintf(dirs[i], sizeof(owner_env.dirs[i]), "/tmp/lrutop-owner-XXXXXX");
		assert_non_null(mkdtemp(dirs[i]));
		assert_int_equal(mount("lrutop-owner", dirs[i], "tmpfs", 0, "size=64k"), 0);
	}
	f = spawn(argv, &pid, false);
	report = read_json_line(f);	/* attached */
	assert_non_null(report);
	check_backend(report);
	json_decref(report);

	touch_from_memcg(c, dirs, OWNER_K, "c");
	touch_from_memcg(d, dirs, OWNER_K, "d");
	held = report_after(f, time(NULL) + 1);
	id[0] = memcg_id(a);
	id[1] = memcg_id(b);
	id[2] = memcg_id(c);
	id[3] = memcg_id(d);
	freed = removed_leaves_freed(f, c, d, id + 2);
	status = stop_lrutop(f, pid, SIGINT, 10);
	assert_non_null(held);

	for (int i = 0; i < 4; i++)
		assert_int_equal(memcg_field(held, id[i], "allocs"), 2 * OWNER_K);
	assert_int_equal(memcg_field(held, id[0], "caused_allocs"), 0);
	assert_int_equal(memcg_field(held, id[1], "caused_allocs"), 0);
	assert_int_equal(memcg_field(held, id[2], "caused_allocs"), 6 * OWNER_K);
	assert_int_equal(memcg_field(held, id[3], "caused_allocs"), 2 * OWNER_K);
	assert_int_equal(memcg_field(held, id[2], "bytes"), 2 * OWNER_K * expected_list_bytes());
	json_decref(held);
	/* Removed with their mounts still there: the kernel frees their lists as they go
	 * offline (reparenting, after an RCU grace period); a and a/b keep theirs. */
	if (!freed)
		fail_msg("c and d removed: lrutop did not count their %d lists each freed",
			 2 * OWNER_K);
	assert_int_equal(memcg_field(freed, id[0], "freed_bytes"), 0);
	assert_int_equal(memcg_field(freed, id[1], "freed_bytes"), 0);
	json_decref(freed);
	assert_int_equal(status, 0);
}

/*
 * Before 5.18: every memcg-aware list_lru holds one kmalloc'd list_lru_one per node for
 * every memcg id. Creating memcgs grows the id space (new size = 2 * (id + 1), at least 4)
 * for all L list_lrus at once; mounting a tmpfs then allocates the whole id range for its
 * two list_lrus. L, the nodes and the id space are read from the kernel by lrutop at start
 * (its walk of the kernel's list of memcg-aware list_lrus, memcg_nr_cache_ids), so:
 *   lists = L x nodes x (ids - ids0) + 2 mounts x 2 list_lrus x nodes x ids,  32 bytes each.
 */
static void test_kernel_eager_lists(void **state)
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

/* What an inventory test leaves if it fails midway: lrutop, and the workload to clean up. */
static struct {
	pid_t lrutop;
	char cleanup[8300];
} inv_left;

static int inventory_teardown(void **state)
{
	if (inv_left.lrutop > 0) {
		kill(inv_left.lrutop, SIGKILL);
		waitpid(inv_left.lrutop, NULL, 0);
	}
	if (inv_left.cleanup[0])
		run(inv_left.cleanup, NULL, 0);
	memset(&inv_left, 0, sizeof(inv_left));
	return 0;
}

/* The workload's per-memcg JSON lines and its summary, parsed; the summary returned. */
static json_t *workload_lines(const char *out, json_t *lines)
{
	json_t *wl, *summary = NULL;
	json_error_t jerr;
	const char *p;

	for (p = out; *p; p = strchrnul(p, '\n'), p += *p == '\n') {
		wl = json_loadb(p, strchrnul(p, '\n') - p, 0, &jerr);
		if (!wl)
			fail_msg("workload output is not JSON: %s", p);
		if (json_object_get(wl, "summary")) {
			summary = json_incref(json_object_get(wl, "summary"));
			json_decref(wl);
			continue;
		}
		json_array_append_new(lines, wl);
	}
	assert_non_null(summary);
	return summary;
}

/* The list_lru rows of the inventory for superblock dev ("major:minor") and kind. */
static json_t *inventory_lru(json_t *inv, const char *dev, const char *kind)
{
	json_t *l;
	size_t i;

	json_array_foreach(json_object_get(inv, "lrus"), i, l) {
		if (!strcmp(json_string_value(json_object_get(l, "dev")), dev) &&
		    !strcmp(json_string_value(json_object_get(l, "kind")), kind))
			return l;
	}
	return NULL;
}

static json_t *inventory_memcg(json_t *inv, json_int_t id)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(inv, "memcgs"), i, m) {
		/* null: an id no memcg holds (before 5.18 every id has lists) */
		if (json_is_integer(json_object_get(m, "id")) && jint(m, "id") == id)
			return m;
	}
	return NULL;
}

/* Levels below the root of this process's memcg (cgroup v1's memory line, else v2's). */
static int own_memcg_levels(void)
{
	char line[4200], path[4096] = "/";
	int levels = 0;
	FILE *f = fopen("/proc/self/cgroup", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*d:memory:%4095s", path) == 1)
			break;
		sscanf(line, "0::%4095s", path);
	}
	fclose(f);
	for (const char *p = path; *p; p++)
		levels += *p == '/' && p[1];
	return levels;
}

/*
 * 5.18+: each memcg (ancestors included) holds the lists the workload predicts, and each
 * superblock's two list_lrus hold one list per memcg that put or parented an object there:
 * the workload's, and the chain of the memcg that mounted it (its root dentry and inode).
 */
static void check_inventory_lazy(json_t *inv, json_t *summary, json_t *lines)
{
	unsigned int list_bytes = expected_list_bytes();
	json_t *o, *m, *wl, *pair, *per_dev = json_object();
	const char *dev;
	size_t i, j;

	json_array_foreach(json_object_get(summary, "owners"), i, o) {
		m = inventory_memcg(inv, jint(o, "id"));
		if (!m)
			fail_msg("the inventory has no row for %s (id %lld), which holds %lld lists",
				 json_string_value(json_object_get(o, "memcg")), (long long)jint(o, "id"),
				 (long long)jint(o, "lists"));
		if (jint(m, "held_lists") != jint(o, "lists"))
			fail_msg("%s holds %lld lists, the inventory read %lld",
				 json_string_value(json_object_get(o, "memcg")), (long long)jint(o, "lists"),
				 (long long)jint(m, "held_lists"));
		assert_int_equal(jint(m, "held_bytes"), jint(o, "lists") * list_bytes);
		assert_string_equal(json_string_value(json_object_get(m, "path")),
				    json_string_value(json_object_get(o, "memcg")));
	}
	/* The top memcg made no file: its lists hold none of the objects. */
	o = json_array_get(json_object_get(summary, "owners"), 0);
	m = inventory_memcg(inv, jint(o, "id"));
	assert_int_equal(jint(m, "empty_lists"), jint(m, "held_lists"));
	json_array_foreach(lines, i, wl) {
		json_array_foreach(json_object_get(wl, "pairs"), j, pair) {
			dev = json_string_value(json_object_get(pair, "dev"));
			json_object_set_new(per_dev, dev, json_integer(jint(pair, "lists_per_lru") +
						(json_object_get(per_dev, dev) ? jint(per_dev, dev) : 0)));
		}
	}
	json_object_foreach(per_dev, dev, o) {
		json_integer_set(o, json_integer_value(o) + own_memcg_levels());
		for (int k = 0; k < 2; k++) {
			const char *kind = k ? "inode" : "dentry";
			json_t *l = inventory_lru(inv, dev, kind);

			if (!l)
				fail_msg("the inventory has no %s list_lru for the tmpfs at %s", kind, dev);
			if (jint(l, "held_lists") != json_integer_value(o))
				fail_msg("the %s list_lru of the tmpfs at %s holds %lld lists, the inventory read %lld",
					 kind, dev, (long long)json_integer_value(o), (long long)jint(l, "held_lists"));
		}
	}
	json_decref(per_dev);
}

/* Before 5.18: every id has a list on every list_lru on every node, memcg or not. */
static void check_inventory_eager(json_t *inv, json_t *summary)
{
	json_t *t = json_object_get(inv, "totals"), *o, *m;
	json_int_t lrus = jint(t, "list_lrus"), k = jint(inv, "nodes"), n = jint(inv, "ids");
	size_t i;

	assert_true(n > 0);
	if (jint(t, "held_lists") != lrus * k * n)
		fail_msg("%lld list_lrus x %lld nodes x %lld ids = %lld lists, the inventory read %lld",
			 (long long)lrus, (long long)k, (long long)n, (long long)(lrus * k * n),
			 (long long)jint(t, "held_lists"));
	assert_int_equal(jint(t, "held_bytes"), jint(t, "held_lists") * expected_eager_list_bytes());
	assert_int_equal(jint(t, "bookkeeping_bytes"), lrus * k * kmalloc_bucket(16 + 8 * n));
	json_array_foreach(json_object_get(summary, "owners"), i, o) {
		m = inventory_memcg(inv, jint(o, "id"));
		if (!m || jint(m, "held_lists") != lrus * k)
			fail_msg("%s: %lld lists read, every id has %lld (%lld list_lrus x %lld nodes)",
				 json_string_value(json_object_get(o, "memcg")),
				 m ? (long long)jint(m, "held_lists") : -1LL, (long long)(lrus * k),
				 (long long)lrus, (long long)k);
	}
}

/* lrutop model --from an inventory: its list_lrus, nodes and held lists are the model's. */
static void check_model_from_inventory(json_t *inv, const char *text)
{
	char file[] = "/tmp/lrutop-inv-XXXXXX", cmd[512], out[8192];
	json_t *m, *in;
	int fd = mkstemp(file);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s model -j --from %s", lrutop_bin(), file);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	unlink(file);
	m = json_loads(out, 0, NULL);
	assert_non_null(m);
	in = json_object_get(m, "inputs");
	assert_int_equal(jint(in, "pairs"), jint(json_object_get(inv, "totals"), "held_lists"));
	assert_int_equal(jint(in, "list_lrus"), jint(json_object_get(inv, "totals"), "list_lrus"));
	assert_int_equal(jint(in, "nodes"), jint(inv, "nodes"));
	json_decref(m);
}

/*
 * lrutop inventory reads what the kernel holds now, whenever it was made: memcgs three
 * levels deep put files on fresh tmpfs mounts before lrutop runs at all.
 */
static void test_kernel_inventory(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-test-inv-XXXXXX", cmd[8192], keep[8300];
	char wl_out[32768], *inv_out;
	json_t *inv, *summary, *lines = json_array(), *walk;
	json_error_t jerr;
	size_t cap = 1 << 22;

	if (cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) < 0)
		fail_msg("no memory cgroup hierarchy is mounted: nothing to measure");
	assert_non_null(mkdtemp(mntdir));
	inv_out = malloc(cap);
	assert_non_null(inv_out);
	/* 7 memcgs at once: a fresh 5.10's id space stays at 10 for the tests after. */
	snprintf(cmd, sizeof(cmd), "%s -r %s -d %s -n lrutop-inv-%d -m 3 -t 4 -k 2 -D 2 -f 3",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, mntdir, getpid());
	snprintf(keep, sizeof(keep), "%s --keep", cmd);
	snprintf(inv_left.cleanup, sizeof(inv_left.cleanup), "%s --cleanup", cmd);
	assert_int_equal(run(keep, wl_out, sizeof(wl_out)), 0);
	summary = workload_lines(wl_out, lines);
	snprintf(keep, sizeof(keep), "%s inventory -j -r 0", lrutop_bin());
	if (run(keep, inv_out, cap))
		fail_msg("lrutop inventory failed: %.2000s", inv_out);
	assert_int_equal(run(strcat(cmd, " --cleanup"), NULL, 0), 0);
	rmdir(mntdir);
	inv = json_loads(inv_out, 0, &jerr);
	if (!inv)
		fail_msg("lrutop inventory -j is not JSON (%s): %.500s", jerr.text, inv_out);
	walk = json_object_get(inv, "walk");
	print_message("inventory: %lld list_lrus, %lld lists held; %lld runs, %.2f ms CPU, longest run %.3f ms\n",
		      (long long)jint(json_object_get(inv, "totals"), "list_lrus"),
		      (long long)jint(json_object_get(inv, "totals"), "held_lists"),
		      (long long)jint(walk, "runs"), json_real_value(json_object_get(walk, "cpu_ms")),
		      json_real_value(json_object_get(walk, "max_run_ms")));
	/* The ring's head alone is no list_lru; nothing was dropped. */
	assert_int_equal(jint(walk, "rejected"), 1);
	assert_int_equal(jint(walk, "drops"), 0);
	if (kernel_has_field("list_lru", "xa")) {
		check_inventory_lazy(inv, summary, lines);
		check_model_from_inventory(inv, inv_out);
	} else {
		check_inventory_eager(inv, summary);
	}
	json_decref(inv);
	json_decref(summary);
	json_decref(lines);
	free(inv_out);
}

/* Lists made less lists freed since start, by the flow counters; and held, by the inventory. */
static void flow_and_held(json_t *r, bool eager, unsigned int list_bytes, json_int_t *flow,
			  json_int_t *held)
{
	json_t *t = json_object_get(r, "totals");

	if (eager)
		*flow = jint(t, "eager_allocs") - jint(t, "eager_freed_bytes") / list_bytes;
	else
		*flow = jint(t, "allocs") - jint(t, "freed_bytes") / list_bytes;
	*held = jint(json_object_get(json_object_get(r, "inventory"), "totals"), "held_lists");
}

/*
 * Over an interval, what the inventory finds held changes by what the flow counters saw
 * made less what they saw freed: lists made by memcgs on fresh mounts, then freed with
 * their superblocks. (Before 5.18 /proc/slabinfo's kmalloc-32 is held against the inventory
 * at a scale where it can tell: scripts/model-vm.sh.)
 */
static void test_kernel_inventory_flow(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-test-flow-XXXXXX", cmd[8192], keep[8300];
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "--cumulative", "-r", "1",
			 "--inventory-interval", "0.1", "1", NULL };
	bool eager = !kernel_has_field("list_lru", "xa");
	unsigned int list_bytes = eager ? expected_eager_list_bytes() : expected_list_bytes();
	json_int_t flow[3], held[3];
	json_t *r[3] = {};
	int tries, status;
	pid_t pid;
	FILE *f;

	if (cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) < 0)
		fail_msg("no memory cgroup hierarchy is mounted: nothing to measure");
	assert_non_null(mkdtemp(mntdir));
	snprintf(cmd, sizeof(cmd), "%s -r %s -d %s -n lrutop-flow-%d -m 3 -t 3 -k 2 -D 2 -f 2",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, mntdir, getpid());
	snprintf(keep, sizeof(keep), "%s --keep", cmd);
	snprintf(inv_left.cleanup, sizeof(inv_left.cleanup), "%s --cleanup", cmd);
	f = spawn(argv, &pid, false);
	inv_left.lrutop = pid;
	r[0] = read_json_line(f);
	assert_non_null(r[0]);
	check_backend(r[0]);
	/* A host may make lists of its own in an interval: up to three tries there, one in a
	 * kernel booted for the tests. */
	for (tries = 0; tries < (getenv("LRUTOP_FRESH_KERNEL") ? 1 : 3); tries++) {
		for (int i = 0; i < 3; i++)
			json_decref(r[i]);
		r[0] = report_after(f, time(NULL) + 1);
		assert_int_equal(run(keep, NULL, 0), 0);
		r[1] = report_after(f, time(NULL) + 1);
		snprintf(keep + strlen(cmd), sizeof(keep) - strlen(cmd), " --cleanup");
		assert_int_equal(run(keep, NULL, 0), 0);
		snprintf(keep + strlen(cmd), sizeof(keep) - strlen(cmd), " --keep");
		r[2] = report_after(f, time(NULL) + 1);
		assert_non_null(r[0]);
		assert_non_null(r[1]);
		assert_non_null(r[2]);
		for (int i = 0; i < 3; i++)
			flow_and_held(r[i], eager, list_bytes, &flow[i], &held[i]);
		print_message("inventory flow: held %lld -> %lld -> %lld lists, flow %lld -> %lld -> %lld\n",
			      (long long)held[0], (long long)held[1], (long long)held[2],
			      (long long)flow[0], (long long)flow[1], (long long)flow[2]);
		if (held[1] - held[0] == flow[1] - flow[0] && held[2] - held[1] == flow[2] - flow[1])
			break;
	}
	status = stop_lrutop(f, pid, SIGINT, 10);
	inv_left.lrutop = 0;
	rmdir(mntdir);
	assert_int_equal(status, 0);
	assert_true(held[1] > held[0]);
	if (held[1] - held[0] != flow[1] - flow[0])
		fail_msg("the inventory found %lld more lists held, the flow counters %lld made less freed",
			 (long long)(held[1] - held[0]), (long long)(flow[1] - flow[0]));
	if (held[2] - held[1] != flow[2] - flow[1])
		fail_msg("after the cleanup the inventory found %lld lists fewer, the flow counters %lld",
			 (long long)(held[1] - held[2]), (long long)(flow[1] - flow[2]));
	for (int i = 0; i < 3; i++)
		json_decref(r[i]);
}

/*
 * A superblock's list_lrus live inside it: unmount two tmpfs and mount two more, and the
 * kernel often puts each new superblock at an old one's address with the other's anonymous
 * dev. lrutop must name the list_lru at an address by the superblock there now, as the
 * inventory (which reads it fresh each pass) does (a CI run once saw a list charged to an
 * unmounted tmpfs's dev this way).
 */
static void test_lru_address_reuse(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-test-reuse-XXXXXX", cmd[8192], *inv_out;
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "-l", "--cumulative", "-r", "10",
			 "--inventory-interval", "0", "0.3", NULL };
	json_t *r, *l, *inv, *il;
	int compared = 0, status;
	pid_t pid;
	FILE *f;
	size_t i, j;

	if (cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) < 0)
		fail_msg("no memory cgroup hierarchy is mounted: nothing to measure");
	if (!kernel_has_field("list_lru", "xa"))
		return;	/* before 5.18 lrutop keeps no row per list_lru */
	assert_non_null(mkdtemp(mntdir));
	inv_out = malloc(1 << 20);
	assert_non_null(inv_out);
	f = spawn(argv, &pid, false);
	inv_left.lrutop = pid;
	r = read_json_line(f);
	assert_non_null(r);
	check_backend(r);
	json_decref(r);
	for (int it = 0; it < 6; it++) {
		snprintf(cmd, sizeof(cmd), "%s -r %s -d %s/r%d -n lrutop-reuse-%d-%d -m 1 -t 2 -k 2",
			 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, mntdir, it, getpid(), it);
		snprintf(inv_left.cleanup, sizeof(inv_left.cleanup), "%s --cleanup", cmd);
		assert_int_equal(run(strcat(cmd, " --keep"), NULL, 0), 0);
		r = report_after(f, time(NULL) + 1);
		assert_non_null(r);
		snprintf(inv_out, 1 << 20, "%s inventory -j -r 0", lrutop_bin());
		assert_int_equal(run(inv_out, inv_out, 1 << 20), 0);
		inv = json_loads(inv_out, 0, NULL);
		assert_non_null(inv);
		json_array_foreach(json_object_get(inv, "lrus"), i, il) {
			json_array_foreach(json_object_get(r, "lrus"), j, l) {
				if (jint(l, "addr") != jint(il, "addr"))
					continue;
				compared++;
				if (strcmp(json_string_value(json_object_get(l, "dev")),
					   json_string_value(json_object_get(il, "dev"))))
					fail_msg("round %d: lrutop names the list_lru at %lld by dev %s; the superblock there now has dev %s",
						 it, (long long)jint(l, "addr"),
						 json_string_value(json_object_get(l, "dev")),
						 json_string_value(json_object_get(il, "dev")));
			}
		}
		json_decref(inv);
		json_decref(r);
		cmd[strlen(cmd) - strlen(" --keep")] = '\0';
		assert_int_equal(run(strcat(cmd, " --cleanup"), NULL, 0), 0);
		inv_left.cleanup[0] = '\0';
	}
	status = stop_lrutop(f, pid, SIGINT, 10);
	inv_left.lrutop = 0;
	rmdir(mntdir);
	free(inv_out);
	assert_int_equal(status, 0);
	print_message("list_lru address reuse: %d list_lrus named alike by lrutop and the inventory\n",
		      compared);
	assert_true(compared > 0);
}

static void test_kernel_probe(void **state)
{
	const char *backend = getenv("LRUTOP_EXPECT_BACKEND");
	char out[8192], cmd[512], want[128], cgroot[4096], memcg[4200] = "";
	bool eager = !kernel_has_field("list_lru", "xa");

	/* Before 5.18 a mount makes lists only once a memcg id is in use (a booted test
	 * kernel may have none yet; a real host always has). */
	if (eager && cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) > 0) {
		snprintf(memcg, sizeof(memcg), "%s/lrutop-probe-%d", cgroot, getpid());
		assert_int_equal(mkdir(memcg, 0755), 0);
	}
	snprintf(cmd, sizeof(cmd), "%s --probe", lrutop_bin());
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	if (memcg[0])
		rmdir(memcg);
	assert_non_null(strstr(out, "kernel: "));
	/* The backend chosen counted the self-check's lists exactly. */
	if (!strstr(out, "\nself-check: passed: "))
		fail_msg("the self-check did not pass:\n%s", out);
	if (backend) {
		/* Booted test kernels allow fentry: the preferred backend must be the one used. */
		snprintf(want, sizeof(want), "backend: %s (", backend);
		if (!strstr(out, want))
			fail_msg("expected '%s' in:\n%s", want, out);
	}
	if (kernel_has_field("list_lru", "xa")) {
		assert_non_null(strstr(out, "memcg_list_lru_alloc           btf  kallsyms"));
		assert_non_null(strstr(out, "list allocations and bytes         yes"));
	} else {
		assert_non_null(strstr(out, "__memcg_init_list_lru_node     btf  kallsyms"));
		assert_non_null(strstr(out, "eager allocations (pre-5.18)       yes"));
	}
}

#define HOT_DATAGRAMS 10007	/* prime: an accidental match is unlikely */
#define HOT_PROGS 64

/* A booted test kernel may have lo down: bring it up (root). */
static void loopback_up(int fd)
{
	struct ifreq ifr = { .ifr_name = "lo" };

	assert_int_equal(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	if (ifr.ifr_flags & IFF_UP)
		return;
	ifr.ifr_flags |= IFF_UP;
	assert_int_equal(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
}

/* HOT_DATAGRAMS datagrams of 1,400 bytes to ourselves on loopback: each skb head is
 * kmalloc'd and kfree'd, and no list_lru is touched (the socket exists before). */
static void udp_loopback(int fd)
{
	struct sockaddr_in to;
	socklen_t len = sizeof(to);
	char buf[1400] = "lrutop";

	assert_int_equal(getsockname(fd, (struct sockaddr *)&to, &len), 0);
	for (int i = 0; i < HOT_DATAGRAMS; i++) {
		assert_int_equal(sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&to, len),
				 sizeof(buf));
		assert_int_equal(recv(fd, buf, sizeof(buf), 0), sizeof(buf));
	}
}

/* Is the program attached to the event named (kmalloc: kmalloc_node too, its own tracepoint
 * before 6.1)? */
static bool attached_to(const struct attached_prog *p, const char *event)
{
	return !strncmp(p->target, event, strlen(event));
}

/*
 * Nothing on the hot path. With fentry, no program of lrutop's is on kmalloc, kmalloc_node
 * or kfree, and an allocation-heavy workload that touches no list_lru runs none of its
 * programs. The tracepoint backend runs one on each of its kmallocs and kfrees: that proves
 * the workload allocates, and what fentry spares.
 */
static void test_kernel_hot_path(void **state)
{
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "1", NULL };
	struct sockaddr_in self = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct attached_prog progs[HOT_PROGS];
	unsigned long long all = 0, kmallocs = 0, kfrees = 0, runs, before[HOT_PROGS];
	json_t *report;
	bool fentry, on_kmalloc = false, on_kfree = false;
	int stats, sock, n;
	pid_t pid;
	FILE *f;

	stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
	assert_true(stats >= 0);
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(sock >= 0);
	loopback_up(sock);
	assert_int_equal(bind(sock, (struct sockaddr *)&self, sizeof(self)), 0);
	f = spawn(argv, &pid, false);
	report = read_json_line(f);	/* attached */
	assert_non_null(report);
	check_backend(report);
	fentry = !strcmp(json_string_value(json_object_get(report, "backend")), "fentry");
	json_decref(report);

	/* The fds stay open through the workload: opening one makes a dentry (an object of a
	 * list_lru's, which lrutop's fentry programs see). */
	n = lrutop_attached(progs, HOT_PROGS);
	attached_refresh(progs, n);	/* the fds opened after each program's first read */
	for (int i = 0; i < n; i++)
		before[i] = progs[i].run_cnt;
	udp_loopback(sock);
	attached_refresh(progs, n);
	for (int i = 0; i < n; i++) {
		runs = progs[i].run_cnt - before[i];
		all += runs;
		if (attached_to(&progs[i], "kmalloc")) {
			on_kmalloc = true;
			kmallocs += runs;
		} else if (attached_to(&progs[i], "kfree")) {
			on_kfree = true;
			kfrees += runs;
		}
		if (runs)
			print_message("  %s on %s: %llu runs\n", progs[i].name, progs[i].target, runs);
	}
	attached_close(progs, n);
	print_message("%s: %d datagrams ran lrutop's programs %llu times (%llu on kmalloc, %llu on kfree)\n",
		      fentry ? "fentry" : "tracepoint", HOT_DATAGRAMS, all, kmallocs, kfrees);
	assert_int_equal(stop_lrutop(f, pid, SIGINT, 10), 0);
	close(sock);
	close(stats);
	assert_true(n > 0);
	if (fentry) {
		if (on_kmalloc || on_kfree)
			fail_msg("fentry backend with a program on kmalloc or kfree");
		assert_int_equal(all, 0);
	} else {
		assert_true(on_kmalloc && on_kfree);
		assert_true(kmallocs >= HOT_DATAGRAMS);
		assert_true(kfrees >= HOT_DATAGRAMS);
	}
}

/*
 * Exporter mode on this kernel: the textfile replaced every 0.2 s while a reader re-reads it
 * for 3 s (every read must be whole), the same metrics over HTTP on loopback, a memcg with a
 * quote and a backslash in its name among the series, and nothing left behind after SIGTERM.
 */
static void test_prometheus_export(void **state)
{
	char cgroot[4096], dir[] = "/tmp/lrutop-prom-XXXXXX", mntdir[] = "/tmp/lrutop-test-mnt-XXXXXX";
	char file[128], listen[64], url[128], cmd[8192], want[256];
	char *argv[] = { (char *)lrutop_bin(), "--prometheus", file, "--listen", listen, "0.2", NULL };
	const char *name = "lrutop-q\"b\\s";
	struct stat st;
	int port = 20000 + getpid() % 20000, tries;
	pid_t pid;
	FILE *f;
	DIR *d;
	struct dirent *e;

	if (cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) < 0)
		skip();
	assert_non_null(mkdtemp(dir));
	assert_non_null(mkdtemp(mntdir));
	snprintf(file, sizeof(file), "%s/lrutop.prom", dir);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", port);
	f = spawn(argv, &pid, false);
	for (tries = 0; tries < 300 && stat(file, &st); tries++)
		usleep(100000);
	assert_int_equal(stat(file, &st), 0);
	snprintf(cmd, sizeof(cmd), "%s -r %s -d %s -n '%s' -m 2 -t 2 -k 1 > /dev/null",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, mntdir, name);
	assert_int_equal(run(cmd, NULL, 0), 0);
	usleep(600000);	/* the next export */
	snprintf(want, sizeof(want), "/%s/m0", name);
	snprintf(cmd, sizeof(cmd), "tests/check_prom.py --file %s --watch 3 --expect-cgroup '%s'",
		 file, want);
	if (run(cmd, cmd, sizeof(cmd)))
		fail_msg("%s", cmd);
	snprintf(cmd, sizeof(cmd), "tests/check_prom.py --url %s --expect-cgroup '%s'", url, want);
	if (run(cmd, cmd, sizeof(cmd)))
		fail_msg("%s", cmd);
	/* The self-check's verdict is a series of its own. */
	snprintf(cmd, sizeof(cmd), "grep -x 'lrutop_self_check_ok 1' %s", file);
	if (run(cmd, NULL, 0))
		fail_msg("no 'lrutop_self_check_ok 1' in %s", file);
	assert_int_equal(stop_lrutop(f, pid, SIGTERM, 10), 0);
	/* Only the file itself: no temporary file was left behind. */
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] != '.' && strcmp(e->d_name, "lrutop.prom"))
			fail_msg("left behind in %s: %s", dir, e->d_name);
	}
	closedir(d);
	unlink(file);
	rmdir(dir);
	rmdir(mntdir);
}

/* Every line of -b -j (with -l and -H, so every optional part) against the documented
 * schema, while the workload makes lists. */
static void test_json_schema(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-test-mnt-XXXXXX", out[] = "/tmp/lrutop-jsonl-XXXXXX";
	char cmd[8192];
	int fd, status;
	pid_t pid;

	if (cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) < 0)
		skip();
	assert_non_null(mkdtemp(mntdir));
	fd = mkstemp(out);
	assert_true(fd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		execl(lrutop_bin(), lrutop_bin(), "-b", "-j", "-l", "-H", "0.5", "6", NULL);
		_exit(127);
	}
	close(fd);
	usleep(1500000);
	snprintf(cmd, sizeof(cmd), "%s -r %s -d %s -n lrutop-schema -m 3 -t 2 -k 2 -D 2 > /dev/null",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, mntdir);
	assert_int_equal(run(cmd, NULL, 0), 0);
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(cmd, sizeof(cmd), "tests/check_jsonl.py --min-lines 6 docs/lrutop-jsonl.schema.json %s", out);
	if (run(cmd, cmd, sizeof(cmd)))
		fail_msg("%s", cmd);
	unlink(out);
	rmdir(mntdir);
}

/*
 * lrutop snapshot around a kept workload on this kernel: the record names itself, the
 * workload's mounts show as exactly two memcg-aware list_lrus each between start and end,
 * the lists measured cover at least what the workload predicts, and the model's pre-patch
 * count follows from the start and end it records.
 */
static void test_snapshot_host(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-test-mnt-XXXXXX", out[] = "/tmp/lrutop-snap-XXXXXX";
	char cmd[8192], wl[4600], text[8192], *last;
	json_t *snap, *start, *end, *wlsum;
	json_error_t jerr;
	int fd;

	if (cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) < 0)
		skip();
	assert_non_null(mkdtemp(mntdir));
	fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	snprintf(wl, sizeof(wl), "%s -r %s -d %s -n lrutop-snap -m 4 -t 3 -k 1 -S 1 -D 2",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, mntdir);
	snprintf(cmd, sizeof(cmd), "%s snapshot -o %s -L memcgs=4 -- %s --keep", lrutop_bin(), out, wl);
	assert_int_equal(run(cmd, text, sizeof(text)), 0);
	snprintf(cmd, sizeof(cmd), "%s --cleanup", wl);
	run(cmd, NULL, 0);
	last = strstr(text, "{\"summary\"");
	assert_non_null(last);
	wlsum = json_loadb(last, strchrnul(last, '\n') - last, 0, &jerr);
	assert_non_null(wlsum);
	snap = json_load_file(out, 0, &jerr);
	assert_non_null(snap);
	assert_string_equal(json_string_value(json_object_get(snap, "kind")), "lrutop-snapshot");
	assert_string_equal(json_string_value(json_object_get(json_object_get(snap, "labels"), "memcgs")), "4");
	start = json_object_get(snap, "start");
	end = json_object_get(snap, "end");
	assert_int_equal(jint(end, "memcg_lrus") - jint(start, "memcg_lrus"), 2 * (3 + 1));
	assert_true(jint(end, "memcgs") >= jint(start, "memcgs") + 4 * 2 + 1);
	if (kernel_has_field("list_lru", "xa")) {
		json_t *pre = json_object_get(json_object_get(snap, "model"), "pre_patch");

		assert_true(jint(json_object_get(snap, "measured"), "lists") >=
			    jint(json_object_get(wlsum, "summary"), "expected_lists"));
		assert_int_equal(jint(pre, "lists"),
				 jint(end, "memcg_lrus") * jint(snap, "nodes") * jint(end, "ids") -
				 jint(start, "memcg_lrus") * jint(snap, "nodes") * jint(start, "ids"));
		/* What the kernel held at the end less at the start: the lists the workload
		 * made and kept (the host may add a few of its own). */
		start = json_object_get(json_object_get(json_object_get(snap, "inventory"), "start"), "totals");
		end = json_object_get(json_object_get(json_object_get(snap, "inventory"), "end"), "totals");
		assert_non_null(start);
		assert_non_null(end);
		assert_true(jint(end, "held_lists") - jint(start, "held_lists") >=
			    jint(json_object_get(wlsum, "summary"), "expected_lists"));
	}
	json_decref(wlsum);
	json_decref(snap);
	unlink(out);
	rmdir(mntdir);
}

static void test_not_root(void **state)
{
	char out[4096], cmd[512];

	snprintf(cmd, sizeof(cmd), "setpriv --reuid=nobody --regid=nogroup --clear-groups "
		 "--inh-caps=-all %s -b 1 1", lrutop_bin());
	assert_int_equal(run(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "needs root"));
	/* One line, no more. */
	assert_int_equal(strchr(out, '\n') - out, (long)strlen(out) - 1);
}

static void test_bad_args(void **state)
{
	static const char *const bad[] = { "-s nope", "0", "1 2 3", "--backend kprobe", "-j" };
	char out[4096], cmd[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s %s", lrutop_bin(), bad[i]);
		if (run(cmd, out, sizeof(out)) != 2)
			fail_msg("'%s' did not exit 2: %s", cmd, out);
		assert_non_null(strstr(out, "lrutop: "));
	}
}

/* The backend lrutop attaches here by default, from --probe's "backend: NAME (...)" line. */
static void default_backend(char name[32])
{
	char cmd[512], out[16384], *b;

	snprintf(cmd, sizeof(cmd), "%s --probe", lrutop_bin());
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	b = strstr(out, "\nbackend: ");
	assert_non_null(b);
	assert_int_equal(sscanf(b, "\nbackend: %31[a-z]", name), 1);
}

/* Run lrutop with LRUTOP_FAULT_SELF_CHECK=blind and these arguments: its exit status, and
 * its stdout and stderr in out. */
static int run_blind(const char *blind, const char *args, char *out, size_t len)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "LRUTOP_FAULT_SELF_CHECK=%s %s %s 2>&1", blind, lrutop_bin(), args);
	return run(cmd, out, len);
}

static void assert_has(const char *out, const char *text, const char *what)
{
	if (!strstr(out, text))
		fail_msg("%s: no '%s' in: %s", what, text, out);
}

/*
 * A self-check that fails (LRUTOP_FAULT_SELF_CHECK blinds a backend to what its check made,
 * as on a kernel whose lists it cannot see): fentry falls back to the tracepoint backend,
 * which counts them; with both blind, or the tracepoint backend unable to attach (kallsyms
 * hidden), lrutop stays on fentry and says so. A batch run then exits 1 with the check's
 * result and reports nothing; an exporter keeps running with lrutop_self_check_ok 0; a
 * snapshot records it, and lrutop compare --check refuses it.
 */
static void test_kernel_self_check_failure(void **state)
{
	char backend[32], out[65536], args[512], prom[] = "/tmp/lrutop-sc-XXXXXX";
	const char *blind;
	int fd, rc, restrict_fd;

	default_backend(backend);
	if (getenv("LRUTOP_EXPECT_BACKEND") && strcmp(backend, getenv("LRUTOP_EXPECT_BACKEND")))
		fail_msg("lrutop chose the %s backend where %s must work", backend,
			 getenv("LRUTOP_EXPECT_BACKEND"));
	if (!strcmp(backend, "fentry")) {
		/* fentry blind: the tracepoint backend takes over, its own check passed. */
		assert_int_equal(run_blind("fentry", "--probe", out, sizeof(out)), 0);
		assert_has(out, "\nbackend: tracepoint", "fentry blind");
		assert_has(out, "\nself-check: passed", "fentry blind");
		/* Both blind: fentry stays, with its failed check and the other's. */
		assert_int_equal(run_blind("fentry,tracepoint", "-b 0.2 1", out, sizeof(out)), 1);
		assert_has(out, "self-check FAILED", "both blind");
		assert_has(out, "(tracepoint backend: failed too)", "both blind");
		assert_has(out, "not reporting", "both blind");
		blind = "fentry,tracepoint";
		/* kallsyms hidden, so no call site for the tracepoint backend: fentry stays.
		 * (Before 5.18 fentry then counts nothing either: its check does not run.) */
		if (!kernel_has_field("list_lru", "xa"))
			goto exporter;
		restrict_fd = open("/proc/sys/kernel/kptr_restrict", O_RDWR | O_CLOEXEC);
		assert_true(restrict_fd >= 0);
		assert_true(read(restrict_fd, args, 8) > 0);
		assert_int_equal(pwrite(restrict_fd, "2\n", 2, 0), 2);
		rc = run_blind("fentry", "-b 0.2 1", out, sizeof(out));
		assert_true(pwrite(restrict_fd, args, 2, 0) > 0);
		close(restrict_fd);
		assert_int_equal(rc, 1);
		assert_has(out, "self-check FAILED", "fentry blind, kallsyms hidden");
		assert_has(out, "(tracepoint backend: ", "fentry blind, kallsyms hidden");
	} else {
		blind = backend;
		assert_int_equal(run_blind(blind, "-b 0.2 1", out, sizeof(out)), 1);
		assert_has(out, "self-check FAILED", backend);
		assert_has(out, "not reporting", backend);
	}
exporter:
	/* An exporter keeps running and says so: a metric an alert can fire on. */
	fd = mkstemp(prom);
	assert_true(fd >= 0);
	close(fd);
	snprintf(args, sizeof(args), "--prometheus %s 0.2 1", prom);
	assert_int_equal(run_blind(blind, args, out, sizeof(out)), 0);
	run(strcat(strcpy(out, "cat "), prom), out, sizeof(out));
	unlink(prom);
	assert_has(out, "\nlrutop_self_check_ok 0\n", "exporter");
	/* A snapshot records it (not through the guests' backend wrapper: on the host only). */
	if (!getenv("LRUTOP_EXPECT_BACKEND")) {
		snprintf(args, sizeof(args), "snapshot -o %s -- true", prom);
		assert_int_equal(run_blind(blind, args, out, sizeof(out)), 0);
		assert_has(out, "self-check FAILED", "snapshot");
		snprintf(args, sizeof(args), "%s compare --check 5 %s %s 2>&1", lrutop_bin(), prom, prom);
		run(args, out, sizeof(out));
		unlink(prom);
		assert_has(out, "self-check failed there", "compare --check");
	}
}

/*
 * SIGINT, SIGTERM and SIGHUP all detach: no program or link of ours stays loaded, whichever
 * backend is attached (the guests run this with fentry).
 */
static void test_kernel_signals_detach(void **state)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	char *argv[] = { (char *)lrutop_bin(), "-b", "1", NULL };
	int before = count_lrutop_bpf();
	char line[4096];
	pid_t pid;
	FILE *f;

	/* The kernel frees a released program from a work queue: the lrutops of the tests
	 * before this one may still be leaving. Wait (5 s at most) for them to be gone. */
	for (int t = 0; t < 50 && before; t++) {
		usleep(100000);
		before = count_lrutop_bpf();
	}
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		f = spawn(argv, &pid, false);
		assert_non_null(fgets(line, sizeof(line), f));	/* attached and reporting */
		check_backend_line(line);
		assert_true(count_lrutop_bpf() > before);
		assert_int_equal(stop_lrutop(f, pid, sigs[i], 5), 0);
		/* Give the work queue a moment. Fewer than before is someone else's leaving. */
		for (int t = 0; t < 30 && count_lrutop_bpf() > before; t++)
			usleep(100000);
		if (count_lrutop_bpf() > before)
			fail_msg("after %s, %d of lrutop's programs and links still loaded",
				 strsignal(sigs[i]), count_lrutop_bpf() - before);
	}
}

static void tmux_capture(char *out, size_t len)
{
	run("tmux capture-pane -p -t lrutop-test", out, len);
}

static bool tmux_wait_for(const char *text, char *out, size_t len)
{
	for (int i = 0; i < 50; i++) {
		tmux_capture(out, len);
		if (strstr(out, text))
			return true;
		usleep(100000);
	}
	return false;
}

/* The live screen, for real: a terminal, keys, a resize, and 'q'. */
static void test_screen_tmux(void **state)
{
	char cmd[1024], out[1 << 16];

	run("tmux kill-session -t lrutop-test", NULL, 0);
	unlink("/tmp/lrutop-test.rc");
	/* Its exit status to a file: tmux says nothing of it. */
	snprintf(cmd, sizeof(cmd), "tmux new-session -d -s lrutop-test -x 120 -y 40 "
		 "'%s 0.5; echo $? > /tmp/lrutop-test.rc'", lrutop_bin());
	assert_int_equal(run(cmd, NULL, 0), 0);
	if (!tmux_wait_for("MEMCG", out, sizeof(out)))
		fail_msg("no table on screen:\n%s", out);
	/* The header names the backend. */
	assert_true(strstr(out, " tracepoint, ") || strstr(out, " fentry, "));
	assert_non_null(strstr(out, "sort allocs"));
	run("tmux send-keys -t lrutop-test b", NULL, 0);
	if (!tmux_wait_for("sort bytes", out, sizeof(out)))
		fail_msg("'b' did not sort by bytes:\n%s", out);
	run("tmux send-keys -t lrutop-test w", NULL, 0);
	if (!tmux_wait_for("by cause", out, sizeof(out)) || !strstr(out, "CAUSED"))
		fail_msg("'w' did not switch to lists by cause:\n%s", out);
	run("tmux send-keys -t lrutop-test w", NULL, 0);
	if (!tmux_wait_for("by owner", out, sizeof(out)))
		fail_msg("'w' did not switch back to lists by owner:\n%s", out);
	run("tmux send-keys -t lrutop-test H", NULL, 0);
	if (!tmux_wait_for("per memcg", out, sizeof(out)))
		fail_msg("'H' showed no histogram:\n%s", out);
	run("tmux resize-window -t lrutop-test -x 80 -y 24", NULL, 0);
	if (!tmux_wait_for("MEMCG", out, sizeof(out)))
		fail_msg("nothing on screen after a resize:\n%s", out);
	run("tmux send-keys -t lrutop-test q", NULL, 0);
	for (int i = 0; i < 50 && run("tmux has-session -t lrutop-test", NULL, 0) == 0; i++)
		usleep(100000);
	if (run("tmux has-session -t lrutop-test", NULL, 0) == 0) {
		run("tmux kill-session -t lrutop-test", NULL, 0);
		fail_msg("'q' did not quit");
	}
	run("cat /tmp/lrutop-test.rc", out, sizeof(out));
	unlink("/tmp/lrutop-test.rc");
	if (strcmp(out, "0\n"))
		fail_msg("the live screen quit with status '%s'", out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_lazy_lists),
		cmocka_unit_test_teardown(test_kernel_owner_cause, owner_cause_teardown),
		/* The probe first: on a fresh pre-5.18 kernel it leaves the id space non-empty, so
		 * the eager test's lrutop runs its self-check for real and must keep it apart. */
		cmocka_unit_test(test_kernel_probe),
		cmocka_unit_test(test_kernel_hot_path),
		cmocka_unit_test(test_kernel_eager_lists),
		/* After the eager test: its memcgs would grow a fresh 5.10's id space first. */
		cmocka_unit_test_teardown(test_kernel_inventory, inventory_teardown),
		cmocka_unit_test_teardown(test_kernel_inventory_flow, inventory_teardown),
		cmocka_unit_test_teardown(test_lru_address_reuse, inventory_teardown),
		cmocka_unit_test(test_prometheus_export),
		cmocka_unit_test(test_json_schema),
		cmocka_unit_test(test_snapshot_host),
		cmocka_unit_test(test_not_root),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_kernel_self_check_failure),
		cmocka_unit_test(test_kernel_signals_detach),
		cmocka_unit_test(test_screen_tmux),
	};

	/* In a booted test kernel only the test_kernel_* tests apply (no tmux, no setpriv). */
	if (getenv("LRUTOP_TESTS"))
		cmocka_set_test_filter(getenv("LRUTOP_TESTS"));
	return cmocka_run_group_tests_name(env_or("LRUTOP_SUITE", "host"), tests, setup_root, NULL);
}
