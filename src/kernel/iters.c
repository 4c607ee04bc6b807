// SPDX-License-Identifier: GPL-2.0
/* The kernel's iterators in one BPF object: opened, loaded with what its kernel has. */
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "lrutop.h"
#include "iters.h"
#include "iters.skel.h"

struct kernel_iters *kernel_iters_open(void)
{
	struct kernel_iters *it = calloc(1, sizeof(*it));

	if (it)
		it->skel = iters_bpf__open();
	return it;
}

/*
 * Before 6.0 neither iterator exists; on 6.0 only the ksym iterator. A failed load leaves
 * libbpf's object unusable: the ksym iterator alone is a fresh open, its settings copied.
 */
static bool load_ksyms_alone(struct kernel_iters *it)
{
	struct iters_bpf *alone = iters_bpf__open();

	if (!alone)
		return false;
	*alone->rodata = *it->skel->rodata;
	*alone->bss = *it->skel->bss;
	bpf_program__set_autoload(alone->progs.dump_cgroups, false);
	iters_bpf__destroy(it->skel);
	it->skel = alone;
	return !iters_bpf__load(alone);
}

void kernel_iters_load(struct kernel_iters *it)
{
	if (!it || !it->skel || it->ksyms)
		return;
	it->ksyms = it->cgroups = !iters_bpf__load(it->skel);
	if (!it->ksyms)
		it->ksyms = load_ksyms_alone(it);
}

void kernel_iters_close(struct kernel_iters *it)
{
	if (!it)
		return;
	iters_bpf__destroy(it->skel);
	free(it);
}
