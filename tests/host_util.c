// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "host_util.h"
#include "lrutop.h"
#include "kernel/cgroup.h"
#include "kernel/probe.h"
#include "kernel/slab.h"
#include "lrutop.skel.h"
#include "inventory.skel.h"

const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

const char *lrutop_bin(void)
{
	return env_or("LRUTOP_BIN", "./lrutop");
}

/* Which list_lru this kernel has, from its BTF layout (as lrutop's own probe decides). */
bool kernel_has_field(const char *type, const char *field)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	assert_non_null(btf);
	found = probe_btf_has_field(btf, type, field);
	btf__free(btf);
	return found;
}

bool kernel_has_func(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	assert_non_null(btf);
	found = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return found;
}

/* Is a loaded program or map named name (cut to 15 characters by the kernel) one of obj's?
 * A map of a skeleton's sections is named by the object's first 8 characters. */
static bool is_ours(struct bpf_object *obj, const char *name, bool map)
{
	struct bpf_program *prog;
	struct bpf_map *m;

	if (!map) {
		bpf_object__for_each_program(prog, obj) {
			if (!strncmp(bpf_program__name(prog), name, BPF_OBJ_NAME_LEN - 1))
				return true;
		}
		return false;
	}
	bpf_object__for_each_map(m, obj) {
		if (!strncmp(bpf_map__name(m), name, BPF_OBJ_NAME_LEN - 1))
			return true;
	}
	return false;
}

/* Every program, link and map loaded now that is of an object lrutop loads: the tracer's
 * (lrutop.bpf.c) or the inventory's (inventory.bpf.c). */
int count_lrutop_bpf(void)
{
	struct lrutop_bpf *tracer = lrutop_bpf__open();
	struct inventory_bpf *inv = inventory_bpf__open();
	struct bpf_object *objs[2];
	struct bpf_prog_info info;
	struct bpf_map_info minfo;
	struct bpf_link_info link;
	__u32 id = 0, len, ours[4096];
	int fd, n = 0, nprogs = 0;

	assert_non_null(tracer);
	assert_non_null(inv);
	objs[0] = tracer->obj;
	objs[1] = inv->obj;
	while (!bpf_prog_get_next_id(id, &id)) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;	/* freed meanwhile */
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    (is_ours(objs[0], info.name, false) || is_ours(objs[1], info.name, false))) {
			n++;
			if (nprogs < 4096)
				ours[nprogs++] = id;
		}
		close(fd);
	}
	/* A link holds its program: count the links of ours too, in case a program lives on
	 * in one alone. */
	id = 0;
	while (!bpf_link_get_next_id(id, &id)) {
		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&link, 0, sizeof(link));
		len = sizeof(link);
		if (!bpf_obj_get_info_by_fd(fd, &link, &len)) {
			for (int i = 0; i < nprogs; i++)
				n += link.prog_id == ours[i];
		}
		close(fd);
	}
	id = 0;
	while (!bpf_map_get_next_id(id, &id)) {
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&minfo, 0, sizeof(minfo));
		len = sizeof(minfo);
		if (!bpf_obj_get_info_by_fd(fd, &minfo, &len) &&
		    (is_ours(objs[0], minfo.name, true) || is_ours(objs[1], minfo.name, true)))
			n++;
		close(fd);
	}
	inventory_bpf__destroy(inv);
	lrutop_bpf__destroy(tracer);
	return n;
}

/* What a link attaches its program to: a raw tracepoint's name, or a traced function's. */
static void link_target(int fd, const struct bpf_link_info *link, const struct btf *btf,
			char *out, size_t len)
{
	struct bpf_link_info named = {};
	const struct btf_type *t;
	__u32 size = sizeof(named);

	out[0] = '\0';
	if (link->type == BPF_LINK_TYPE_RAW_TRACEPOINT) {
		named.raw_tracepoint.tp_name = (__u64)(unsigned long)out;
		named.raw_tracepoint.tp_name_len = len;
		bpf_obj_get_info_by_fd(fd, &named, &size);
	} else if (link->type == BPF_LINK_TYPE_TRACING && btf) {
		t = btf__type_by_id(btf, link->tracing.target_btf_id);
		if (t)
			snprintf(out, len, "%s", btf__name_by_offset(btf, t->name_off));
	}
}

int lrutop_attached(struct attached_prog *out, int max)
{
	struct bpf_prog_info info;
	struct bpf_link_info link;
	struct lrutop_bpf *skel;
	struct btf *btf = btf__load_vmlinux_btf();
	__u32 id = 0, len;
	int lfd, pfd, n = 0;

	skel = lrutop_bpf__open();
	assert_non_null(skel);
	while (n < max && !bpf_link_get_next_id(id, &id)) {
		lfd = bpf_link_get_fd_by_id(id);
		if (lfd < 0)
			continue;
		memset(&link, 0, sizeof(link));
		len = sizeof(link);
		pfd = bpf_obj_get_info_by_fd(lfd, &link, &len) ? -1 : bpf_prog_get_fd_by_id(link.prog_id);
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (pfd >= 0 && !bpf_obj_get_info_by_fd(pfd, &info, &len) &&
		    is_ours(skel->obj, info.name, false)) {
			snprintf(out[n].name, sizeof(out[n].name), "%s", info.name);
			link_target(lfd, &link, btf, out[n].target, sizeof(out[n].target));
			out[n].run_cnt = info.run_cnt;
			out[n].run_time_ns = info.run_time_ns;
			out[n].misses = info.recursion_misses;
			out[n++].fd = pfd;
		} else if (pfd >= 0) {
			close(pfd);
		}
		close(lfd);
	}
	lrutop_bpf__destroy(skel);
	btf__free(btf);
	return n;
}

void attached_refresh(struct attached_prog *p, int n)
{
	struct bpf_prog_info info;
	__u32 len;

	for (int i = 0; i < n; i++) {
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(p[i].fd, &info, &len)) {
			p[i].run_cnt = info.run_cnt;
			p[i].run_time_ns = info.run_time_ns;
			p[i].misses = info.recursion_misses;
		}
	}
}

void attached_close(struct attached_prog *p, int n)
{
	for (int i = 0; i < n; i++)
		close(p[i].fd);
}

/* Run argv with stdout (and stderr if err_too) on a pipe; returns the read end. */
FILE *spawn(char *const argv[], pid_t *pid, bool err_too)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0) {
		/* A shell's background job ignores SIGINT and SIGQUIT, and exec keeps that: a
		 * signal a test sends before lrutop installs its handlers would be lost. */
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
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
int run(const char *cmd, char *out, size_t len)
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

int wait_exit(pid_t pid, int timeout_s)
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

int stop_lrutop(FILE *f, pid_t pid, int sig, int timeout_s)
{
	kill(pid, sig);
	while (fgetc(f) != EOF)
		;
	fclose(f);
	return wait_exit(pid, timeout_s);
}

int setup_root(void **state)
{
	if (geteuid() != 0) {
		fprintf(stderr, "host tests need root (they load BPF programs)\n");
		return -1;
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

static unsigned int list_lru_one_size(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int id, one;

	assert_non_null(btf);
	id = btf__find_by_name_kind(btf, "list_lru_one", BTF_KIND_STRUCT);
	assert_true(id > 0);
	one = btf__resolve_size(btf, id);
	btf__free(btf);
	return one;
}

/* The slot /proc/slabinfo gives the kmalloc cache of size: what the slab spends on it. */
static unsigned int slabinfo_slot(unsigned int size)
{
	char cache[32];
	long slot = slabinfo_kmalloc_slot("/proc/slabinfo", size, cache, sizeof(cache));

	if (slot <= 0)
		fail_msg("/proc/slabinfo has no %s for a %u-byte list", cache, size);
	return slot;
}

/* One lazily made list: struct list_lru_memcg = rcu head (16) + one list_lru_one per node,
 * in the slot of its kmalloc cache as the kernel's slabinfo says (slab debugging widens it). */
unsigned int expected_list_bytes(void)
{
	return slabinfo_slot(16 + list_lru_one_size() * nr_node_ids());
}

/* Before 5.18: one list_lru_one per id and node, in its kmalloc cache's slot. */
unsigned int expected_eager_list_bytes(void)
{
	return slabinfo_slot(list_lru_one_size());
}

json_t *read_json_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	json_error_t err;
	json_t *o;

	/* Any length: a report of thousands of memcgs is one long line. */
	if (getline(&line, &cap, f) < 0) {
		free(line);
		return NULL;
	}
	o = json_loads(line, 0, &err);
	if (!o)
		fail_msg("lrutop printed a line that is not JSON (%s): %.200s", err.text, line);
	free(line);
	return o;
}

/* The first report taken after time t: reports queued while a slow (emulated) workload ran
 * are stale. */
json_t *report_after(FILE *f, time_t t)
{
	json_t *r;

	while ((r = read_json_line(f))) {
		if (json_integer_value(json_object_get(r, "time")) > t)
			return r;
		json_decref(r);
	}
	return NULL;
}

json_t *find_memcg(json_t *report, json_int_t id)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(report, "memcgs"), i, m) {
		if (json_integer_value(json_object_get(m, "id")) == id)
			return m;
	}
	return NULL;
}

json_int_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("field '%s' is not a number", key);
	return json_integer_value(v);
}

json_t *find_by(json_t *array, const char *key, json_t *want)
{
	json_t *e;
	size_t i;

	json_array_foreach(array, i, e) {
		if (json_equal(json_object_get(e, key), want))
			return e;
	}
	return NULL;
}

/* The backend LRUTOP_EXPECT_BACKEND names (the guests know theirs), if it names one. */
void check_backend(json_t *report)
{
	const char *want = getenv("LRUTOP_EXPECT_BACKEND");
	const char *got = json_string_value(json_object_get(report, "backend"));

	if (want && strcmp(want, got))
		fail_msg("lrutop chose the %s backend where %s must work", got, want);
}

/* The same for a text report's first line: "HH:MM:SS RELEASE BACKEND, ...". */
void check_backend_line(const char *line)
{
	const char *want = getenv("LRUTOP_EXPECT_BACKEND");
	char got[32] = "";

	if (sscanf(line, "%*s %*s %31[a-z]", got) != 1)
		fail_msg("not a report's first line: %s", line);
	if (want && strcmp(want, got))
		fail_msg("lrutop chose the %s backend where %s must work", got, want);
}

void cgroot_or_skip(char *root, size_t len)
{
	if (cgroup_memory_root("/proc/self/mounts", root, len) < 0)
		skip();
}

void lazy_or_skip(void)
{
	if (!kernel_has_field("list_lru", "xa"))
		skip();
}

/* The workload's per-memcg JSON lines and its summary, parsed; the summary returned. */
json_t *workload_lines(const char *out, json_t *lines)
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

void tmux_capture(const char *session, char *out, size_t len)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "tmux capture-pane -p -t %s", session);
	run(cmd, out, len);
}

bool tmux_wait_for(const char *session, const char *text, char *out, size_t len)
{
	for (int i = 0; i < 50; i++) {
		tmux_capture(session, out, len);
		if (strstr(out, text))
			return true;
		usleep(100000);
	}
	return false;
}

void leftovers_clean(struct test_leftovers *l)
{
	if (l->lrutop > 0) {
		kill(l->lrutop, SIGKILL);
		waitpid(l->lrutop, NULL, 0);
	}
	if (l->cleanup[0])
		run(l->cleanup, NULL, 0);
	if (l->dir[0])
		rmdir(l->dir);
	memset(l, 0, sizeof(*l));
}

bool measure_again(json_t *report, int tries)
{
	json_int_t missed = jint(json_object_get(report, "watching"), "missed_runs");

	if (!missed)
		return false;
	if (tries >= MEASURE_TRIES) {
		/* A skipped run is seldom one of the lists: a red comparison now says why. */
		print_message("lrutop flags %lld runs of its programs the kernel skipped, in each "
			      "of %d measurements: comparing the last\n", (long long)missed, tries);
		return false;
	}
	print_message("lrutop flags %lld runs of its programs the kernel skipped: measuring "
		      "again\n", (long long)missed);
	return true;
}

/* lrutop around the workload cmd (kept): its report after, and the inventory's then. */
static void measure_once(const char *cmd, pid_t *lrutop, json_t **held, json_t **inv,
			 char *wl_out, size_t len)
{
	/* Inventory passes between reports: where objects name the list_lru, one after the
	 * workload's reclaim names it before the report read. */
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "-l", "--cumulative", "-r", "100000",
			 "--inventory-interval", "0.5", "1", NULL };
	char keep[8300], *inv_out;
	size_t cap = 1 << 22;
	json_t *report;
	FILE *f;

	f = spawn(argv, lrutop, false);
	report = read_json_line(f);	/* attached */
	assert_non_null(report);
	check_backend(report);
	json_decref(report);
	snprintf(keep, sizeof(keep), "%s --keep", cmd);
	if (run(keep, wl_out, len))
		fail_msg("the workload failed: ...%s", wl_out + (strlen(wl_out) > 1500 ? strlen(wl_out) - 1500 : 0));
	*held = report_after(f, time(NULL) + 1);
	inv_out = malloc(cap);
	assert_non_null(inv_out);
	snprintf(keep, sizeof(keep), "%s inventory -j -l -r 0", lrutop_bin());
	if (run(keep, inv_out, cap))
		fail_msg("lrutop inventory failed: %.2000s", inv_out);
	assert_int_equal(stop_lrutop(f, *lrutop, SIGINT, 10), 0);
	*lrutop = 0;
	assert_non_null(*held);
	*inv = json_loads(inv_out, 0, NULL);
	assert_non_null(*inv);
	free(inv_out);
}

void measure_workload(const char *cmd, pid_t *lrutop, json_t **held, json_t **inv,
		      char *wl_out, size_t len)
{
	char cleanup[8300];

	snprintf(cleanup, sizeof(cleanup), "%s --cleanup", cmd);
	for (int tries = 1; ; tries++) {
		measure_once(cmd, lrutop, held, inv, wl_out, len);
		if (!measure_again(*held, tries))
			return;
		json_decref(*held);
		json_decref(*inv);
		assert_int_equal(run(cleanup, NULL, 0), 0);
	}
}
