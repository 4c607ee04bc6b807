// SPDX-License-Identifier: GPL-2.0
/* Reads what the loaded tracer (lrutop.bpf.c) counted: its maps and globals. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tracer.h"
#include "lrutop.skel.h"

int tracer_init(struct tracer *t, struct lrutop_bpf *skel)
{
	memset(t, 0, sizeof(*t));
	t->skel = skel;
	t->ncpus = libbpf_num_possible_cpus();
	return t->ncpus > 0 ? 0 : -EINVAL;
}

void tracer_free(struct tracer *t)
{
	map_dump_free(&t->memcgs);
	map_dump_free(&t->lrus);
	map_dump_free(&t->pairs);
	memset(t, 0, sizeof(*t));
}

int tracer_read_totals(struct tracer *t, struct totals *out)
{
	size_t stride = percpu_value_size(sizeof(*out), 1);
	__u32 zero = 0;
	char *vals;

	vals = calloc(t->ncpus, stride);
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.totals), &zero, vals)) {
		free(vals);
		return -errno;
	}
	memset(out, 0, sizeof(*out));
	for (int cpu = 0; cpu < t->ncpus; cpu++)
		u64s_add(out, vals + cpu * stride, sizeof(*out));
	free(vals);
	return 0;
}

int tracer_read_memcgs(struct tracer *t)
{
	return map_dump_read(bpf_map__fd(t->skel->maps.memcg_stats), &t->memcgs, sizeof(__u64),
			     sizeof(struct memcg_stats));
}

int tracer_read_lrus(struct tracer *t)
{
	return map_dump_read(bpf_map__fd(t->skel->maps.lru_stats), &t->lrus, sizeof(__u64),
			     sizeof(struct lru_stats));
}

int tracer_read_pairs(struct tracer *t)
{
	return map_dump_read(bpf_map__fd(t->skel->maps.pairs), &t->pairs, sizeof(struct pair_key),
			     sizeof(__u64));
}

void tracer_read_globals(const struct tracer *t, struct tracer_globals *g)
{
	const typeof(*t->skel->bss) *bss = t->skel->bss;

	memcpy(g->lat, bss->lat_hist, sizeof(g->lat));
	memcpy(g->lat_alloc, bss->lat_hist_alloc, sizeof(g->lat_alloc));
	g->id_space = bss->id_space;
	g->id_space_known = bss->id_space_known;
	g->growth_count = bss->growth_count;
	memcpy(g->growths, bss->growths, sizeof(g->growths));
}

size_t tracer_memcg_capacity(const struct tracer *t)
{
	return bpf_map__max_entries(t->skel->maps.memcg_stats);
}

__u64 tracer_cgroup_changes(const struct tracer *t)
{
	return __atomic_load_n(&t->skel->bss->cgroup_changes, __ATOMIC_ACQUIRE);
}

int tracer_mkdir_path(const struct tracer *t, __u64 cgid, char *buf, size_t len)
{
	struct cgroup_path cp;

	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.cgroup_paths), &cgid, &cp))
		return -errno;
	cp.path[sizeof(cp.path) - 1] = '\0';
	snprintf(buf, len, "%s", cp.path[0] ? cp.path : "/");
	return 0;
}

void tracer_forget_memcg(struct tracer *t, __u64 cgid, struct memcg_stats *last)
{
	int fd = bpf_map__fd(t->skel->maps.memcg_stats);
	struct memcg_stats v;

	/* Atomic where the kernel can (5.14+), so no late event falls between read and delete. */
	if (!bpf_map_lookup_and_delete_elem(fd, &cgid, &v)) {
		*last = v;
	} else if (!bpf_map_lookup_elem(fd, &cgid, &v)) {
		*last = v;
		bpf_map_delete_elem(fd, &cgid);
	}
	bpf_map_delete_elem(bpf_map__fd(t->skel->maps.memcg_lat), &cgid);
	bpf_map_delete_elem(bpf_map__fd(t->skel->maps.cgroup_paths), &cgid);
}

void tracer_forget_pair(struct tracer *t, const struct pair_key *pk)
{
	bpf_map_delete_elem(bpf_map__fd(t->skel->maps.pairs), pk);
}

int tracer_memcg_lat(const struct tracer *t, __u64 cgid, __u64 *slots)
{
	struct lat_slots h;

	if (!t->skel)
		return -ENOENT;
	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.memcg_lat), &cgid, &h))
		return -errno;
	memcpy(slots, h.slots, sizeof(h.slots));
	return 0;
}

int tracer_read_would_pairs(const struct tracer *t, struct map_dump *d)
{
	return map_dump_read(bpf_map__fd(t->skel->maps.would_pairs), d, sizeof(struct pair_key),
			     sizeof(__u8));
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

long long tracer_count_memcg_lrus(const struct tracer *t)
{
	struct ring_walk *w = &t->skel->bss->lru_walk;

	/* 1024 steps a run: 256 runs cover a quarter of a million list_lrus. The ring's head
	 * is a step too. */
	if (ring_walk_run(bpf_program__fd(t->skel->progs.count_memcg_lrus), w, 256) != 1)
		return -1;
	return (long long)w->steps - 1;
}

static __u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int tracer_resolve_owners(struct tracer *t)
{
	int fd = bpf_program__fd(t->skel->progs.resolve_owners);
	int map = bpf_map__fd(t->skel->maps.pending_ids);
	typeof(t->skel->bss) bss = t->skel->bss;
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

static int u64_cmp(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return (x > y) - (x < y);
}

int tracer_check_freed(struct tracer *t, const __u64 *cgids, size_t n)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int fd = bpf_program__fd(t->skel->progs.check_freed);
	typeof(t->skel->bss) bss = t->skel->bss;

	if (fd < 0 || !n)
		return 0;
	if (n > LRUTOP_FREEING)
		n = LRUTOP_FREEING;
	memcpy(bss->freeing, cgids, n * sizeof(*cgids));
	qsort(bss->freeing, n, sizeof(*cgids), u64_cmp);	/* BPF searches it */
	bss->nr_freeing = n;
	return bpf_prog_test_run_opts(fd, &opts) ? -errno : 0;
}

void tracer_poll_owners(struct tracer *t)
{
	__u64 notes = __atomic_load_n(&t->skel->bss->owner_notes, __ATOMIC_ACQUIRE);

	if (notes == t->owner_notes)
		return;
	t->owner_notes = notes;
	tracer_resolve_owners(t);
}
