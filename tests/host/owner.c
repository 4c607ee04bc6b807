// SPDX-License-Identifier: GPL-2.0
/* test_host: Owner and cause: nested memcgs on mounts of their own, each list charged to the memcg whose slot it fills and to the one whose allocation made it. */
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

int owner_cause_teardown(void **state)
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

/* Does report r count all the lists of the leaves (ids id[0], id[1]) freed? */
static bool leaves_freed(json_t *r, const json_int_t *id)
{
	json_int_t want = 2 * OWNER_K * expected_list_bytes();

	return memcg_field(r, id[0], "freed_bytes") == want &&
	       memcg_field(r, id[1], "freed_bytes") == want;
}

/*
 * rmdir the leaves c and d, then the first report (of the next 20) in which lrutop counts all
 * their lists freed: offlining is asynchronous. Else the last of those, NULL if none.
 */
static json_t *removed_leaves_freed(FILE *f, const char *c, const char *d, const json_int_t *id)
{
	json_t *r, *last = NULL;

	assert_int_equal(rmdir(c), 0);
	assert_int_equal(rmdir(d), 0);
	for (int n = 0; n < 20 && (r = read_json_line(f)); n++) {
		json_decref(last);
		last = r;
		if (leaves_freed(r, id))
			break;
	}
	return last;
}

/* a, a/b, its leaves c and d, and OWNER_K tmpfs mounts, in owner_env. */
static void owner_make(const char *cgroot)
{
	char *a = owner_env.a, *b = owner_env.b, *c = owner_env.c, *d = owner_env.d;

	snprintf(a, sizeof(owner_env.a), "%s/lrutop-owner-%d", cgroot, getpid());
	snprintf(b, sizeof(owner_env.b), "%s/b", a);
	snprintf(c, sizeof(owner_env.c), "%s/c", b);
	snprintf(d, sizeof(owner_env.d), "%s/d", b);
	make_memcg(cgroot, a);
	make_memcg(a, b);
	make_memcg(b, c);
	make_memcg(b, d);
	for (int i = 0; i < OWNER_K; i++) {
		snprintf(owner_env.dirs[i], sizeof(owner_env.dirs[i]), "/tmp/lrutop-owner-XXXXXX");
		assert_non_null(mkdtemp(owner_env.dirs[i]));
		assert_int_equal(mount("lrutop-owner", owner_env.dirs[i], "tmpfs", 0, "size=64k"), 0);
	}
}

/*
 * lrutop while c and d each touch every mount, then while they are removed: its report
 * with the lists held (returned), and the one with the leaves' lists freed (or its last).
 * id: the ids of a, b, c and d.
 */
static json_t *owner_measure(json_t **freed, json_int_t *id, int *status)
{
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "--cumulative", "-r", "100000", "1", NULL };
	json_t *report, *held;
	pid_t pid;
	FILE *f;

	f = spawn(argv, &pid, false);
	report = read_json_line(f);	/* attached */
	assert_non_null(report);
	check_backend(report);
	json_decref(report);

	touch_from_memcg(owner_env.c, owner_env.dirs, OWNER_K, "c");
	touch_from_memcg(owner_env.d, owner_env.dirs, OWNER_K, "d");
	held = report_after(f, time(NULL) + 1);
	id[0] = memcg_id(owner_env.a);
	id[1] = memcg_id(owner_env.b);
	id[2] = memcg_id(owner_env.c);
	id[3] = memcg_id(owner_env.d);
	*freed = removed_leaves_freed(f, owner_env.c, owner_env.d, id + 2);
	*status = stop_lrutop(f, pid, SIGINT, 10);
	assert_non_null(held);
	return held;
}

void test_kernel_owner_cause(void **state)
{
	char cgroot[4096];
	json_t *held, *freed;
	json_int_t id[4];
	int status;

	if (cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) < 0)
		fail_msg("no memory cgroup hierarchy is mounted: nothing to measure");
	lazy_or_skip();	/* before 5.18 every list belongs to every memcg id */
	for (int tries = 1; ; tries++) {
		owner_make(cgroot);
		held = owner_measure(&freed, id, &status);
		if (!measure_again(freed ? freed : held, tries))
			break;
		json_decref(held);
		json_decref(freed);
		owner_cause_teardown(NULL);
	}

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
	if (!freed || !leaves_freed(freed, id + 2))
		fail_msg("c and d removed: lrutop did not count their %d lists each freed",
			 2 * OWNER_K);
	assert_int_equal(memcg_field(freed, id[0], "freed_bytes"), 0);
	assert_int_equal(memcg_field(freed, id[1], "freed_bytes"), 0);
	json_decref(freed);
	assert_int_equal(status, 0);
}
