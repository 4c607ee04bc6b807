/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_CGROUP_H
#define __LRUTOP_CGROUP_H

#include <stddef.h>
#include <stdint.h>

/*
 * A memcg is known to BPF by its cgroup id (kernfs node id), which is the inode number of
 * the cgroup's directory. These map ids to paths under the memory hierarchy's mount.
 */
struct cgroup_index;

/* Find the memory controller's mount in a mounts file (/proc/self/mounts): cgroup2 with
 * "memory" in cgroup.controllers, else cgroup v1 mounted with the memory option.
 * Returns 2 or 1 (the version) and fills root, or -ENOENT. */
int cgroup_memory_root(const char *mounts, char *root, size_t len);

/* Walk root: every directory's inode number and its path relative to root ("/" for root). */
struct cgroup_index *cgroup_index_build(const char *root);
void cgroup_index_free(struct cgroup_index *idx);
/* An index made by hand: entries added, then sorted before the first lookup. */
struct cgroup_index *cgroup_index_new(void);
int cgroup_index_add(struct cgroup_index *idx, uint64_t id, const char *path);
void cgroup_index_sort(struct cgroup_index *idx);
/* The i-th entry's path (and id), in id order once sorted; NULL past the end. */
const char *cgroup_index_nth(const struct cgroup_index *idx, size_t i, uint64_t *id);

/*
 * The same tree through the kernel's cgroup iterator (6.1+, one of the kernel's iterators:
 * iters.h), no directory read. NULL (errno set) where the kernel has no cgroup iterator,
 * the walk failed, or the tree changed during it.
 */
struct kernel_iters;
struct cgroup_index *cgroup_iter_index(struct kernel_iters *it, const char *root);
/* Path of cgroup id, or NULL if no directory has it (the cgroup was removed). */
const char *cgroup_index_path(const struct cgroup_index *idx, uint64_t id);
/* Id of path (relative to root, or absolute under it), or 0. */
uint64_t cgroup_index_id(const struct cgroup_index *idx, const char *path);
size_t cgroup_index_size(const struct cgroup_index *idx);

/* Is path inside subtree (equal, or below it at a '/' boundary)? */
int cgroup_path_within(const char *path, const char *subtree);

#endif
