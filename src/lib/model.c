// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <string.h>
#include "model.h"

#define MEMCG_CACHES_MIN_SIZE	4
#define MEMCG_CACHES_MAX_SIZE	65535
#define LIST_LRU_ONE_PRE	32	/* kmalloc-32: 24-byte list_lru_one before 5.18 */

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

static const char *const state_names[NR_MODEL_STATES] = {
	[MODEL_WITHOUT] = "without",
	[MODEL_TRANSPOSED] = "transposed",
	[MODEL_LAZY] = "lazy",
	[MODEL_XARRAY] = "xarray",
};

const char *model_state_name(enum model_state s)
{
	return state_names[s];
}

void model_inputs_plan(struct model_inputs *in, uint64_t memcgs, uint64_t mounts, uint64_t nodes,
		       uint64_t touch, uint64_t shared, uint64_t list_lrus)
{
	uint64_t own = mounts > shared ? mounts - shared : 0;

	memset(in, 0, sizeof(*in));
	in->memcgs = memcgs;
	in->nodes = nodes;
	in->lrus = mounts * list_lrus;
	in->one_size = 24;
	if (shared > mounts)
		shared = mounts;
	if (touch > own)
		touch = own;
	in->groups[0].lrus = shared * list_lrus;
	in->groups[0].entries = memcgs;
	in->groups[1].lrus = own * list_lrus;
	in->groups[1].entries = own ? (double)memcgs * touch / own : 0;
}

void model_inputs_pairs(struct model_inputs *in, uint64_t pairs)
{
	memset(in->groups, 0, sizeof(in->groups));
	in->groups[0].lrus = in->lrus;
	in->groups[0].entries = in->lrus ? (double)pairs / in->lrus : 0;
}

uint64_t model_pairs(const struct model_inputs *in)
{
	double pairs = 0;

	for (int g = 0; g < 2; g++)
		pairs += in->groups[g].lrus * in->groups[g].entries;
	return (uint64_t)llround(pairs);
}

/*
 * Expected xarray nodes for entries at random indices in [0, range). A node covers 64
 * indices at the bottom level, 64 times more at each level up, up to the
 * one that covers the whole range. At each level, the expected number of blocks that hold
 * at least one of the entries, drawn uniformly. An entry at index 0 alone needs no node;
 * a range of one is that case.
 */
double model_xa_nodes(double entries, uint64_t range)
{
	double nodes = 0, blocks;
	uint64_t span = 64;

	if (entries <= 0 || range <= 1)
		return 0;
	/* Under one entry a list_lru on average: that share of them holds one. */
	if (entries < 1)
		return entries * model_xa_nodes(1, range);
	for (;;) {
		blocks = (double)((range + span - 1) / span);
		nodes += blocks * (1 - pow(1 - 1 / blocks, entries));
		if (span >= range)
			break;
		span *= 64;
	}
	return nodes;
}

void model_states(const struct model_inputs *in, struct model_result out[NR_MODEL_STATES])
{
	uint64_t ids = in->ids ? in->ids : pre_patch_id_space(in->memcgs);
	uint64_t array = ids ? kmalloc_bucket(16 + 8 * ids) : 0;
	uint64_t per_memcg = kmalloc_bucket(16 + 24 * in->nodes);
	uint64_t pairs = model_pairs(in);
	double xa = 0;

	/* 5.18+ gives kmemcg ids densely from 0: the xarray's range is the memcgs alive. */
	for (int g = 0; g < 2; g++)
		xa += in->groups[g].lrus * model_xa_nodes(in->groups[g].entries, in->memcgs);
	out[MODEL_WITHOUT] = (struct model_result){
		.allocs = in->lrus * in->nodes * ids,
		.list_bytes = in->lrus * in->nodes * ids * LIST_LRU_ONE_PRE,
		.bookkeeping_bytes = in->lrus * in->nodes * array,
	};
	out[MODEL_TRANSPOSED] = (struct model_result){
		.allocs = in->lrus * ids,
		.list_bytes = in->lrus * ids * per_memcg,
		.bookkeeping_bytes = in->lrus * array,
	};
	out[MODEL_LAZY] = (struct model_result){
		.allocs = pairs,
		.list_bytes = pairs * per_memcg,
		.bookkeeping_bytes = in->lrus * array,
	};
	out[MODEL_XARRAY] = (struct model_result){
		.allocs = pairs,
		.list_bytes = post_patch_bytes(pairs, in->nodes, in->one_size),
		.bookkeeping_bytes = (uint64_t)llround(xa) * XA_NODE_BYTES,
	};
}
