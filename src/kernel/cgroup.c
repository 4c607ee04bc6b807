// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fts.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cgroup.h"

struct cgroup_entry {
	uint64_t id;
	char *path;
};

struct cgroup_index {
	struct cgroup_entry *ents;
	size_t nr, cap;
	size_t root_len;
	int err;
};

static int has_word(const char *list, const char *word, const char *seps)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int found = 0;

	if (!copy)
		return 0;
	for (tok = strtok_r(copy, seps, &save); tok && !found; tok = strtok_r(NULL, seps, &save))
		found = !strcmp(tok, word);
	free(copy);
	return found;
}

static int v2_has_memory(const char *dir)
{
	char path[4096], buf[1024];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return has_word(buf, "memory", " \n");
}

int cgroup_memory_root(const char *mounts, char *root, size_t len)
{
	char v1[4096] = "";
	struct mntent *m;
	int ret = -ENOENT;
	FILE *f;

	f = setmntent(mounts, "r");
	if (!f)
		return -errno;
	while ((m = getmntent(f))) {
		if (!strcmp(m->mnt_type, "cgroup2") && v2_has_memory(m->mnt_dir)) {
			snprintf(root, len, "%s", m->mnt_dir);
			ret = 2;
			break;
		}
		if (!strcmp(m->mnt_type, "cgroup") && !v1[0] && has_word(m->mnt_opts, "memory", ","))
			snprintf(v1, sizeof(v1), "%s", m->mnt_dir);
	}
	endmntent(f);
	if (ret < 0 && v1[0]) {
		snprintf(root, len, "%s", v1);
		ret = 1;
	}
	return ret;
}

struct cgroup_index *cgroup_index_new(void)
{
	return calloc(1, sizeof(struct cgroup_index));
}

int cgroup_index_add(struct cgroup_index *idx, uint64_t id, const char *path)
{
	struct cgroup_entry *ents;

	if (idx->nr == idx->cap) {
		idx->cap = idx->cap ? idx->cap * 2 : 256;
		ents = realloc(idx->ents, idx->cap * sizeof(*ents));
		if (!ents)
			return -ENOMEM;
		idx->ents = ents;
	}
	idx->ents[idx->nr].id = id;
	idx->ents[idx->nr].path = strdup(path);
	if (!idx->ents[idx->nr].path)
		return -ENOMEM;
	idx->nr++;
	return 0;
}

const char *cgroup_index_nth(const struct cgroup_index *idx, size_t i, uint64_t *id)
{
	if (!idx || i >= idx->nr)
		return NULL;
	*id = idx->ents[i].id;
	return idx->ents[i].path;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct cgroup_entry *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

/*
 * The directories under root, by inode number (the cgroup id). fts with FTS_NOSTAT stats
 * directories only: a memcg directory holds 25 to 50 files, and stat()ing them all made the
 * walk of a host with 10,000 memcgs cost hundreds of thousands of syscalls a refresh.
 */
struct cgroup_index *cgroup_index_build(const char *root)
{
	char *const paths[] = { (char *)root, NULL };
	struct cgroup_index *idx;
	struct stat st;
	FTSENT *e;
	FTS *fts;

	/* fts reports a missing root as an entry, not as a failure to open. */
	if (stat(root, &st))
		return NULL;
	idx = calloc(1, sizeof(*idx));
	if (!idx)
		return NULL;
	idx->root_len = strlen(root);
	while (idx->root_len > 1 && root[idx->root_len - 1] == '/')
		idx->root_len--;
	fts = fts_open(paths, FTS_PHYSICAL | FTS_NOSTAT | FTS_NOCHDIR, NULL);
	if (!fts) {
		free(idx);
		return NULL;
	}
	/* Cgroups come and go during the walk: a vanished directory is not an error. */
	while (!idx->err && (e = fts_read(fts))) {
		if (e->fts_info == FTS_D)
			idx->err = cgroup_index_add(idx, e->fts_ino, e->fts_path[idx->root_len] ?
						    e->fts_path + idx->root_len : "/");
	}
	fts_close(fts);
	if (idx->err) {
		errno = -idx->err;
		cgroup_index_free(idx);
		return NULL;
	}
	cgroup_index_sort(idx);
	return idx;
}

void cgroup_index_sort(struct cgroup_index *idx)
{
	qsort(idx->ents, idx->nr, sizeof(*idx->ents), entry_cmp);
}

void cgroup_index_free(struct cgroup_index *idx)
{
	if (!idx)
		return;
	for (size_t i = 0; i < idx->nr; i++)
		free(idx->ents[i].path);
	free(idx->ents);
	free(idx);
}

const char *cgroup_index_path(const struct cgroup_index *idx, uint64_t id)
{
	struct cgroup_entry key = { .id = id }, *e;

	if (!idx)
		return NULL;
	e = bsearch(&key, idx->ents, idx->nr, sizeof(key), entry_cmp);
	return e ? e->path : NULL;
}

uint64_t cgroup_index_id(const struct cgroup_index *idx, const char *path)
{
	for (size_t i = 0; idx && i < idx->nr; i++) {
		if (!strcmp(idx->ents[i].path, path))
			return idx->ents[i].id;
	}
	return 0;
}

size_t cgroup_index_size(const struct cgroup_index *idx)
{
	return idx ? idx->nr : 0;
}

int cgroup_path_within(const char *path, const char *subtree)
{
	size_t n = strlen(subtree);

	while (n > 1 && subtree[n - 1] == '/')
		n--;
	if (n == 1 && subtree[0] == '/')
		return 1;
	return !strncmp(path, subtree, n) && (path[n] == '\0' || path[n] == '/');
}
