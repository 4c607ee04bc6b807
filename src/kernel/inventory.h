/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_INVENTORY_H
#define __LRUTOP_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "lrutop.h"

struct probe_plan;
struct cgroup_index;
struct inventory_walker;

/* The lists at one kmemcg id: an online memcg's, or an id no memcg holds (cgid 0). */
struct inv_memcg_row {
	__u64 cgid;
	__u32 kmemcg_id;
	const char *path;	/* below the hierarchy's mount; NULL if unknown */
	__u64 lists, empty, objects, bytes;
	__u64 lru_lists, lru_empty, lru_objects, lru_bytes;	/* on the focused list_lru */
};

struct inv_lru_row {
	__u64 addr;
	struct lru_owner owner;	/* its kind: a superblock's from BPF, the others' lru_names.c's */
	char mnt[256];		/* mount point of its superblock, "" if none */
	char obj_cache[LRUTOP_OBJECTS_LEN];	/* what its objects are (struct inv_lru) */
	char where[128];	/* not a superblock's: its symbol, or "objects: CACHE" */
	const char *why;	/* kind other: why lrutop cannot name it */
	__u64 lists, empty, objects, bytes, book_bytes, xa_nodes;
	__u64 ids;		/* memcgs (kmemcg ids) with a list on it */
	__u64 id_lists, id_empty, id_objects, id_bytes;	/* the focused memcg's */
};

/* What the kernel's list_lrus hold now, from one pass of the walk. */
struct inventory {
	bool pre_patch;		/* before 5.18: a list per node for every id */
	int nr_nodes;		/* nr_node_ids */
	__u32 ids;		/* before 5.18: the id space the arrays span */
	__u64 list_bytes;	/* one list's slab slot (all lists share a kmalloc cache) */
	const char *bytes_from;	/* "each list's slab" or "/proc/slabinfo" (its list_cache) */
	char list_cache[32];	/* the kmalloc cache a list's size falls in */
	__u64 bytes_unread;	/* lists whose slab could not be read: no bytes counted */
	__u64 lists, bytes, empty, objects, book_bytes, xa_nodes;	/* over all list_lrus */
	__u64 rejected;		/* ring entries that are no list_lru (its head: 1) */
	__u64 drops;		/* lists not counted per memcg or list_lru: a map was full */
	__u64 runs;		/* BPF_PROG_TEST_RUN calls */
	double cpu_ms;		/* CPU time of the pass, in the kernel and out */
	double max_run_ms;	/* the longest single run of the walk */
	struct inv_memcg_row *memcgs;	/* ids with lists, most lists first */
	size_t nr_memcgs;
	struct inv_lru_row *lrus;	/* most lists first */
	size_t nr_lrus;
	/* The memcgs' paths: made of the kernel's names (own_paths), else found in cg. */
	char **own_paths;
	size_t nr_own_paths;
	__u64 paths_kernel, paths_dirs;	/* rows whose path came from each */
	const struct cgroup_index *cg;	/* the caller's index of the cgroup tree, or own_cg */
	struct cgroup_index *own_cg;	/* cg, when the pass walked the tree itself */
	__u64 focus_cgid, focus_lru;	/* what the pass counted apart (inventory_focus) */
};

/* Load the walk's programs (nothing is attached). 0, or negative errno with why filled:
 * a kernel where no inventory can be taken says why. */
int inventory_walker_open(const struct probe_plan *plan, struct inventory_walker **w, char *why,
			  size_t len);
/*
 * One pass. 0, or negative errno with why filled (a pass that failed twice: the kernel's
 * structures changed under it). The memcgs' paths are made of the names the walk reads from
 * the kernel; where one cannot be (a name too long), it is looked up in cg, kept by the
 * caller and outliving inv, or with cg NULL in an index the pass makes by walking the cgroup
 * tree (a read of every memcg's directory: a third of a second at 10,000 memcgs).
 */
int inventory_take(struct inventory_walker *w, const struct cgroup_index *cg,
		   struct inventory *inv, char *why, size_t len);
/* From the next pass on, count apart one memcg's lists on each list_lru (the lrus' id_*)
 * and one list_lru's at each memcg (the memcgs' lru_*): a screen's drill-down. 0: none. */
void inventory_focus(struct inventory_walker *w, __u64 cgid, __u64 lru);
void inventory_free(struct inventory *inv);
void inventory_walker_close(struct inventory_walker *w);
struct bpf_object;
/* The walker's loaded programs (what they cost: kernel/progstats.h). */
struct bpf_object *inventory_walker_object(const struct inventory_walker *w);

#endif
