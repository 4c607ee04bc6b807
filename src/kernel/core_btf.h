/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_CORE_BTF_H
#define __LRUTOP_CORE_BTF_H

#include <stddef.h>

struct btf;

/*
 * The kernel's BTF cut to what lrutop's BPF objects relocate against (CO-RE), in a memfd
 * that libbpf reads as btf_custom_path: every type named as one of the objects' types, with
 * its members, the types embedded in them and their types, and every pointer made a void *
 * (a relocation never follows one: each dereference is a relocation of its own, whose type
 * is named here too). libbpf would otherwise parse /sys/kernel/btf/vmlinux again for each
 * object and search all its types for each of the objects' (bpftool gen min_core_btf makes
 * the same cut offline, for a kernel known in advance).
 * Returns the memfd (its path in path: "/proc/self/fd/N"), or negative errno.
 */
int core_btf_cut(const struct btf *vmlinux, char *path, size_t len);

#endif
