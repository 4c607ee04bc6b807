// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include "state/state.h"
#include "selfcheck.h"
#include "lrutop.skel.h"

/*
 * The memcgs and the tmpfs (or the directory on one) the check makes, removed whatever
 * happens.
 */
struct check_env {
	char parent[4096 + 64], child[4096 + 72];
	char mnt[4096 + 64];
	bool mounted;
	const char *where;	/* what the file was made on, for the result */
};

static void env_cleanup(struct check_env *e)
{
	char file[sizeof(e->mnt) + 8];

	if (e->mounted && umount2(e->mnt, MNT_DETACH) == 0)
		e->mounted = false;
	if (e->mnt[0] && !e->mounted) {
		snprintf(file, sizeof(file), "%s/f", e->mnt);
		unlink(file);
		rmdir(e->mnt);
	}
	if (e->child[0])
		rmdir(e->child);
	if (e->parent[0])
		rmdir(e->parent);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int make_tmpfs(struct check_env *e)
{
	/* Its pid, as its memcg has: what one lrutop left is told from another's. */
	snprintf(e->mnt, sizeof(e->mnt), "/tmp/lrutop-self-check-%d-XXXXXX", getpid());
	if (!mkdtemp(e->mnt)) {
		e->mnt[0] = '\0';
		return -errno;
	}
	if (mount("lrutop-self-check", e->mnt, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k"))
		return -errno;
	e->mounted = true;
	e->where = "a fresh tmpfs";
	return 0;
}

/*
 * Without CAP_SYS_ADMIN (the exporter's unit): a new directory on a tmpfs already mounted,
 * its service's RuntimeDirectory first. The memcgs are new, so they hold no list on its
 * superblock yet: the file makes the same 2 + 2 lists a fresh tmpfs does.
 */
static int make_dir_on_tmpfs(struct check_env *e)
{
	const char *dirs[] = { getenv("RUNTIME_DIRECTORY"), "/run", "/dev/shm" };
	struct statfs sfs;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		/* systemd's RUNTIME_DIRECTORY may list several, separated by colons. */
		if (!dirs[i] || dirs[i][0] != '/' || strchr(dirs[i], ':'))
			continue;
		if (statfs(dirs[i], &sfs) || sfs.f_type != TMPFS_MAGIC)
			continue;
		snprintf(e->mnt, sizeof(e->mnt), "%s/lrutop-self-check-%d-XXXXXX", dirs[i], getpid());
		if (!mkdtemp(e->mnt))
			continue;
		e->where = dirs[i];
		return 0;
	}
	e->mnt[0] = '\0';
	return -EPERM;
}

/* A fresh tmpfs where lrutop may mount, else a directory on a tmpfs mounted already. */
static int make_file_place(struct check_env *e)
{
	int err = make_tmpfs(e);

	if (err != -EPERM)
		return err;
	rmdir(e->mnt);
	e->mnt[0] = '\0';
	return make_dir_on_tmpfs(e);
}

/*
 * Where the cgroup root refuses a new directory (mode 0555 under systemd, without
 * CAP_DAC_OVERRIDE), cgroup v2: lrutop's own cgroup, delegated to it (Delegate=yes in the
 * exporter's unit). A cgroup with processes cannot enable controllers for its children, so
 * lrutop first moves itself into a leaf of its own, "lrutop", as delegated services do.
 */
static int delegated_root(const struct lrutop_state *s, char *own, size_t len)
{
	char line[2048], path[4096 + 128];
	FILE *f = fopen("/proc/self/cgroup", "re");
	bool found = false;
	int err;

	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "0::/", 4);
	fclose(f);
	if (!found)
		return -ENOENT;
	line[strcspn(line, "\n")] = '\0';
	if (!strcmp(line + 3, "/"))
		return -EACCES;		/* the root itself refused */
	if (strlen(s->cg.root) + strlen(line + 3) >= len)
		return -ENAMETOOLONG;
	strcpy(own, s->cg.root);
	strcat(own, line + 3);
	snprintf(path, sizeof(path), "%s/lrutop", own);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/lrutop/cgroup.procs", own);
	err = write_str(path, "0");
	if (!err) {
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", own);
		err = write_str(path, "+memory");
	}
	if (!err)
		return 0;
	/* Not delegated (other processes in it: EBUSY): back where it was, nothing left. */
	snprintf(path, sizeof(path), "%s/cgroup.procs", own);
	write_str(path, "0");
	snprintf(path, sizeof(path), "%s/lrutop", own);
	rmdir(path);
	return err;
}

/* The check's parent memcg: at the cgroup root, else in lrutop's delegated cgroup. */
static int make_parent(const struct lrutop_state *s, struct check_env *e)
{
	char own[sizeof(e->parent) - 64];
	int err;

	snprintf(e->parent, sizeof(e->parent), "%s/lrutop-self-check-%d", s->cg.root, getpid());
	if (!mkdir(e->parent, 0700))
		return 0;
	err = -errno;
	if ((err == -EACCES || err == -EPERM) && s->cg.version == 2) {
		err = delegated_root(s, own, sizeof(own));
		snprintf(e->parent, sizeof(e->parent), "%s/lrutop-self-check-%d", own, getpid());
		if (!err && !mkdir(e->parent, 0700))
			return 0;
		if (!err)
			err = -errno;
	}
	e->parent[0] = '\0';
	return err;
}

static int make_memcgs(const struct lrutop_state *s, struct check_env *e, __u64 *ids)
{
	char path[4096 + 96];
	struct stat st;
	int err = make_parent(s, e);

	if (err)
		return err;
	/* cgroup v2 gives the child a memcg only where the parent enables the controller. */
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", e->parent);
	if (s->cg.version == 2 && write_str(path, "+memory"))
		return -errno;
	snprintf(e->child, sizeof(e->child), "%s/c", e->parent);
	if (mkdir(e->child, 0700)) {
		e->child[0] = '\0';
		return -errno;
	}
	/* A cgroup's id is its directory's inode number. */
	if (stat(e->parent, &st))
		return -errno;
	ids[0] = st.st_ino;
	if (stat(e->child, &st))
		return -errno;
	ids[1] = st.st_ino;
	return 0;
}

/*
 * In a child process: join the child memcg, create one file in the tmpfs. Both are opened
 * before the move, so the only objects the memcg allocates are the file's dentry and inode.
 */
static int touch_from_memcg(const struct check_env *e)
{
	char procs[4096 + 32];
	int procs_fd, dir_fd, status, fd;
	pid_t pid;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", e->child);
	procs_fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (procs_fd < 0)
		return -errno;
	dir_fd = open(e->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0) {
		close(procs_fd);
		return -errno;
	}
	pid = fork();
	if (pid == 0) {
		if (write(procs_fd, "0", 1) != 1)
			_exit(2);
		fd = openat(dir_fd, "f", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		_exit(fd < 0 ? 3 : 0);
	}
	close(procs_fd);
	close(dir_fd);
	if (pid < 0)
		return -errno;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

/*
 * LRUTOP_FAULT_SELF_CHECK=fentry,tracepoint (either or both): the named backend sees nothing
 * of what its check made, as on a kernel whose lists it cannot see. For tests of what
 * follows a failed check (the fallback, the refusal to report, the metric); nothing else
 * reads it.
 */
static bool fault_blinds(const struct lrutop_state *s)
{
	const char *fault = getenv("LRUTOP_FAULT_SELF_CHECK");
	const char *name = backend_name(s->kernel.backend);
	size_t len = strlen(name);

	for (const char *p = fault; p && *p; p += strcspn(p, ","), p += *p == ',') {
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return true;
	}
	return false;
}

/* What the failed check's events were, for whoever reads why it failed: its allocator
 * calls (fentry), objects, lists seen and owned, maps full. */
static void explain_lazy_failure(const typeof(((struct lrutop_bpf *)0)->bss) bss,
				 struct self_check *out)
{
	const struct totals *t = &bss->self_check_totals;
	size_t len = strlen(out->result);

	snprintf(out->result + len, sizeof(out->result) - len,
		 " (its events: %llu calls, %llu of them making lists, %llu objects, %llu lists "
		 "seen, %llu owned, %llu dropped)", (unsigned long long)t->calls,
		 (unsigned long long)t->alloc_calls, (unsigned long long)t->objs,
		 (unsigned long long)t->allocs, (unsigned long long)t->owned,
		 (unsigned long long)(t->drops_memcg + t->drops_live + t->drops_owner));
}

/* 5.18+: four lists, two owned by each memcg, all four caused by the child. */
static void check_lazy(struct lrutop_state *s, struct self_check *out)
{
	typeof(s->tracer.skel->bss) bss = s->tracer.skel->bss;
	const struct memcg_stats *p = &bss->self_check_stats[0], *c = &bss->self_check_stats[1];
	struct check_env e = {};
	__u64 ids[2] = {};
	int err;

	if (!s->cg.version) {
		snprintf(out->result, sizeof(out->result),
			 "not run: no memory cgroup hierarchy is mounted");
		return;
	}
	err = make_memcgs(s, &e, ids);
	if (!err)
		err = make_file_place(&e);
	if (!err) {
		memset(bss->self_check_stats, 0, sizeof(bss->self_check_stats));
		memset(&bss->self_check_totals, 0, sizeof(bss->self_check_totals));
		bss->self_check_cgids[0] = ids[0];
		bss->self_check_cgids[1] = ids[1];
		err = touch_from_memcg(&e);
	}
	if (!err)
		err = tracer_resolve_owners(&s->tracer);
	if (!err && fault_blinds(s))
		memset(bss->self_check_stats, 0, sizeof(bss->self_check_stats));
	if (err) {
		snprintf(out->result, sizeof(out->result), "not run: %s", strerror(-err));
	} else {
		out->ok = p->allocs == 2 && c->allocs == 2 && c->caused_allocs == 4 &&
			  !p->caused_allocs && p->bytes && p->bytes == c->bytes;
		snprintf(out->result, sizeof(out->result),
			 "%s: a memcg and its child on %s must own 2 + 2 lists, all "
			 "4 caused by the child; counted %llu + %llu owned, %llu caused",
			 out->ok ? "passed" : "FAILED", e.where, (unsigned long long)p->allocs,
			 (unsigned long long)c->allocs, (unsigned long long)c->caused_allocs);
		if (!out->ok)
			explain_lazy_failure(bss, out);
	}
	env_cleanup(&e);
	bss->self_check_cgids[0] = bss->self_check_cgids[1] = 0;
}

/* Before 5.18: mounting a tmpfs makes 2 list_lrus x nodes x id space lists at once. */
static void check_eager(struct lrutop_state *s, struct self_check *out)
{
	typeof(s->tracer.skel->bss) bss = s->tracer.skel->bss;
	struct check_env e = {};
	unsigned long long want;
	int err;

	memset(&bss->self_check_totals, 0, sizeof(bss->self_check_totals));
	bss->self_check_tgid = getpid();
	err = make_tmpfs(&e);
	bss->self_check_tgid = 0;
	if (!err && fault_blinds(s))
		memset(&bss->self_check_totals, 0, sizeof(bss->self_check_totals));
	if (err) {
		snprintf(out->result, sizeof(out->result), "not run: tmpfs: %s", strerror(-err));
	} else if (!bss->id_space_known || !bss->id_space) {
		snprintf(out->result, sizeof(out->result),
			 "inconclusive: the memcg id space is %s, so a mount makes no list to count",
			 bss->id_space_known ? "still empty" : "unknown");
	} else {
		want = 2ULL * s->kernel.nr_nodes * bss->id_space;
		out->ok = bss->self_check_totals.eager_allocs == want;
		snprintf(out->result, sizeof(out->result),
			 "%s: a fresh tmpfs must make 2 list_lrus x %d node(s) x %u ids = %llu "
			 "eager lists; counted %llu", out->ok ? "passed" : "FAILED", s->kernel.nr_nodes,
			 bss->id_space, want, (unsigned long long)bss->self_check_totals.eager_allocs);
	}
	bss->self_check_tgid = getpid();	/* the umount's frees are the check's too */
	env_cleanup(&e);
	bss->self_check_tgid = 0;
}

/* One check, for what the kernel is: lazy lists from 5.18, eager before. */
static void check_once(struct lrutop_state *s, struct self_check *out)
{
	out->ok = -1;
	if (s->kernel.plan->post_patch)
		check_lazy(s, out);
	else if (s->kernel.plan->pre_patch && s->kernel.avail[M_EAGER])
		check_eager(s, out);
	else
		snprintf(out->result, sizeof(out->result), "not run: nothing this backend counts");
}

/*
 * A check that failed while the kernel skipped runs of lrutop's programs is run again: a
 * skipped run is an event not counted (a program already running on that CPU, as when the
 * kernel preempts one), not a kernel lrutop misreads. After SELF_CHECK_TRIES such runs it is
 * inconclusive, and the reports flag their own skipped runs.
 */
#define SELF_CHECK_TRIES	3

void self_check_run(struct lrutop_state *s, struct self_check *out)
{
	char failed[sizeof(out->result)];
	sigset_t block, old;
	__u64 missed;

	/* A signal now would leave a memcg and a mount behind: it waits for the cleanup. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	/* Each try's read after it is the next one's before. */
	watching_refresh(s);
	for (int tries = 1; ; tries++) {
		check_once(s, out);
		watching_refresh(s);
		missed = s->watching.interval_missed;
		if (out->ok || !missed)
			break;
		if (tries == SELF_CHECK_TRIES) {
			memcpy(failed, out->result, sizeof(failed));
			out->ok = -1;
			snprintf(out->result, sizeof(out->result),
				 "inconclusive: the kernel skipped runs of lrutop's programs in each "
				 "of %d tries (%llu in the last: %.300s)", tries,
				 (unsigned long long)missed, failed);
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}
