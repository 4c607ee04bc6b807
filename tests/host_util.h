/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the tests that run lrutop on a real kernel (test_host, test_reliability). */
#ifndef __LRUTOP_HOST_UTIL_H
#define __LRUTOP_HOST_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <sys/types.h>
#include <jansson.h>

const char *env_or(const char *name, const char *def);
const char *lrutop_bin(void);
/* Which list_lru this kernel has, from its BTF layout (as lrutop's own probe decides). */
bool kernel_has_field(const char *type, const char *field);
bool kernel_has_func(const char *name);
/* Programs, links and maps of lrutop's loaded now: of the tracer's object and the
 * inventory's, by the names they give them. */
int count_lrutop_bpf(void);
/* A program of lrutop's attached now, where, and its kernel statistics (with them on). */
struct attached_prog {
	char name[16];
	char target[64];	/* the raw tracepoint or the traced function */
	unsigned long long run_cnt, run_time_ns;
	unsigned long long misses;	/* runs the kernel skipped (recursion_misses) */
	int fd;			/* kept open: each new BPF fd makes a dentry, which lrutop sees */
};

/* lrutop's attached programs (through their links), up to max; attached_close() them. */
int lrutop_attached(struct attached_prog *out, int max);
/* Their statistics now, read through the fds already open. */
void attached_refresh(struct attached_prog *p, int n);
void attached_close(struct attached_prog *p, int n);
/* Run argv with stdout (and stderr if err_too) on a pipe; returns the read end. */
FILE *spawn(char *const argv[], pid_t *pid, bool err_too);
/* Run a shell command, return its exit status and (if out) its output. */
int run(const char *cmd, char *out, size_t len);
/* What a test leaves if it fails midway: lrutop, the workload to clean up, a directory. */
struct test_leftovers {
	pid_t lrutop;
	char cleanup[8300];
	char dir[64];
};
/* Kill lrutop, run the cleanup, remove the directory; then all cleared. */
void leftovers_clean(struct test_leftovers *l);
/* What tmux session shows now; wait up to 5 s for it to show text (out: the last capture). */
void tmux_capture(const char *session, char *out, size_t len);
bool tmux_wait_for(const char *session, const char *text, char *out, size_t len);
/* pid's exit status within timeout_s seconds, else kill it and return -1. */
int wait_exit(pid_t pid, int timeout_s);
/* Send lrutop (spawn()ed, its output on f) sig, read its output to the end, close f, and
 * return wait_exit(pid, timeout_s). */
int stop_lrutop(FILE *f, pid_t pid, int sig, int timeout_s);
int setup_root(void **state);
/* One list's bytes on this kernel: its kmalloc cache's slot in /proc/slabinfo. */
unsigned int expected_list_bytes(void);
unsigned int expected_eager_list_bytes(void);
json_t *read_json_line(FILE *f);
/* The first report taken after time t. */
json_t *report_after(FILE *f, time_t t);
json_t *find_memcg(json_t *report, json_int_t id);
json_int_t jint(json_t *o, const char *key);
json_t *find_by(json_t *array, const char *key, json_t *want);
/* The workload's per-memcg JSON lines, appended to lines, and its summary (returned, owned
 * by the caller); a line that is not JSON fails the test. */
json_t *workload_lines(const char *out, json_t *lines);
/* The backend LRUTOP_EXPECT_BACKEND names (the guests know theirs), if it names one: of a
 * JSON report, and of a text report's first line ("HH:MM:SS RELEASE BACKEND, ..."). */
void check_backend(json_t *report);
void check_backend_line(const char *line);
/* The preambles of tests that need them: the memory cgroup hierarchy's root into root, or
 * skip (none mounted); skip unless lists are lazy here (5.18+: list_lru has an xarray). */
void cgroot_or_skip(char *root, size_t len);
void lazy_or_skip(void);
/*
 * Whether to take a measurement again, its tries-th now over: its report (cumulative) flags
 * runs of lrutop's programs the kernel skipped (watching.missed_runs), events lrutop did not
 * count and says so. A test compares the numbers of a run lrutop stands behind where one
 * comes in MEASURE_TRIES runs; else the last, with a message.
 */
#define MEASURE_TRIES	3
bool measure_again(json_t *report, int tries);
/* lrutop (its pid in *lrutop until stopped) around the workload command cmd, run with
 * --keep: lrutop's first report after it (-l, cumulative), the inventory's JSON then, and
 * the workload's output in wl_out. Again (cmd --cleanup first) while measure_again says. */
void measure_workload(const char *cmd, pid_t *lrutop, json_t **held, json_t **inv,
		      char *wl_out, size_t len);

#endif
