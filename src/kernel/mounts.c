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
	uint32_t order;		/* its line in mountinfo */
	char *dir;
};

struct mount_table {
	struct mount_entry *ents;
	size_t n;
};

static int by_kdev(const void *a, const void *b)
{
	const struct mount_entry *x = a, *y = b;

	if (x->kdev != y->kdev)
		return x->kdev < y->kdev ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

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
		t->ents[t->n].order = t->n;
		t->ents[t->n].dir = strdup(mnt);
		if (t->ents[t->n].dir)
			t->n++;
	}
	fclose(f);
	/* By device, then line: a host of 1,000 mounts and 2,000 list_lrus searched the table
	 * line by line for each, 2 million comparisons a pass. */
	if (t->n)
		qsort(t->ents, t->n, sizeof(*t->ents), by_kdev);
	return t;
}

const char *mount_table_find(const struct mount_table *t, uint32_t kdev)
{
	size_t lo = 0, hi = t ? t->n : 0, mid;

	/* The first of kdev's entries: the earliest mount of that superblock, as mountinfo
	 * lists it. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (t->ents[mid].kdev < kdev)
			lo = mid + 1;
		else
			hi = mid;
	}
	return t && lo < t->n && t->ents[lo].kdev == kdev ? t->ents[lo].dir : NULL;
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
