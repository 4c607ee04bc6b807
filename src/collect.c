// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cgroup.h"
#include "collect.h"
#include "held.h"
#include "mounts.h"
#include "nodes.h"
#include "lrutop.skel.h"

/* NUMA nodes online: the nodes lrutop reports. */
static int count_nodes(void)
{
	struct node_list nl;

	node_list_read("/sys/devices/system/node/online", &nl);
	return nl.count;
}

void state_plan_metrics(struct lrutop_state *s)
{
	char why[160];

	for (int m = 0; m < NR_METRICS; m++)
		s->avail[m] = probe_metric_available(s->plan, s->backend, m, why, sizeof(why));
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

	snprintf(path, sizeof(path), "%s/cgroup.stat", s->cg_root);
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

/* The kernel's count of memory cgroups besides the root: online ones from cgroup v2's
 * cgroup.stat, or cgroup v1's directories (the index); else /proc/cgroups (all namespaces),
 * which also counts dying memcgs: a removed one can stay there long after its removal. */
static void count_memcgs(struct lrutop_state *s)
{
	char line[256], name[64];
	int hier, num, enabled;
	long long n = -1;
	FILE *f;

	if (s->cg_version == 2)
		n = online_descendants(s);
	else if (s->cg_version == 1 && s->cg_index)
		n = (long long)cgroup_index_size(s->cg_index) - 1;
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
	s->kernel_memcgs = n;
	if (n > s->kernel_memcgs_peak)
		s->kernel_memcgs_peak = n;
}

/*
 * Walk the kernel's ring of memcg-aware list_lrus with program fd, a chunk a run
 * (BPF_PROG_TEST_RUN), from its start until the walk ends or max_runs. Returns the walk's
 * state: 1 done, -1 failed, 0 cut short.
 */
static int ring_walk_run(int fd, struct ring_walk *w, int max_runs)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	if (fd < 0)
		return -1;
	w->start = 0;
	w->state = 0;
	for (int i = 0; i < max_runs && !w->state; i++) {
		if (bpf_prog_test_run_opts(fd, &opts))
			return -1;
	}
	return w->state;
}

/* Run count_memcg_lrus until its walk of the kernel's ring of memcg-aware list_lrus ends. */
static void count_memcg_lrus(struct lrutop_state *s)
{
	struct ring_walk *w = &s->skel->bss->lru_walk;

	/* 1024 steps a run: 256 runs cover a quarter of a million list_lrus. */
	if (ring_walk_run(bpf_program__fd(s->skel->progs.count_memcg_lrus), w, 256) == 1)
		s->memcg_lrus = (long long)w->steps - 1;
}

static __u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}


int state_resolve_owners(struct lrutop_state *s)
{
	int fd = bpf_program__fd(s->skel->progs.resolve_owners);
	int map = bpf_map__fd(s->skel->maps.pending_ids);
	typeof(s->skel->bss) bss = s->skel->bss;
	const struct kmemcg_ref *refs;
	struct kmemcg_ref now_ref = {};
	struct map_dump d = {};
	const __u32 *ids;
	__u64 started;
	size_t n;
	int err;

	if (fd < 0)
		return 0;
	started = monotonic_ns();
	err = map_dump_read(map, &d, sizeof(__u32), sizeof(struct kmemcg_ref));
	if (err || !d.n)
		goto out;
	ids = d.keys;
	refs = d.vals;
	for (size_t i = 0; i < d.n; i += n) {
		n = d.n - i < LRUTOP_RESOLVE_IDS ? d.n - i : LRUTOP_RESOLVE_IDS;
		for (size_t j = 0; j < n; j++) {
			bss->rs_ids[j] = ids[i + j];
			bss->rs_cgids[j] = refs[i + j].cgid;
		}
		bss->rs_nids = n;
		/* Eight list_lrus a run: 32,768 runs cover a quarter of a million. */
		ring_walk_run(fd, &bss->owner_walk, 32768);
	}
	/* A list is in its slot microseconds after its kmalloc: an id with no allocation for
	 * a second before this pass began is done with. */
	for (size_t i = 0; i < d.n; i++) {
		if (refs[i].ts_ns + 1000000000ULL > started)
			continue;
		if (!bpf_map_lookup_elem(map, &ids[i], &now_ref) && now_ref.ts_ns == refs[i].ts_ns)
			bpf_map_delete_elem(map, &ids[i]);
	}
out:
	map_dump_free(&d);
	return err;
}

void state_poll_owners(struct lrutop_state *s)
{
	__u64 notes = __atomic_load_n(&s->skel->bss->owner_notes, __ATOMIC_ACQUIRE);

	if (notes == s->owner_notes)
		return;
	s->owner_notes = notes;
	state_resolve_owners(s);
}

int state_init(struct lrutop_state *s, struct lrutop_bpf *skel, const struct probe_plan *plan,
	       enum backend backend)
{
	struct utsname u;

	memset(s, 0, sizeof(*s));
	s->skel = skel;
	s->plan = plan;
	s->backend = backend;
	state_plan_metrics(s);
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0)
		return -EINVAL;
	s->nr_nodes = count_nodes();
	if (!uname(&u))
		snprintf(s->release, sizeof(s->release), "%s", u.release);
	s->memcg_lrus = -1;
	s->keep_removed_s = LRUTOP_KEEP_REMOVED_S;
	s->kernel_memcgs = -1;
	s->kernel_memcgs_peak = -1;
	s->cg_version = cgroup_memory_root("/proc/self/mounts", s->cg_root, sizeof(s->cg_root));
	if (s->cg_version < 0)
		s->cg_version = 0;
	count_memcg_lrus(s);
	count_memcgs(s);
	clock_gettime(CLOCK_MONOTONIC, &s->started);
	s->last = s->started;
	return 0;
}

static int read_totals(struct lrutop_state *s, struct totals *out)
{
	size_t stride = percpu_value_size(sizeof(*out), 1);
	__u64 *dst = (__u64 *)out;
	__u32 zero = 0;
	char *vals;

	vals = calloc(s->ncpus, stride);
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.totals), &zero, vals)) {
		free(vals);
		return -errno;
	}
	memset(out, 0, sizeof(*out));
	/* struct totals is all __u64: sum it field by field as an array. */
	for (int cpu = 0; cpu < s->ncpus; cpu++) {
		const __u64 *src = (const void *)(vals + cpu * stride);

		for (size_t f = 0; f < sizeof(*out) / sizeof(__u64); f++)
			dst[f] += src[f];
	}
	free(vals);
	return 0;
}

static int read_memcgs(struct lrutop_state *s)
{
	struct map_dump *d = &s->dump_memcg;
	int err;

	err = map_dump_read(bpf_map__fd(s->skel->maps.memcg_stats), d, sizeof(__u64),
			    sizeof(struct memcg_stats));
	if (err)
		return err;
	return memcg_table_update(&s->memcgs, d->keys, d->vals, d->n);
}

static struct lru_row *find_lru(struct lrutop_state *s, __u64 lru)
{
	for (size_t i = 0; i < s->nr_lrus; i++) {
		if (s->lrus[i].lru == lru)
			return &s->lrus[i];
	}
	return NULL;
}

static int read_lrus(struct lrutop_state *s)
{
	struct map_dump *d = &s->dump_lru;
	const struct lru_stats *st;
	struct lru_row *r, *rows;
	__u64 lru;
	int err;

	err = map_dump_read(bpf_map__fd(s->skel->maps.lru_stats), d, sizeof(__u64),
			    sizeof(struct lru_stats));
	if (err)
		return err;
	for (size_t i = 0; i < s->nr_lrus; i++) {
		s->lrus[i].delta_allocs = 0;
		s->lrus[i].nmemcgs = 0;
	}
	for (size_t i = 0; i < d->n; i++) {
		lru = ((__u64 *)d->keys)[i];
		st = (const struct lru_stats *)d->vals + i;
		r = find_lru(s, lru);
		if (!r) {
			rows = realloc(s->lrus, (s->nr_lrus + 1) * sizeof(*rows));
			if (!rows)
				return -ENOMEM;
			s->lrus = rows;
			r = &s->lrus[s->nr_lrus++];
			memset(r, 0, sizeof(*r));
			r->lru = lru;
		}
		/* A new superblock at an old one's address starts its list_lru from zero. */
		r->delta_allocs = st->allocs >= r->st.allocs ? st->allocs - r->st.allocs : st->allocs;
		if (st->owner.kind != LRUTOP_LRU_OTHER && (!r->mnt[0] || r->st.owner.dev != st->owner.dev))
			mount_point_of_kdev("/proc/self/mountinfo", st->owner.dev, r->mnt, sizeof(r->mnt));
		r->st = *st;
	}
	return 0;
}

/* Distinct list_lrus per memcg and memcgs per list_lru, from the (memcg, lru) pair counts. */
static int read_pairs(struct lrutop_state *s)
{
	struct map_dump *d = &s->dump_pair;
	const struct pair_key *pk;
	struct memcg_row *row;
	struct lru_row *lr;
	int err;

	err = map_dump_read(bpf_map__fd(s->skel->maps.pairs), d, sizeof(struct pair_key),
			    sizeof(__u64));
	if (err)
		return err;
	for (size_t i = 0; i < s->memcgs.nr; i++)
		s->memcgs.rows[i].nlrus = 0;
	for (size_t i = 0; i < d->n; i++) {
		pk = (const struct pair_key *)d->keys + i;
		/* A pair whose only list was transient never held one. */
		if ((__s64)((const __u64 *)d->vals)[i] <= 0)
			continue;
		row = memcg_table_find(&s->memcgs, pk->cgid);
		if (row)
			row->nlrus++;
		lr = find_lru(s, pk->lru);
		if (lr)
			lr->nmemcgs++;
	}
	return 0;
}

/* A cgroup gone before the index saw it: the path BPF caught at its mkdir. */
static void path_from_mkdir(struct lrutop_state *s, struct memcg_row *r)
{
	struct cgroup_path cp;

	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.cgroup_paths), &r->cgid, &cp))
		return;
	cp.path[sizeof(cp.path) - 1] = '\0';
	r->path = strdup(cp.path[0] ? cp.path : "/");
}

static void resolve_paths(struct lrutop_state *s, double now)
{
	struct cgroup_index *idx;
	struct memcg_row *r;
	const char *path;
	__u64 changes;

	if (!s->cg_version)
		return;
	/*
	 * The tree changes only by mkdir, rmdir and rename, which BPF counts: walk it (a stat
	 * per memcg) only after one. The count is read before the walk, so a change during it
	 * brings another.
	 */
	changes = __atomic_load_n(&s->skel->bss->cgroup_changes, __ATOMIC_ACQUIRE);
	if (!s->cg_index || changes != s->cg_index_changes) {
		idx = cgroup_index_build(s->cg_root);
		if (idx) {	/* else keep the last good index */
			cgroup_index_free(s->cg_index);
			s->cg_index = idx;
			s->cg_index_changes = changes;
		}
	}
	idx = s->cg_index;
	if (!idx)
		return;
	for (size_t i = 0; i < s->memcgs.nr; i++) {
		r = &s->memcgs.rows[i];
		path = cgroup_index_path(idx, r->cgid);
		r->removed = !path;
		if (path)
			r->removed_at = 0;
		else if (!r->removed_at)
			r->removed_at = now;
		if (path && (!r->path || strcmp(r->path, path))) {
			free(r->path);
			r->path = strdup(path);
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
	int fd = bpf_map__fd(s->skel->maps.memcg_stats);
	struct memcg_stats last;

	/* Atomic where the kernel can (5.14+), so no late event falls between read and delete. */
	if (!bpf_map_lookup_and_delete_elem(fd, &r->cgid, &last)) {
		r->cum = last;
	} else if (!bpf_map_lookup_elem(fd, &r->cgid, &last)) {
		r->cum = last;
		bpf_map_delete_elem(fd, &r->cgid);
	}
	bpf_map_delete_elem(bpf_map__fd(s->skel->maps.memcg_lat), &r->cgid);
	bpf_map_delete_elem(bpf_map__fd(s->skel->maps.cgroup_paths), &r->cgid);
	memcg_stats_add(&s->aged, &r->cum);
	s->aged_memcgs++;
	r->aged = true;
}

/* Pairs of aged memcgs, from the pair map as read this refresh. */
static void forget_pairs(struct lrutop_state *s)
{
	int fd = bpf_map__fd(s->skel->maps.pairs);
	const struct pair_key *pk;
	struct memcg_row *r;

	for (size_t i = 0; i < s->dump_pair.n; i++) {
		pk = (const struct pair_key *)s->dump_pair.keys + i;
		r = memcg_table_find(&s->memcgs, pk->cgid);
		if (r && r->aged)
			bpf_map_delete_elem(fd, pk);
	}
}

static int removed_at_cmp(const void *a, const void *b)
{
	const struct memcg_row *x = *(struct memcg_row *const *)a, *y = *(struct memcg_row *const *)b;

	return (x->removed_at > y->removed_at) - (x->removed_at < y->removed_at);
}

/*
 * Entries the per-memcg map holds beyond the room it must keep for the next interval:
 * twice the rows the last one brought, and a sixteenth of the map. A host that churns
 * memcgs faster than --keep-removed allows would otherwise fill it, and counts would drop.
 */
static size_t map_over_room(const struct lrutop_state *s, size_t aged)
{
	size_t cap = bpf_map__max_entries(s->skel->maps.memcg_stats);
	size_t held = s->dump_memcg.n > aged ? s->dump_memcg.n - aged : 0;
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
	s->aged_early += n;
	free(kept);
	return n;
}

/*
 * Memcgs removed keep_removed_s ago or more leave the maps and the table: a host that
 * churns containers for days must not fill them. Their counters join s->aged. When the
 * map would not have room for the next interval, removed memcgs leave sooner: a dead row
 * hidden early loses nothing, a full map loses counts.
 */
static void age_removed(struct lrutop_state *s, double now)
{
	struct memcg_row *r;
	size_t n = 0, over;

	if (s->keep_removed_s < 0)
		return;
	for (size_t i = 0; i < s->memcgs.nr; i++) {
		r = &s->memcgs.rows[i];
		if (r->removed && now - r->removed_at >= s->keep_removed_s) {
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
	const char *path = cgroup_index_path(s->cg_index, pk->cgid);
	char up[4096], *slash;
	__u64 id;
	int err;

	err = pair_add(set, n, cap, pk->cgid, pk->lru);
	if (err || !path)
		return err;
	snprintf(up, sizeof(up), "%s", path);
	while ((slash = strrchr(up, '/')) && slash != up) {
		*slash = '\0';
		id = cgroup_index_id(s->cg_index, up);
		if (id && (err = pair_add(set, n, cap, id, pk->lru)))
			return err;
	}
	return 0;
}

long long state_would_pairs(const struct lrutop_state *s)
{
	struct map_dump d = {};
	struct pair_key *set = NULL;
	size_t n = 0, cap = 0, uniq = 0;
	long long ret;
	int err;

	err = map_dump_read(bpf_map__fd(s->skel->maps.would_pairs), &d, sizeof(struct pair_key),
			    sizeof(__u8));
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

int state_memcg_lat(const struct lrutop_state *s, __u64 cgid, __u64 *slots)
{
	struct lat_slots h;

	if (!s->skel)
		return -ENOENT;
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.memcg_lat), &cgid, &h))
		return -errno;
	memcpy(slots, h.slots, sizeof(h.slots));
	return 0;
}

static void read_bss(struct lrutop_state *s)
{
	const typeof(*s->skel->bss) *bss = s->skel->bss;

	for (int i = 0; i < LRUTOP_MAX_SLOTS; i++) {
		s->lat_delta[i] = bss->lat_hist[i] - s->lat[i];
		s->lat[i] = bss->lat_hist[i];
		s->lat_alloc_delta[i] = bss->lat_hist_alloc[i] - s->lat_alloc[i];
		s->lat_alloc[i] = bss->lat_hist_alloc[i];
	}
	s->id_space = bss->id_space;
	s->id_space_known = bss->id_space_known;
	s->growth_count = bss->growth_count;
	memcpy(s->growths, bss->growths, sizeof(s->growths));
}

int state_refresh(struct lrutop_state *s)
{
	struct totals now;
	__u64 *d, *a, *b;
	struct timespec ts;
	double now_s;
	int err;

	/* The interval ends when the counters are read, not after the paths are resolved. */
	state_resolve_owners(s);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now_s = ts.tv_sec + ts.tv_nsec / 1e9;
	err = read_totals(s, &now);
	if (!err)
		err = read_memcgs(s);
	if (!err)
		err = read_lrus(s);
	if (!err)
		err = read_pairs(s);
	if (err)
		return err;
	d = (__u64 *)&s->delta;
	a = (__u64 *)&now;
	b = (__u64 *)&s->tot;
	for (size_t f = 0; f < sizeof(now) / sizeof(__u64); f++)
		d[f] = a[f] - b[f];
	s->tot = now;
	count_memcg_lrus(s);
	read_bss(s);
	held_refresh(s, now_s);
	resolve_paths(s, now_s);
	count_memcgs(s);	/* after the index (cgroup v1) is up to date */
	age_removed(s, now_s);
	s->interval_s = (ts.tv_sec - s->last.tv_sec) + (ts.tv_nsec - s->last.tv_nsec) / 1e9;
	s->last = ts;
	s->refreshes++;
	return 0;
}

const struct totals *state_totals(const struct lrutop_state *s)
{
	return s->cumulative ? &s->tot : &s->delta;
}

void state_free(struct lrutop_state *s)
{
	held_close(s);
	memcg_table_free(&s->memcgs);
	free(s->lrus);
	cgroup_index_free(s->cg_index);
	map_dump_free(&s->dump_memcg);
	map_dump_free(&s->dump_lru);
	map_dump_free(&s->dump_pair);
	memset(s, 0, sizeof(*s));
}
