// SPDX-License-Identifier: GPL-2.0
/* Reads what the loaded tracer (lrutop.bpf.c) counted: its maps and globals. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tracer.h"
#include "lrutop.skel.h"

static __u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Slots a window of the per-memcg array holds: about a megabyte, a whole number of pages
 * (mmap's offsets) and of slots (no slot across two windows).
 */
static size_t window_slots(void)
{
	size_t page = sysconf(_SC_PAGESIZE), entry = sizeof(struct memcg_entry), a = page, b = entry;

	while (b) {	/* gcd */
		size_t r = a % b;

		a = b;
		b = r;
	}
	return (page / a) * ((1 << 20) / (page / a * entry) ?: 1);
}

int tracer_init(struct tracer *t, struct lrutop_bpf *skel)
{
	memset(t, 0, sizeof(*t));
	t->skel = skel;
	t->ncpus = libbpf_num_possible_cpus();
	t->memcg_slots = bpf_map__max_entries(skel->maps.memcg_stats);
	t->window_slots = window_slots();
	return t->ncpus > 0 ? 0 : -EINVAL;
}

/*
 * The per-memcg array, read as memory a window at a time: two syscalls a megabyte, where a
 * hash map's batch read cost 34 ms at 100,000 memcgs. Mapped whole, those would keep 8 MB
 * resident (in lrutop's RSS) for a read that takes a millisecond.
 */
int tracer_read_memcgs(struct tracer *t, tracer_slots_fn fn, void *ctx)
{
	size_t page = sysconf(_SC_PAGESIZE), first, n, len;
	int fd = bpf_map__fd(t->skel->maps.memcg_stats), err = 0;
	void *p;

	for (first = 0; first < t->memcg_slots && !err; first += n) {
		n = t->memcg_slots - first < t->window_slots ? t->memcg_slots - first :
							       t->window_slots;
		len = (n * sizeof(struct memcg_entry) + page - 1) / page * page;
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, first * sizeof(struct memcg_entry));
		if (p == MAP_FAILED)
			return -errno;
		err = fn(ctx, p, first, n);
		munmap(p, len);
	}
	return err;
}

void tracer_free(struct tracer *t)
{
	free(t->waiting);
	map_dump_free(&t->lrus);
	map_dump_free(&t->pairs);
	memset(t, 0, sizeof(*t));
}

int tracer_read_counts(struct tracer *t, struct totals *out, struct tracer_globals *g)
{
	const typeof(*t->skel->bss) *bss = t->skel->bss;
	size_t stride = percpu_value_size(sizeof(struct cpu_counts), 1);
	const struct cpu_counts *c;
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
	memset(g, 0, sizeof(*g));
	for (int cpu = 0; cpu < t->ncpus; cpu++) {
		c = (const void *)(vals + cpu * stride);
		u64s_add(out, &c->totals, sizeof(*out));
		u64s_add(g->lat, c->lat, sizeof(g->lat));
		u64s_add(g->lat_alloc, c->lat_alloc, sizeof(g->lat_alloc));
	}
	free(vals);
	g->id_space = bss->id_space;
	g->id_space_known = bss->id_space_known;
	g->growth_count = bss->growth_count;
	memcpy(g->growths, bss->growths, sizeof(g->growths));
	return 0;
}

/*
 * A hash map's batch read walks all its buckets, empty or not: 2.5 ms a refresh for these two
 * sized for 100,000 memcgs. They change only when a list is charged to an owner.
 */
int tracer_read_lrus(struct tracer *t)
{
	__u64 changes = __atomic_load_n(&t->skel->bss->lru_changes, __ATOMIC_ACQUIRE);
	int err;

	if (t->lrus_reads && changes == t->lru_changes && !t->lrus_stale)
		return 0;
	err = map_dump_read(bpf_map__fd(t->skel->maps.lru_stats), &t->lrus, sizeof(__u64),
			    sizeof(struct lru_stats));
	if (!err)
		err = map_dump_read(bpf_map__fd(t->skel->maps.pairs), &t->pairs,
				    sizeof(struct pair_key), sizeof(__u64));
	if (err)
		return err;
	t->lru_changes = changes;
	t->lrus_stale = false;
	t->lrus_reads++;
	return 0;
}

size_t tracer_memcg_capacity(const struct tracer *t)
{
	return t->memcg_slots;
}

size_t tracer_memcg_waiting(const struct tracer *t)
{
	return t->nr_waiting;
}

/*
 * A program that found a slot before its memcg was forgotten is done with it within
 * microseconds (tracing programs do not sleep): the next refresh gives it back, unless that
 * comes sooner than this. Longer would keep slots from the memcgs that need them (a map of
 * 256 churning 80 memcgs a second dropped rows at a second).
 */
#define SLOT_REUSE_NS	50000000ULL

void tracer_recycle_slots(struct tracer *t)
{
	int fd = bpf_map__fd(t->skel->maps.free_slots);
	int stats = bpf_map__fd(t->skel->maps.memcg_stats);
	int lat = bpf_map__fd(t->skel->maps.memcg_lat);
	const struct lat_slots zero_lat = {};
	const struct memcg_entry zero = {};
	__u64 now = monotonic_ns();
	size_t n = 0;

	for (; n < t->nr_waiting && now - t->waiting[n].since_ns >= SLOT_REUSE_NS; n++) {
		__u32 slot = t->waiting[n].slot;

		/* Clean for its next memcg: a late add may have come since it was forgotten. */
		if (!bpf_map_update_elem(stats, &slot, &zero, BPF_ANY) &&
		    !bpf_map_update_elem(lat, &slot, &zero_lat, BPF_ANY))
			bpf_map_update_elem(fd, NULL, &slot, BPF_ANY);
	}
	if (!n)
		return;
	t->nr_waiting -= n;
	memmove(t->waiting, t->waiting + n, t->nr_waiting * sizeof(*t->waiting));
}

static void slot_wait(struct tracer *t, __u32 slot)
{
	struct slot_wait *w;

	if (t->nr_waiting == t->waiting_cap) {
		w = realloc(t->waiting, (t->waiting_cap * 2 + 64) * sizeof(*w));
		if (!w)
			return;	/* the slot stays out of use: a drop later, never a wrong row */
		t->waiting = w;
		t->waiting_cap = t->waiting_cap * 2 + 64;
	}
	t->waiting[t->nr_waiting++] = (struct slot_wait){ .slot = slot, .since_ns = monotonic_ns() };
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
	int fd = bpf_map__fd(t->skel->maps.memcg_slots);
	int stats = bpf_map__fd(t->skel->maps.memcg_stats);
	struct memcg_entry e;
	__u32 slot;

	/* Atomic where the kernel can (5.14+): no program finds the slot after this. */
	if (bpf_map_lookup_and_delete_elem(fd, &cgid, &slot)) {
		if (bpf_map_lookup_elem(fd, &cgid, &slot))
			slot = UINT32_MAX;
		else
			bpf_map_delete_elem(fd, &cgid);
	}
	if (slot < t->memcg_slots && !bpf_map_lookup_elem(stats, &slot, &e) && e.cgid == cgid) {
		*last = e.st;
		e.cgid = 0;	/* out of the reads from now on */
		bpf_map_update_elem(stats, &slot, &e, BPF_ANY);
		slot_wait(t, slot);
	}
	bpf_map_delete_elem(bpf_map__fd(t->skel->maps.cgroup_paths), &cgid);
}

void tracer_forget_pair(struct tracer *t, const struct pair_key *pk)
{
	bpf_map_delete_elem(bpf_map__fd(t->skel->maps.pairs), pk);
	t->lrus_stale = true;
}

/* The memcg's latency histogram: at its row's slot, while the row is still its own. */
int tracer_memcg_lat(const struct tracer *t, __u64 cgid, __u64 *slots)
{
	struct memcg_entry e;
	struct lat_slots h;
	__u32 slot;

	if (!t->skel)
		return -ENOENT;
	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.memcg_slots), &cgid, &slot) ||
	    bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.memcg_stats), &slot, &e) ||
	    bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.memcg_lat), &slot, &h))
		return -errno;
	if (e.cgid != cgid)
		return -ENOENT;
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
