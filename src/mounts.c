// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include "mounts.h"

int mount_point_of_kdev(const char *mountinfo, uint32_t kdev, char *dir, size_t len)
{
	unsigned int major, minor;
	char line[4096], mnt[4096];
	int ret = -ENOENT;
	FILE *f;

	f = fopen(mountinfo, "r");
	if (!f)
		return -errno;
	/* "36 35 98:0 /mnt1 /mnt/parent ...": field 3 is major:minor, field 5 the mount point.
	 * The first match is the earliest mount of that superblock. */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &major, &minor, mnt) != 3)
			continue;
		if (major == kdev >> 20 && minor == (kdev & 0xfffff)) {
			snprintf(dir, len, "%s", mnt);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}
