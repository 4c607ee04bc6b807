// SPDX-License-Identifier: GPL-2.0
/*
 * Runs and run time of the BPF programs loaded after id MIN_ID while CMD runs, from kernel
 * BPF statistics (on for the run only). Each program's fd is opened before the first read
 * and kept: opening one makes a dentry, an allocation that lrutop's fexit on
 * kmem_cache_alloc_lru sees, so reads opened inside the window would count themselves.
 * usage: bench-runs MIN_ID CMD [ARG]...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>

#define MAX_PROGS 256

struct prog {
	int fd;
	char name[BPF_OBJ_NAME_LEN];
	unsigned long long cnt, ns;
};

static int read_stats(struct prog *p, int n)
{
	struct bpf_prog_info info;
	__u32 len;

	for (int i = 0; i < n; i++) {
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(p[i].fd, &info, &len))
			return -1;
		snprintf(p[i].name, sizeof(p[i].name), "%s", info.name);
		p[i].cnt = info.run_cnt;
		p[i].ns = info.run_time_ns;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct prog before[MAX_PROGS], after[MAX_PROGS];
	unsigned long long runs = 0, ns = 0;
	__u32 id, min_id;
	int n = 0, stats, status;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-runs MIN_ID CMD [ARG]...\n");
		return 2;
	}
	min_id = id = strtoul(argv[1], NULL, 0);
	while (n < MAX_PROGS && !bpf_prog_get_next_id(id, &id)) {
		before[n].fd = bpf_prog_get_fd_by_id(id);
		if (before[n].fd >= 0 && id > min_id)
			n++;
	}
	stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats < 0 || read_stats(before, n)) {
		perror("bench-runs: BPF statistics");
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	memcpy(after, before, sizeof(before[0]) * n);
	if (read_stats(after, n))
		return 1;
	for (int i = 0; i < n; i++) {
		unsigned long long c = after[i].cnt - before[i].cnt, t = after[i].ns - before[i].ns;

		runs += c;
		ns += t;
		if (c)
			printf("%-16s %10llu runs %12llu ns\n", after[i].name, c, t);
	}
	printf("%-16s %10llu runs %12llu ns\n", "(all)", runs, ns);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
