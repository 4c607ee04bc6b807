/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_ITERS_H
#define __LRUTOP_ITERS_H

#include <stdbool.h>

/*
 * The kernel's iterators lrutop reads (iters.bpf.c), in one BPF object: the ksym iterator
 * (6.0+, ksyms.c) and the cgroup iterator (6.1+, cgroup_iter.c). libbpf parses the kernel's
 * BTF for each object that holds an iterator; one object, one parse at start-up.
 *
 * open, then what each reader sets before the load (ksyms__iter_prepare), then load: both
 * programs, else the ksym iterator alone. Either may be missing; NULL only without memory.
 */
struct kernel_iters {
	struct iters_bpf *skel;
	bool ksyms, cgroups;	/* which programs loaded (the ksym iterator whenever any did) */
};

struct kernel_iters *kernel_iters_open(void);
void kernel_iters_load(struct kernel_iters *it);
void kernel_iters_close(struct kernel_iters *it);

#endif
