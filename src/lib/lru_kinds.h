/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_LRU_KINDS_H
#define __LRUTOP_LRU_KINDS_H

#include "lrutop.h"	/* enum lrutop_lru_kind */

/* "dentry", "inode", "shadow", "zswap", "thp-split", "global" or "other" (any other value). */
const char *lru_kind_name(unsigned int kind);
/* The kind of that name, or -1. */
int lru_kind_parse(const char *name);
/* What a list_lru of that kind is, in a few words. */
const char *lru_kind_doc(unsigned int kind);

#endif
