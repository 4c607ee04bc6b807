// SPDX-License-Identifier: GPL-2.0
/* test_host: kallsyms through the kernel's ksym iterator holds what /proc/kallsyms holds. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "kernel/iters.h"
#include "kernel/ksyms.h"
#include "kernel/probe.h"
#include "host_util.h"
#include "host_tests.h"

/*
 * What start-up reads (the plan's functions, every data symbol): the same symbols at the
 * same addresses, each ending where the file says, by the iterator and by the file. A
 * module's symbol may end elsewhere: a BPF program loaded between the two reads (the
 * iterator's own) is a symbol of the module space.
 */
void test_kernel_kallsyms_iter(void **state)
{
	const char *const *names = probe_ksym_names();
	struct ksyms *file = ksyms__load_with_data("/proc/kallsyms", names), *iter;
	struct kernel_iters *iters = kernel_iters_open();
	struct ksyms_iter *it = ksyms__iter_prepare(iters, names);
	struct btf *btf = btf__load_vmlinux_btf();
	char cmd[512], out[16384], *line;
	uint64_t fa, fe, ia, ie;
	const char *fn, *in;
	bool has_iter;
	size_t i;

	/* The iterator's target (6.0+: kernel/kallsyms.c's DEFINE_BPF_ITER_FUNC(ksym, ...)). */
	assert_non_null(btf);
	has_iter = btf__find_by_name_kind(btf, "bpf_iter_ksym", BTF_KIND_FUNC) > 0;
	btf__free(btf);
	assert_non_null(file);
	kernel_iters_load(iters);
	/* What lrutop itself read it through. */
	snprintf(cmd, sizeof(cmd), "%s --probe", lrutop_bin());
	run(cmd, out, sizeof(out));
	line = strstr(out, "kallsyms: read through ");
	if (!line || !strstr(line, has_iter ? "the ksym iterator\n" : "/proc/kallsyms"))
		fail_msg("lrutop --probe: %.80s, where the kernel %s a ksym iterator",
			 line ? line : "no kallsyms line", has_iter ? "has" : "has no");
	assert_non_null(it);
	if (!iters->ksyms) {
		/* Before 6.0 there is no ksym iterator: lrutop reads the file. */
		if (has_iter)
			fail_msg("the kernel has a ksym iterator, and its program did not load");
		print_message("no ksym iterator on this kernel: kallsyms from the file\n");
		assert_null(ksyms__iter_read(it));
		kernel_iters_close(iters);
		ksyms__free(file);
		return;
	}
	iter = ksyms__iter_read(it);
	assert_non_null(iter);
	assert_int_equal(ksyms__hidden(iter), ksyms__hidden(file));
	assert_int_equal(ksyms__count_data(iter), ksyms__count_data(file));
	for (i = 0; (fn = ksyms__nth(file, i, &fa, &fe)); i++) {
		in = ksyms__nth(iter, i, &ia, &ie);
		if (!in || strcmp(in, fn) || ia != fa)
			fail_msg("symbol %zu: %s at %#llx in the file, %s at %#llx by the iterator", i,
				 fn, (unsigned long long)fa, in ? in : "none", (unsigned long long)ia);
		if (ie != fe && !strchr(fn, '['))
			fail_msg("%s ends at %#llx in the file, at %#llx by the iterator", fn,
				 (unsigned long long)fe, (unsigned long long)ie);
	}
	assert_null(ksyms__nth(iter, i, &ia, &ie));
	print_message("kallsyms: %zu symbols kept (%zu data), the same by the iterator and the file\n",
		      i, ksyms__count_data(file));
	ksyms__free(iter);
	ksyms__free(file);
	kernel_iters_close(iters);
}
