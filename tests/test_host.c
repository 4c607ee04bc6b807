// SPDX-License-Identifier: GPL-2.0
/*
 * Integration tests on the running kernel, as root: lrutop against a workload whose list
 * allocations are known exactly, error paths, detaching on signals, and the live screen
 * driven through tmux.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include <bpf/btf.h>
#include "cgroup.h"
#include "probe.h"

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static const char *lrutop_bin(void)
{
	return env_or("LRUTOP_BIN", "./lrutop");
}

/* Which list_lru this kernel has, from its BTF layout (as lrutop's own probe decides). */
static bool kernel_has_field(const char *type, const char *field)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	assert_non_null(btf);
	found = probe_btf_has_field(btf, type, field);
	btf__free(btf);
	return found;
}

/* Run argv with stdout (and stderr if err_too) on a pipe; returns the read end. */
static FILE *spawn(char *const argv[], pid_t *pid, bool err_too)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		if (err_too)
			dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	return fdopen(fds[0], "r");
}

/* Run a shell command, return its exit status and (if out) its output. */
static int run(const char *cmd, char *out, size_t len)
{
	char *const argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	size_t n = 0;
	int status;
	pid_t pid;
	FILE *f;

	f = spawn(argv, &pid, true);
	if (out && len) {
		n = fread(out, 1, len - 1, f);
		out[n] = '\0';
	}
	while (fgetc(f) != EOF)
		;
	fclose(f);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int wait_exit(pid_t pid, int timeout_s)
{
	int status;

	for (int i = 0; i < timeout_s * 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static int setup_root(void **state)
{
	if (geteuid() != 0) {
		fprintf(stderr, "host tests need root (they load BPF programs)\n");
		return -1;
	}
	return 0;
}

/* kmalloc's size classes up to 256: what bytes_alloc reports for a request. */
static unsigned int kmalloc_bucket(unsigned int size)
{
	static const unsigned int classes[] = { 8, 16, 32, 64, 96, 128, 192, 256 };

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (size <= classes[i])
			return classes[i];
	}
	return 0;
}

static int nr_node_ids(void)
{
	char buf[64] = "";
	int lo, hi;
	FILE *f = fopen("/sys/devices/system/node/possible", "r");

	if (!f)
		return 1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	if (sscanf(buf, "%d-%d", &lo, &hi) == 2)
		return hi + 1;
	return 1;
}

/* One lazily made list: struct list_lru_memcg = rcu head (16) + one list_lru_one per node. */
static unsigned int expected_list_bytes(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int id, one;

	assert_non_null(btf);
	id = btf__find_by_name_kind(btf, "list_lru_one", BTF_KIND_STRUCT);
	assert_true(id > 0);
	one = btf__resolve_size(btf, id);
	btf__free(btf);
	return kmalloc_bucket(16 + one * nr_node_ids());
}

static json_t *read_json_line(FILE *f)
{
	char line[1 << 16];
	json_error_t err;
	json_t *o;

	if (!fgets(line, sizeof(line), f))
		return NULL;
	o = json_loads(line, 0, &err);
	if (!o)
		fail_msg("lrutop printed a line that is not JSON (%s): %s", err.text, line);
	return o;
}

/* The first report taken after time t: reports queued while a slow (emulated) workload ran
 * are stale. */
static json_t *report_after(FILE *f, time_t t)
{
	json_t *r;

	while ((r = read_json_line(f))) {
		if (json_integer_value(json_object_get(r, "time")) > t)
			return r;
		json_decref(r);
	}
	return NULL;
}

static json_t *find_memcg(json_t *report, json_int_t id)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(report, "memcgs"), i, m) {
		if (json_integer_value(json_object_get(m, "id")) == id)
			return m;
	}
	return NULL;
}

static json_int_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("field '%s' is not a number", key);
	return json_integer_value(v);
}

/*
 * The core claim: each (memcg, superblock) pair first touched makes one list on each of the
 * superblock's two list_lrus, for the memcg and each ancestor lacking one, with the bytes
 * kmalloc reports; unmounting frees them all. Seven memcgs, two levels deep, over five
 * mounts, three each (prime counts make accidental matches unlikely).
 */
static void test_kernel_lazy_lists(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-test-mnt-XXXXXX", cmd[8192];
	char name[64], wl_out[8192];
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "--cumulative", "-r", "100000",
			 "1", NULL };
	json_t *report = NULL, *last = NULL, *m, *wl;
	unsigned int list_bytes = expected_list_bytes();
	const char *p;
	pid_t pid;
	FILE *f;
	int status, checked = 0;

	if (cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) < 0)
		skip();	/* no memory controller mounted: nothing to measure */
	if (!kernel_has_field("list_lru", "xa"))
		skip();	/* a pre-5.18 kernel: test_kernel_eager_lists covers it */
	assert_non_null(mkdtemp(mntdir));
	snprintf(name, sizeof(name), "lrutop-test-%d", getpid());

	f = spawn(argv, &pid, false);
	/* The first report proves the programs are attached. */
	report = read_json_line(f);
	assert_non_null(report);
	assert_int_equal(jint(report, "version"), 1);
	json_decref(report);

	snprintf(cmd, sizeof(cmd), "%s -r %s -d %s -n %s -m 7 -t 5 -k 3 -D 2",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, mntdir, name);
	assert_int_equal(run(cmd, wl_out, sizeof(wl_out)), 0);
	/* A report of an interval that began after the workload and its cleanup ended. */
	last = report_after(f, time(NULL) + 1);
	kill(pid, SIGINT);
	while (fgetc(f) != EOF)
		;
	fclose(f);
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(last);

	for (p = wl_out; *p; p = strchrnul(p, '\n'), p += *p == '\n') {
		json_error_t jerr;
		json_int_t lists, allocs;

		wl = json_loadb(p, strchrnul(p, '\n') - p, 0, &jerr);
		if (!wl)
			fail_msg("workload output is not JSON: %s", p);
		m = find_memcg(last, jint(wl, "id"));
		if (!m)
			fail_msg("no row for memcg %s (id %lld)", json_string_value(json_object_get(wl, "memcg")),
				 (long long)jint(wl, "id"));
		lists = jint(wl, "expected_lists");
		allocs = jint(m, "allocs");
		if (allocs != lists)
			fail_msg("%s: expected %lld lists, lrutop counted %lld",
				 json_string_value(json_object_get(wl, "memcg")), (long long)lists,
				 (long long)allocs);
		assert_int_equal(jint(m, "bytes"), lists * list_bytes);
		/* umount destroyed the list_lrus: every list was freed. */
		assert_int_equal(jint(m, "freed_bytes"), lists * list_bytes);
		assert_string_equal(json_string_value(json_object_get(m, "path")),
				    json_string_value(json_object_get(wl, "memcg")));
		assert_true(json_is_true(json_object_get(m, "removed")));
		if (!strcmp(json_string_value(json_object_get(last, "backend")), "fentry")) {
			/* Each file is one dentry and one inode from kmem_cache_alloc_lru; the
			 * allocator is called on every such object, and allocates far less. */
			assert_true(jint(m, "objs") >= 2 * jint(wl, "files"));
			assert_true(jint(m, "calls") >= jint(m, "lrus"));
			assert_int_equal(jint(m, "fails"), 0);
			assert_int_equal(jint(m, "lrus"), 2 * jint(wl, "mounts"));
		}
		json_decref(wl);
		checked++;
	}
	assert_int_equal(checked, 7);
	if (!strcmp(json_string_value(json_object_get(last, "backend")), "fentry")) {
		json_t *lat = json_object_get(json_object_get(last, "hist"), "latency_alloc_ns");

		/* Every call that allocated a list was timed. */
		assert_true(json_array_size(lat) > 0);
		assert_true(json_array_size(json_object_get(last, "lrus")) >= 2 * 5);
	}
	json_decref(last);
	rmdir(mntdir);
}


/*
 * Before 5.18: every memcg-aware list_lru holds one kmalloc'd list_lru_one per node for
 * every memcg id. Creating memcgs grows the id space (new size = 2 * (id + 1), at least 4);
 * mounting a tmpfs then allocates the whole id range for its two list_lrus at once.
 */
static void test_kernel_eager_lists(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-test-mnt-XXXXXX", cmd[8192], one[4200];
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "--cumulative", "1", NULL };
	json_t *before, *after, *tb, *ta, *g;
	json_int_t ids, nodes, d_allocs, size = 0;
	bool fentry;
	size_t i;
	pid_t pid;
	FILE *f;

	if (!kernel_has_field("list_lru_node", "memcg_lrus"))
		skip();	/* 5.18+: lists are lazy, test_kernel_lazy_lists covers it */
	assert_true(cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) > 0);
	assert_non_null(mkdtemp(mntdir));
	f = spawn(argv, &pid, false);
	json_decref(read_json_line(f));	/* attached */
	/* Five memcgs: ids grow past 4 to 10, and stay so after they are removed. */
	snprintf(cmd, sizeof(cmd), "%s -r %s -d %s -n lrutop-eager -m 5 -t 1 -k 1",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, mntdir);
	assert_int_equal(run(cmd, NULL, 0), 0);
	before = report_after(f, time(NULL) + 1);
	snprintf(one, sizeof(one), "%s/one", mntdir);
	mkdir(one, 0755);
	snprintf(cmd, sizeof(cmd), "mount -t tmpfs lrutop-one %s", one);
	assert_int_equal(run(cmd, NULL, 0), 0);
	after = report_after(f, time(NULL) + 1);
	kill(pid, SIGINT);
	while (fgetc(f) != EOF)
		;
	fclose(f);
	assert_int_equal(wait_exit(pid, 10), 0);
	assert_non_null(before);
	assert_non_null(after);

	ids = jint(after, "id_space");
	nodes = jint(after, "nodes");
	assert_true(ids >= 10);
	tb = json_object_get(before, "totals");
	ta = json_object_get(after, "totals");
	/* The mount: 2 list_lrus x nodes x ids lists of 32 bytes (kmalloc-32). */
	d_allocs = jint(ta, "eager_allocs") - jint(tb, "eager_allocs");
	if (d_allocs != 2 * nodes * ids)
		fail_msg("a tmpfs mount made %lld eager lists, expected 2 x %lld nodes x %lld ids",
			 (long long)d_allocs, (long long)nodes, (long long)ids);
	assert_int_equal(jint(ta, "eager_bytes") - jint(tb, "eager_bytes"), 32 * d_allocs);
	fentry = !strcmp(json_string_value(json_object_get(after, "backend")), "fentry");
	if (fentry) {
		/* Two views of one fact: kmallocs seen, and ids __memcg_init_list_lru_node covered. */
		assert_int_equal(jint(ta, "eager_ids"), jint(ta, "eager_allocs"));
		/* The id space grew through 4 to 10: each growth doubles id + 1. */
		json_array_foreach(json_object_get(after, "growths"), i, g) {
			json_int_t n = jint(g, "new_size");

			assert_true(n > size);
			size = n;
		}
		assert_int_equal(size, ids);
	}
	json_decref(before);
	json_decref(after);
	snprintf(cmd, sizeof(cmd), "umount %s", one);
	run(cmd, NULL, 0);
	rmdir(one);
	rmdir(mntdir);
}

static void test_kernel_probe(void **state)
{
	const char *backend = getenv("LRUTOP_EXPECT_BACKEND");
	char out[8192], cmd[512], want[128];

	snprintf(cmd, sizeof(cmd), "%s --probe", lrutop_bin());
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "kernel: "));
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

static int count_lrutop_progs(void)
{
	char out[1 << 16];

	/* bpftool names programs by their first 15 characters. */
	run("bpftool prog show | grep -c 'name handle_kmalloc\\|name handle_kfree'", out, sizeof(out));
	return atoi(out);
}

/* SIGINT, SIGTERM and SIGHUP all detach: no program of ours stays loaded. */
static void test_signals_detach(void **state)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	char *argv[] = { (char *)lrutop_bin(), "-b", "1", NULL };
	int before = count_lrutop_progs();
	char line[4096];
	pid_t pid;
	FILE *f;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		f = spawn(argv, &pid, false);
		assert_non_null(fgets(line, sizeof(line), f));	/* attached and reporting */
		assert_true(count_lrutop_progs() > before);
		kill(pid, sigs[i]);
		while (fgetc(f) != EOF)
			;
		fclose(f);
		assert_int_equal(wait_exit(pid, 5), 0);
		/* The kernel frees a released program from a work queue: give it a moment. */
		for (int t = 0; t < 30 && count_lrutop_progs() != before; t++)
			usleep(100000);
		assert_int_equal(count_lrutop_progs(), before);
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
	snprintf(cmd, sizeof(cmd), "tmux new-session -d -s lrutop-test -x 120 -y 40 '%s 0.5'",
		 lrutop_bin());
	assert_int_equal(run(cmd, NULL, 0), 0);
	if (!tmux_wait_for("MEMCG", out, sizeof(out)))
		fail_msg("no table on screen:\n%s", out);
	assert_non_null(strstr(out, "backend"));
	assert_non_null(strstr(out, "sort allocs"));
	run("tmux send-keys -t lrutop-test b", NULL, 0);
	if (!tmux_wait_for("sort bytes", out, sizeof(out)))
		fail_msg("'b' did not sort by bytes:\n%s", out);
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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_lazy_lists),
		cmocka_unit_test(test_kernel_eager_lists),
		cmocka_unit_test(test_kernel_probe),
		cmocka_unit_test(test_not_root),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_signals_detach),
		cmocka_unit_test(test_screen_tmux),
	};

	/* In a booted test kernel only the test_kernel_* tests apply (no tmux, no setpriv). */
	if (getenv("LRUTOP_TESTS"))
		cmocka_set_test_filter(getenv("LRUTOP_TESTS"));
	return cmocka_run_group_tests_name(env_or("LRUTOP_SUITE", "host"), tests, setup_root, NULL);
}
