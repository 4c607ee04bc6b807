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
 * With --page-cache KB each file gets KB of data: more than a page needs xarray nodes in its
 * page cache, which the kernel allocates from 5.18 on with the workingset's shadow_nodes
 * list_lru (not on tmpfs, whose pages are shmem's: use --fstype ramfs, or --in a directory of
 * a disk filesystem), so each memcg of a chain also gets one list there, once. --reclaim then
 * reclaims half of each leaf's pages (memory.reclaim, or a lower memory.limit_in_bytes on
 * cgroup v1), leaving xarray nodes of shadow entries on the leaf's list there.
 *
 * With --thp N each leaf also faults in N anonymous transparent huge pages (madvise
 * MADV_HUGEPAGE), then unmaps half of the first: from 7.2 the kernel makes each memcg of the
 * chain a list on the THP deferred-split list_lru when a huge page is charged to it
 * (folio_memcg_list_lru_alloc), and the partly unmapped one is queued on the leaf's list.
 *
 * With --swap KB each leaf also fills KB of anonymous memory, which the workload then
 * reclaims from its memcg while it waits: with zswap on and a swap device, zswap stores the
 * pages and, from 6.8, makes each memcg of the chain a list on its list_lru (zswap_list_lru).
 *
 * With --fail-lists lazy|eager a kernel built to fail allocations on purpose (failslab,
 * /proc/thread-self/fail-nth) fails the allocation of lists once per memcg or mount: lazy,
 * each leaf's first file on a fresh tmpfs of its own, whose lists then are never made there;
 * eager (before 5.18), each mount's eager lists once, the mount then made again. The n-th
 * slab allocation of the call is failed for n = 1, 2, ... until the kernel's own report of
 * the failure (its stack, in /dev/kmsg) shows it inside the list_lru allocator. Some
 * failures the kernel tolerates (a slab page's memcg vector): the call then succeeds and
 * makes its lists, so a leaf has FAIL_POOL such mounts to try in turn, and each line says
 * how many it spoiled (their lists counted as made) and how many failures it injected.
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
#include <sys/mman.h>
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
	const char *fstype;	/* of the fresh mounts: tmpfs or ramfs */
	const char *in;		/* the one directory touched instead of fresh mounts, or NULL */
	int memcgs, mounts, touch, files, depth, shared;
	const char *chain;	/* --chain: names of levels 2 .. depth, "%02d" for the memcg */
	int kb;			/* data written to each file */
	int thp;		/* huge pages each leaf faults in */
	int swap_kb;		/* anonymous memory each leaf has swapped out */
	bool keep, cleanup_only, rmdir_first, reclaim;
	enum { FAIL_NONE, FAIL_LAZY, FAIL_EAGER } fail_lists;
};

/* The kernel's fault reports, read from the end of its log (open before a move into a memcg:
 * opening a file there would make lists of its own). */
struct fault_log {
	int kmsg_fd;		/* /dev/kmsg, non-blocking */
	int nth_fd;		/* /proc/thread-self/fail-nth of the task that fails */
};

/* The functions whose slab allocations are the lists: the lazy allocator (memcg_list_lru_alloc,
 * 7.2's __memcg_list_lru_alloc and folio_memcg_list_lru_alloc), the eager one. */
static const char *const list_allocators[] = {
	[FAIL_LAZY] = "memcg_list_lru_alloc+",
	[FAIL_EAGER] = "__memcg_init_list_lru_node+",
};
static int injected_total;
#define FAIL_POOL 4	/* fresh mounts a leaf may spoil before its failure (lazy) */

/* Mount m: t0..t(mounts-1), each touched by touch memcgs' containers, then s0..s(shared-1),
 * touched by every memcg. */
static void mount_path(const struct config *c, int m, char *buf, size_t len)
{
	if (c->in)
		snprintf(buf, len, "%s", c->in);
	else if (m < c->mounts)
		snprintf(buf, len, "%s/t%d", c->mntdir, m);
	else if (m < c->mounts + c->shared)
		snprintf(buf, len, "%s/s%d", c->mntdir, m - c->mounts);
	else
		snprintf(buf, len, "%s/p%d", c->mntdir, m - c->mounts - c->shared);
}

/* Every mount: then, with --fail-lists lazy, FAIL_POOL of each memcg's own, p0, p1, ... */
static int nr_mounts(const struct config *c)
{
	return c->mounts + c->shared + (c->fail_lists == FAIL_LAZY ? c->memcgs * FAIL_POOL : 0);
}

static int pool_mount(const struct config *c, int i, int k)
{
	return c->mounts + c->shared + i * FAIL_POOL + k;
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
		"                [--rmdir-first] [--fstype tmpfs|ramfs | --in DIR] [--page-cache KB]\n"
		"                [--reclaim] [--thp N] [--swap KB] [--chain L2/L3/...]\n"
		"                [--fail-lists lazy|eager]\n"
		"A container host: MEMCGS memory cgroups DEPTH levels deep, MOUNTS tmpfs of which each\n"
		"memcg touches TOUCH (its containers'), SHARED tmpfs every memcg touches, FILES files\n"
		"per memcg per mount (0: none, a control that makes no list). Prints per memcg the lists a 5.18+ kernel must allocate, then a\n"
		"summary. --keep leaves all in place; --cleanup (same options) removes it, unmounting\n"
		"first unless --rmdir-first. --page-cache writes KB to each file (page cache xarray\n"
		"nodes: shadow_nodes lists, not on tmpfs); --in DIR touches DIR (one mount) instead of\n"
		"fresh mounts; --reclaim reclaims half of each leaf's pages (shadow entries); --thp N\n"
		"faults N huge pages in each leaf and unmaps half of one (deferred-split lists, 7.2+);\n"
		"--swap KB has each leaf's KB of anonymous memory reclaimed (zswap lists, 6.8+);\n"
		"--chain names levels 2 and down (\"%%02d\" is the memcg's number), as a runtime would;\n"
		"--fail-lists lazy|eager fails the lists' allocation on purpose, once per leaf (its\n"
		"first mount, no file made there) or per mount (made again), on a kernel with\n"
		"CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS.\n");
	exit(2);
}

/* Level l's name in memcg i's chain: --chain's component l - 2 ("%02d": i), else d<l>. */
static int chain_name(const struct config *c, int i, int l, char *buf, size_t len)
{
	const char *p = c->chain;
	size_t n;
	int off = 0;

	for (int k = 2; p && k < l; k++)
		p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL;
	if (!p)
		return snprintf(buf, len, "d%d", l);
	n = strcspn(p, "/");
	for (size_t k = 0; k < n && (size_t)off + 3 < len; k++) {
		if (!strncmp(p + k, "%02d", 4) && k + 4 <= n) {
			off += snprintf(buf + off, len - off, "%02d", i % 100);
			k += 3;
		} else {
			buf[off++] = p[k];
		}
	}
	buf[off] = '\0';
	return off;
}

/* Memcg i, level l (1 = the top of its chain, depth = the memcg itself). */
static void memcg_path(const struct config *c, int i, int level, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s/m%d", c->cgroot, c->name, i);

	for (int l = 2; l <= level && (size_t)n + 1 < len; l++) {
		buf[n++] = '/';
		n += chain_name(c, i, l, buf + n, len - n);
	}
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

#define HUGE_SIZE	(2UL << 20)

/* n huge pages faulted in (2 MB aligned, MADV_HUGEPAGE), then half of the first unmapped:
 * the kernel queues that one for a deferred split. Left mapped until the process exits. */
static int fault_huge_pages(int n, int smaps_fd)
{
	size_t len = (n + 1) * HUGE_SIZE;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *huge, text[4096], *line;
	long kb = -1;
	ssize_t got;

	if (p == MAP_FAILED)
		return -1;
	huge = (char *)(((unsigned long)p + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1));
	if (madvise(huge, n * HUGE_SIZE, MADV_HUGEPAGE))
		return -1;
	for (int k = 0; k < n; k++)
		huge[k * HUGE_SIZE] = 1;
	/* Huge pages they must be: a small page makes no deferred-split list. */
	got = pread(smaps_fd, text, sizeof(text) - 1, 0);
	text[got > 0 ? got : 0] = '\0';
	line = strstr(text, "AnonHugePages:");
	if (!line || sscanf(line, "AnonHugePages: %ld", &kb) != 1 || kb < n * 2048L) {
		fprintf(stderr, "workload: the kernel gave %ld kB of huge pages for %d\n", kb, n);
		return -1;
	}
	return munmap(huge + HUGE_SIZE / 2, HUGE_SIZE / 2);
}

static void reclaim_kb(const char *memcg, long long kb);

/* kb of anonymous memory, filled (compressible, no page of one byte repeated: those zswap
 * or the swap layer keep without storing), then ready said on ready_fd; held until go_fd
 * says go, while the parent reclaims it. */
static int hold_anon(int kb, int ready_fd, int go_fd)
{
	size_t len = (size_t)kb * 1024;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char c;

	if (p == MAP_FAILED)
		return -1;
	for (size_t i = 0; i < len; i++)
		p[i] = (char)((i & 15) * 7 + (i >> 12));
	if (write(ready_fd, "r", 1) != 1 || read(go_fd, &c, 1) != 1)
		return -1;
	return 0;
}

/* The pages zswap holds for memcg, from memory.stat's zswapped; -1 where it has none (v1). */
static long long zswapped(const char *memcg)
{
	char path[4200], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", memcg);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "zswapped %lld", &v) == 1)
			break;
	}
	if (f)
		fclose(f);
	return v;
}

/* Write text to path; false (errno set) if it cannot be. */
static bool write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok;
}

/* failslab for fail-nth: allocations that may sleep too (the lists' do), each failure
 * reported with its stack. */
static void failslab_setup(void)
{
	static const char dir[] = "/sys/kernel/debug/failslab";
	struct stat st;

	if (access("/proc/self/fail-nth", F_OK)) {
		fprintf(stderr, "workload: --fail-lists needs a kernel with CONFIG_FAULT_INJECTION "
			"(no /proc/self/fail-nth)\n");
		exit(1);
	}
	if (stat(dir, &st))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (!write_file("/sys/kernel/debug/failslab/ignore-gfp-wait", "N") ||
	    !write_file("/sys/kernel/debug/failslab/verbose", "2")) {
		fprintf(stderr, "workload: --fail-lists needs CONFIG_FAILSLAB and "
			"CONFIG_FAULT_INJECTION_DEBUG_FS (%s: %s)\n", dir, strerror(errno));
		exit(1);
	}
}

static void fault_log_open(struct fault_log *l)
{
	l->kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (l->kmsg_fd < 0 || lseek(l->kmsg_fd, 0, SEEK_END) < 0)
		die("/dev/kmsg");
	l->nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (l->nth_fd < 0)
		die("/proc/thread-self/fail-nth");
}

static void fault_log_close(struct fault_log *l)
{
	close(l->kmsg_fd);
	close(l->nth_fd);
}

/* Fail the calling task's n-th slab allocation from now (0: none). */
static void fail_nth(const struct fault_log *l, int n)
{
	char text[16];
	int len = snprintf(text, sizeof(text), "%d", n);

	if (pwrite(l->nth_fd, text, len, 0) != len)
		die("fail-nth");
}

/* The kernel's records since the last read: how many failures it reports injecting, and
 * whether one's stack runs through fn. */
static int fault_reports(const struct fault_log *l, const char *fn, bool *in_fn)
{
	char rec[8192];
	ssize_t n;
	int reports = 0;

	*in_fn = false;
	while ((n = read(l->kmsg_fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n < 0)
			continue;	/* records overwritten before they were read */
		rec[n] = '\0';
		reports += strstr(rec, "FAULT_INJECTION: forcing a failure") != NULL;
		*in_fn |= strstr(rec, fn) != NULL;
	}
	return reports;
}

/*
 * Call attempt with the n-th slab allocation failed, for n = 1, 2, ..., until the kernel
 * reports a failure inside the list allocator allocs; each earlier one failed an allocation
 * before it (the syscall fails, nothing made). 0 once it did; 1 if the call succeeded after
 * a failure the kernel tolerated (it made its lists); -1 if it succeeded with no failure
 * (the allocator was never called) or failed for another reason.
 */
static int fail_list_alloc(const struct fault_log *l, int allocs, int (*attempt)(const void *),
			   const void *arg)
{
	bool in_fn;
	int ret, err;

	for (int n = 1; n <= 200; n++) {
		fault_reports(l, list_allocators[allocs], &in_fn);	/* drained */
		fail_nth(l, n);
		ret = attempt(arg);
		err = errno;
		fail_nth(l, 0);
		if (!ret && fault_reports(l, list_allocators[allocs], &in_fn) == 1)
			return 1;
		if (!ret) {
			fprintf(stderr, "workload: the call succeeded with its allocation %d failed, "
				"before any in %.*s\n", n, (int)strlen(list_allocators[allocs]) - 1,
				list_allocators[allocs]);
			return -1;
		}
		if (err != ENOMEM) {
			fprintf(stderr, "workload: allocation %d failed: %s, not ENOMEM\n", n,
				strerror(err));
			return -1;
		}
		if (fault_reports(l, list_allocators[allocs], &in_fn) != 1) {
			fprintf(stderr, "workload: allocation %d failed with no report of the kernel's\n", n);
			return -1;
		}
		if (in_fn)
			return 0;
	}
	fprintf(stderr, "workload: 200 allocations failed, none in the list allocator\n");
	return -1;
}

static int create_file(const void *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Memcg i's lists failed on a mount of its pool (the first that tolerated no failure before
 * the allocator's); how many before it were spoiled. Exits the child if none would do. */
static int fail_in_pool(const struct config *c, int i, const struct fault_log *log)
{
	char path[4096];
	int r;

	for (int k = 0; k < FAIL_POOL; k++) {
		mount_path(c, pool_mount(c, i, k), path, sizeof(path));
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s-m%d-x", c->name, i);
		r = fail_list_alloc(log, FAIL_LAZY, create_file, path);
		if (r <= 0) {
			if (r < 0)
				_exit(8);
			return k;
		}
		/* Spoiled: a second file there makes what the failure left unmade (a slab
		 * page's vector), its lists made already; the next mount's search then does
		 * not meet it. */
		strcat(path, "2");
		if (create_file(path))
			_exit(8);
	}
	fprintf(stderr, "workload: %d mounts spoiled by failures the kernel tolerated\n", FAIL_POOL);
	_exit(8);
}

/* Move into the memcg through a cgroup.procs fd opened beforehand: opening it from the
 * child would allocate kernfs dentries inside the memcg being measured. Returns the mounts
 * of its pool it spoiled (--fail-lists lazy). */
static int touch_from(const struct config *c, int procs_fd, int i)
{
	int status, fd, ready[2] = { -1, -1 }, go[2] = { -1, -1 };
	char path[4096], r;
	pid_t pid;

	if (c->swap_kb && (pipe(ready) || pipe(go)))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		static char data[4096];
		/* Opened before the move: a file opened inside would make proc dentries there. */
		int smaps_fd = c->thp ? open("/proc/self/smaps_rollup", O_RDONLY) : -1;
		struct fault_log log;
		int spoiled = 0;

		if (c->fail_lists == FAIL_LAZY)
			fault_log_open(&log);
		memset(data, 'x', sizeof(data));
		if (write(procs_fd, "0", 1) != 1)
			die("write cgroup.procs");
		for (int j = 0; j < c->touch + c->shared; j++) {
			int m = touched_mount(c, i, j), n;

			mount_path(c, m, path, sizeof(path));
			n = strlen(path);
			for (int f = 0; f < c->files; f++) {
				snprintf(path + n, sizeof(path) - n, "/%s-m%d-f%d", c->name, i, f);
				fd = open(path, O_CREAT | O_WRONLY, 0600);
				if (fd < 0)
					_exit(3);
				for (int k = 0; k < c->kb; k += 4) {
					if (write(fd, data, sizeof(data)) != sizeof(data))
						_exit(4);
				}
				if (c->kb && fsync(fd))
					_exit(5);
				close(fd);
			}
		}
		/* After its files: the slab pages of its dentries, inodes and files already
		 * carry its memcg's vectors, whose allocation failing the kernel tolerates. */
		if (c->fail_lists == FAIL_LAZY) {
			spoiled = fail_in_pool(c, i, &log);
			fault_log_close(&log);
		}
		if (c->thp && fault_huge_pages(c->thp, smaps_fd))
			_exit(6);
		if (c->swap_kb && hold_anon(c->swap_kb, ready[1], go[0]))
			_exit(7);
		_exit(spoiled ? 10 + spoiled : 0);
	}
	if (c->swap_kb) {
		memcg_path(c, i, c->depth, path, sizeof(path));
		if (read(ready[0], &r, 1) != 1)
			die("child filling its memory");
		reclaim_kb(path, c->swap_kb);
		if (zswapped(path) == 0) {
			fprintf(stderr, "workload: zswap stored none of %s's pages\n", path);
			exit(1);
		}
		if (write(go[1], "g", 1) != 1)
			die("pipe");
		for (int k = 0; k < 2; k++) {
			close(ready[k]);
			close(go[k]);
		}
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    (WEXITSTATUS(status) && WEXITSTATUS(status) <= 10))
		die("child touching the mounts");
	if (c->fail_lists == FAIL_LAZY)
		injected_total++;
	return WEXITSTATUS(status) ? WEXITSTATUS(status) - 10 : 0;
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
	for (int i = 0; c->in && i < c->memcgs; i++) {
		for (int f = 0; f < c->files; f++) {
			snprintf(path, sizeof(path), "%s/%s-m%d-f%d", c->in, c->name, i, f);
			unlink(path);
		}
	}
	for (int m = 0; !c->in && m < nr_mounts(c); m++) {
		mount_path(c, m, path, sizeof(path));
		umount2(path, MNT_DETACH);
		rmdir(path);
	}
	if (!c->rmdir_first)
		remove_memcgs(c);
}

/* The list_lrus one of a kind for the whole kernel, not a superblock's. */
enum global_lru { SHADOW, THP, ZSWAP, NR_GLOBAL_LRUS };
static const char *const global_names[NR_GLOBAL_LRUS] = { "shadow", "thp", "zswap" };

/* Does memcg i put objects on it? Files of more than a page (xarray nodes), not on tmpfs;
 * huge pages. */
static bool touches_global(const struct config *c, enum global_lru g)
{
	if (g == THP)
		return c->thp > 0;
	if (g == ZSWAP)
		return c->swap_kb > 0;
	return c->files && c->kb > 4 && (c->in || strcmp(c->fstype, "tmpfs"));
}

/* The lists memcg i made on global list_lru g: one for it and each ancestor lacking one;
 * marks them made in have[g][node], and adds them to their owners. */
static int global_made(const struct config *c, bool *have, int *owned, enum global_lru g, int i)
{
	int made = 0;

	for (int l = 0; touches_global(c, g) && l <= c->depth; l++) {
		int node = l ? 1 + i * c->depth + l - 1 : 0;

		if (populate(&have[node])) {
			made++;
			owned[node]++;
		}
	}
	return made;
}

struct mount_args {
	const char *path, *fstype, *opts;
};

static int mount_once(const void *arg)
{
	const struct mount_args *a = arg;

	return mount("lrutop-workload", a->path, a->fstype, 0, a->opts);
}

/* A mount whose eager lists fail to be allocated. One the kernel made after a failure it
 * tolerated is undone (its list_lrus go with it), and tried again. */
static void fail_mount(const struct mount_args *a)
{
	struct fault_log log;
	int r = 1;

	fault_log_open(&log);
	for (int k = 0; k < FAIL_POOL && r == 1; k++) {
		r = fail_list_alloc(&log, FAIL_EAGER, mount_once, a);
		if (r == 1 && umount(a->path))
			die("umount");
	}
	fault_log_close(&log);
	if (r) {
		if (r == 1)
			fprintf(stderr, "workload: %d mounts made after failures the kernel tolerated\n",
				FAIL_POOL);
		exit(1);
	}
	injected_total++;
}

/* Fresh mounts: tmpfs (shmem: no page cache xarray nodes on shadow_nodes) or ramfs. */
static void make_mounts(const struct config *c)
{
	char path[4096], opts[64];

	if (mkdir(c->mntdir, 0755) && errno != EEXIST)
		die(c->mntdir);
	/* Room for every file's data: each memcg writes to its mounts. */
	snprintf(opts, sizeof(opts), "size=%lldk",
		 1024 + (long long)c->memcgs * c->files * (c->kb + 4));
	for (int m = 0; m < nr_mounts(c); m++) {
		struct mount_args a = { path, c->fstype, strcmp(c->fstype, "tmpfs") ? NULL : opts };

		mount_path(c, m, path, sizeof(path));
		if (mkdir(path, 0755) && errno != EEXIST)
			die(path);
		/* Before 5.18 a memcg-aware list_lru's lists are made with it, at the mount. */
		if (c->fail_lists == FAIL_EAGER)
			fail_mount(&a);
		if (mount_once(&a))
			die("mount");
	}
}

/* Write text to dir/file; false if it has no such file. */
static bool write_knob(const char *dir, const char *file, const char *text)
{
	char path[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return false;
	n = write(fd, text, strlen(text));
	/* EAGAIN (memory.reclaim): less than asked could be reclaimed. */
	if (n < 0 && errno != EAGAIN)
		die(path);
	close(fd);
	return true;
}

/* Reclaim kb of a memcg's pages, the oldest first (memory.reclaim; on cgroup v1 a limit that
 * low for a moment). */
static void reclaim_kb(const char *memcg, long long kb)
{
	long long usage = 0;
	char text[64], path[4096];
	FILE *f;

	snprintf(text, sizeof(text), "%lldK", kb);
	if (write_knob(memcg, "memory.reclaim", text))
		return;
	/* cgroup v1: a limit below the usage, then none. */
	snprintf(path, sizeof(path), "%s/memory.usage_in_bytes", memcg);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%lld", &usage) != 1)
		die(path);
	fclose(f);
	snprintf(text, sizeof(text), "%lld", usage - kb * 1024);
	write_knob(memcg, "memory.limit_in_bytes", text);
	write_knob(memcg, "memory.limit_in_bytes", "-1");
}

static void parse(int argc, char **argv, struct config *c)
{
	static const struct option longopts[] = {
		{ "keep", no_argument, NULL, 'K' },
		{ "shared", required_argument, NULL, 'S' },
		{ "cleanup", no_argument, NULL, 'C' },
		{ "rmdir-first", no_argument, NULL, 'R' },
		{ "fstype", required_argument, NULL, 'T' },
		{ "in", required_argument, NULL, 'I' },
		{ "page-cache", required_argument, NULL, 'P' },
		{ "reclaim", no_argument, NULL, 'E' },
		{ "thp", required_argument, NULL, 'H' },
		{ "chain", required_argument, NULL, 'N' },
		{ "swap", required_argument, NULL, 'W' },
		{ "fail-lists", required_argument, NULL, 'F' },
		{},
	};
	int opt;

	*c = (struct config){ .name = "lrutop-workload", .memcgs = 5, .mounts = 5, .touch = 1,
			      .files = 1, .depth = 1, .fstype = "tmpfs" };
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
		case 'T': c->fstype = optarg; break;
		case 'I': c->in = optarg; break;
		case 'P': c->kb = atoi(optarg); break;
		case 'E': c->reclaim = true; break;
		case 'H': c->thp = atoi(optarg); break;
		case 'N': c->chain = optarg; break;
		case 'W': c->swap_kb = atoi(optarg); break;
		case 'F':
			if (!strcmp(optarg, "lazy"))
				c->fail_lists = FAIL_LAZY;
			else if (!strcmp(optarg, "eager"))
				c->fail_lists = FAIL_EAGER;
			else
				usage();
			break;
		default: usage();
		}
	}
	if (c->fail_lists == FAIL_LAZY && c->in)
		usage();
	if (c->in) {
		c->mounts = 1;
		c->touch = 1;
		c->shared = 0;
	}
	if (!c->cgroot || !c->mntdir || c->memcgs < 1 || c->mounts < 1 || c->touch < 1 ||
	    c->touch > c->mounts || c->touch > 100 || c->files < 0 || c->depth < 1 || c->depth > MAX_DEPTH ||
	    c->shared < 0 || c->shared > 100 || c->kb < 0 || c->kb > 65536 || c->thp < 0 || c->thp > 64 || c->swap_kb < 0 || c->swap_kb > 1048576 ||
	    (strcmp(c->fstype, "tmpfs") && strcmp(c->fstype, "ramfs")))
		usage();
}

int main(int argc, char **argv)
{
	char path[4096], top[4096];
	struct config c;
	bool *populated;	/* [mount][node]: node 0 = NAME, then memcg i level l */
	bool *global[NR_GLOBAL_LRUS];	/* [node]: a list on shadow_nodes, on the THP queue */
	int *owned;		/* [node]: lists in the node's slots, 2 per superblock, 1 a global */
	long long total = 0;
	int nodes, procs_fd;

	parse(argc, argv, &c);
	if (c.cleanup_only) {
		cleanup(&c);
		return 0;
	}
	if (c.fail_lists)
		failslab_setup();
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
	if (!c.in)
		make_mounts(&c);

	nodes = 1 + c.memcgs * c.depth;
	populated = calloc((size_t)nr_mounts(&c) * nodes, sizeof(*populated));
	owned = calloc(nodes, sizeof(*owned));
	for (int g = 0; g < NR_GLOBAL_LRUS; g++) {
		global[g] = calloc(nodes, sizeof(*global[g]));
		if (!global[g])
			die("calloc");
	}
	if (!populated || !owned)
		die("calloc");
	for (int i = 0; i < c.memcgs; i++) {
		char pairs[16384], dev[32];
		int lists = 0, n = 0, made[NR_GLOBAL_LRUS], spoiled;

		memcg_path(&c, i, c.depth, path, sizeof(path));
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "/cgroup.procs");
		procs_fd = open(path, O_WRONLY | O_CLOEXEC);
		if (procs_fd < 0)
			die(path);
		spoiled = touch_from(&c, procs_fd, i);
		close(procs_fd);
		/* The kernel populates the memcg and every ancestor below the root that lacks a
		 * list on this superblock: one list on each of its two list_lrus (dentries,
		 * inodes) per memcg. Then its pool's mounts (--fail-lists lazy). */
		for (int j = 0; j < c.touch + c.shared + (c.fail_lists == FAIL_LAZY) * FAIL_POOL; j++) {
			int k = j - c.touch - c.shared, made = 0;
			int m = k >= 0 ? pool_mount(&c, i, k) : touched_mount(&c, i, j);
			bool *p = populated + (size_t)m * nodes;
			/* No file (-f 0, a control): no object, no list. A pool's mount has the
			 * lists of its one file where a failure the kernel tolerated let it be
			 * made; none where the lists' allocation failed, or it was not tried. */
			bool filled = k >= 0 ? k < spoiled : c.files > 0;

			for (int l = 0; l <= c.depth; l++) {
				int node = l ? 1 + i * c.depth + l - 1 : 0;

				if (filled && populate(&p[node])) {
					made++;
					owned[node] += 2;
				}
			}
			mount_path(&c, m, path, sizeof(path));
			n += snprintf(pairs + n, sizeof(pairs) - n,
				      "%s{\"mount\":\"%s\",\"dev\":\"%s\",\"lists_per_lru\":%d,"
				      "\"failed\":%s}", j ? "," : "", path,
				      dev_of(path, dev, sizeof(dev)), made, k == spoiled ? "true" : "false");
			lists += 2 * made;
		}
		for (int g = 0; g < NR_GLOBAL_LRUS; g++) {
			made[g] = global_made(&c, global[g], owned, g, i);
			lists += made[g];
		}
		memcg_path(&c, i, c.depth, path, sizeof(path));
		printf("{\"memcg\":\"%s\",\"id\":%llu,\"mounts\":%d,\"files\":%d,"
		       "\"expected_lists\":%d,\"expected_shadow_lists\":%d,"
		       "\"expected_thp_lists\":%d,\"expected_zswap_lists\":%d,"
		       "\"injected_failures\":%d,\"spoiled_mounts\":%d,\"pairs\":[%s]}\n",
		       path + strlen(c.cgroot), ino_of(path), c.touch + c.shared,
		       (c.touch + c.shared) * c.files, lists, made[SHADOW], made[THP], made[ZSWAP],
		       c.fail_lists == FAIL_LAZY, spoiled, pairs);
		/* Half of each leaf's file pages, the oldest first: the first half of each file,
		 * whose xarray nodes then hold only shadow entries and go on the memcg's
		 * shadow_nodes list. Not all of them: with no page left, the shadow shrinker
		 * frees every node (memory.force_empty). */
		if (c.reclaim)
			reclaim_kb(path, (long long)c.files * c.kb / 2);
		total += lists;
	}
	/* What it did, for a person or a script reading the output. */
	printf("{\"summary\":{\"memcgs\":%d,\"depth\":%d,\"mounts\":%d,\"shared\":%d,"
	       "\"touch\":%d,\"files\":%d,\"expected_lists\":%lld,\"injected_failures\":%d,"
	       "\"owners\":[", c.memcgs, c.depth, c.mounts, c.shared, c.touch, c.files, total,
	       injected_total);
	for (int node = 0; node < nodes; node++) {
		if (node)
			memcg_path(&c, (node - 1) / c.depth, (node - 1) % c.depth + 1, path, sizeof(path));
		else
			snprintf(path, sizeof(path), "%s", top);
		printf("%s{\"memcg\":\"%s\",\"id\":%llu,\"lists\":%d", node ? "," : "",
		       path + strlen(c.cgroot), ino_of(path), owned[node]);
		for (int g = 0; g < NR_GLOBAL_LRUS; g++)
			printf(",\"%s_lists\":%d", global_names[g], global[g][node]);
		printf("}");
	}
	printf("]}}\n");
	fflush(stdout);
	for (int g = 0; g < NR_GLOBAL_LRUS; g++)
		free(global[g]);
	free(owned);
	free(populated);
	if (!c.keep)
		cleanup(&c);
	return 0;
}
