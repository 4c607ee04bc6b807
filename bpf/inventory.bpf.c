// SPDX-License-Identifier: GPL-2.0
/*
 * Inventory: the per-memcg lists every memcg-aware list_lru holds now, read from the
 * kernel's own structures rather than counted as they are made.
 *
 * Two programs, run by userspace with BPF_PROG_TEST_RUN in chunks so that no run holds the
 * CPU long (and a 5.10 verifier, which walks every iteration of a bounded loop, accepts
 * them):
 * - inventory_memcgs walks the memcg tree and notes each online memcg's kmemcg id, the
 *   index of its lists in every list_lru;
 * - inventory_lrus walks the ring of memcg-aware list_lrus and, in each, the lists: the
 *   xarray lru->xa indexed by kmemcg id (5.18+), or before 5.18 the per-node arrays
 *   lru->node[k].memcg_lrus->lru[id], as large as the id space.
 * Unlocked, as the rest of lrutop: a list_lru or memcg torn down mid-walk reads as a
 * failure or a list missed, and userspace says a pass was not clean.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "lrutop.h"
#include "kernel.bpf.h"

/* &memcg_nr_cache_ids (before 5.18): the length of each node's array of lists. */
const volatile __u64 nr_cache_ids_addr = 0;

struct inv_cursor inv;
struct inv_memcg_walk inv_mw;
struct inv_totals inv_tot;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LRUTOP_INV_MAX_IDS);
	__type(key, __u32);
	__type(value, struct inv_id);
} inv_ids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LRUTOP_INV_MAX_LRUS);
	__type(key, __u64);
	__type(value, struct inv_lru);
} inv_lrus SEC(".maps");

#include "inventory_memcgs.bpf.h"
#include "inventory_lists.bpf.h"

char LICENSE[] SEC("license") = "GPL";
