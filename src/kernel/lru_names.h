/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_LRU_NAMES_H
#define __LRUTOP_LRU_NAMES_H

#include <stdint.h>
#include "lib/lru_kinds.h"

/*
 * Names for the memcg-aware list_lrus that are not a superblock's: the kernel global that is
 * the list_lru (kallsyms' data symbols: shadow_nodes, zswap_list_lru, deferred_split_lru, a
 * module's), else what its objects are (the slab cache of the first one the inventory found).
 */
struct lru_namer;

struct lru_name {
	unsigned int kind;	/* enum lrutop_lru_kind */
	char where[128];	/* its symbol ("shadow_nodes", "name [module]", "name+0x40"),
				 * "objects: CACHE", or "" */
	const char *why;	/* LRUTOP_LRU_OTHER: why lrutop cannot name it */
};

/* kallsyms is read on the first name asked for, once, or from lru_namer_prefetch on. */
struct lru_namer *lru_namer_new(const char *kallsyms);
struct ksyms;
/* From kallsyms as the caller read it (ksyms__load_with_data), kept by the caller while the
 * namer lives: no read of its own. */
struct lru_namer *lru_namer_of(const struct ksyms *read);
/* Read kallsyms now, in a thread of its own: for a caller that will ask for names soon. */
void lru_namer_prefetch(struct lru_namer *n);
void lru_namer_free(struct lru_namer *n);
/* Name the list_lru at addr whose objects are obj_cache ("" or NULL if none was seen). */
void lru_namer_name(struct lru_namer *n, uint64_t addr, const char *obj_cache,
		    struct lru_name *out);

#endif
