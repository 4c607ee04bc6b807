/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_MOUNTS_H
#define __LRUTOP_MOUNTS_H

#include <stddef.h>
#include <stdint.h>

/* Mount point of the device a superblock reports as s_dev (kernel encoding: major << 20 |
 * minor), from a mountinfo file. Returns 0 and fills dir, or -ENOENT. */
int mount_point_of_kdev(const char *mountinfo, uint32_t kdev, char *dir, size_t len);

/* mountinfo read once, for many lookups (the inventory names thousands of list_lrus). */
struct mount_table;
struct mount_table *mount_table_load(const char *mountinfo);
/* The mount point of kdev, or NULL. */
const char *mount_table_find(const struct mount_table *t, uint32_t kdev);
void mount_table_free(struct mount_table *t);

#endif
