// SPDX-License-Identifier: GPL-2.0
/* test_host: What lrutop writes: Prometheus, JSON Lines against the schema, snapshots; refusals. */
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

/* lrutop as an exporter (argv), once it has written its textfile. */
static FILE *spawn_exporter(char *const argv[], const char *file, pid_t *pid)
{
	struct stat st;
	FILE *f = spawn(argv, pid, false);

	for (int tries = 0; tries < 300 && stat(file, &st); tries++)
		usleep(100000);
	assert_int_equal(stat(file, &st), 0);
	return f;
}

/*
 * Exporter mode on this kernel: the textfile replaced every 0.2 s while a reader re-reads it
 * for 3 s (every read must be whole), the same metrics over HTTP on loopback, a memcg with a
 * quote and a backslash in its name among the series, and nothing left behind after SIGTERM.
 */
void test_prometheus_export(void **state)
{
	char cgroot[4096], dir[] = "/tmp/lrutop-prom-XXXXXX", mntdir[] = "/tmp/lrutop-test-mnt-XXXXXX";
	char file[128], listen[64], url[128], cmd[8192], want[256];
	char *argv[] = { (char *)lrutop_bin(), "--prometheus", file, "--listen", listen, "0.2", NULL };
	const char *name = "lrutop-q\"b\\s";
	int port = 20000 + getpid() % 20000;
	pid_t pid;
	FILE *f;
	DIR *d;
	struct dirent *e;

	cgroot_or_skip(cgroot, sizeof(cgroot));
	assert_non_null(mkdtemp(dir));
	assert_non_null(mkdtemp(mntdir));
	snprintf(file, sizeof(file), "%s/lrutop.prom", dir);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", port);
	f = spawn_exporter(argv, file, &pid);
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

static bool timespec_after(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec != b->tv_sec ? a->tv_sec > b->tv_sec : a->tv_nsec > b->tv_nsec;
}

/* The value of family{cgroup="path"...} in the exposition text, -1 if no such sample. */
static long long prom_value(const char *text, const char *family, const char *path)
{
	char want[512];
	const char *p;
	size_t len;

	len = snprintf(want, sizeof(want), "%s{cgroup=\"%s\"", family, path);
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, want, len) && (p[len] == '}' || p[len] == ','))
			return strtoll(strchr(p + len, ' ') + 1, NULL, 10);
	}
	return -1;
}

/*
 * fentry: a memcg's latency histogram counts each of its calls once. Its _count (the
 * histogram BPF keeps at the memcg's row) equals its calls counter (the row's own), in an
 * export taken after its workload ended. The tracepoint backend times no call: no histogram
 * then, rather than one of zeros (seen on the host; a guest's tracepoint pass, whose time
 * CI counts, leaves it to the host).
 */
void test_kernel_memcg_latency(void **state)
{
	char cgroot[4096], dir[] = "/tmp/lrutop-lat-XXXXXX", mntdir[] = "/tmp/lrutop-lat-mnt-XXXXXX";
	char file[128], name[64], path[128], cmd[8192], text[1 << 16];
	char *argv[] = { (char *)lrutop_bin(), "--prometheus", file, "0.3", NULL };
	const char *hist = "lrutop_memcg_list_lru_alloc_duration_seconds_count";
	long long count, calls;
	struct timespec written;
	struct stat st;
	pid_t pid;
	FILE *f;
	int fd;
	ssize_t n;

	cgroot_or_skip(cgroot, sizeof(cgroot));
	lazy_or_skip();
	if (!strcmp(env_or("LRUTOP_EXPECT_BACKEND", ""), "tracepoint"))
		return;
	assert_non_null(mkdtemp(dir));
	assert_non_null(mkdtemp(mntdir));
	snprintf(file, sizeof(file), "%s/lrutop.prom", dir);
	snprintf(name, sizeof(name), "lrutop-lat-%d", getpid());
	f = spawn_exporter(argv, file, &pid);
	snprintf(cmd, sizeof(cmd), "%s -r %s -d %s -n %s -m 2 -t 2 -k 2 -f 3 --keep > /dev/null",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, mntdir, name);
	assert_int_equal(run(cmd, NULL, 0), 0);
	/* Two exports after the work: the second holds every call. */
	assert_int_equal(stat(file, &st), 0);
	for (int k = 0, waits = 0; k < 2 && waits < 200; k++) {
		written = st.st_mtim;
		while (!stat(file, &st) && !timespec_after(&st.st_mtim, &written) && waits++ < 200)
			usleep(50000);
	}
	fd = open(file, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	assert_true(n > 0);
	text[n] = '\0';
	assert_int_equal(stop_lrutop(f, pid, SIGTERM, 10), 0);
	snprintf(cmd, sizeof(cmd), "%s -r %s -d %s -n %s -m 2 -t 2 -k 2 -f 3 --cleanup > /dev/null",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, mntdir, name);
	assert_int_equal(run(cmd, NULL, 0), 0);
	unlink(file);
	rmdir(dir);
	rmdir(mntdir);
	if (!strstr(text, "backend=\"fentry\"")) {
		if (strstr(text, hist))
			fail_msg("a %s family without the fentry backend, which times no call", hist);
		return;
	}
	if (!strstr(text, hist))
		fail_msg("no %s family with the fentry backend", hist);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/%s/m%d", name, i);
		count = prom_value(text, hist, path);
		calls = prom_value(text, "lrutop_list_lru_alloc_calls_total", path);
		if (count <= 0 || count != calls)
			fail_msg("%s: the latency histogram counted %lld calls, the calls counter %lld",
				 path, count, calls);
	}
}

/* Every line of -b -j (with -l and -H, so every optional part) against the documented
 * schema, while the workload makes lists. */
void test_json_schema(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-test-mnt-XXXXXX", out[] = "/tmp/lrutop-jsonl-XXXXXX";
	char cmd[8192];
	int fd, status;
	pid_t pid;

	cgroot_or_skip(cgroot, sizeof(cgroot));
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
void test_snapshot_host(void **state)
{
	char cgroot[4096], mntdir[] = "/tmp/lrutop-test-mnt-XXXXXX", out[] = "/tmp/lrutop-snap-XXXXXX";
	char cmd[8192], wl[4600], text[8192], *last;
	json_t *snap, *start, *end, *wlsum;
	json_error_t jerr;
	int fd;

	cgroot_or_skip(cgroot, sizeof(cgroot));
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

void test_not_root(void **state)
{
	char out[4096], cmd[512];

	snprintf(cmd, sizeof(cmd), "setpriv --reuid=nobody --regid=nogroup --clear-groups "
		 "--inh-caps=-all %s -b 1 1", lrutop_bin());
	assert_int_equal(run(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "needs root"));
	/* One line, no more. */
	assert_int_equal(strchr(out, '\n') - out, (long)strlen(out) - 1);
}

void test_bad_args(void **state)
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
