// SPDX-License-Identifier: GPL-2.0
/* test_host: The live screen explored through tmux: filter, tree, selection, drill-downs and back, help, resize, colour. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include "host_util.h"
#include "host_tests.h"

#define SESSION "lrutop-explore"
#define RC_FILE "/tmp/lrutop-explore.rc"

static void keys(const char *k)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "tmux send-keys -t " SESSION " %s", k);
	assert_int_equal(run(cmd, NULL, 0), 0);
}

/* Type text as it is (no key names). */
static void type(const char *text)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "tmux send-keys -t " SESSION " -l '%s'", text);
	assert_int_equal(run(cmd, NULL, 0), 0);
}

static void expect_screen(const char *text, char *out, size_t len, const char *after)
{
	if (!tmux_wait_for(SESSION, text, out, len))
		fail_msg("after %s, no '%s' on screen:\n%s", after, text, out);
}

/* The table's rows: the lines after the one that starts with header, up to a blank. */
static int table_rows(const char *screen, const char *header)
{
	const char *p = strstr(screen, header);
	int n = 0;

	if (!p)
		return -1;
	for (p = strchr(p, '\n'); p && p[1] && p[1] != '\n'; p = strchr(p + 1, '\n'))
		n++;
	return n;
}

/* Wait up to 5 s for the table to have n rows (a capture may catch a draw midway). */
static bool wait_rows(const char *header, int n, char *out, size_t len)
{
	for (int i = 0; i < 50; i++) {
		tmux_capture(SESSION, out, len);
		if (table_rows(out, header) == n)
			return true;
		usleep(100000);
	}
	return false;
}

/* The line of the screen holding text, copied into line. */
static bool line_with(const char *screen, const char *text, char *line, size_t len)
{
	const char *p = strstr(screen, text), *start, *end;

	if (!p)
		return false;
	for (start = p; start > screen && start[-1] != '\n'; start--)
		;
	end = strchrnul(p, '\n');
	snprintf(line, len, "%.*s", (int)(end - start), start);
	return true;
}

/* Wait until a drill-down's pass has counted it. */
static void expect_counted(const char *title, char *out, size_t len, const char *after)
{
	expect_screen(title, out, len, after);
	for (int i = 0; i < 50 && strstr(out, "(walking...)"); i++) {
		usleep(100000);
		tmux_capture(SESSION, out, len);
	}
	if (strstr(out, "(walking...)"))
		fail_msg("after %s, the drill-down was never counted:\n%s", after, out);
}

/* Filtered to the workload and sorted by path: its 1 + 4 CHAINS memcgs; as a tree, each
 * under its parent with its subtree's lists beside the top's own. */
static void check_filter_tree(json_t *summary, const char *top, char *out, size_t len)
{
	char line[1024], sum[32], row[256];

	keys("/");
	type(strrchr(top, '/') + 1);
	keys("Enter p");
	expect_screen("sort path", out, len, "'/', a filter, Enter and 'p'");
	expect_screen("filter: lrutop-test-explore", out, len, "a filter");
	if (!wait_rows("MEMCG ", 1 + 4 * CHAINS, out, len))
		fail_msg("filtered to %s, %d rows, where it has %d memcgs:\n%s", top,
			 table_rows(out, "MEMCG "), 1 + 4 * CHAINS, out);
	keys("t n");
	expect_screen("SUBTREE", out, len, "'t'");
	expect_screen("sort held", out, len, "'n'");
	if (strstr(out, "/m0 ") || !strstr(out, "  m0 "))
		fail_msg("'t' shows no tree (m0 indented under its parent):\n%s", out);
	snprintf(sum, sizeof(sum), " %lld\n", (long long)owned_within(summary, top));
	snprintf(row, sizeof(row), "   %s ", strrchr(top, '/') + 1);	/* not the filter's line */
	if (!line_with(out, row, line, sizeof(line)) ||
	    !strstr(strcat(line, "\n"), sum))
		fail_msg("the tree's top should sum%s its subtree's lists:\n%s", sum, out);
	keys("t p");
	expect_screen("sort path", out, len, "'t' and 'p'");
}

/* What the memcg at path owns itself: its subtree's lists less its children's. */
static json_int_t owned_alone(json_t *summary, const char *path, const char *const *children,
			      int n)
{
	json_int_t own = owned_within(summary, path);

	for (int i = 0; i < n; i++)
		own -= owned_within(summary, children[i]);
	return own;
}

/*
 * Enter on the workload's top: the list_lrus where it holds lists (its own: a dentry and an
 * inode list on each mount a chain below touched); Enter on the first: the memcgs holding
 * lists there (the chain that touched it, the top included); Esc twice: back. Then m0's pod:
 * a dentry and an inode list on the one mount.
 */
static void check_drill(json_t *summary, const char *top, char *out, size_t len)
{
	char m[CHAINS][8192], pod[8192], ctr[8192], title[8300];
	const char *kids[CHAINS] = { m[0], m[1] }, *ctrs[1] = { ctr };
	json_int_t own = 0;

	for (int i = 0; i < CHAINS; i++)
		chain_path(m[i], sizeof(m[i]), top, i, 1);
	keys("Home Enter");
	snprintf(title, sizeof(title), "list_lrus where %s holds lists", top);
	expect_counted(title, out, len, "Enter on the workload's top");
	/* One list a list_lru: a row each, all on the workload's mounts. */
	own = owned_alone(summary, top, kids, CHAINS);
	if (!wait_rows("KIND ", own, out, len) || !strstr(out, names_left.dir))
		fail_msg("%s owns %lld lists (a dentry and an inode list on each of the workload's "
			 "mounts), the screen shows:\n%s", top, (long long)own, out);
	keys("Enter");
	expect_counted("memcgs holding lists on", out, len, "Enter on a list_lru");
	/* The mount's own dentry and inode are the mounting task's: filtered out here. */
	keys("/");
	type(strrchr(top, '/') + 1);
	keys("Enter");
	if (!wait_rows("MEMCG ", 5, out, len))
		fail_msg("a chain's 5 memcgs hold lists on its mount, the screen shows:\n%s", out);
	keys("Escape");
	expect_screen(title, out, len, "Esc");
	keys("Escape");
	expect_screen("sort path", out, len, "a second Esc");
	chain_path(pod, sizeof(pod), top, 0, 2);
	chain_path(ctr, sizeof(ctr), top, 0, 3);
	keys("Home Down Down Enter");
	snprintf(title, sizeof(title), "list_lrus where %s holds lists", pod);
	expect_counted(title, out, len, "Enter on m0's pod");
	own = owned_alone(summary, pod, ctrs, 1);
	if (!wait_rows("KIND ", own, out, len) || !strstr(out, "\ndentry ") ||
	    !strstr(out, "\ninode "))
		fail_msg("m0's pod owns %lld lists (a dentry and an inode list), the screen shows:\n%s",
			 (long long)own, out);
	keys("Escape");
	expect_screen("sort path", out, len, "Esc");
}

/* '?' shows every key, any key returns; a resize redraws; 'q' quits with status 0. */
static void check_help_resize_quit(char *out, size_t len)
{
	keys("?");
	expect_screen("lrutop keys", out, len, "'?'");
	assert_non_null(strstr(out, "Enter"));
	assert_non_null(strstr(out, "filter"));
	keys("x");
	expect_screen("sort path", out, len, "a key after the help");
	run("tmux resize-window -t " SESSION " -x 80 -y 24", NULL, 0);
	expect_screen("MEMCG", out, len, "a resize");
	keys("q");
	for (int i = 0; i < 50 && run("tmux has-session -t " SESSION, NULL, 0) == 0; i++)
		usleep(100000);
	run("cat " RC_FILE, out, len);
	unlink(RC_FILE);
	assert_string_equal(out, "0\n");
}

/* Colour where the terminal has it; none with NO_COLOR set. */
static bool screen_coloured(const char *env)
{
	char cmd[1024], out[1 << 16];
	bool coloured;

	snprintf(cmd, sizeof(cmd), "tmux new-session -d -s " SESSION "-c -x 120 -y 30 "
		 "'%s %s --inventory-interval 0 0.5'", env, lrutop_bin());
	assert_int_equal(run(cmd, NULL, 0), 0);
	if (!tmux_wait_for(SESSION "-c", "MEMCG", out, sizeof(out)))
		fail_msg("no screen:\n%s", out);
	run("tmux capture-pane -e -p -t " SESSION "-c", out, sizeof(out));
	coloured = strstr(out, "\033[42m") || strstr(out, "\033[30;42m");
	run("tmux kill-session -t " SESSION "-c", NULL, 0);
	return coloured;
}

/* The screen explored as an operator would, each view checked against the workload. */
void test_screen_explore(void **state)
{
	char cgroot[4096], top[4200], cmd[1024], out[1 << 16];
	json_t *summary = named_workload("lrutop-test-explore", cgroot, sizeof(cgroot));

	snprintf(top, sizeof(top), "/lrutop-test-explore-%d", getpid());
	run("tmux kill-session -t " SESSION, NULL, 0);
	unlink(RC_FILE);
	snprintf(cmd, sizeof(cmd), "tmux new-session -d -s " SESSION " -x 160 -y 50 "
		 "'%s --inventory-interval 0.5 0.5; echo $? > " RC_FILE "'", lrutop_bin());
	assert_int_equal(run(cmd, NULL, 0), 0);
	/* The first pass of the inventory: the workload's memcgs have rows. */
	expect_screen("held by kind:", out, sizeof(out), "start");
	check_filter_tree(summary, top, out, sizeof(out));
	check_drill(summary, top, out, sizeof(out));
	check_help_resize_quit(out, sizeof(out));
	if (!screen_coloured(""))
		fail_msg("no colour in a terminal that has it");
	if (screen_coloured("NO_COLOR=1"))
		fail_msg("colour with NO_COLOR set");
	json_decref(summary);
	names_teardown(state);
}
