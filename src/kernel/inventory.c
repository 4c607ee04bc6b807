// SPDX-License-Identifier: GPL-2.0
/*
 * The inventory: one pass of inventory.bpf.c's walks over the kernel's memcg tree and its
 * memcg-aware list_lrus, turned into rows per memcg and per list_lru.
 */
#define _GNU_SOURCE	/* asprintf, qsort_r */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cgroup.h"
#include "inventory.h"
#include "lru_names.h"
#include "maps.h"
#include "mounts.h"
#include "nodes.h"
#include "probe.h"
#include "lib/kmalloc.h"
#include "slab.h"
#include "inventory.skel.h"

/* Runs a walk may take: 65,536 list_lrus at a few runs each, 65,536 memcgs at 256 a run. */
#define MAX_RUNS	(1 << 20)
/* Entries of each inventory map where they are preallocated (kernels before 6.1). */
#define INV_PREALLOC_ENTRIES	8192

struct inventory_walker {
	struct inventory_bpf *skel;
	const struct probe_plan *plan;
	int nr_nodes;
	__u32 list_size;	/* what a list asks kmalloc for */
	/* Where a list's bytes come from: each list's own slab, read by the walk; else the slot
	 * /proc/slabinfo gives the kmalloc cache of its size (list_slot). */
	bool slab_read;
	long list_slot;
	char list_cache[32];
	__u64 gen;
	char cg_root[4096];
	bool has_cg;
	__u64 cg_root_id;	/* the cgid of cg_root's directory: where a memcg's path starts */
	struct lru_namer *namer;
	__u64 focus_cgid, focus_lru;	/* inventory_focus() */
};

int inventory_walker_open(const struct probe_plan *plan, struct inventory_walker **out, char *why,
			  size_t len)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = plan->core_btf);
	struct inventory_walker *w;
	struct stat st;
	int err;

	if (!plan->pre_patch && !plan->post_patch) {
		snprintf(why, len, "this kernel has no memcg-aware list_lru layout lrutop knows");
		return -ENOENT;
	}
	if (plan->pre_patch && !plan->nr_cache_ids_addr) {
		snprintf(why, len, "memcg_nr_cache_ids is not in /proc/kallsyms: the length of the "
			 "pre-5.18 arrays of lists is unknown");
		return -ENOENT;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->plan = plan;
	/* A walk names the global list_lrus it finds (shadow_nodes on any 5.18+ kernel): by
	 * the session's read of kallsyms, else one beside the load below. */
	if (plan->kallsyms) {
		w->namer = lru_namer_of(plan->kallsyms);
	} else {
		w->namer = lru_namer_new("/proc/kallsyms");
		lru_namer_prefetch(w->namer);
	}
	w->nr_nodes = nr_node_ids();
	w->list_size = list_request_size(plan->pre_patch, plan->list_lru_one_size, w->nr_nodes);
	w->slab_read = probe_slab_readable(plan);
	w->list_slot = slabinfo_kmalloc_slot("/proc/slabinfo", w->list_size, w->list_cache,
					     sizeof(w->list_cache));
	if (!w->slab_read && w->list_slot <= 0) {
		snprintf(why, len, "no list's bytes can be read: page_offset_base or vmemmap_base "
			 "is not in /proc/kallsyms, and /proc/slabinfo has no %s", w->list_cache);
		err = -ENOENT;
		goto fail;
	}
	w->has_cg = cgroup_memory_root("/proc/self/mounts", w->cg_root, sizeof(w->cg_root)) > 0;
	if (w->has_cg && !stat(w->cg_root, &st))
		w->cg_root_id = st.st_ino;	/* kernfs: a directory's inode is its cgroup's id */
	w->skel = inventory_bpf__open_opts(&opts);
	if (!w->skel) {
		err = -errno;
		snprintf(why, len, "cannot open the inventory's BPF object: %s", strerror(-err));
		goto fail;
	}
	w->skel->rodata->nr_cache_ids_addr = plan->nr_cache_ids_addr;
	/* Before 6.1 a tracing program's map that allocates as it goes taints the kernel
	 * with a warning: preallocated there, and smaller (a full map's misses are counted
	 * as drops). */
	if (!plan->tracing_map_alloc) {
		bpf_map__set_map_flags(w->skel->maps.inv_ids, 0);
		bpf_map__set_map_flags(w->skel->maps.inv_lrus, 0);
		bpf_map__set_max_entries(w->skel->maps.inv_ids, INV_PREALLOC_ENTRIES);
		bpf_map__set_max_entries(w->skel->maps.inv_lrus, INV_PREALLOC_ENTRIES);
	}
	if (w->slab_read) {
		w->skel->rodata->page_offset_base_addr = plan->page_offset_base_addr;
		w->skel->rodata->vmemmap_base_addr = plan->vmemmap_base_addr;
	}
	err = inventory_bpf__load(w->skel);
	if (err) {
		snprintf(why, len, "cannot load the inventory's BPF programs: %s", strerror(-err));
		inventory_bpf__destroy(w->skel);
		goto fail;
	}
	*out = w;
	return 0;
fail:
	lru_namer_free(w->namer);
	free(w);
	return err;
}

void inventory_walker_close(struct inventory_walker *w)
{
	if (!w)
		return;
	inventory_bpf__destroy(w->skel);
	lru_namer_free(w->namer);
	free(w);
}

/* Run prog until *state is set. The walk's state: 1 done, -1 failed, 0 cut short. */
static int run_walk(int fd, volatile __s32 *state, __u64 *runs)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	for (int i = 0; i < MAX_RUNS && !*state; i++) {
		if (bpf_prog_test_run_opts(fd, &opts))
			return -1;
		(*runs)++;
	}
	return *state;
}

static double thread_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One pass of both walks; 0, or -EAGAIN when one failed (its structures changed). */
static int walk_once(struct inventory_walker *w, struct inventory *inv)
{
	typeof(w->skel->bss) bss = w->skel->bss;

	w->gen++;
	memset(&bss->inv, 0, sizeof(bss->inv));
	memset(&bss->inv_mw, 0, sizeof(bss->inv_mw));
	memset(&bss->inv_tot, 0, sizeof(bss->inv_tot));
	bss->inv.gen = w->gen;
	bss->inv.nr_nodes = w->nr_nodes;
	bss->inv.list_size = w->list_size;
	bss->inv.focus_id = LRUTOP_INV_NO_FOCUS;
	bss->inv.focus_cgid = w->focus_cgid;
	bss->inv.focus_lru = w->focus_lru;
	if (run_walk(bpf_program__fd(w->skel->progs.inventory_memcgs), &bss->inv_mw.state,
		     &inv->runs) != 1)
		return -EAGAIN;
	if (run_walk(bpf_program__fd(w->skel->progs.inventory_lrus), &bss->inv.ring.state,
		     &inv->runs) != 1)
		return -EAGAIN;
	inv->ids = bss->inv.ids;
	inv->rejected = bss->inv_tot.rejected;
	inv->drops = bss->inv_tot.drops_ids + bss->inv_tot.drops_lrus;
	inv->max_run_ms = bss->inv_tot.max_run_ns / 1e6;
	return 0;
}

static int by_lists_memcg(const void *a, const void *b)
{
	const struct inv_memcg_row *x = a, *y = b;

	return (x->lists < y->lists) - (x->lists > y->lists);
}

static int by_lists_lru(const void *a, const void *b)
{
	const struct inv_lru_row *x = a, *y = b;

	return (x->lists < y->lists) - (x->lists > y->lists);
}

/*
 * Dump one of the walk's maps, keeping the entries this pass wrote (each value starts with
 * its pass's gen) and deleting older passes' (a memcg gone, a list_lru destroyed).
 */
static int dump_pass(int fd, struct map_dump *d, size_t key_size, size_t val_size, __u64 gen)
{
	size_t kept = 0;
	int err;

	err = map_dump_read(fd, d, key_size, val_size);
	if (err)
		return err;
	for (size_t i = 0; i < d->n; i++) {
		char *k = (char *)d->keys + i * key_size, *v = (char *)d->vals + i * val_size;

		if (*(const __u64 *)v != gen) {
			bpf_map_delete_elem(fd, k);
			continue;
		}
		memmove((char *)d->keys + kept * key_size, k, key_size);
		memmove((char *)d->vals + kept * val_size, v, val_size);
		kept++;
	}
	d->n = kept;
	return 0;
}

/* The bytes of lists read by the walk: each one's slab slot, or all at the cache's slot. */
static __u64 lists_bytes(const struct inventory_walker *w, __u64 lists, __u64 slab_bytes)
{
	if (!w->slab_read)
		return lists * w->list_slot;
	return slab_bytes;
}

/*
 * The memcgs' paths, made of the names and parents the memcg walk read from the kernel:
 * no directory of the cgroup filesystem is read (each costs the kernel a listing of its
 * 30-odd files: much of a pass over 500 memcgs, docs/BENCHMARKS.md section 6).
 */
struct path_maker {
	const struct inv_id *ids;	/* the pass's entries */
	size_t n;
	size_t *by_cgid;	/* their indices, by cgid */
	char **paths;		/* made; NULL where unknown */
	bool *visited;
	__u64 root_id;		/* the mount's root: "/" */
};

#define MAX_CG_DEPTH	64

static int by_cgid(const void *a, const void *b, void *ids)
{
	const struct inv_id *v = ids;
	__u64 x = v[*(const size_t *)a].cgid, y = v[*(const size_t *)b].cgid;

	return (x > y) - (x < y);
}

static int path_maker_init(struct path_maker *pm, const struct map_dump *d, __u64 root_id)
{
	memset(pm, 0, sizeof(*pm));
	pm->ids = d->vals;
	pm->n = d->n;
	pm->root_id = root_id;
	pm->by_cgid = calloc(d->n + 1, sizeof(*pm->by_cgid));
	pm->paths = calloc(d->n + 1, sizeof(*pm->paths));
	pm->visited = calloc(d->n + 1, sizeof(*pm->visited));
	if (!pm->by_cgid || !pm->paths || !pm->visited)
		return -ENOMEM;
	for (size_t i = 0; i < d->n; i++)
		pm->by_cgid[i] = i;
	qsort_r(pm->by_cgid, pm->n, sizeof(*pm->by_cgid), by_cgid, (void *)pm->ids);
	return 0;
}

static const struct inv_id *pm_find(const struct path_maker *pm, __u64 cgid, size_t *at)
{
	size_t lo = 0, hi = pm->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (pm->ids[pm->by_cgid[mid]].cgid < cgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == pm->n || pm->ids[pm->by_cgid[lo]].cgid != cgid)
		return NULL;
	*at = pm->by_cgid[lo];
	return &pm->ids[*at];
}

/* The path of cgid below the mount's root, or NULL: a name cut or unread, a parent the walk
 * did not see (outside the mount's view: a cgroup namespace). */
static const char *kernel_path(struct path_maker *pm, __u64 cgid, int depth)
{
	const struct inv_id *v;
	const char *up;
	size_t i;

	if (pm->root_id && cgid == pm->root_id)
		return "/";
	if (depth > MAX_CG_DEPTH || !(v = pm_find(pm, cgid, &i)))
		return NULL;
	if (pm->visited[i])
		return pm->paths[i];
	pm->visited[i] = true;
	/* The length counts the NUL; a name that fills the buffer may have been cut. */
	if (v->name_len <= 1 || v->name_len >= LRUTOP_CG_NAME_LEN || memchr(v->name, '/', v->name_len - 1))
		return NULL;
	up = kernel_path(pm, v->parent_cgid, depth + 1);
	if (up && asprintf(&pm->paths[i], "%s%s%.*s", up, strcmp(up, "/") ? "/" : "",
			   v->name_len - 1, v->name) < 0)
		pm->paths[i] = NULL;
	return pm->paths[i];
}

/* The path of cgid: from the kernel's names, else the caller's index of the cgroup tree,
 * else an index this pass walks itself (once). */
static const char *memcg_path(struct inventory_walker *w, struct inventory *inv,
			      struct path_maker *pm, __u64 cgid)
{
	const char *path = kernel_path(pm, cgid, 0);

	if (path) {
		inv->paths_kernel++;
		return path;
	}
	if (!inv->cg && w->has_cg && !inv->own_cg)
		inv->cg = inv->own_cg = cgroup_index_build(w->cg_root);
	path = cgroup_index_path(inv->cg, cgid);
	inv->paths_dirs += path != NULL;
	return path;
}

/* The ids of this pass that hold lists, as memcg rows. */
static int read_ids(struct inventory_walker *w, struct inventory *inv)
{
	struct path_maker pm = {};
	struct map_dump d = {};
	const struct inv_id *v;
	struct inv_memcg_row *r;
	int err;

	err = dump_pass(bpf_map__fd(w->skel->maps.inv_ids), &d, sizeof(__u32),
			sizeof(struct inv_id), w->gen);
	if (!err && !(inv->memcgs = calloc(d.n ? d.n : 1, sizeof(*inv->memcgs))))
		err = -ENOMEM;
	if (!err)
		err = path_maker_init(&pm, &d, w->cg_root_id);
	for (size_t i = 0; !err && i < d.n; i++) {
		v = (const struct inv_id *)d.vals + i;
		if (!v->lists)
			continue;
		r = &inv->memcgs[inv->nr_memcgs++];
		r->cgid = v->cgid;
		r->kmemcg_id = ((const __u32 *)d.keys)[i];
		r->path = v->cgid ? memcg_path(w, inv, &pm, v->cgid) : NULL;
		r->lists = v->lists;
		r->empty = v->empty;
		r->objects = v->objects;
		r->bytes = lists_bytes(w, v->lists, v->bytes);
		r->lru_lists = v->lru_lists;
		r->lru_empty = v->lru_empty;
		r->lru_objects = v->lru_objects;
		r->lru_bytes = lists_bytes(w, v->lru_lists, v->lru_bytes);
	}
	/* The rows keep the paths made: the inventory frees them. */
	inv->own_paths = pm.paths;
	inv->nr_own_paths = pm.n;
	free(pm.by_cgid);
	free(pm.visited);
	map_dump_free(&d);
	if (!err)
		qsort(inv->memcgs, inv->nr_memcgs, sizeof(*inv->memcgs), by_lists_memcg);
	return err;
}

/* Before 5.18 each node's array spans the id space (kvmalloc); after, the xarray's nodes. */
static __u64 lru_book_bytes(const struct inventory_walker *w, const struct inventory *inv,
			    const struct inv_lru *v)
{
	if (inv->pre_patch)
		return (__u64)w->nr_nodes * kmalloc_bucket(16 + 8ULL * inv->ids);
	return v->xa_nodes * w->plan->xa_node_size;
}

static int read_lrus(struct inventory_walker *w, struct inventory *inv)
{
	struct map_dump d = {};
	const struct inv_lru *v;
	struct inv_lru_row *r;
	int err;

	err = dump_pass(bpf_map__fd(w->skel->maps.inv_lrus), &d, sizeof(__u64),
			sizeof(struct inv_lru), w->gen);
	if (!err && !(inv->lrus = calloc(d.n ? d.n : 1, sizeof(*inv->lrus))))
		err = -ENOMEM;
	for (size_t i = 0; !err && i < d.n; i++) {
		v = (const struct inv_lru *)d.vals + i;
		r = &inv->lrus[inv->nr_lrus++];
		r->addr = ((const __u64 *)d.keys)[i];
		r->owner = v->owner;
		memcpy(r->obj_cache, v->obj_cache, sizeof(r->obj_cache));
		r->obj_cache[sizeof(r->obj_cache) - 1] = '\0';
		r->lists = v->lists;
		r->empty = v->empty;
		r->objects = v->objects;
		r->xa_nodes = v->xa_nodes;
		r->bytes = lists_bytes(w, v->lists, v->bytes);
		r->ids = v->ids;
		r->id_lists = v->id_lists;
		r->id_empty = v->id_empty;
		r->id_objects = v->id_objects;
		r->id_bytes = lists_bytes(w, v->id_lists, v->id_bytes);
		r->book_bytes = lru_book_bytes(w, inv, v);
		if (w->slab_read)
			inv->bytes_unread += v->unread;
		inv->lists += r->lists;
		inv->bytes += r->bytes;
		inv->empty += r->empty;
		inv->objects += r->objects;
		inv->book_bytes += r->book_bytes;
		inv->xa_nodes += r->xa_nodes;
	}
	map_dump_free(&d);
	if (!err)
		qsort(inv->lrus, inv->nr_lrus, sizeof(*inv->lrus), by_lists_lru);
	return err;
}

/* Mount points for the list_lrus of a superblock; the others named by their symbol or their
 * objects (lru_names.c). */
static void name_lrus(struct inventory_walker *w, struct inventory *inv)
{
	struct mount_table *mounts = mount_table_load("/proc/self/mountinfo");
	struct lru_name name;
	const char *dir;

	for (size_t i = 0; i < inv->nr_lrus; i++) {
		struct inv_lru_row *r = &inv->lrus[i];

		if (r->owner.kind == LRUTOP_LRU_OTHER) {
			lru_namer_name(w->namer, r->addr, r->obj_cache, &name);
			r->owner.kind = name.kind;
			snprintf(r->where, sizeof(r->where), "%s", name.where);
			r->why = name.why;
			continue;
		}
		dir = mount_table_find(mounts, r->owner.dev);
		if (dir)
			snprintf(r->mnt, sizeof(r->mnt), "%s", dir);
	}
	mount_table_free(mounts);
}

int inventory_take(struct inventory_walker *w, const struct cgroup_index *cg,
		   struct inventory *inv, char *why, size_t len)
{
	double t0 = thread_cpu_ms();
	int err = -EAGAIN;

	memset(inv, 0, sizeof(*inv));
	inv->pre_patch = w->plan->pre_patch;
	inv->focus_cgid = w->focus_cgid;
	inv->focus_lru = w->focus_lru;
	inv->nr_nodes = w->nr_nodes;
	inv->bytes_from = w->slab_read ? "each list's slab" : "/proc/slabinfo";
	snprintf(inv->list_cache, sizeof(inv->list_cache), "%s", w->list_cache);
	/* A memcg removed or a mount gone mid-walk can break it: once more, then say so. */
	for (int tries = 0; tries < 3 && err == -EAGAIN; tries++)
		err = walk_once(w, inv);
	if (err) {
		snprintf(why, len, "the walk of the kernel's list_lrus failed three times: they "
			 "changed under it, or a structure could not be read");
		return err;
	}
	inv->cg = cg;
	err = read_ids(w, inv);
	if (!err)
		err = read_lrus(w, inv);
	if (err) {
		snprintf(why, len, "cannot read the inventory's maps: %s", strerror(-err));
		inventory_free(inv);
		return err;
	}
	name_lrus(w, inv);
	/* One list's slot: the cache's, read through the first list when the walk read them. */
	inv->list_bytes = w->slab_read && inv->lists > inv->bytes_unread ?
			  inv->bytes / (inv->lists - inv->bytes_unread) : (__u64)w->list_slot;
	inv->cpu_ms = thread_cpu_ms() - t0;
	return 0;
}

void inventory_focus(struct inventory_walker *w, __u64 cgid, __u64 lru)
{
	w->focus_cgid = cgid;
	w->focus_lru = lru;
}

void inventory_free(struct inventory *inv)
{
	free(inv->memcgs);
	free(inv->lrus);
	for (size_t i = 0; inv->own_paths && i < inv->nr_own_paths; i++)
		free(inv->own_paths[i]);
	free(inv->own_paths);
	cgroup_index_free(inv->own_cg);
	memset(inv, 0, sizeof(*inv));
}

struct bpf_object *inventory_walker_object(const struct inventory_walker *w)
{
	return w->skel->obj;
}
