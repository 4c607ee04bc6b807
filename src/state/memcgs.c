// SPDX-License-Identifier: GPL-2.0
/* Memcg identity: the hierarchy, each row's path and removal, and ageing out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/cgroup.h"
#include "kernel/iters.h"
#include "memcgs.h"
#include "state.h"

void memcgs_init(struct lrutop_state *s)
{
	s->aging.keep_s = LRUTOP_KEEP_REMOVED_S;
	s->census.kernel_memcgs = -1;
	s->census.kernel_memcgs_peak = -1;
	s->cg.version = cgroup_memory_root("/proc/self/mounts", s->cg.root, sizeof(s->cg.root));
	if (s->cg.version < 0)
		s->cg.version = 0;
}

void memcgs_free(struct lrutop_state *s)
{
	cgroup_index_free(s->cg.index);
	s->cg.index = NULL;
}

/*
 * cgroup v2: the online cgroups below the root (cgroup.stat's nr_descendants). A removed
 * memcg stays counted in /proc/cgroups while it dies, long after a pre-5.18 kernel gave its
 * id back at offline; lrutop's own self-check memcgs would be counted so. -1 if unknown.
 */
static long long online_descendants(const struct lrutop_state *s)
{
	char path[4200], line[128];
	long long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.stat", s->cg.root);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "nr_descendants %lld", &n) == 1)
			break;
	}
	fclose(f);
	return n;
}

/* Online memcgs from cgroup v2's cgroup.stat, or cgroup v1's directories (the index); else
 * /proc/cgroups (all namespaces), which also counts dying memcgs: a removed one can stay
 * there long after its removal. */
void memcgs_count(struct lrutop_state *s)
{
	char line[256], name[64];
	int hier, num, enabled;
	long long n = -1;
	FILE *f;

	if (s->cg.version == 2)
		n = online_descendants(s);
	else if (s->cg.version == 1 && s->cg.index)
		n = (long long)cgroup_index_size(s->cg.index) - 1;
	f = n < 0 ? fopen("/proc/cgroups", "r") : NULL;
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %d %d %d", name, &hier, &num, &enabled) == 4 &&
		    !strcmp(name, "memory") && num > 0)
			n = num - 1;
	}
	if (f)
		fclose(f);
	if (n < 0)
		return;
	s->census.kernel_memcgs = n;
	if (n > s->census.kernel_memcgs_peak)
		s->census.kernel_memcgs_peak = n;
}

/* A cgroup gone before the index saw it: the path BPF caught at its mkdir. */
static void path_from_mkdir(struct lrutop_state *s, struct memcg_row *r)
{
	char path[LRUTOP_PATH_LEN];

	if (!tracer_mkdir_path(&s->tracer, r->cgid, path, sizeof(path)))
		memcg_row_set_path(r, strdup(path));
}

/*
 * The tree by the kernel's cgroup iterator; where it has none, or the tree changed during
 * the iterator's reads, by its directories: a cgroup v1 memcg's costs the kernel a listing
 * of its 30-odd files, most of a first sample at 10,000 memcgs (docs/BENCHMARKS.md §3).
 */
static struct cgroup_index *walk_tree(struct lrutop_state *s)
{
	bool has_iter = s->cg.iters && s->cg.iters->cgroups;
	struct cgroup_index *idx = NULL;

	if (has_iter)
		idx = cgroup_iter_index(s->cg.iters, s->cg.root);
	if (idx) {
		s->cg.tree_from = "the kernel's cgroup iterator";
		return idx;
	}
	s->cg.tree_from = has_iter ? "its directories (the cgroup iterator's walk failed)" :
			  "its directories (the kernel has no cgroup iterator)";
	return cgroup_index_build(s->cg.root);
}

/*
 * The tree changes only by mkdir, rmdir and rename, which BPF counts: walk it only after
 * one. The count is read before the walk, so a change during it brings another.
 */
const struct cgroup_index *memcgs_index(struct lrutop_state *s)
{
	__u64 changes = tracer_cgroup_changes(&s->tracer);
	struct cgroup_index *idx;

	if (!s->cg.version)
		return NULL;
	if (!s->cg.index || changes != s->cg.index_changes) {
		idx = walk_tree(s);
		if (idx) {	/* else keep the last good index */
			cgroup_index_free(s->cg.index);
			s->cg.index = idx;
			s->cg.index_changes = changes;
			s->cg.builds++;
		}
	}
	return s->cg.index;
}

void memcgs_resolve_paths(struct lrutop_state *s, double now)
{
	const struct cgroup_index *idx;
	struct memcg_row *r;
	const char *path;

	if (!(idx = memcgs_index(s)))
		return;
	/* The same tree and the same rows: the same paths (a lookup each at 100,000 rows). */
	if (s->cg.resolved_builds == s->cg.builds && s->cg.resolved_rows == s->memcgs.changes)
		return;
	s->cg.resolved_builds = s->cg.builds;
	s->cg.resolved_rows = s->memcgs.changes;
	for (size_t i = 0; i < s->memcgs.nr; i++) {
		r = &s->memcgs.rows[i];
		path = cgroup_index_path(idx, r->cgid);
		r->removed = !path;
		if (path)
			r->removed_at = 0;
		else if (!r->removed_at)
			r->removed_at = now;
		if (path && (!r->path || strcmp(r->path, path))) {
			memcg_row_set_path(r, strdup(path));
		} else if (!path && !r->path && !r->mkdir_looked_up) {
			/* Once: a memcg never seen by path stays so, and a lookup is a syscall. */
			r->mkdir_looked_up = true;
			path_from_mkdir(s, r);
		}
	}
}

/* Take a removed memcg out of the maps, with the counters it had at that moment. */
static void forget_memcg(struct lrutop_state *s, struct memcg_row *r)
{
	tracer_forget_memcg(&s->tracer, r->cgid, &r->cum);
	memcg_stats_add(&s->aging.stats, &r->cum);
	s->aging.memcgs++;
	r->aged = true;
}

/* Pairs of aged memcgs, from the pair map as read this refresh. */
static void forget_pairs(struct lrutop_state *s)
{
	const struct map_dump *d = &s->tracer.pairs;
	const struct pair_key *pk;
	struct memcg_row *r;

	for (size_t i = 0; i < d->n; i++) {
		pk = (const struct pair_key *)d->keys + i;
		r = memcg_table_find(&s->memcgs, pk->cgid);
		if (r && r->aged)
			tracer_forget_pair(&s->tracer, pk);
	}
}

static int removed_at_cmp(const void *a, const void *b)
{
	const struct memcg_row *x = *(struct memcg_row *const *)a, *y = *(struct memcg_row *const *)b;

	return (x->removed_at > y->removed_at) - (x->removed_at < y->removed_at);
}

/*
 * Slots the per-memcg array holds beyond the room it must keep for the next interval:
 * twice the rows the last one brought, and a sixteenth of the array. A host that churns
 * memcgs faster than --keep-removed allows would otherwise fill it, and counts would drop.
 * A forgotten memcg's slot is in use until it is given back.
 */
static size_t map_over_room(const struct lrutop_state *s, size_t aged)
{
	size_t cap = tracer_memcg_capacity(&s->tracer);
	size_t used = s->memcgs.read_live + tracer_memcg_waiting(&s->tracer);
	size_t held = used > aged ? used - aged : 0;
	size_t want = held + 2 * s->memcgs.added + cap / 16;

	return want > cap ? want - cap : 0;
}

/* Age the removed memcgs still kept, oldest removal first, until the map has its room. */
static size_t age_early(struct lrutop_state *s, size_t over)
{
	struct memcg_row **kept;
	size_t n = 0;

	kept = malloc((s->memcgs.nr ? s->memcgs.nr : 1) * sizeof(*kept));
	if (!kept)
		return 0;
	for (size_t i = 0; i < s->memcgs.nr; i++) {
		if (s->memcgs.rows[i].removed && !s->memcgs.rows[i].aged)
			kept[n++] = &s->memcgs.rows[i];
	}
	qsort(kept, n, sizeof(*kept), removed_at_cmp);
	if (n > over)
		n = over;
	for (size_t i = 0; i < n; i++)
		forget_memcg(s, kept[i]);
	s->aging.early += n;
	free(kept);
	return n;
}

/*
 * Memcgs removed keep_s ago or more leave the maps and the table: a host that churns
 * containers for days must not fill them. When the map would not have room for the next
 * interval, removed memcgs leave sooner: a dead row hidden early loses nothing, a full map
 * loses counts.
 */
void memcgs_age(struct lrutop_state *s, double now)
{
	struct memcg_row *r;
	size_t n = 0, over;

	if (s->aging.keep_s < 0)
		return;
	for (size_t i = 0; i < s->memcgs.nr; i++) {
		r = &s->memcgs.rows[i];
		if (r->removed && now - r->removed_at >= s->aging.keep_s) {
			forget_memcg(s, r);
			n++;
		}
	}
	over = map_over_room(s, n);
	if (over)
		n += age_early(s, over);
	if (!n)
		return;
	forget_pairs(s);
	memcg_table_compact(&s->memcgs);
}

static int pair_cmp(const void *a, const void *b)
{
	const struct pair_key *x = a, *y = b;

	if (x->cgid != y->cgid)
		return x->cgid < y->cgid ? -1 : 1;
	return x->lru < y->lru ? -1 : x->lru > y->lru;
}

static int pair_add(struct pair_key **set, size_t *n, size_t *cap, __u64 cgid, __u64 lru)
{
	struct pair_key *p;

	if (*n == *cap) {
		p = realloc(*set, (*cap * 2 + 64) * sizeof(*p));
		if (!p)
			return -ENOMEM;
		*set = p;
		*cap = *cap * 2 + 64;
	}
	(*set)[(*n)++] = (struct pair_key){ .cgid = cgid, .lru = lru };
	return 0;
}

/* A pair and the same list_lru for each ancestor below the root, found by path. */
static int pair_add_chain(const struct lrutop_state *s, struct pair_key **set, size_t *n,
			  size_t *cap, const struct pair_key *pk)
{
	const char *path = cgroup_index_path(s->cg.index, pk->cgid);
	char up[4096], *slash;
	__u64 id;
	int err;

	err = pair_add(set, n, cap, pk->cgid, pk->lru);
	if (err || !path)
		return err;
	snprintf(up, sizeof(up), "%s", path);
	while ((slash = strrchr(up, '/')) && slash != up) {
		*slash = '\0';
		id = cgroup_index_id(s->cg.index, up);
		if (id && (err = pair_add(set, n, cap, id, pk->lru)))
			return err;
	}
	return 0;
}

long long memcgs_would_pairs(const struct lrutop_state *s)
{
	struct map_dump d = {};
	struct pair_key *set = NULL;
	size_t n = 0, cap = 0, uniq = 0;
	long long ret;
	int err;

	err = tracer_read_would_pairs(&s->tracer, &d);
	for (size_t i = 0; !err && i < d.n; i++)
		err = pair_add_chain(s, &set, &n, &cap, (const struct pair_key *)d.keys + i);
	if (!err) {
		qsort(set, n, sizeof(*set), pair_cmp);
		for (size_t i = 0; i < n; i++)
			uniq += !i || pair_cmp(&set[i - 1], &set[i]);
	}
	ret = err ? err : (long long)uniq;
	free(set);
	map_dump_free(&d);
	return ret;
}
