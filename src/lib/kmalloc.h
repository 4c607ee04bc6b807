/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_KMALLOC_H
#define __LRUTOP_KMALLOC_H

#include <stdbool.h>
#include <stdint.h>

/* The slab bucket kmalloc(size) comes from; above 8 KiB, whole pages of a power-of-two order. */
uint64_t kmalloc_bucket(uint64_t size);
/* What one list asks kmalloc for: a list_lru_one per node and id before 5.18; after, one
 * allocation for all nr_node_ids nodes behind 16 bytes of rcu_head. */
uint64_t list_request_size(bool pre_patch, unsigned int list_lru_one_size, int nr_node_ids);

#endif
