// SPDX-License-Identifier: GPL-2.0
/* The kernel's kmalloc caches as /proc/slabinfo shows them now. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "lib/kmalloc.h"
#include "slab.h"

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
