// SPDX-License-Identifier: GPL-2.0
/*
 * Memcg rows as a tree: each under its nearest ancestor among them, with its subtree's sum
 * of a metric beside its own; siblings by that sum, largest first (by name with SORT_PATH).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/cgroup.h"
#include "tree.h"

/* Paths compared component by component: '/' before any other character, so that a
 * subtree's paths follow their root ("/a", "/a/b", then "/a-c"). */
static int path_order(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char x = *a == '/' ? 1 : *a, y = *b == '/' ? 1 : *b;

		if (x != y || !x)
			return (x > y) - (x < y);
	}
}

static int by_path(const void *a, const void *b)
{
	const struct tree_ent *x = a, *y = b;

	if (!x->row->path || !y->row->path)
		return (x->row->path == NULL) - (y->row->path == NULL);
	return path_order(x->row->path, y->row->path);
}

/* Siblings: the larger subtree first, then by path. */
static int by_sum(const void *a, const void *b, void *by_path_only)
{
	const struct tree_ent *const *x = a, *const *y = b;

	if (!*(bool *)by_path_only && (*x)->sum != (*y)->sum)
		return (*x)->sum < (*y)->sum ? 1 : -1;
	return by_path(*x, *y);
}

/* Each entry's parent (-1: a root), by a stack of the ancestors of the entry before. */
static int link_parents(struct tree_ent *e, size_t n, long *parent)
{
	long *stack = malloc((n ? n : 1) * sizeof(*stack));
	size_t depth = 0;

	if (!stack)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *p = e[i].row->path;

		while (depth && !(p && cgroup_path_within(p, e[stack[depth - 1]].row->path) &&
				  strcmp(p, e[stack[depth - 1]].row->path)))
			depth--;
		parent[i] = depth ? stack[depth - 1] : -1;
		if (p)
			stack[depth++] = i;
	}
	free(stack);
	return 0;
}

/* Depth-first from the roots, children in order, into out. */
static size_t walk(struct tree_ent **kids, const size_t *first, const size_t *count,
		   struct tree_ent *e, size_t n, struct tree_ent *out)
{
	struct tree_ent **stack = malloc((n ? n : 1) * sizeof(*stack));
	size_t depth = 0, done = 0;

	if (!stack)
		return 0;
	/* The roots are the children of n (a virtual root), pushed last first. */
	for (size_t k = count[n]; k-- > 0;)
		stack[depth++] = kids[first[n] + k];
	while (depth) {
		struct tree_ent *t = stack[--depth];
		size_t i = t - e;

		out[done++] = *t;
		for (size_t k = count[i]; k-- > 0;) {
			kids[first[i] + k]->depth = t->depth + 1;
			stack[depth++] = kids[first[i] + k];
		}
	}
	free(stack);
	return done;
}

int memcg_tree(struct memcg_row *const *rows, size_t n, const struct memcg_table *t, int m,
	       bool cumulative, struct tree_ent *out)
{
	struct tree_ent *e = calloc(n ? n : 1, sizeof(*e)), **kids = NULL;
	size_t *first = NULL, *count = NULL;
	long *parent = NULL;
	bool by_name = m == SORT_PATH;
	int err = -ENOMEM;

	parent = malloc((n ? n : 1) * sizeof(*parent));
	first = calloc(n + 1, sizeof(*first));
	count = calloc(n + 1, sizeof(*count));
	kids = malloc((n ? n : 1) * sizeof(*kids));
	if (!e || !parent || !first || !count || !kids)
		goto cleanup;
	for (size_t i = 0; i < n; i++) {
		e[i].row = rows[i];
		e[i].own = by_name ? 0 : memcg_metric_value(t, rows[i], m, cumulative);
		e[i].sum = e[i].own;
	}
	qsort(e, n, sizeof(*e), by_path);
	err = link_parents(e, n, parent);
	if (err)
		goto cleanup;
	/* A parent comes before its children: from the end, each sum is whole when added. */
	for (size_t i = n; i-- > 0;) {
		if (parent[i] >= 0) {
			e[parent[i]].sum += e[i].sum;
			e[parent[i]].children++;
		}
		count[parent[i] >= 0 ? (size_t)parent[i] : n]++;
	}
	for (size_t i = 1; i <= n; i++)
		first[i] = first[i - 1] + count[i - 1];
	memset(count, 0, (n + 1) * sizeof(*count));
	for (size_t i = 0; i < n; i++) {
		size_t p = parent[i] >= 0 ? (size_t)parent[i] : n;

		kids[first[p] + count[p]++] = &e[i];
	}
	for (size_t p = 0; p <= n; p++)
		qsort_r(kids + first[p], count[p], sizeof(*kids), by_sum, &by_name);
	err = walk(kids, first, count, e, n, out) == n ? 0 : -ENOMEM;
cleanup:
	free(e);
	free(parent);
	free(first);
	free(count);
	free(kids);
	return err;
}
