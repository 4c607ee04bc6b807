// SPDX-License-Identifier: GPL-2.0
/* kmalloc's arithmetic: which cache a size falls in, and what a list asks for. */
#include "kmalloc.h"

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
