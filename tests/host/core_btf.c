// SPDX-License-Identifier: GPL-2.0
/* test_host: the kernel's BTF cut for CO-RE (kernel/core_btf.c) relocates each program as the whole BTF does. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kernel/core_btf.h"
#include "kernel/inventory.h"
#include "kernel/ksyms.h"
#include "kernel/loader.h"
#include "kernel/probe.h"
#include "host_util.h"
#include "host_tests.h"
#include "lrutop.skel.h"

#define MAX_PROGS 64

/* Each loaded program of obj: its name and tag (a hash of its instructions as loaded, map
 * references left out). */
struct tags {
	char name[MAX_PROGS][BPF_OBJ_NAME_LEN];
	unsigned char tag[MAX_PROGS][BPF_TAG_SIZE];
	int n;
};

static void read_tags(struct bpf_object *obj, struct tags *t)
{
	struct bpf_program *p;
	struct bpf_prog_info info;
	__u32 len;

	memset(t, 0, sizeof(*t));
	bpf_object__for_each_program(p, obj) {
		if (bpf_program__fd(p) < 0)
			continue;	/* not loaded on this kernel */
		assert_true(t->n < MAX_PROGS);
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		assert_int_equal(bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len), 0);
		snprintf(t->name[t->n], sizeof(t->name[0]), "%s", bpf_program__name(p));
		memcpy(t->tag[t->n++], info.tag, BPF_TAG_SIZE);
	}
}

static void same_tags(const char *what, const struct tags *whole, const struct tags *cut)
{
	if (whole->n != cut->n)
		fail_msg("%s: %d programs loaded against the whole BTF, %d against the cut", what,
			 whole->n, cut->n);
	for (int i = 0; i < whole->n; i++) {
		assert_string_equal(whole->name[i], cut->name[i]);
		if (memcmp(whole->tag[i], cut->tag[i], BPF_TAG_SIZE))
			fail_msg("%s: %s is relocated otherwise against the cut BTF", what, whole->name[i]);
	}
	print_message("%s: %d programs, the same instructions\n", what, whole->n);
}

/* One backend's programs against each BTF; 0, or the backend's error (fentry refused). */
static int compare_backend(struct probe_plan *plan, const char *cut, enum backend want)
{
	struct tags t[2];
	struct lrutop_bpf *skel;
	enum backend got;
	char why[256];
	int err;

	for (int i = 0; i < 2; i++) {
		plan->core_btf = i ? cut : NULL;
		err = loader_start(plan, want, 1024, &skel, &got, why, sizeof(why));
		if (err && !i)
			return err;
		if (err)
			fail_msg("%s loads against the whole BTF, not against the cut: %s",
				 backend_name(want), why);
		read_tags(skel->obj, &t[i]);
		lrutop_bpf__destroy(skel);
	}
	same_tags(backend_name(want), &t[0], &t[1]);
	return 0;
}

void test_kernel_core_btf(void **state)
{
	struct ksyms *ksyms = ksyms__load("/proc/kallsyms", probe_ksym_names());
	struct btf *btf = btf__load_vmlinux_btf(), *small;
	struct inventory_walker *w;
	struct probe_plan plan;
	char path[32], why[256];
	struct tags t[2];
	int fd, fentry;

	/* A guest's second pass (the tracepoint backend forced) would compare the same loads
	 * again: its first pass took both backends. */
	if (!strcmp(env_or("LRUTOP_EXPECT_BACKEND", ""), "tracepoint")) {
		ksyms__free(ksyms);
		btf__free(btf);
		return;
	}
	assert_non_null(btf);
	assert_int_equal(probe_plan_build(&plan, btf, ksyms && !ksyms__hidden(ksyms) ? ksyms : NULL), 0);
	ksyms__free(ksyms);
	fd = core_btf_cut(btf, path, sizeof(path));
	if (fd < 0)
		fail_msg("the kernel's BTF could not be cut: %s", strerror(-fd));
	small = btf__parse(path, NULL);
	assert_non_null(small);
	print_message("the cut: %u of the kernel's %u types\n", btf__type_cnt(small),
		      btf__type_cnt(btf));
	/* What makes it worth cutting: libbpf searches it for each of the objects' types. */
	assert_true(btf__type_cnt(small) * 20 < btf__type_cnt(btf));
	btf__free(small);
	btf__free(btf);
	fentry = compare_backend(&plan, path, BACKEND_FENTRY);
	if (fentry)
		print_message("fentry refused here (%s): the tracepoint backend alone\n", strerror(-fentry));
	assert_int_equal(compare_backend(&plan, path, BACKEND_TRACEPOINT), 0);
	for (int i = 0; i < 2; i++) {
		plan.core_btf = i ? path : NULL;
		if (inventory_walker_open(&plan, &w, why, sizeof(why)))
			fail_msg("the inventory's programs do not load (%s BTF): %s", i ? "cut" : "whole", why);
		read_tags(inventory_walker_object(w), &t[i]);
		inventory_walker_close(w);
	}
	same_tags("inventory", &t[0], &t[1]);
	close(fd);
}
