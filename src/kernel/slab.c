// SPDX-License-Identifier: GPL-2.0
/* The kernel's kmalloc caches: which one a size falls in, and what /proc/slabinfo says of it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "slab.h"

uint64_t kmalloc_bucket(uint64_t size)
{
	uint64_t b = 8;

	/* kmalloc-96 and kmalloc-192 sit between the powers of two. */
	if (size > 64 && size <= 96)
		return 96;
	if (size > 128 && size <= 192)
		return 192;
	/* Above kmalloc-8k the power of two is the page order a large kmalloc takes. */
	while (b < size)
		b <<= 1;
	return b;
}

uint64_t list_request_size(bool pre_patch, unsigned int list_lru_one_size, int nr_node_ids)
{
	return pre_patch ? list_lru_one_size : 16 + (uint64_t)list_lru_one_size * nr_node_ids;
}

int slabinfo_kmalloc(const char *path, uint64_t size, struct slab_cache_info *info)
{
	unsigned long long active, num, objsize;
	char line[512], cache[64];
	int err = -ENOENT;
	FILE *f;

	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "kmalloc-%llu",
		 (unsigned long long)kmalloc_bucket(size));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* name active_objs num_objs objsize objperslab pagesperslab : ... */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %llu %llu %llu", cache, &active, &num, &objsize) == 4 &&
		    !strcmp(cache, info->name)) {
			info->active_objs = active;
			info->num_objs = num;
			info->objsize = objsize;
			err = objsize ? 0 : -ENOENT;
			break;
		}
	}
	fclose(f);
	return err;
}

long slabinfo_kmalloc_slot(const char *path, uint64_t size, char *name, size_t len)
{
	struct slab_cache_info info;
	int err = slabinfo_kmalloc(path, size, &info);

	snprintf(name, len, "%s", info.name);
	return err ? err : (long)info.objsize;
}
