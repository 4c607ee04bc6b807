/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_SLAB_H
#define __LRUTOP_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The slab bucket kmalloc(size) comes from; above 8 KiB, whole pages of a power-of-two order. */
uint64_t kmalloc_bucket(uint64_t size);
/* What one list asks kmalloc for: a list_lru_one per node and id before 5.18; after, one
 * allocation for all nr_node_ids nodes behind 16 bytes of rcu_head. */
uint64_t list_request_size(bool pre_patch, unsigned int list_lru_one_size, int nr_node_ids);

/* One line of /proc/slabinfo. */
struct slab_cache_info {
	char name[32];
	uint64_t active_objs, num_objs;
	uint64_t objsize;	/* the slot: the cache's size, red zones and tracking included */
};

/* The kmalloc cache a kmalloc(size) comes from, as the slabinfo file at path shows it now.
 * 0, or negative errno if the file or the cache is not there (info->name is set anyway). */
int slabinfo_kmalloc(const char *path, uint64_t size, struct slab_cache_info *info);
/* Its slot alone (objsize), with its name in name; negative errno as above. */
long slabinfo_kmalloc_slot(const char *path, uint64_t size, char *name, size_t len);

#endif
