// SPDX-License-Identifier: GPL-2.0
/* test_host: The probe's plan, and nothing on the hot path with fentry. */
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

void test_kernel_probe(void **state)
{
	const char *backend = getenv("LRUTOP_EXPECT_BACKEND");
	char out[8192], cmd[512], want[128], cgroot[4096], memcg[4200] = "";
	bool eager = !kernel_has_field("list_lru", "xa");

	/* Before 5.18 a mount makes lists only once a memcg id is in use (a booted test
	 * kernel may have none yet; a real host always has). */
	if (eager && cgroup_memory_root("/proc/self/mounts", cgroot, sizeof(cgroot)) > 0) {
		snprintf(memcg, sizeof(memcg), "%s/lrutop-probe-%d", cgroot, getpid());
		assert_int_equal(mkdir(memcg, 0755), 0);
	}
	snprintf(cmd, sizeof(cmd), "%s --probe", lrutop_bin());
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	if (memcg[0])
		rmdir(memcg);
	assert_non_null(strstr(out, "kernel: "));
	/* The backend chosen counted the self-check's lists exactly. */
	if (!strstr(out, "\nself-check: passed: "))
		fail_msg("the self-check did not pass:\n%s", out);
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

#define HOT_DATAGRAMS 10007	/* prime: an accidental match is unlikely */
#define HOT_PROGS 64

/* A booted test kernel may have lo down: bring it up (root). */
static void loopback_up(int fd)
{
	struct ifreq ifr = { .ifr_name = "lo" };

	assert_int_equal(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	if (ifr.ifr_flags & IFF_UP)
		return;
	ifr.ifr_flags |= IFF_UP;
	assert_int_equal(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
}

/* HOT_DATAGRAMS datagrams of 1,400 bytes to ourselves on loopback: each skb head is
 * kmalloc'd and kfree'd, and no list_lru is touched (the socket exists before). */
static void udp_loopback(int fd)
{
	struct sockaddr_in to;
	socklen_t len = sizeof(to);
	char buf[1400] = "lrutop";

	assert_int_equal(getsockname(fd, (struct sockaddr *)&to, &len), 0);
	for (int i = 0; i < HOT_DATAGRAMS; i++) {
		assert_int_equal(sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&to, len),
				 sizeof(buf));
		assert_int_equal(recv(fd, buf, sizeof(buf), 0), sizeof(buf));
	}
}

/* Is the program attached to the event named (kmalloc: kmalloc_node too, its own tracepoint
 * before 6.1)? */
static bool attached_to(const struct attached_prog *p, const char *event)
{
	return !strncmp(p->target, event, strlen(event));
}

/*
 * Nothing on the hot path. With fentry, no program of lrutop's is on kmalloc, kmalloc_node
 * or kfree, and an allocation-heavy workload that touches no list_lru runs none of its
 * programs. The tracepoint backend runs one on each of its kmallocs and kfrees: that proves
 * the workload allocates, and what fentry spares.
 */
void test_kernel_hot_path(void **state)
{
	char *argv[] = { (char *)lrutop_bin(), "-b", "-j", "1", NULL };
	struct sockaddr_in self = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct attached_prog progs[HOT_PROGS];
	unsigned long long all = 0, kmallocs = 0, kfrees = 0, runs, before[HOT_PROGS];
	json_t *report;
	bool fentry, on_kmalloc = false, on_kfree = false;
	int stats, sock, n;
	pid_t pid;
	FILE *f;

	stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
	assert_true(stats >= 0);
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(sock >= 0);
	loopback_up(sock);
	assert_int_equal(bind(sock, (struct sockaddr *)&self, sizeof(self)), 0);
	f = spawn(argv, &pid, false);
	report = read_json_line(f);	/* attached */
	assert_non_null(report);
	check_backend(report);
	fentry = !strcmp(json_string_value(json_object_get(report, "backend")), "fentry");
	json_decref(report);

	/* The fds stay open through the workload: opening one makes a dentry (an object of a
	 * list_lru's, which lrutop's fentry programs see). */
	n = lrutop_attached(progs, HOT_PROGS);
	attached_refresh(progs, n);	/* the fds opened after each program's first read */
	for (int i = 0; i < n; i++)
		before[i] = progs[i].run_cnt;
	udp_loopback(sock);
	attached_refresh(progs, n);
	for (int i = 0; i < n; i++) {
		runs = progs[i].run_cnt - before[i];
		all += runs;
		if (attached_to(&progs[i], "kmalloc")) {
			on_kmalloc = true;
			kmallocs += runs;
		} else if (attached_to(&progs[i], "kfree")) {
			on_kfree = true;
			kfrees += runs;
		}
		if (runs)
			print_message("  %s on %s: %llu runs\n", progs[i].name, progs[i].target, runs);
	}
	attached_close(progs, n);
	print_message("%s: %d datagrams ran lrutop's programs %llu times (%llu on kmalloc, %llu on kfree)\n",
		      fentry ? "fentry" : "tracepoint", HOT_DATAGRAMS, all, kmallocs, kfrees);
	assert_int_equal(stop_lrutop(f, pid, SIGINT, 10), 0);
	close(sock);
	close(stats);
	assert_true(n > 0);
	if (fentry) {
		if (on_kmalloc || on_kfree)
			fail_msg("fentry backend with a program on kmalloc or kfree");
		assert_int_equal(all, 0);
	} else {
		assert_true(on_kmalloc && on_kfree);
		assert_true(kmallocs >= HOT_DATAGRAMS);
		assert_true(kfrees >= HOT_DATAGRAMS);
	}
}
