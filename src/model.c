// SPDX-License-Identifier: GPL-2.0
#include "model.h"

#define MEMCG_CACHES_MIN_SIZE	4
#define MEMCG_CACHES_MAX_SIZE	65535
#define LIST_LRU_ONE_PRE	32	/* kmalloc-32: 24-byte list_lru_one before 5.18 */
#define KMALLOC_MAX_CACHE	8192

uint64_t kmalloc_bucket(uint64_t size)
{
	uint64_t b = 8;

	/* kmalloc-96 and kmalloc-192 sit between the powers of two. */
	if (size > 64 && size <= 96)
		return 96;
	if (size > 128 && size <= 192)
		return 192;
	while (b < size)
		b <<= 1;
	if (size > KMALLOC_MAX_CACHE && b < 4096)
		b = 4096;
	return b;
}

uint64_t pre_patch_id_space(uint64_t memcgs)
{
	uint64_t size = 0;

	/* memcg_alloc_cache_id() for ids 0 .. memcgs - 1, in order. */
	if (memcgs == 0)
		return 0;
	while (size < memcgs) {
		size = 2 * size + 2;	/* the id that overflows size is size itself */
		if (size < MEMCG_CACHES_MIN_SIZE)
			size = MEMCG_CACHES_MIN_SIZE;
		if (size >= MEMCG_CACHES_MAX_SIZE)
			return MEMCG_CACHES_MAX_SIZE;
	}
	return size;
}

uint64_t pre_patch_bytes(uint64_t lrus, uint64_t nodes, uint64_t ids)
{
	uint64_t per_node;

	if (!ids)
		return 0;
	per_node = ids * LIST_LRU_ONE_PRE + kmalloc_bucket(16 + 8 * ids);
	return lrus * nodes * per_node;
}

uint64_t post_patch_bytes(uint64_t pairs, uint64_t nodes, uint64_t list_lru_one_size)
{
	return pairs * kmalloc_bucket(16 + list_lru_one_size * nodes);
}
