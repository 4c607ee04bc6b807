// SPDX-License-Identifier: GPL-2.0
/*
 * The cgroup tree below a mount's root through the kernel's cgroup iterator
 * (iters.bpf.c): records in pre-order, a few reads of the kernel's buffer, where a
 * directory walk lists every file of every cgroup (cgroup.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lrutop.h"
#include "cgroup.h"
#include "iters.h"
#include "iters.skel.h"

/* kernel/bpf/bpf_iter.c: a session's output fits 8 pages. The margin keeps the budget below
 * that whatever the kernel rounds. */
#define ITER_PAGES	8
#define ITER_MARGIN	512
/* Sessions one walk may take: 65,536 cgroups at the fewest a session writes (one 32 KB
 * buffer of 280-byte records). */
#define MAX_SESSIONS	(65536 / ((ITER_PAGES * 4096 - ITER_MARGIN) / 280) + 2)

/* The path being made: the ancestors of the next record, each an index entry. */
struct path_stack {
	size_t *at;		/* the index's entries, root first */
	size_t n, cap;
};

static int stack_push(struct path_stack *st, size_t entry)
{
	size_t *at;

	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		at = realloc(st->at, st->cap * sizeof(*at));
		if (!at)
			return -ENOMEM;
		st->at = at;
	}
	st->at[st->n++] = entry;
	return 0;
}

/* One record into the index: the root as "/", any other below its parent, which pre-order
 * brought before it and which is on the stack. -EAGAIN: the tree changed between sessions. */
static int add_record(struct cgroup_index *idx, struct path_stack *st,
		      const struct lrutop_cgroup *r, const char *name)
{
	char path[8192];
	const char *up;
	uint64_t id;
	int err;

	if (!cgroup_index_size(idx)) {
		err = cgroup_index_add(idx, r->id, "/");
		return err ?: stack_push(st, 0);
	}
	while (st->n && (cgroup_index_nth(idx, st->at[st->n - 1], &id), id != r->parent))
		st->n--;
	if (!st->n || !r->name_len)
		return -EAGAIN;
	up = cgroup_index_nth(idx, st->at[st->n - 1], &id);
	if ((size_t)snprintf(path, sizeof(path), "%s%s%.*s", up, strcmp(up, "/") ? "/" : "",
			     r->name_len, name) >= sizeof(path))
		return -ENAMETOOLONG;
	err = cgroup_index_add(idx, r->id, path);
	return err ?: stack_push(st, cgroup_index_size(idx) - 1);
}

/* One session: its records into the index. Returns the records read, or a negative errno;
 * last: the id of the last one. */
static long read_session(int link_fd, struct cgroup_index *idx, struct path_stack *st,
			 char *buf, size_t len, __u64 *last)
{
	int fd = bpf_iter_create(link_fd), err = 0;
	struct lrutop_cgroup r;
	size_t have = 0, off = 0;
	long n = 0;
	ssize_t got;

	if (fd < 0)
		return -errno;
	while ((got = read(fd, buf + have, len - have)) > 0)
		have += got;
	if (got < 0)
		err = -errno;
	close(fd);
	/* Copied out: a record follows a name of any length, so it may sit at any address. */
	while (!err && off + sizeof(r) <= have) {
		memcpy(&r, buf + off, sizeof(r));
		if (off + sizeof(r) + r.name_len > have)
			break;
		err = add_record(idx, st, &r, buf + off + sizeof(r));
		*last = r.id;
		off += sizeof(r) + r.name_len;
		n++;
	}
	if (!err && off != have)
		err = -EIO;	/* a record cut short */
	return err ?: n;
}

static struct cgroup_index *walk(struct kernel_iters *it, int link_fd, int *err)
{
	struct lrutop_cgroup_walk *w = &it->skel->bss->walk;
	size_t session = ITER_PAGES * sysconf(_SC_PAGESIZE), len = 2 * session;
	struct path_stack st = {};
	struct cgroup_index *idx = cgroup_index_new();
	char *buf = malloc(len);
	__u64 last = 0;
	long n;

	*err = idx && buf ? 0 : -ENOMEM;
	memset(w, 0, sizeof(*w));
	w->budget = session - ITER_MARGIN;
	for (int s = 0; !*err && s < MAX_SESSIONS; s++) {
		w->written = w->emitted = 0;
		w->found = w->more = w->complete = 0;
		n = read_session(link_fd, idx, &st, buf, len, &last);
		if (n < 0)
			*err = n;
		else if ((__u64)n != w->emitted)
			*err = -EIO;
		else if (w->resume_id && !w->found)
			*err = -EAGAIN;	/* where the last session stopped was removed */
		else if (w->complete)
			break;
		else if (!w->more || !n)
			*err = -EAGAIN;	/* neither whole nor stopped for room */
		w->resume_id = last;
	}
	if (!*err && !w->complete)
		*err = -E2BIG;
	free(st.at);
	free(buf);
	if (*err) {
		cgroup_index_free(idx);
		return NULL;
	}
	cgroup_index_sort(idx);
	return idx;
}

#define WALK_TRIES	3

struct cgroup_index *cgroup_iter_index(struct kernel_iters *it, const char *root)
{
	DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info info = {};
	struct cgroup_index *idx = NULL;
	struct bpf_link *link;
	int fd, err;

	if (!it || !it->cgroups)
		return errno = ENOENT, NULL;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	info.cgroup.cgroup_fd = fd;
	info.cgroup.order = BPF_CGROUP_ITER_DESCENDANTS_PRE;
	opts.link_info = &info;
	opts.link_info_len = sizeof(info);
	link = bpf_program__attach_iter(it->skel->progs.dump_cgroups, &opts);
	err = link ? 0 : -errno;
	/* The cgroup a session stopped at, removed before the next one: the walk starts again. */
	for (int tries = 0; link && tries < WALK_TRIES && (!tries || err == -EAGAIN); tries++)
		idx = walk(it, bpf_link__fd(link), &err);
	bpf_link__destroy(link);
	close(fd);
	if (!idx)
		errno = -err;
	return idx;
}
