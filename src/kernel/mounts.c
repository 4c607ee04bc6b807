// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

struct mount_entry {
	uint32_t kdev;
	char *dir;
};

struct mount_table {
	struct mount_entry *ents;
	size_t n;
};

struct mount_table *mount_table_load(const char *mountinfo)
{
	unsigned int major, minor;
	char line[4096], mnt[4096];
	struct mount_table *t;
	struct mount_entry *e;
	size_t cap = 0;
	FILE *f;

	t = calloc(1, sizeof(*t));
	f = t ? fopen(mountinfo, "r") : NULL;
	if (!f) {
		free(t);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &major, &minor, mnt) != 3)
			continue;
		if (t->n == cap) {
			e = realloc(t->ents, (cap = cap * 2 + 64) * sizeof(*e));
			if (!e)
				break;
			t->ents = e;
		}
		t->ents[t->n].kdev = major << 20 | minor;
		t->ents[t->n].dir = strdup(mnt);
		if (t->ents[t->n].dir)
			t->n++;
	}
	fclose(f);
	return t;
}

const char *mount_table_find(const struct mount_table *t, uint32_t kdev)
{
	/* The first match is the earliest mount of that superblock, as mountinfo lists it. */
	for (size_t i = 0; t && i < t->n; i++) {
		if (t->ents[i].kdev == kdev)
			return t->ents[i].dir;
	}
	return NULL;
}

void mount_table_free(struct mount_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->ents[i].dir);
	free(t->ents);
	free(t);
}
