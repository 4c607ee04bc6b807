/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_TREE_H
#define __LRUTOP_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rows.h"

/* A row of the tree: its depth below the nearest ancestor shown, its metric and its subtree's. */
struct tree_ent {
	struct memcg_row *row;
	int depth;
	size_t children;
	uint64_t own, sum;
};

/*
 * rows (n, from table t) as a tree into out (room for n): each under its nearest ancestor
 * among them, pre-order, siblings by their subtree's sum of metric m largest first (by path
 * with SORT_PATH, sums 0). 0, or -ENOMEM.
 */
int memcg_tree(struct memcg_row *const *rows, size_t n, const struct memcg_table *t, int m,
	       bool cumulative, struct tree_ent *out);

#endif
