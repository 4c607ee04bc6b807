// SPDX-License-Identifier: GPL-2.0
/* The kinds of memcg-aware list_lru, by name: what outputs print and snapshots are read by. */
#include <string.h>
#include "lru_kinds.h"

static const struct {
	const char *name, *doc;
} kinds[NR_LRUTOP_LRU_KINDS] = {
	[LRUTOP_LRU_OTHER] = { "other", "not named" },
	[LRUTOP_LRU_DENTRY] = { "dentry", "sb->s_dentry_lru" },
	[LRUTOP_LRU_INODE] = { "inode", "sb->s_inode_lru" },
	[LRUTOP_LRU_SHADOW] = { "shadow", "workingset shadow_nodes: page cache xarray nodes" },
	[LRUTOP_LRU_ZSWAP] = { "zswap", "zswap's LRU" },
	[LRUTOP_LRU_THP_SPLIT] = { "thp-split", "THP deferred-split queue" },
	[LRUTOP_LRU_GLOBAL] = { "global", "another kernel global" },
};

const char *lru_kind_name(unsigned int kind)
{
	return kinds[lru_kind_of(kind)].name;
}

const char *lru_kind_doc(unsigned int kind)
{
	return kinds[lru_kind_of(kind)].doc;
}

int lru_kind_parse(const char *name)
{
	for (int k = 0; name && k < NR_LRUTOP_LRU_KINDS; k++) {
		if (!strcmp(name, kinds[k].name))
			return k;
	}
	return -1;
}
