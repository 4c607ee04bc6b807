/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_ATOMIC_H
#define __LRUTOP_ATOMIC_H

#include <stddef.h>

/* Replace path with text atomically: a temporary file in the same directory, renamed over
 * it, so a reader sees the old file or the new one, never half of one. A symlink at path is
 * replaced, never written through. Negative errno on failure, nothing left behind. */
int write_file_atomic(const char *path, const char *text, size_t len);

#endif
