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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include <bpf/btf.h>
#include "cgroup.h"

static const char *lrutop_bin(void)
{
	const char *bin = getenv("LRUTOP_BIN");

	return bin ? bin : "./lrutop";
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
static void test_workload_counts(void **state)
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
	int status, nlines = 0, checked = 0;

	if (cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) < 0)
		skip();	/* no memory controller mounted: nothing to measure */
	assert_non_null(mkdtemp(mntdir));
	snprintf(name, sizeof(name), "lrutop-test-%d", getpid());

	f = spawn(argv, &pid, false);
	/* The first report proves the programs are attached. */
	report = read_json_line(f);
	assert_non_null(report);
	assert_int_equal(jint(report, "version"), 1);
	json_decref(report);

	snprintf(cmd, sizeof(cmd), "build/workload -r %s -d %s -n %s -m 7 -t 5 -k 3 -D 2", cgroot,
		 mntdir, name);
	assert_int_equal(run(cmd, wl_out, sizeof(wl_out)), 0);
	/* Two more reports after the workload and its cleanup. */
	while (nlines < 2 && (report = read_json_line(f))) {
		json_decref(last);
		last = report;
		nlines++;
	}
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
		json_decref(wl);
		checked++;
	}
	assert_int_equal(checked, 7);
	json_decref(last);
	rmdir(mntdir);
}

static void test_probe_output(void **state)
{
	char out[8192], cmd[512];

	snprintf(cmd, sizeof(cmd), "%s --probe", lrutop_bin());
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "kernel: "));
	assert_non_null(strstr(out, "backend: "));
	assert_non_null(strstr(out, "memcg_list_lru_alloc"));
	assert_non_null(strstr(out, "list allocations and bytes         yes"));
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
		cmocka_unit_test(test_workload_counts),
		cmocka_unit_test(test_probe_output),
		cmocka_unit_test(test_not_root),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_signals_detach),
		cmocka_unit_test(test_screen_tmux),
	};

	return cmocka_run_group_tests_name("host", tests, setup_root, NULL);
}
