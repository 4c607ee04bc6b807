// SPDX-License-Identifier: GPL-2.0
/* test_reliability: Bad input of every kind; snapshots written whole or not at all. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
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
#include <bpf/bpf.h>
#include <jansson.h>
#include "kernel/cgroup.h"
#include "host_util.h"
#include "reliability.h"

struct bad_input {
	const char *args;
	int status;		/* 2: rejected by the parser; 1: found wrong at run time */
	const char *says;	/* in the message */
};

/*
 * Every option with bad values, and files that are missing, wrong or not a cgroup: one
 * clear line naming the problem (the parser adds its "Try --help" hint), the documented
 * exit status, never a crash or a run on a silently wrong value.
 */
void test_bad_input_table(void **state)
{
	static const struct bad_input table[] = {
		{ "-r 0", 2, "rows" }, { "-r -1", 2, "-1" }, { "-r 1e99", 2, "rows" },
		{ "-r abc", 2, "rows" }, { "-r ''", 2, "rows" },
		{ "--max-memcgs 15", 2, "max-memcgs" }, { "--max-memcgs 99999999999", 2, "max-memcgs" },
		{ "--max-memcgs x", 2, "max-memcgs" },
		{ "0", 2, "interval" }, { "nan", 2, "interval" }, { "inf", 2, "interval" },
		{ "1e400", 2, "interval" }, { "0.01", 2, "interval" }, { "1 x", 2, "count" },
		{ "1 0", 2, "count" }, { "1 2 3", 2, "" },
		{ "-s nope", 2, "sort key" }, { "-s ''", 2, "sort key" },
		{ "--backend kprobe", 2, "backend" }, { "--bogus", 2, "bogus" }, { "-x", 2, "'x'" },
		{ "-c relative/path", 2, "relative/path" },
		{ "--group-by nope", 2, "group-by" },
		{ "-c /lrutop-no-such-cgroup -b 1 1", 1, "not a memory cgroup" },
		{ "--listen 99999", 2, "listen" }, { "--listen abc", 2, "listen" },
		{ "--listen 1.2.3.4.5:80", 2, "listen" }, { "--top x", 2, "top" },
		{ "--top -1", 2, "" }, { "--keep-removed -5", 2, "keep-removed" },
		{ "--keep-removed soon", 2, "keep-removed" }, { "--by whom", 2, "--by" },
		{ "--prometheus ''", 2, "prometheus" },
		{ "--prometheus /lrutop-no-such-dir/x.prom 1 1", 1, "/lrutop-no-such-dir/x.prom" },
		{ "compare", 2, "pairs" }, { "compare /lrutop-no-such.json /lrutop-no-such2.json", 1, "No such file" },
		{ "compare /etc /etc", 1, "/etc" }, { "compare /etc/passwd /etc/passwd", 1, "/etc/passwd" },
		{ "compare --svg /lrutop-no-such-dir/x.svg docs/ab/5.10.0-32-amd64-m10-n1.json docs/ab/6.1.0-57-amd64-m10-n1.json", 1, "x.svg" },
		{ "--inventory-interval 0.01", 2, "inventory-interval" },
		{ "--inventory-interval soon", 2, "inventory-interval" },
		{ "inventory -r x", 2, "'x'" }, { "inventory extra", 2, "extra" },
		{ "model", 2, "--memcgs" }, { "model --memcgs x --mounts 1 --nodes 1", 2, "'x'" },
		{ "model --memcgs 1 --mounts 1 --nodes 0", 2, "'0'" },
		{ "model --memcgs 10 --mounts 2 --nodes 1 --shared 3", 2, "--shared" },
		{ "model --memcgs 10 --mounts 2 --nodes 1 --list-lru-one 28", 2, "list-lru-one" },
		{ "model --from /lrutop-no-such.json", 1, "No such file" },
		{ "model --cover-letter --pairs 5", 2, "--pairs" },
		{ "model --memcgs 10 --mounts 50 --nodes 1 --lrus 20", 2, "--lrus" },
		{ "model --from /etc/passwd", 1, "/etc/passwd" },
		{ "model --from docs/ab/6.1.0-57-amd64-m10-n1.json --cover-letter", 2, "cover-letter" },
		{ "snapshot", 2, "-o" }, { "snapshot --duration -1 -o /tmp/lrutop-x.json", 2, "duration" },
		{ "snapshot -o /lrutop-no-such-dir/s.json --duration 0.2", 1, "/lrutop-no-such-dir/s.json" },
	};
	char cmd[1024], out[8192], *nl;
	int rc;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		/* The message, not what a command prints on stdout before it fails. */
		snprintf(cmd, sizeof(cmd), "%s %s < /dev/null 2>&1 > /dev/null", lrutop_bin(),
			 table[i].args);
		rc = run(cmd, out, sizeof(out));
		if (rc != table[i].status)
			fail_msg("'lrutop %s': exit status %d, not %d: %s", table[i].args, rc,
				 table[i].status, out);
		nl = strchr(out, '\n');
		if (!strstr(out, "lrutop") || (nl && strstr(out, "lrutop") > nl))
			fail_msg("'lrutop %s': the message does not begin with lrutop: %s", table[i].args, out);
		if (!nl || (nl[1] && strncmp(nl + 1, "Try `", 5)))
			fail_msg("'lrutop %s': not one line: %s", table[i].args, out);
		if (!strstr(out, table[i].says))
			fail_msg("'lrutop %s': the message does not say '%s': %s", table[i].args,
				 table[i].says, out);
	}
}

static int count_temp_files(const char *dir)
{
	char cmd[512], out[64];

	snprintf(cmd, sizeof(cmd), "ls %s | grep -c '\\.json\\.'", dir);
	run(cmd, out, sizeof(out));
	return atoi(out);
}

/*
 * Snapshots are written to a temporary file and renamed: a symlink at the target is
 * replaced, not written through; a snapshot cut short by a signal leaves a whole file or
 * none; a failure leaves no temporary file.
 */
void test_snapshot_atomic(void **state)
{
	char dir[] = "/tmp/lrutop-snapatomic-XXXXXX", cmd[1024], path[256], victim[256], out[4096];
	json_error_t jerr;
	struct stat st;
	json_t *snap;
	pid_t pid;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(path, sizeof(path), "%s/snap.json", dir);
	f = fopen(victim, "w");
	assert_non_null(f);
	fputs("not yours\n", f);
	fclose(f);
	assert_int_equal(symlink(victim, path), 0);
	snprintf(cmd, sizeof(cmd), "%s snapshot -o %s --duration 0.3", lrutop_bin(), path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	run(strcat(strcpy(cmd, "cat "), victim), out, sizeof(out));
	assert_string_equal(out, "not yours\n");
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	snap = json_load_file(path, 0, &jerr);
	assert_non_null(snap);
	json_decref(snap);

	/* Cut short at different moments: the file is the old whole one or a new whole one. */
	for (int ms = 100; ms <= 1600; ms *= 2) {
		char *argv[] = { (char *)lrutop_bin(), "snapshot", "-o", path, "--duration", "5", NULL };

		f = spawn(argv, &pid, true);
		usleep(ms * 1000);
		assert_int_equal(stop_lrutop(f, pid, SIGTERM, 10), 0);
		snap = json_load_file(path, 0, &jerr);
		if (!snap)
			fail_msg("SIGTERM after %d ms left %s unreadable: %s", ms, path, jerr.text);
		json_decref(snap);
		assert_int_equal(count_temp_files(dir), 0);
	}

	/* A directory in the way: an error, and nothing left behind. */
	snprintf(cmd, sizeof(cmd), "mkdir %s/d.json && %s snapshot -o %s/d.json --duration 0.2",
		 dir, lrutop_bin(), dir);
	assert_int_equal(run(cmd, out, sizeof(out)), 1);
	assert_int_equal(count_temp_files(dir), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run(cmd, NULL, 0);
}
