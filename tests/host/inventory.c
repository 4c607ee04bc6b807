// SPDX-License-Identifier: GPL-2.0
/* test_host: The inventory: what the kernel holds now against the workload's arithmetic and the tracer's counts. */
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

/* What an inventory test leaves if it fails midway. */
static struct test_leftovers inv_left;

int inventory_teardown(void **state)
{
	leftovers_clean(&inv_left);
	return 0;
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
/*
 * Run `lrutop ARGS` (its output in out) while the memcgs of a workload (build/workload
 * WL_ARGS, named NAME-pid) hold the lists it made, then remove them. The workload's summary;
 * its lines in lines.
 */
static json_t *lrutop_over_workload(const char *name, const char *wl_args, const char *args,
				    char *out, size_t cap, json_t *lines)
{
	char cgroot[4096], mntdir[64], cmd[8192], keep[8300], wl_out[32768];
	json_t *summary;

	if (cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) < 0)
		fail_msg("no memory cgroup hierarchy is mounted: nothing to measure");
	snprintf(mntdir, sizeof(mntdir), "/tmp/%s-XXXXXX", name);
	assert_non_null(mkdtemp(mntdir));
	snprintf(cmd, sizeof(cmd), "%s -r %s -d %s -n %s-%d %s",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, mntdir, name, getpid(), wl_args);
	snprintf(keep, sizeof(keep), "%s --keep", cmd);
	snprintf(inv_left.cleanup, sizeof(inv_left.cleanup), "%s --cleanup", cmd);
	assert_int_equal(run(keep, wl_out, sizeof(wl_out)), 0);
	summary = workload_lines(wl_out, lines);
	snprintf(keep, sizeof(keep), "%s %s", lrutop_bin(), args);
	if (run(keep, out, cap))
		fail_msg("lrutop %s failed: %.2000s", args, out);
	assert_int_equal(run(strcat(cmd, " --cleanup"), NULL, 0), 0);
	rmdir(mntdir);
	return summary;
}

void test_kernel_inventory(void **state)
{
	json_t *inv, *summary, *lines = json_array(), *walk;
	json_error_t jerr;
	size_t cap = 1 << 22;
	char *inv_out = malloc(cap);

	assert_non_null(inv_out);
	/* 7 memcgs at once: a fresh 5.10's id space stays at 10 for the tests after. */
	summary = lrutop_over_workload("lrutop-inv", "-m 3 -t 4 -k 2 -D 2 -f 3", "inventory -j -r 0",
				       inv_out, cap, lines);
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
	/* Each memcg's path was made of the names the walk read from the kernel, not found by
	 * reading the cgroup tree; the checks below hold them to the paths the workload made. */
	if (jint(walk, "paths_dirs") || jint(walk, "paths_kernel") < 7)
		fail_msg("memcg paths: %lld of the kernel's names, %lld from the cgroup tree's directories",
			 (long long)jint(walk, "paths_kernel"), (long long)jint(walk, "paths_dirs"));
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
void test_kernel_inventory_flow(void **state)
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
 * The first report's held lists come from a pass walked during the first interval, in the
 * thread that loaded the inventory's programs, after the self-check: each memcg holds what
 * the workload made (5.18+), by the names the walk read (no index of the cgroup tree there),
 * the pass is no older than the interval, and the self-check's memcg holds nothing in it.
 */
void test_kernel_inventory_first_report(void **state)
{
	json_t *summary, *lines = json_array(), *r, *inv, *o, *m = NULL;
	json_error_t jerr;
	size_t cap = 1 << 22, i, j;
	char *out = malloc(cap);
	double age;

	assert_non_null(out);
	summary = lrutop_over_workload("lrutop-first", "-m 3 -t 2 -k 2 -D 2 -f 3",
				       "-b -j -r 100000 --inventory-interval 60 0.5 1", out, cap, lines);
	r = json_loads(strchr(out, '{') ? strchr(out, '{') : out, JSON_DISABLE_EOF_CHECK, &jerr);
	if (!r)
		fail_msg("lrutop -b -j is not JSON (%s): %.500s", jerr.text, out);
	inv = json_object_get(r, "inventory");
	if (!json_is_object(inv))
		fail_msg("the first report has no inventory: %s",
			 json_dumps(json_object_get(r, "unavailable"), 0));
	age = json_real_value(json_object_get(inv, "age_s"));
	print_message("first report: the inventory's pass %.3f s old, %lld lists held\n", age,
		      (long long)jint(json_object_get(inv, "totals"), "held_lists"));
	if (age < 0 || age > 0.5 + 0.5)
		fail_msg("the first report's pass is %.3f s old, its interval 0.5 s", age);
	/* Before 5.18 every id holds a list on every list_lru: no owner's count to hold it to. */
	json_array_foreach(kernel_has_field("list_lru", "xa") ? json_object_get(summary, "owners") :
			   NULL, i, o) {
		json_array_foreach(json_object_get(r, "memcgs"), j, m) {
			if (jint(m, "id") == jint(o, "id"))
				break;
		}
		if (j == json_array_size(json_object_get(r, "memcgs")))
			fail_msg("the first report has no row for %s, which holds %lld lists",
				 json_string_value(json_object_get(o, "memcg")), (long long)jint(o, "lists"));
		if (jint(m, "held_lists") != jint(o, "lists"))
			fail_msg("%s holds %lld lists, the first report says %lld",
				 json_string_value(json_object_get(o, "memcg")), (long long)jint(o, "lists"),
				 (long long)jint(m, "held_lists"));
		assert_string_equal(json_string_value(json_object_get(m, "path")),
				    json_string_value(json_object_get(o, "memcg")));
	}
	json_array_foreach(json_object_get(r, "memcgs"), j, m) {
		const char *path = json_string_value(json_object_get(m, "path"));

		if (path && strstr(path, "lrutop-self-check") && jint(m, "held_lists"))
			fail_msg("the first report's pass counted the self-check's %lld lists (%s)",
				 (long long)jint(m, "held_lists"), path);
	}
	json_decref(r);
	json_decref(summary);
	json_decref(lines);
	free(out);
}

/*
 * A superblock's list_lrus live inside it: unmount two tmpfs and mount two more, and the
 * kernel often puts each new superblock at an old one's address with the other's anonymous
 * dev. lrutop must name the list_lru at an address by the superblock there now, as the
 * inventory (which reads it fresh each pass) does (a CI run once saw a list charged to an
 * unmounted tmpfs's dev this way).
 */
void test_lru_address_reuse(void **state)
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
