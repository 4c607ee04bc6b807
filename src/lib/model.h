/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_MODEL_H
#define __LRUTOP_MODEL_H

#include <stdint.h>
#include "kmalloc.h"	/* kmalloc_bucket */

/*
 * What list_lru memory the other side of the patch would use for the same state (README,
 * "The model"). K = NUMA nodes, N = memcg id space, L = memcg-aware list_lrus.
 * Before 5.18 (mm/list_lru.c, memcg_init_list_lru and memcg_update_all_list_lrus): per
 * list_lru and node a kvmalloc'd pointer array of 16 + 8 N bytes and one kmalloc'd 24-byte
 * list_lru_one (kmalloc-32) per id, made at creation and for [old, new) on each growth.
 * From 5.18: kmalloc(16 + sizeof(list_lru_one) x K) per (list_lru, memcg) pair that ever
 * held an object, ancestors included.
 */

/* The id space a pre-5.18 kernel grows to for this many memcgs besides the root: each new
 * id past the size makes it 2 * (id + 1), at least 4, at most 65535. */
uint64_t pre_patch_id_space(uint64_t memcgs);
/* Pre-5.18, per the whole kernel: L x K x (N x 32 + kvmalloc(16 + 8 N)). */
uint64_t pre_patch_bytes(uint64_t lrus, uint64_t nodes, uint64_t ids);
/* 5.18+: one kmalloc(16 + sizeof(list_lru_one) x K) per populated (list_lru, memcg) pair. */
uint64_t post_patch_bytes(uint64_t pairs, uint64_t nodes, uint64_t list_lru_one_size);

/*
 * The four states of the kernel that the series "Optimize list lru memory consumption"
 * went through, each measured in its cover letter (10,000 memcgs, 10,000 mounts, 2 nodes).
 */
enum model_state {
	MODEL_WITHOUT,		/* before it (to 5.17): per node, a pointer array and a list per id */
	MODEL_TRANSPOSED,	/* one pointer array per list_lru; one allocation per id for all nodes */
	MODEL_LAZY,		/* that allocation only for the pairs that hold objects */
	MODEL_XARRAY,		/* 5.18+: the pointer array replaced by an xarray */
	NR_MODEL_STATES,
};

struct model_inputs {
	uint64_t memcgs;	/* alive at once, besides the root */
	uint64_t nodes;		/* nr_node_ids */
	uint64_t lrus;		/* memcg-aware list_lrus */
	uint64_t ids;		/* the id space before 5.18; 0: grown from memcgs */
	uint64_t one_size;	/* sizeof(struct list_lru_one) in the xarray state: 24, 32 from 6.13 */
	/*
	 * The populated (list_lru, memcg) pairs, in up to two groups of list_lrus that each
	 * hold entries memcgs: a superblock shared by every memcg, and those of a few.
	 */
	struct {
		uint64_t lrus;
		double entries;	/* per list_lru, on average */
	} groups[2];
};

struct model_result {
	uint64_t allocs;	/* allocations holding lists: one list each before the series'
				 * transposition, one per node after it */
	uint64_t list_bytes;
	uint64_t bookkeeping_bytes;	/* pointer arrays, or xarray nodes */
};

/* The planner's inputs: M mounts of L list_lrus each; every memcg puts objects on T mounts
 * of its own (spread evenly over the mounts not shared) and on S shared by all. */
void model_inputs_plan(struct model_inputs *in, uint64_t memcgs, uint64_t mounts, uint64_t nodes,
		       uint64_t touch, uint64_t shared, uint64_t list_lrus);
/* Populated pairs spread evenly over the list_lrus (a measured count). */
void model_inputs_pairs(struct model_inputs *in, uint64_t pairs);
uint64_t model_pairs(const struct model_inputs *in);
void model_states(const struct model_inputs *in, struct model_result out[NR_MODEL_STATES]);
const char *model_state_name(enum model_state s);
/* Nodes of an xarray holding entries at random indices in [0, range): 576 bytes each. */
double model_xa_nodes(double entries, uint64_t range);

#define XA_NODE_BYTES	576	/* sizeof(struct xa_node) on 64-bit: radix_tree_node objects */

#endif
