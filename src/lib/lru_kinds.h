/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_LRU_KINDS_H
#define __LRUTOP_LRU_KINDS_H

#include "lrutop.h"	/* enum lrutop_lru_kind */

/* kind, or other for a value no kind has (a newer lrutop's, a corrupt map). */
static inline unsigned int lru_kind_of(unsigned int kind)
{
	return kind < NR_LRUTOP_LRU_KINDS ? kind : LRUTOP_LRU_OTHER;
}

/* The i-th kind (0 .. NR_LRUTOP_LRU_KINDS - 1) in the order outputs list them: other, what
 * lrutop could not name, last. */
static inline unsigned int lru_kind_listed(unsigned int i)
{
	return (i + 1) % NR_LRUTOP_LRU_KINDS;
}

/* "dentry", "inode", "shadow", "zswap", "thp-split", "global" or "other" (any other value). */
const char *lru_kind_name(unsigned int kind);
/* The kind of that name, or -1. */
int lru_kind_parse(const char *name);
/* What a list_lru of that kind is, in a few words. */
const char *lru_kind_doc(unsigned int kind);

#endif
