// SPDX-License-Identifier: GPL-2.0
/* test_host: Signals detach every program; the live screen in tmux restores the terminal. */
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

/*
 * SIGINT, SIGTERM and SIGHUP all detach: no program or link of ours stays loaded, whichever
 * backend is attached (the guests run this with fentry).
 */
void test_kernel_signals_detach(void **state)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	char *argv[] = { (char *)lrutop_bin(), "-b", "1", NULL };
	int before = count_lrutop_bpf();
	char line[4096];
	pid_t pid;
	FILE *f;

	/* The kernel frees a released program from a work queue: the lrutops of the tests
	 * before this one may still be leaving. Wait (5 s at most) for them to be gone. */
	for (int t = 0; t < 50 && before; t++) {
		usleep(100000);
		before = count_lrutop_bpf();
	}
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		f = spawn(argv, &pid, false);
		assert_non_null(fgets(line, sizeof(line), f));	/* attached and reporting */
		check_backend_line(line);
		assert_true(count_lrutop_bpf() > before);
		assert_int_equal(stop_lrutop(f, pid, sigs[i], 5), 0);
		/* Give the work queue a moment. Fewer than before is someone else's leaving. */
		for (int t = 0; t < 30 && count_lrutop_bpf() > before; t++)
			usleep(100000);
		if (count_lrutop_bpf() > before)
			fail_msg("after %s, %d of lrutop's programs and links still loaded",
				 strsignal(sigs[i]), count_lrutop_bpf() - before);
	}
}

/* The live screen, for real: a terminal, keys, a resize, and 'q'. */
void test_screen_tmux(void **state)
{
	char cmd[1024], out[1 << 16];

	run("tmux kill-session -t lrutop-test", NULL, 0);
	unlink("/tmp/lrutop-test.rc");
	/* Its exit status to a file: tmux says nothing of it. */
	snprintf(cmd, sizeof(cmd), "tmux new-session -d -s lrutop-test -x 120 -y 40 "
		 "'%s 0.5; echo $? > /tmp/lrutop-test.rc'", lrutop_bin());
	assert_int_equal(run(cmd, NULL, 0), 0);
	if (!tmux_wait_for("lrutop-test", "MEMCG", out, sizeof(out)))
		fail_msg("no table on screen:\n%s", out);
	/* The header names the backend. */
	assert_true(strstr(out, " tracepoint, ") || strstr(out, " fentry, "));
	assert_non_null(strstr(out, "sort allocs"));
	run("tmux send-keys -t lrutop-test b", NULL, 0);
	if (!tmux_wait_for("lrutop-test", "sort bytes", out, sizeof(out)))
		fail_msg("'b' did not sort by bytes:\n%s", out);
	run("tmux send-keys -t lrutop-test w", NULL, 0);
	if (!tmux_wait_for("lrutop-test", "by cause", out, sizeof(out)) || !strstr(out, "CAUSED"))
		fail_msg("'w' did not switch to lists by cause:\n%s", out);
	run("tmux send-keys -t lrutop-test w", NULL, 0);
	if (!tmux_wait_for("lrutop-test", "by owner", out, sizeof(out)))
		fail_msg("'w' did not switch back to lists by owner:\n%s", out);
	run("tmux send-keys -t lrutop-test H", NULL, 0);
	if (!tmux_wait_for("lrutop-test", "per memcg", out, sizeof(out)))
		fail_msg("'H' showed no histogram:\n%s", out);
	run("tmux resize-window -t lrutop-test -x 80 -y 24", NULL, 0);
	if (!tmux_wait_for("lrutop-test", "MEMCG", out, sizeof(out)))
		fail_msg("nothing on screen after a resize:\n%s", out);
	run("tmux send-keys -t lrutop-test q", NULL, 0);
	for (int i = 0; i < 50 && run("tmux has-session -t lrutop-test", NULL, 0) == 0; i++)
		usleep(100000);
	if (run("tmux has-session -t lrutop-test", NULL, 0) == 0) {
		run("tmux kill-session -t lrutop-test", NULL, 0);
		fail_msg("'q' did not quit");
	}
	run("cat /tmp/lrutop-test.rc", out, sizeof(out));
	unlink("/tmp/lrutop-test.rc");
	if (strcmp(out, "0\n"))
		fail_msg("the live screen quit with status '%s'", out);
}
