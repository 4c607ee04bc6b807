// SPDX-License-Identifier: GPL-2.0
/*
 * lrutop: live view of memcg-aware list_lru memory, per memory cgroup.
 *
 * Before Linux 5.18 every memcg-aware list_lru held a list for every memcg id, allocated
 * eagerly; since "mm: introduce kmem_cache_alloc_lru" a memcg's list is made on its first
 * insert. lrutop counts those allocations in the kernel and shows whose they are.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "collect.h"
#include "http.h"
#include "ksyms.h"
#include "loader.h"
#include "opts.h"
#include "probe.h"
#include "prom.h"
#include "report.h"
#include "screen.h"
#include "lrutop.skel.h"

static volatile sig_atomic_t exiting;

static void sig_handler(int sig)
{
	exiting = 1;
}

static int libbpf_print_fn(enum libbpf_print_level level, const char *format, va_list args)
{
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
	return (eff & (1ULL << 21)) || ((eff & (1ULL << 38)) && (eff & (1ULL << 39)));
}

static void sleep_until(struct timespec *deadline, double interval)
{
	deadline->tv_sec += (time_t)interval;
	deadline->tv_nsec += (long)((interval - (time_t)interval) * 1e9);
	if (deadline->tv_nsec >= 1000000000) {
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000;
	}
	/* A signal ends the wait early: the loop checks exiting. */
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, deadline, NULL);
}

/* Prometheus: the textfile and/or the /metrics server get the state as it is now. */
static int export_metrics(const struct lrutop_state *s, const struct lrutop_opts *o,
			  struct metrics_server *srv)
{
	size_t len;
	char *text;
	int err;

	if (!o->prometheus && !srv)
		return 0;
	err = prom_render(s, o, &text, &len);
	if (err)
		return err;
	if (o->prometheus) {
		err = prom_write_file(o->prometheus, text, len);
		if (err)
			fprintf(stderr, "lrutop: writing %s: %s\n", o->prometheus, strerror(-err));
	}
	if (!err && srv)
		err = metrics_server_publish(srv, text, len);
	free(text);
	return err;
}

static int run_batch(struct lrutop_state *s, const struct lrutop_opts *o,
		     struct metrics_server *srv)
{
	struct timespec deadline;
	long done = 0;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	while (!exiting && (!o->count || done < o->count)) {
		sleep_until(&deadline, o->interval);
		if (exiting)
			break;
		err = state_refresh(s);
		if (err) {
			fprintf(stderr, "lrutop: reading BPF maps: %s\n", strerror(-err));
			return err;
		}
		err = export_metrics(s, o, srv);
		if (err)
			return err;
		if (o->batch) {
			if (o->json)
				err = report_json(stdout, s, o);
			else
				report_text(stdout, s, o);
			if (err || ferror(stdout))
				return -EIO;
		}
		done++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct lrutop_bpf *skel = NULL;
	struct ksyms *ksyms = NULL;
	struct lrutop_state state;
	struct probe_plan plan;
	struct lrutop_opts o;
	struct btf *btf = NULL;
	struct metrics_server *srv = NULL;
	bool interactive, exporting, state_ok = false;
	enum backend backend;
	char why[512];
	int err;

	err = opts_parse(argc, argv, &o, 0);
	if (err)
		return err;
	exporting = o.prometheus || o.listen;
	interactive = !o.batch && !o.probe && !exporting && isatty(STDOUT_FILENO);
	if (!interactive && !o.probe && !exporting)
		o.batch = true;	/* not a terminal: a script is reading */

	if (!has_privileges()) {
		fprintf(stderr, "lrutop: needs root (or CAP_BPF and CAP_PERFMON): run it with sudo\n");
		return 1;
	}
	libbpf_set_print(o.verbose ? libbpf_print_fn : NULL);
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		fprintf(stderr, "lrutop: no kernel BTF at /sys/kernel/btf/vmlinux: the kernel needs CONFIG_DEBUG_INFO_BTF=y\n");
		return 1;
	}
	ksyms = ksyms__load("/proc/kallsyms");
	if (ksyms && ksyms__hidden(ksyms)) {
		fprintf(stderr, "lrutop: warning: /proc/kallsyms hides addresses (kptr_restrict): the tracepoint backend cannot work\n");
		ksyms__free(ksyms);
		ksyms = NULL;
	}
	probe_plan_build(&plan, btf, ksyms);

	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	signal(SIGHUP, sig_handler);

	err = loader_start(&plan, o.backend, o.max_memcgs, o.verbose, &skel, &backend, why,
			   sizeof(why));
	if (err) {
		fprintf(stderr, "lrutop: cannot measure list_lru memory on this kernel: %s\n", why);
		err = 1;
		goto cleanup;
	}
	err = state_init(&state, skel, &plan, backend);
	if (err) {
		fprintf(stderr, "lrutop: %s\n", strerror(-err));
		err = 1;
		goto cleanup;
	}
	state_ok = true;
	state.cumulative = o.cumulative;
	if (o.probe) {
		report_probe(stdout, &state, why);
		goto cleanup;
	}
	if (o.listen) {
		err = metrics_server_start(o.listen, &srv, why, sizeof(why));
		if (err) {
			fprintf(stderr, "lrutop: --listen: %s\n", why);
			err = 1;
			goto cleanup;
		}
	}
	/* The baseline: the first report covers the first interval only. Exports start at
	 * once, so a scrape right after start finds every series. */
	err = state_refresh(&state);
	if (!err)
		err = export_metrics(&state, &o, srv);
	if (!err)
		err = interactive ? screen_run(&state, &o, &exiting) : run_batch(&state, &o, srv);
	if (err) {
		fprintf(stderr, "lrutop: %s\n", strerror(-err));
		err = 1;
	}
cleanup:
	metrics_server_stop(srv);
	if (state_ok)
		state_free(&state);
	lrutop_bpf__destroy(skel);
	ksyms__free(ksyms);
	btf__free(btf);
	return err;
}
