// SPDX-License-Identifier: GPL-2.0
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include "kernel/core_btf.h"
#include "kernel/iters.h"
#include "kernel/ksyms.h"
#include "kernel/loader.h"
#include "selfcheck.h"
#include "session.h"
#include "lrutop.skel.h"

/* libbpf's warnings always (a map or program it could not set up); its debug output with -v. */
static bool libbpf_verbose;

static int libbpf_print_fn(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level == LIBBPF_DEBUG && !libbpf_verbose)
		return 0;
	return vfprintf(stderr, format, args);
}

/* Root, or CAP_BPF + CAP_PERFMON (5.8+), or CAP_SYS_ADMIN. */
static bool has_privileges(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f;

	if (geteuid() == 0)
		return true;
	f = fopen("/proc/self/status", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	}
	fclose(f);
	return (eff & (1ULL << CAP_SYS_ADMIN)) ||
	       ((eff & (1ULL << CAP_BPF)) && (eff & (1ULL << CAP_PERFMON)));
}

/* Load and attach a backend, read its first state and, if asked, check what it counts.
 * On failure returns 1, the cause in ss->why; printed unless quiet (a fallback's). */
static int attach(struct session *ss, enum backend want, unsigned int max_memcgs, bool verbose,
		  bool self_check, bool quiet)
{
	struct self_check *sc = &ss->state.kernel.self_check;
	int err;

	err = loader_start(&ss->plan, want, max_memcgs, &ss->skel, &ss->backend, ss->why,
			   sizeof(ss->why));
	if (err) {
		if (!quiet)
			fprintf(stderr, "lrutop: cannot measure list_lru memory on this kernel: %s\n",
				ss->why);
		return 1;
	}
	err = state_init(&ss->state, ss->skel, &ss->plan, ss->backend);
	if (err) {
		fprintf(stderr, "lrutop: %s\n", strerror(-err));
		return 1;
	}
	ss->state.cg.iters = ss->iters;	/* the rows' paths read the cgroup tree through it */
	ss->state_ok = true;
	/* Before the self-check: its runs are lrutop's cost too. */
	watching_start(&ss->state, ss->bpf_stats);
	/*
	 * The inventory's programs load while the self-check runs, on another CPU: not sooner,
	 * or two parses of the kernel's BTF (libbpf's, one per object) would be resident at once.
	 */
	if (ss->inventory_s && !ss->preload.started && !ss->preload.walker)
		held_preload(&ss->preload, &ss->plan);
	if (self_check) {
		self_check_run(&ss->state, sc);
	} else {
		sc->ok = -1;
		snprintf(sc->result, sizeof(sc->result), "not run (--no-self-check)");
	}
	/* What the self-check's runs cost; the runs it had skipped are not the reports'. */
	watching_mark(&ss->state);
	return 0;
}

/* Undo attach(), keeping the plan. */
static void detach(struct session *ss)
{
	if (ss->state_ok)
		state_free(&ss->state);
	ss->state_ok = false;
	lrutop_bpf__destroy(ss->skel);
	ss->skel = NULL;
}

/* kallsyms for the plan: by the ksym iterator if it loaded, else (or if it fails) the file. */
struct kallsyms_read {
	struct ksyms_iter *iter;
	struct ksyms *ksyms;
	const char *from;
};

static void *read_kallsyms(void *arg)
{
	struct kallsyms_read *r = arg;

	r->ksyms = r->iter ? ksyms__iter_read(r->iter) : NULL;
	r->from = "the ksym iterator";
	if (!r->ksyms) {
		r->ksyms = ksyms__load_with_data("/proc/kallsyms", probe_ksym_names());
		r->from = "/proc/kallsyms";
	}
	return NULL;
}

static void cut_core_btf(struct session *ss, const struct btf *btf, bool verbose)
{
	int fd = core_btf_cut(btf, ss->core_btf, sizeof(ss->core_btf));

	if (fd < 0) {
		if (verbose)
			fprintf(stderr, "lrutop: the kernel's BTF not cut for CO-RE (%s): libbpf reads it whole\n",
				strerror(-fd));
		return;
	}
	ss->core_btf_fd = fd;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23	/* 5.14; before it, the memset below touches the pages */
#endif
#define HUGE_PAGE	(2UL << 20)

/*
 * libbpf parses the kernel's BTF (megabytes) for the iterators' object, then the plan parses
 * it again, each time into memory never touched: on a virtual machine whose every first
 * touch of a 4 KiB page traps into the hypervisor, the two took most of the time to the
 * first sample (docs/BENCHMARKS.md, section 3). So the heap is grown once, before them, to
 * what one parse needs (the file, libbpf's copy of it, its index of types), on huge pages
 * where the kernel gives them, and kept: the parses, one after the other, reuse it.
 * startup_heap_end() gives it back.
 */
static void startup_heap_begin(struct session *ss)
{
	uintptr_t lo, hi;
	struct stat st;
	size_t size;
	char *p;

	if (stat("/sys/kernel/btf/vmlinux", &st) || st.st_size <= 0)
		return;
	size = st.st_size * 9 / 4;
	/* Blocks under 32 MB from the heap, and a free heap kept, until startup_heap_end(). */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	p = malloc(size);
	if (!p)
		return;
	lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	hi = ((uintptr_t)p + size) & ~(HUGE_PAGE - 1);
	if (hi > lo && !madvise((void *)lo, hi - lo, MADV_HUGEPAGE)) {
		ss->huge_lo = lo;
		ss->huge_hi = hi;
	}
	lo = ((uintptr_t)p + getpagesize() - 1) & ~((uintptr_t)getpagesize() - 1);
	hi = ((uintptr_t)p + size) & ~((uintptr_t)getpagesize() - 1);
	if (hi <= lo || madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE))
		memset(p, 0, size);
	free(p);
}

/*
 * A refresh of 100,000 rows allocates and frees buffers of megabytes. glibc raises its mmap
 * threshold past any block freed, after which such buffers stay in the heap for good: a
 * fixed threshold hands them back (36 to 29 MB at 100,000 rows). The heap the parses used
 * goes back to the kernel, and what it later grows into on small pages.
 */
static void startup_heap_end(struct session *ss)
{
	if (ss->huge_hi)
		madvise((void *)ss->huge_lo, ss->huge_hi - ss->huge_lo, MADV_NOHUGEPAGE);
	mallopt(M_MMAP_THRESHOLD, 256 << 10);
	mallopt(M_TRIM_THRESHOLD, 128 << 10);
	malloc_trim(0);
}

int session_prepare(struct session *ss, bool verbose)
{
	struct kallsyms_read kread = {};
	struct ksyms *ksyms;
	pthread_t reader;
	struct btf *btf;
	bool reading;

	memset(ss, 0, sizeof(*ss));
	if (!has_privileges()) {
		fprintf(stderr, "lrutop: needs root (or CAP_BPF and CAP_PERFMON): run it with sudo\n");
		return 1;
	}
	libbpf_verbose = verbose;
	libbpf_set_print(libbpf_print_fn);
	startup_heap_begin(ss);
	/*
	 * kallsyms is read while BTF is parsed and cut. The iterator's program loads first:
	 * libbpf parses the kernel's BTF for it too, and both parses at once raised the peak
	 * RSS well above scripts/bench-host-ab.sh's figure. libbpf's warnings are kept quiet for it: a kernel before 6.0 has
	 * no ksym iterator, and the file is read instead.
	 */
	libbpf_set_print(verbose ? libbpf_print_fn : NULL);
	ss->iters = kernel_iters_open();
	kread.iter = ksyms__iter_prepare(ss->iters, probe_ksym_names());
	kernel_iters_load(ss->iters);
	libbpf_set_print(libbpf_print_fn);
	reading = !pthread_create(&reader, NULL, read_kallsyms, &kread);
	btf = btf__load_vmlinux_btf();
	/* While the kernel writes out kallsyms: libbpf's parse and search of the kernel's BTF
	 * for each object cost more. */
	if (btf)
		cut_core_btf(ss, btf, verbose);
	if (reading)
		pthread_join(reader, NULL);
	else
		read_kallsyms(&kread);
	ksyms = kread.ksyms;
	if (!btf) {
		startup_heap_end(ss);
		ksyms__free(ksyms);
		fprintf(stderr, "lrutop: no kernel BTF at /sys/kernel/btf/vmlinux: the kernel needs CONFIG_DEBUG_INFO_BTF=y\n");
		return 1;
	}
	if (ksyms && ksyms__hidden(ksyms)) {
		fprintf(stderr, "lrutop: warning: /proc/kallsyms hides addresses (kptr_restrict): the tracepoint backend cannot work\n");
		ksyms__free(ksyms);
		ksyms = NULL;
	}
	probe_plan_build(&ss->plan, btf, ksyms);
	/* The plan holds all the BTF tells: a long run need not keep it. kallsyms' data
	 * symbols name list_lrus for as long as lrutop runs (one read at start, not one more
	 * for each namer: the kernel formats the whole file for any reader). */
	ss->kallsyms = ksyms;
	ss->plan.kallsyms = ksyms;
	ss->plan.core_btf = ss->core_btf_fd > 0 ? ss->core_btf : NULL;
	ss->plan.kallsyms_from = kread.from;
	btf__free(btf);
	startup_heap_end(ss);
	return 0;
}

int session_start(struct session *ss, enum backend want, unsigned int max_memcgs, bool verbose,
		  bool self_check, double inventory_s, bool bpf_stats)
{
	int err;

	if (session_prepare(ss, verbose))
		return 1;
	ss->inventory_s = inventory_s;
	ss->bpf_stats = bpf_stats;
	err = attach(ss, want, max_memcgs, verbose, self_check, false);
	if (err)
		goto dropped;
	/*
	 * fentry chosen and blind to the check (a kernel whose allocator moved where its
	 * bracket does not reach): the tracepoints' call sites may still see the lists. If
	 * they fail the check too, or cannot attach, fentry stays with its failed check, which
	 * the caller reports (and a batch run refuses to report numbers under).
	 */
	if (want == BACKEND_AUTO && ss->backend == BACKEND_FENTRY && !ss->state.kernel.self_check.ok) {
		struct self_check first = ss->state.kernel.self_check;
		char tp[160];

		detach(ss);
		err = attach(ss, BACKEND_TRACEPOINT, max_memcgs, verbose, true, true);
		snprintf(tp, sizeof(tp), "%.150s", err ? ss->why : "failed too");
		if (err || !ss->state.kernel.self_check.ok) {
			if (!err)
				detach(ss);
			err = attach(ss, BACKEND_FENTRY, max_memcgs, verbose, false, false);
			ss->state.kernel.self_check = first;
			snprintf(ss->state.kernel.self_check.result, sizeof(ss->state.kernel.self_check.result),
				 "%.380s (tracepoint backend: %.60s)", first.result, tp);
		}
		if (err)
			goto dropped;
	}
	held_open(&ss->state, inventory_s, &ss->preload);
	return 0;
dropped:
	session_end(ss);
	return 1;
}

void session_end(struct session *ss)
{
	held_preload_drop(&ss->preload);	/* before its plan goes */
	detach(ss);
	ksyms__free(ss->kallsyms);	/* after what names list_lrus by it */
	kernel_iters_close(ss->iters);
	if (ss->core_btf_fd > 0)
		close(ss->core_btf_fd);
	memset(ss, 0, sizeof(*ss));
}
