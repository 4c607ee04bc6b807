// SPDX-License-Identifier: GPL-2.0
/*
 * workload: make the kernel allocate memcg list_lru lists in a known pattern.
 *
 * Creates NAME under the memory cgroup hierarchy and MEMCGS memcgs below it (each DEPTH
 * levels deep), mounts MOUNTS fresh tmpfs, and from inside memcg i creates FILES files in
 * TOUCH of the mounts: (i * TOUCH + j) % MOUNTS. A created file allocates a dentry and an
 * inode, so on a 5.18+ kernel each (memcg, superblock) pair first touched gets one list on
 * each of the superblock's two list_lrus, for the memcg and each ancestor not yet holding
 * one. The program prints, per memcg, the lists its allocations must have made (a JSON object
 * a line), then a summary with the lists each memcg of the tree must own (those filling its
 * slots: NAME's, each chain's), then cleans up unless --keep.
 *
 * Statically linked and free of libraries so that it runs in a busybox guest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_DEPTH 8

struct config {
	const char *cgroot;
	const char *name;
	const char *mntdir;
	int memcgs, mounts, touch, files, depth, shared;
	bool keep, cleanup_only, rmdir_first;
};

/* Mount m: t0..t(mounts-1), each touched by touch memcgs' containers, then s0..s(shared-1),
 * touched by every memcg. */
static void mount_path(const struct config *c, int m, char *buf, size_t len)
{
	if (m < c->mounts)
		snprintf(buf, len, "%s/t%d", c->mntdir, m);
	else
		snprintf(buf, len, "%s/s%d", c->mntdir, m - c->mounts);
}

/* The j-th mount memcg i touches: its k own, then the shared ones. */
static int touched_mount(const struct config *c, int i, int j)
{
	return j < c->touch ? (i * c->touch + j) % c->mounts : c->mounts + j - c->touch;
}

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: workload -r CGROUP_ROOT -d MOUNT_DIR [-n NAME] [-m MEMCGS] [-t MOUNTS]\n"
		"                [-k TOUCH] [-S SHARED] [-f FILES] [-D DEPTH] [--keep | --cleanup]\n"
		"                [--rmdir-first]\n"
		"A container host: MEMCGS memory cgroups DEPTH levels deep, MOUNTS tmpfs of which each\n"
		"memcg touches TOUCH (its containers'), SHARED tmpfs every memcg touches, FILES files\n"
		"per memcg per mount (0: none, a control that makes no list). Prints per memcg the lists a 5.18+ kernel must allocate, then a\n"
		"summary. --keep leaves all in place; --cleanup (same options) removes it, unmounting\n"
		"first unless --rmdir-first.\n");
	exit(2);
}

/* Memcg i, level l (1 = the top of its chain, depth = the memcg itself). */
static void memcg_path(const struct config *c, int i, int level, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s/m%d", c->cgroot, c->name, i);

	for (int l = 2; l <= level; l++)
		n += snprintf(buf + n, len - n, "/d%d", l);
}

/* cgroup v2 gives a child the memory controller only if its parent enables it. */
static void enable_memory(const char *dir)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return;	/* cgroup v1: every memcg has it */
	if (write(fd, "+memory", 7) != 7)
		die(path);
	close(fd);
}

static unsigned long long ino_of(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		die(path);
	return st.st_ino;
}

/* The superblock's device as mountinfo and lrutop print it. */
static const char *dev_of(const char *path, char *buf, size_t len)
{
	struct stat st;

	if (stat(path, &st))
		die(path);
	snprintf(buf, len, "%u:%u", major(st.st_dev), minor(st.st_dev));
	return buf;
}

/* Move into the memcg through a cgroup.procs fd opened beforehand: opening it from the
 * child would allocate kernfs dentries inside the memcg being measured. */
static void touch_from(const struct config *c, int procs_fd, int i)
{
	char path[4096];
	pid_t pid;
	int status, fd;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (write(procs_fd, "0", 1) != 1)
			die("write cgroup.procs");
		for (int j = 0; j < c->touch + c->shared; j++) {
			int m = touched_mount(c, i, j), n;

			mount_path(c, m, path, sizeof(path));
			n = strlen(path);
			for (int f = 0; f < c->files; f++) {
				snprintf(path + n, sizeof(path) - n, "/m%d-f%d", i, f);
				fd = open(path, O_CREAT | O_WRONLY, 0600);
				if (fd < 0)
					_exit(3);
				close(fd);
			}
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		die("child touching the mounts");
}

/* Mark a (superblock, memcg) pair populated; true the first time. */
static bool populate(bool *pair)
{
	bool first = !*pair;

	*pair = true;
	return first;
}

static void remove_memcgs(const struct config *c)
{
	char path[4096];

	for (int i = 0; i < c->memcgs; i++) {
		for (int l = c->depth; l >= 1; l--) {
			memcg_path(c, i, l, path, sizeof(path));
			rmdir(path);
		}
	}
	snprintf(path, sizeof(path), "%s/%s", c->cgroot, c->name);
	rmdir(path);
}

/* Unmounting first frees the lists with the superblock (list_lru_destroy); removing the
 * memcgs first frees theirs when the kernel reparents them (memcg offline). */
static void cleanup(const struct config *c)
{
	char path[4096];

	if (c->rmdir_first)
		remove_memcgs(c);
	for (int m = 0; m < c->mounts + c->shared; m++) {
		mount_path(c, m, path, sizeof(path));
		umount2(path, MNT_DETACH);
		rmdir(path);
	}
	if (!c->rmdir_first)
		remove_memcgs(c);
}

static void parse(int argc, char **argv, struct config *c)
{
	static const struct option longopts[] = {
		{ "keep", no_argument, NULL, 'K' },
		{ "shared", required_argument, NULL, 'S' },
		{ "cleanup", no_argument, NULL, 'C' },
		{ "rmdir-first", no_argument, NULL, 'R' },
		{},
	};
	int opt;

	*c = (struct config){ .name = "lrutop-workload", .memcgs = 5, .mounts = 5, .touch = 1,
			      .files = 1, .depth = 1 };
	while ((opt = getopt_long(argc, argv, "r:d:n:m:t:k:f:D:S:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r': c->cgroot = optarg; break;
		case 'd': c->mntdir = optarg; break;
		case 'n': c->name = optarg; break;
		case 'm': c->memcgs = atoi(optarg); break;
		case 't': c->mounts = atoi(optarg); break;
		case 'k': c->touch = atoi(optarg); break;
		case 'f': c->files = atoi(optarg); break;
		case 'D': c->depth = atoi(optarg); break;
		case 'K': c->keep = true; break;
		case 'S': c->shared = atoi(optarg); break;
		case 'C': c->cleanup_only = true; break;
		case 'R': c->rmdir_first = true; break;
		default: usage();
		}
	}
	if (!c->cgroot || !c->mntdir || c->memcgs < 1 || c->mounts < 1 || c->touch < 1 ||
	    c->touch > c->mounts || c->touch > 100 || c->files < 0 || c->depth < 1 || c->depth > MAX_DEPTH ||
	    c->shared < 0 || c->shared > 100)
		usage();
}

int main(int argc, char **argv)
{
	char path[4096], top[4096];
	struct config c;
	bool *populated;	/* [mount][node]: node 0 = NAME, then memcg i level l */
	int *owned;		/* [node]: lists in the node's slots, 2 per superblock */
	long long total = 0;
	int nodes, procs_fd;

	parse(argc, argv, &c);
	if (c.cleanup_only) {
		cleanup(&c);
		return 0;
	}
	snprintf(top, sizeof(top), "%s/%s", c.cgroot, c.name);
	if (mkdir(top, 0755) && errno != EEXIST)
		die(top);
	enable_memory(top);
	for (int i = 0; i < c.memcgs; i++) {
		for (int l = 1; l <= c.depth; l++) {
			memcg_path(&c, i, l, path, sizeof(path));
			if (mkdir(path, 0755) && errno != EEXIST)
				die(path);
			if (l < c.depth)
				enable_memory(path);
		}
	}
	if (mkdir(c.mntdir, 0755) && errno != EEXIST)
		die(c.mntdir);
	for (int m = 0; m < c.mounts + c.shared; m++) {
		mount_path(&c, m, path, sizeof(path));
		if (mkdir(path, 0755) && errno != EEXIST)
			die(path);
		if (mount("lrutop-workload", path, "tmpfs", 0, "size=1m"))
			die("mount tmpfs");
	}

	nodes = 1 + c.memcgs * c.depth;
	populated = calloc((size_t)(c.mounts + c.shared) * nodes, sizeof(*populated));
	owned = calloc(nodes, sizeof(*owned));
	if (!populated || !owned)
		die("calloc");
	for (int i = 0; i < c.memcgs; i++) {
		char pairs[16384], dev[32];
		int lists = 0, n = 0;

		memcg_path(&c, i, c.depth, path, sizeof(path));
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "/cgroup.procs");
		procs_fd = open(path, O_WRONLY | O_CLOEXEC);
		if (procs_fd < 0)
			die(path);
		touch_from(&c, procs_fd, i);
		close(procs_fd);
		/* The kernel populates the memcg and every ancestor below the root that lacks a
		 * list on this superblock: one list on each of its two list_lrus (dentries,
		 * inodes) per memcg. */
		for (int j = 0; j < c.touch + c.shared; j++) {
			int m = touched_mount(&c, i, j), made = 0;
			bool *p = populated + (size_t)m * nodes;

			for (int l = 0; l <= c.depth; l++) {
				int node = l ? 1 + i * c.depth + l - 1 : 0;

				/* No file (-f 0, a control): no object, no list. */
				if (c.files && populate(&p[node])) {
					made++;
					owned[node] += 2;
				}
			}
			mount_path(&c, m, path, sizeof(path));
			n += snprintf(pairs + n, sizeof(pairs) - n,
				      "%s{\"mount\":\"%s\",\"dev\":\"%s\",\"lists_per_lru\":%d}",
				      j ? "," : "", path, dev_of(path, dev, sizeof(dev)), made);
			lists += 2 * made;
		}
		memcg_path(&c, i, c.depth, path, sizeof(path));
		printf("{\"memcg\":\"%s\",\"id\":%llu,\"mounts\":%d,\"files\":%d,"
		       "\"expected_lists\":%d,\"pairs\":[%s]}\n",
		       path + strlen(c.cgroot), ino_of(path), c.touch + c.shared,
		       (c.touch + c.shared) * c.files, lists, pairs);
		total += lists;
	}
	/* What it did, for a person or a script reading the output. */
	printf("{\"summary\":{\"memcgs\":%d,\"depth\":%d,\"mounts\":%d,\"shared\":%d,"
	       "\"touch\":%d,\"files\":%d,\"expected_lists\":%lld,\"owners\":[", c.memcgs, c.depth,
	       c.mounts, c.shared, c.touch, c.files, total);
	for (int node = 0; node < nodes; node++) {
		if (node)
			memcg_path(&c, (node - 1) / c.depth, (node - 1) % c.depth + 1, path, sizeof(path));
		else
			snprintf(path, sizeof(path), "%s", top);
		printf("%s{\"memcg\":\"%s\",\"id\":%llu,\"lists\":%d}", node ? "," : "",
		       path + strlen(c.cgroot), ino_of(path), owned[node]);
	}
	printf("]}}\n");
	fflush(stdout);
	free(owned);
	free(populated);
	if (!c.keep)
		cleanup(&c);
	return 0;
}
