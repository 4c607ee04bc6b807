// SPDX-License-Identifier: GPL-2.0
/* test_host: Container names and their roll-ups, on memcgs named as Kubernetes and containerd name them. */
#define _GNU_SOURCE
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
#include "host_util.h"
#include "host_tests.h"

#define CHAIN POD_FMT "/" CTR_FMT "/inner"

struct test_leftovers names_left;

int names_teardown(void **state)
{
	leftovers_clean(&names_left);
	return 0;
}

json_t *named_workload(const char *name, char *cgroot, size_t len)
{
	char cmd[8000], out[65536];
	json_t *lines = json_array(), *summary;

	cgroot_or_skip(cgroot, len);
	lazy_or_skip();
	snprintf(names_left.dir, sizeof(names_left.dir), "/tmp/lrutop-test-names-XXXXXX");
	assert_non_null(mkdtemp(names_left.dir));
	snprintf(cmd, sizeof(cmd), "%s -r %s -n %s-%d -d %s -m %d -D 4 -t %d -k 1 --chain '%s'",
		 env_or("LRUTOP_WORKLOAD", "build/workload"), cgroot, name, getpid(),
		 names_left.dir, CHAINS, CHAINS, CHAIN);
	snprintf(names_left.cleanup, sizeof(names_left.cleanup), "%s --cleanup", cmd);
	strcat(cmd, " --keep");
	if (run(cmd, out, sizeof(out)))
		fail_msg("the workload failed: %.2000s", out);
	summary = workload_lines(out, lines);
	json_decref(lines);
	assert_non_null(summary);
	return summary;
}

json_int_t owned_within(json_t *summary, const char *prefix)
{
	size_t n = strlen(prefix), i;
	json_int_t sum = 0;
	json_t *o;

	json_array_foreach(json_object_get(summary, "owners"), i, o) {
		const char *m = json_string_value(json_object_get(o, "memcg"));

		if (!strncmp(m, prefix, n) && (m[n] == '\0' || m[n] == '/'))
			sum += jint(o, "lists");
	}
	return sum;
}

/* What the memcg at path itself owns: its subtree's less its children's. */
static json_int_t owned_within_child(json_t *summary, const char *path)
{
	char inner[8300];

	snprintf(inner, sizeof(inner), "%s/inner", path);
	return owned_within(summary, inner);
}

void chain_path(char *buf, size_t len, const char *top, int i, int level)
{
	int n = snprintf(buf, len, "%s/m%d", top, i);

	if (level >= 2)
		n += snprintf(buf + n, len - n, "/" POD_FMT, i);
	if (level >= 3)
		n += snprintf(buf + n, len - n, "/" CTR_FMT, i);
	if (level >= 4)
		snprintf(buf + n, len - n, "/inner");
}

/* One JSON report of lrutop with these options (after the first interval). */
static json_t *report_with(const char *opts)
{
	char cmd[1024];
	char *out = malloc(1 << 22);
	json_t *r = NULL;

	assert_non_null(out);
	snprintf(cmd, sizeof(cmd), "%s -b -j -r 100000 --inventory-interval 0.2 %s 0.5 2 "
		 "2>/dev/null | tail -1", lrutop_bin(), opts);
	if (!run(cmd, out, 1 << 22))
		r = json_loads(out, 0, NULL);
	if (!r)
		fail_msg("lrutop %s gave no report: %.2000s", opts, out);
	free(out);
	return r;
}

static json_t *row_by_path(json_t *report, const char *path)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(report, "memcgs"), i, m) {
		if (!strcmp(json_string_value(json_object_get(m, "path")) ?: "", path))
			return m;
	}
	fail_msg("no row for %s", path);
	return NULL;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)) ?: "";
}

/* Each memcg's names, as a runtime's user knows them; memcgs in none keep their paths. */
static void check_names(json_t *report, const char *top)
{
	char path[8192], pod[64], ctr[16], shown[96];
	json_t *m;

	for (int i = 0; i < CHAINS; i++) {
		snprintf(pod, sizeof(pod), "%02d2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b", i);
		snprintf(ctr, sizeof(ctr), "%02da1b9c8d7e6", i);
		snprintf(shown, sizeof(shown), "pod:%02d2c3d4e/containerd:%s", i, ctr);
		chain_path(path, sizeof(path), top, i, 1);
		assert_null(json_object_get(row_by_path(report, path), "name"));
		chain_path(path, sizeof(path), top, i, 2);
		m = row_by_path(report, path);
		assert_string_equal(jstr(m, "pod"), pod);
		assert_null(json_object_get(m, "container"));
		for (int level = 3; level <= 4; level++) {
			chain_path(path, sizeof(path), top, i, level);
			m = row_by_path(report, path);
			assert_string_equal(jstr(m, "name"), shown);
			assert_string_equal(jstr(m, "pod"), pod);
			assert_string_equal(jstr(m, "container"), ctr);
			assert_string_equal(jstr(m, "runtime"), "containerd");
			assert_int_equal(strncmp(jstr(m, "unit"), "cri-containerd-", 15), 0);
		}
	}
}

/* The named rows and the groups' rows, against the documented schema. */
static void check_schema(void)
{
	char cmd[1024], out[] = "/tmp/lrutop-names-jsonl-XXXXXX";
	int fd = mkstemp(out);

	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s -b -j --inventory-interval 0.2 0.5 2 > %s && %s -b -j "
		 "--group-by pod --inventory-interval 0.2 0.5 2 >> %s && tests/check_jsonl.py "
		 "--min-lines 4 docs/lrutop-jsonl.schema.json %s", lrutop_bin(), out, lrutop_bin(),
		 out, out);
	if (run(cmd, cmd, sizeof(cmd)))
		fail_msg("%s", cmd);
	unlink(out);
}

/* Grouped by by, each group's row holds what the workload's owners in it hold. */
static void check_groups(json_t *summary, const char *cgroot, const char *top, const char *by,
			 int level, int members)
{
	char opts[64], path[8192];
	json_t *report, *g;

	snprintf(opts, sizeof(opts), "--group-by %s", by);
	report = report_with(opts);
	for (int i = 0; i < CHAINS; i++) {
		chain_path(path, sizeof(path), top, i, level);
		g = row_by_path(report, path + strlen(cgroot));
		if (jint(g, "members") != members)
			fail_msg("--group-by %s: %s sums %lld memcgs, the chain has %d there", by, path,
				 (long long)jint(g, "members"), members);
		if (jint(g, "held_lists") != owned_within(summary, path + strlen(cgroot)))
			fail_msg("--group-by %s: %s holds %lld lists, its memcgs own %lld", by, path,
				 (long long)jint(g, "held_lists"),
				 (long long)owned_within(summary, path + strlen(cgroot)));
	}
	/* A memcg in no pod or container keeps its own row. */
	chain_path(path, sizeof(path), top, 0, 1);
	assert_null(json_object_get(row_by_path(report, path + strlen(cgroot)), "members"));
	json_decref(report);
}

/* -c with a container's id: its memcgs, and nothing else. */
static void check_only_container(const char *top)
{
	json_t *report = report_with("-c 01a1b9c8d7e6"), *m;
	char path[8192];
	size_t i;

	json_array_foreach(json_object_get(report, "memcgs"), i, m) {
		if (strcmp(jstr(m, "container"), "01a1b9c8d7e6"))
			fail_msg("-c 01a1b9c8d7e6 shows %s", jstr(m, "path"));
	}
	assert_int_equal(json_array_size(json_object_get(report, "memcgs")), 2);
	chain_path(path, sizeof(path), top, 1, 4);
	row_by_path(report, path);
	json_decref(report);
}

/* The Prometheus text of lrutop -c top --top n. */
static char *prom_text(const char *top, int n)
{
	char cmd[1024], file[64], *text = malloc(1 << 22);
	size_t len;
	FILE *f;

	assert_non_null(text);
	snprintf(file, sizeof(file), "/tmp/lrutop-test-names-%d.prom", getpid());
	snprintf(cmd, sizeof(cmd), "%s -c %s --top %d --inventory-interval 0.2 --prometheus %s "
		 "0.5 2", lrutop_bin(), top, n, file);
	assert_int_equal(run(cmd, NULL, 0), 0);
	f = fopen(file, "r");
	assert_non_null(f);
	len = fread(text, 1, (1 << 22) - 1, f);
	text[len] = '\0';
	fclose(f);
	unlink(file);
	return text;
}

static int series_of(const char *text, const char *family)
{
	char start[128];
	int n = 0;

	snprintf(start, sizeof(start), "\n%s{", family);
	for (const char *p = text; (p = strstr(p, start)); p++)
		n++;
	return n;
}

/* The held lists' series carry each container's unit, pod and container labels, with the
 * value its memcg owns; --top bounds the series (and so the label values) to top + other. */
static void check_prom_labels(json_t *summary, const char *top)
{
	char path[8192], want[16600], *text;

	text = prom_text(top, 3);
	assert_int_equal(series_of(text, "lrutop_memcg_held_lists"), 3 + 1);
	free(text);
	text = prom_text(top, 100);
	assert_int_equal(series_of(text, "lrutop_memcg_held_lists"), 1 + CHAINS * 4 + 1);
	chain_path(path, sizeof(path), top, 0, 3);
	snprintf(want, sizeof(want), "lrutop_memcg_held_lists{cgroup=\"%s\",unit=\"%s\","
		 "pod=\"002c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b\",container=\"00a1b9c8d7e6\"} %lld\n",
		 path, strrchr(path, '/') + 1, (long long)owned_within(summary, path) -
		 (long long)owned_within_child(summary, path));
	if (!strstr(text, want))
		fail_msg("no series\n%s\nin:\n%.6000s", want, text);
	free(text);
}

/*
 * Memcgs named as the kubelet and containerd name them: each row names its pod and container
 * (JSON, Prometheus); --group-by pod and container roll them up to exactly what the
 * workload's memcgs own there (read by the inventory); -c takes a container's id.
 */
void test_names_rollup(void **state)
{
	char cgroot[4096], top[4200];
	json_t *summary = named_workload("lrutop-test-names", cgroot, sizeof(cgroot));
	json_t *report;

	snprintf(top, sizeof(top), "/lrutop-test-names-%d", getpid());
	report = report_with("");
	check_names(report, top);
	json_decref(report);
	snprintf(top, sizeof(top), "%s/lrutop-test-names-%d", cgroot, getpid());
	check_groups(summary, cgroot, top, "pod", 2, 3);
	check_groups(summary, cgroot, top, "container", 3, 2);
	check_only_container(top + strlen(cgroot));
	check_prom_labels(summary, top + strlen(cgroot));
	check_schema();
	json_decref(summary);
	names_teardown(state);
}
