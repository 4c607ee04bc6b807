// SPDX-License-Identifier: GPL-2.0
/* Unit tests of opts: the option parser, a table of good and bad command lines. */
#include "unit.h"

static int parse(struct lrutop_opts *o, const char *line)
{
	char *copy = strdup(line), *argv[16], *save = NULL;
	int argc = 0, err;

	argv[argc++] = "lrutop";
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	err = opts_parse(argc, argv, o, ARGP_NO_EXIT | ARGP_NO_ERRS);
	free(copy);
	return err;
}

static void test_opts_table(void **state)
{
	static const struct {
		const char *args;
		int ok;
	} table[] = {
		{ "", 1 }, { "2", 1 }, { "2 5", 1 }, { "0.5 3", 1 }, { "-b -j 1 1", 1 },
		{ "-s bytes", 1 }, { "-s path", 1 }, { "-r 5", 1 }, { "-c /a/b", 1 },
		{ "--backend tracepoint", 1 }, { "--backend fentry", 1 }, { "--max-memcgs 100", 1 },
		{ "-H --cumulative --probe -l -v", 1 },
		{ "0", 0 }, { "-1", 0 }, { "abc", 0 }, { "1x", 0 }, { "1 0", 0 }, { "1 -3", 0 },
		{ "1 2 3", 0 }, { "-s nope", 0 }, { "-s", 0 }, { "-r 0", 0 }, { "-r x", 0 },
		{ "-c relative/path", 0 }, { "-c nginx.service", 1 }, { "-c 3f2a1b9c8d7e", 1 },
		{ "-c pod:1b2c3d4e/cri:3f2a1b9c8d7e", 1 }, { "--group-by pod", 1 },
		{ "--group-by unit -c /kubepods", 1 }, { "--group-by pods", 0 }, { "--group-by", 0 },
		{ "--backend kprobe", 0 }, { "--max-memcgs 1", 0 },
		{ "--max-memcgs 99999999999", 0 }, { "-j", 0 }, { "--bogus", 0 }, { "nan", 0 },
		{ "inf", 0 }, { "1e9", 0 },
		{ "--prometheus /tmp/x.prom", 1 }, { "--listen 9843", 1 }, { "--listen 0.0.0.0:80", 1 },
		{ "--listen [::1]:9843", 1 }, { "--top 0", 1 }, { "--top 5 --prometheus f -b", 1 },
		{ "--prometheus", 0 }, { "--prometheus /tmp/", 0 }, { "--listen 0", 0 },
		{ "--listen 70000", 0 }, { "--listen host:80", 0 }, { "--listen 1.2.3.4:", 0 },
		{ "--listen [::1]", 0 }, { "--listen [zz]:80", 0 }, { "--listen :80", 0 },
		{ "--top -1", 0 }, { "--top x", 0 }, { "--top 100001", 0 },
		{ "--keep-removed 0", 1 }, { "--keep-removed never", 1 }, { "--keep-removed 3600", 1 },
		{ "--keep-removed -1", 0 }, { "--keep-removed soon", 0 }, { "--keep-removed 1e99", 0 },
		{ "--by owner", 1 }, { "--by cause", 1 }, { "--by", 0 }, { "--by both", 0 },
		{ "-s caused", 1 }, { "-s caused-bytes --by cause", 1 }, { "--no-self-check", 1 },
	};
	struct lrutop_opts o;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		int err = parse(&o, table[i].args);

		if ((err == 0) != table[i].ok)
			fail_msg("'%s': expected %s, got %d", table[i].args,
				 table[i].ok ? "success" : "an error", err);
	}
	assert_int_equal(parse(&o, "-s bytes -r 7 2.5 4"), 0);
	assert_int_equal(o.view.sort, MC_BYTES);
	assert_int_equal(o.view.rows, 7);
	assert_true(o.interval > 2.49 && o.interval < 2.51);
	assert_int_equal(o.count, 4);
	assert_int_equal(parse(&o, "--by cause --no-self-check"), 0);
	assert_true(o.view.by_cause);
	assert_true(o.no_self_check);
	assert_int_equal(parse(&o, ""), 0);
	assert_false(o.view.by_cause);
	assert_false(o.no_self_check);
	assert_int_equal(o.max_memcgs, 10240);
	assert_int_equal(o.backend, BACKEND_AUTO);
	assert_int_equal(o.keep_removed_s, 60);
	assert_int_equal(parse(&o, "--keep-removed never"), 0);
	assert_int_equal(o.keep_removed_s, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opts_table),
	};

	return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}
