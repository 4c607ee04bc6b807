/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_MODEL_H
#define __LRUTOP_MODEL_H

#include <stdint.h>

/*
 * What list_lru memory the other side of the patch would use for the same state (README,
 * "The model"). K = NUMA nodes, N = memcg id space, L = memcg-aware list_lrus.
 * Before 5.18 (mm/list_lru.c, memcg_init_list_lru and memcg_update_all_list_lrus): per
 * list_lru and node a kvmalloc'd pointer array of 16 + 8 N bytes and one kmalloc'd 24-byte
 * list_lru_one (kmalloc-32) per id, made at creation and for [old, new) on each growth.
 * From 5.18: kmalloc(16 + sizeof(list_lru_one) x K) per (list_lru, memcg) pair that ever
 * held an object, ancestors included.
 */

/* The slab bucket kmalloc(size) comes from; above 8 KiB, whole pages of a power-of-two order. */
uint64_t kmalloc_bucket(uint64_t size);
/* The id space a pre-5.18 kernel grows to for this many memcgs besides the root: each new
 * id past the size makes it 2 * (id + 1), at least 4, at most 65535. */
uint64_t pre_patch_id_space(uint64_t memcgs);
/* Pre-5.18, per the whole kernel: L x K x (N x 32 + kvmalloc(16 + 8 N)). */
uint64_t pre_patch_bytes(uint64_t lrus, uint64_t nodes, uint64_t ids);
/* 5.18+: one kmalloc(16 + sizeof(list_lru_one) x K) per populated (list_lru, memcg) pair. */
uint64_t post_patch_bytes(uint64_t pairs, uint64_t nodes, uint64_t list_lru_one_size);

#endif
