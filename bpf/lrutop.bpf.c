// SPDX-License-Identifier: GPL-2.0
/*
 * lrutop: who makes the kernel allocate memcg-aware list_lru memory.
 *
 * Backend "fentry" counts lists in the list_lru functions themselves, with no program on
 * kmalloc or kfree: a list is a slot of a list_lru's xarray that the allocator filled (read
 * at its entry and exit), freed when its memcg goes offline (memcg_reparent_list_lrus) or
 * its list_lru is destroyed; before 5.18, the ids __memcg_init_list_lru_node filled. The
 * call's memcg, list_lru, latency and return value come with it.
 *
 * Backend "tracepoint" (hosts that refuse fentry) counts a kmalloc whose call site lies
 * inside the list_lru allocation path (memcg_list_lru_alloc and its helpers on 5.18+,
 * __memcg_init_list_lru_node before), and its kfree. A kernel lacking a function the first
 * way needs gets the fentry brackets with these tracepoints (lists_from_slots false).
 *
 * A list belongs to the memcg whose slot of the list_lru's xarray it fills: the allocator
 * makes one for the memcg and for each ancestor lacking one. Its owner is found by reading
 * those slots (xa_load_entry): at the allocator's exit with fentry, and by a pass over every
 * memcg-aware list_lru run from userspace (resolve_owners) for lists made outside a bracket.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "lrutop.h"
#include "kernel.bpf.h"

#include "lrutop_maps.bpf.h"
#include "lrutop_common.bpf.h"
#include "lrutop_tracepoint.bpf.h"
#include "lrutop_cgroup.bpf.h"
#include "lrutop_fentry.bpf.h"
#include "lrutop_eager.bpf.h"
#include "lrutop_frees.bpf.h"
#include "lrutop_walks.bpf.h"

char LICENSE[] SEC("license") = "GPL";
