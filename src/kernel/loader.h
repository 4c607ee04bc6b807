/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_LOADER_H
#define __LRUTOP_LOADER_H

#include <stddef.h>
#include "probe.h"

struct lrutop_bpf;

/*
 * Open, load and attach the programs this kernel and backend allow. With BACKEND_AUTO,
 * fentry is really tried (a name in BTF does not mean the kernel lets it attach) and
 * tracepoints take over when it is refused. Fills *got and why (the reason for the
 * backend, or for the failure). Maps that drop rows when full are sized from max_memcgs.
 * Returns 0 or a negative errno.
 */
int loader_start(const struct probe_plan *plan, enum backend want, unsigned int max_memcgs,
		 struct lrutop_bpf **skel, enum backend *got, char *why, size_t len);

struct bpf_program;
/* The function the plan attached a program of skel's to (fentry, fexit); NULL for others. */
const char *loader_prog_target(const struct probe_plan *plan, const struct lrutop_bpf *skel,
			       const struct bpf_program *prog);

#endif
