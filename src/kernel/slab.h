/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_SLAB_H
#define __LRUTOP_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
