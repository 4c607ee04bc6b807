// SPDX-License-Identifier: GPL-2.0
/*
 * A file server's work in a memory cgroup whose lists exist (make bench-fastpath): the
 * process moves itself into CGROUP, then in DIR creates N files, stats each and unlinks
 * each (every dentry and inode an object of a list_lru's), or reads each FILE through the
 * page cache after dropping it (every xarray node an object of the shadow list_lru's).
 * Prints the seconds the work took, the move and the drop before the clock starts.
 * usage: bench-files CGROUP create DIR N | CGROUP read FILE...
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), err;

	if (fd < 0)
		return -1;
	err = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return err;
}

static int create_stat_unlink(const char *dir, long n)
{
	char path[4200];
	struct stat st;
	int fd;

	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", dir, i);
		fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
		close(fd);
	}
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", dir, i);
		if (stat(path, &st))
			return -1;
	}
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", dir, i);
		if (unlink(path))
			return -1;
	}
	return 0;
}

static int read_files(char **files, int n)
{
	static char buf[1 << 16];
	ssize_t r;
	int fd;

	for (int i = 0; i < n; i++) {
		fd = open(files[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			;
		close(fd);
		if (r < 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char procs[4200], pid[32];
	double t0;
	int err;

	if (argc < 4 || (strcmp(argv[2], "create") && strcmp(argv[2], "read")) ||
	    (!strcmp(argv[2], "create") && argc != 5)) {
		fprintf(stderr, "usage: bench-files CGROUP create DIR N | CGROUP read FILE...\n");
		return 2;
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", argv[1]);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (write_str(procs, pid)) {
		perror("bench-files: cannot join the cgroup");
		return 1;
	}
	if (!strcmp(argv[2], "read")) {
		sync();
		if (write_str("/proc/sys/vm/drop_caches", "1")) {
			perror("bench-files: drop_caches");
			return 1;
		}
	}
	t0 = now();
	err = !strcmp(argv[2], "create") ? create_stat_unlink(argv[3], atol(argv[4])) :
	      read_files(argv + 3, argc - 3);
	if (err) {
		perror("bench-files");
		return 1;
	}
	printf("%.4f\n", now() - t0);
	return 0;
}
