// SPDX-License-Identifier: GPL-2.0
/*
 * An allocation-heavy workload for benchmarks: MEMCGS memory cgroups, each with a child
 * that creates, stats and unlinks FILES files in a tmpfs ITER times. Every creation
 * allocates a dentry and an inode (kmem_cache_alloc_lru on 5.18+), the path lrutop sits on.
 * Prints the wall time of the work, in seconds, and nothing else.
 *
 * usage: churn -r CGROUP_ROOT -d DIR [-m MEMCGS] [-f FILES] [-i ITER]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "churn: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void work(const char *dir, int i, int files, int iters)
{
	char path[4200];
	struct stat st;
	int fd;

	for (int it = 0; it < iters; it++) {
		for (int f = 0; f < files; f++) {
			snprintf(path, sizeof(path), "%s/c%d-%d", dir, i, f);
			fd = open(path, O_CREAT | O_WRONLY, 0600);
			if (fd < 0)
				_exit(2);
			close(fd);
		}
		for (int f = 0; f < files; f++) {
			snprintf(path, sizeof(path), "%s/c%d-%d", dir, i, f);
			if (stat(path, &st) || unlink(path))
				_exit(3);
		}
	}
}

int main(int argc, char **argv)
{
	const char *root = NULL, *dir = NULL;
	int memcgs = 4, files = 2000, iters = 5, opt, status, fd;
	char cg[4200], procs[4300];
	struct timespec t0, t1;
	pid_t *pids;

	while ((opt = getopt(argc, argv, "r:d:m:f:i:")) != -1) {
		switch (opt) {
		case 'r': root = optarg; break;
		case 'd': dir = optarg; break;
		case 'm': memcgs = atoi(optarg); break;
		case 'f': files = atoi(optarg); break;
		case 'i': iters = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (!root || !dir || memcgs < 1 || files < 1 || iters < 1)
		goto usage;
	pids = calloc(memcgs, sizeof(*pids));
	if (!pids || (mkdir(dir, 0755) && errno != EEXIST) ||
	    mount("lrutop-churn", dir, "tmpfs", 0, "size=256m"))
		die(dir);
	snprintf(cg, sizeof(cg), "%s/lrutop-churn", root);
	if (mkdir(cg, 0755) && errno != EEXIST)
		die(cg);
	snprintf(procs, sizeof(procs), "%s/cgroup.subtree_control", cg);
	fd = open(procs, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "+memory", 7) < 0)
			die(procs);
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < memcgs; i++) {
		snprintf(procs, sizeof(procs), "%s/c%d", cg, i);
		if (mkdir(procs, 0755) && errno != EEXIST)
			die(procs);
		strcat(procs, "/cgroup.procs");
		fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			die(procs);
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i] == 0) {
			if (write(fd, "0", 1) != 1)
				_exit(4);
			work(dir, i, files, iters);
			_exit(0);
		}
		close(fd);
	}
	for (int i = 0; i < memcgs; i++) {
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			fprintf(stderr, "churn: worker %d failed\n", i);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.6f\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	for (int i = 0; i < memcgs; i++) {
		snprintf(procs, sizeof(procs), "%s/c%d", cg, i);
		rmdir(procs);
	}
	rmdir(cg);
	return 0;
usage:
	fprintf(stderr, "usage: churn -r CGROUP_ROOT -d DIR [-m MEMCGS] [-f FILES] [-i ITER]\n");
	return 2;
}
