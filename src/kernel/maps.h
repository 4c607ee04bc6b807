/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_MAPS_H
#define __LRUTOP_MAPS_H

#include <stddef.h>

/* A whole hash map read in batches: keys and values packed, n entries. */
struct map_dump {
	void *keys;
	void *vals;
	size_t n, cap;
	size_t key_size, val_size;	/* val_size: all CPUs' values for a per-CPU map */
};

/* Read every entry of map fd into d (reusing its buffers). Negative errno on failure. */
int map_dump_read(int fd, struct map_dump *d, size_t key_size, size_t val_size);
void map_dump_free(struct map_dump *d);
/* Size of a per-CPU value as the kernel returns it: round_up(size, 8) for every CPU. */
size_t percpu_value_size(size_t size, int ncpus);
/* Counters read from maps are structs of __u64 alone: d += a, and d = a - b, field by field
 * over size bytes. */
void u64s_add(void *d, const void *a, size_t size);
void u64s_sub(void *d, const void *a, const void *b, size_t size);

#endif
