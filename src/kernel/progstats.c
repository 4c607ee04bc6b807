// SPDX-License-Identifier: GPL-2.0
/* What lrutop's own BPF programs cost: the kernel's run counts and run times of each. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "progstats.h"

#define STATS_SYSCTL	"/proc/sys/kernel/bpf_stats_enabled"

void prog_costs_init(struct prog_costs *c)
{
	memset(c, 0, sizeof(*c));
	c->stats_fd = -1;
	snprintf(c->why, sizeof(c->why), "the kernel's BPF statistics are off (--bpf-stats)");
}

int prog_costs_hold(struct prog_costs *c)
{
	int fd;

	if (c->stats_fd >= 0)
		return 0;
	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0) {
		/* 5.8 added the command: older kernels have only the sysctl. */
		snprintf(c->why, sizeof(c->why), "BPF_ENABLE_STATS refused: %s%s", strerror(-fd),
			 fd == -EINVAL ? " (before 5.8: sysctl kernel.bpf_stats_enabled=1)" : "");
		return fd;
	}
	c->stats_fd = fd;
	return 0;
}

/* Does the kernel time BPF programs now: lrutop's hold, or the sysctl set by someone else. */
static bool stats_on(const struct prog_costs *c)
{
	char v = '0';
	FILE *f;

	if (c->stats_fd >= 0)
		return true;
	f = fopen(STATS_SYSCTL, "r");
	if (!f)
		return false;
	if (fread(&v, 1, 1, f) != 1)
		v = '0';
	fclose(f);
	return v == '1';
}

/* Where a program runs: its event, or lrutop's own BPF_PROG_TEST_RUN for a walk. */
static void prog_hook(const struct bpf_program *prog, const char *target, char *buf, size_t len)
{
	const char *sec = bpf_program__section_name(prog);

	switch (bpf_program__expected_attach_type(prog)) {
	case BPF_TRACE_FENTRY:
		snprintf(buf, len, "fentry/%s", target ? target : "?");
		return;
	case BPF_TRACE_FEXIT:
		snprintf(buf, len, "fexit/%s", target ? target : "?");
		return;
	default:
		break;
	}
	if (strchr(sec, '/'))
		snprintf(buf, len, "%s", sec);
	else	/* a program lrutop runs itself (BPF_PROG_TEST_RUN): a walk */
		snprintf(buf, len, "run by lrutop");
}

void prog_costs_add(struct prog_costs *c, struct bpf_object *obj, prog_target_fn target,
		    const void *ctx)
{
	struct bpf_program *prog;
	struct prog_cost *p;

	bpf_object__for_each_program(prog, obj) {
		int fd = bpf_program__fd(prog);

		if (fd < 0 || c->n >= PROG_COSTS_MAX)
			continue;	/* not loaded on this kernel and backend */
		p = &c->progs[c->n++];
		memset(p, 0, sizeof(*p));
		p->fd = fd;
		snprintf(p->name, sizeof(p->name), "%s", bpf_program__name(prog));
		prog_hook(prog, target ? target(ctx, prog) : NULL, p->hook, sizeof(p->hook));
	}
}

int prog_costs_read(struct prog_costs *c)
{
	struct bpf_prog_info info;
	__u32 len;
	int err;

	c->timed = stats_on(c);
	for (size_t i = 0; i < c->n; i++) {
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		err = bpf_obj_get_info_by_fd(c->progs[i].fd, &info, &len);
		if (err)
			return err;
		c->progs[i].misses = info.recursion_misses;
		/* Off, the kernel times nothing: the last counts stand, and are not shown. */
		if (!c->timed)
			continue;
		c->progs[i].runs = info.run_cnt;
		c->progs[i].run_ns = info.run_time_ns;
	}
	return 0;
}

void prog_costs_release(struct prog_costs *c)
{
	if (c->stats_fd >= 0)
		close(c->stats_fd);
	c->stats_fd = -1;
	c->n = 0;
}
