/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_MOUNTS_H
#define __LRUTOP_MOUNTS_H

#include <stddef.h>
#include <stdint.h>

/* Mount point of the device a superblock reports as s_dev (kernel encoding: major << 20 |
 * minor), from a mountinfo file. Returns 0 and fills dir, or -ENOENT. */
int mount_point_of_kdev(const char *mountinfo, uint32_t kdev, char *dir, size_t len);

#endif
