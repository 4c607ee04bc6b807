/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_MEMCGS_H
#define __LRUTOP_MEMCGS_H

struct lrutop_state;
struct cgroup_index;

/*
 * Memcg identity: the hierarchy's root, each row's path, its removal, and its ageing out
 * of the maps and the table. The one place rows leave.
 */
void memcgs_init(struct lrutop_state *s);
/* Paths of the rows, and which are removed since (now: CLOCK_MONOTONIC seconds). */
/* The memcgs' paths by id, walked again after a mkdir, rmdir or rename; NULL without a
 * memory cgroup hierarchy. */
const struct cgroup_index *memcgs_index(struct lrutop_state *s);
void memcgs_resolve_paths(struct lrutop_state *s, double now);
/* The kernel's count of memory cgroups besides the root, into s->census. */
void memcgs_count(struct lrutop_state *s);
/* Age out the memcgs removed --keep-removed ago, or sooner when the map needs room. */
void memcgs_age(struct lrutop_state *s, double now);
/* Pre-5.18 (fentry): the (memcg, list_lru) pairs a 5.18+ kernel would have given a list for
 * the allocations seen, each memcg's ancestors below the root included. Negative errno. */
long long memcgs_would_pairs(const struct lrutop_state *s);
void memcgs_free(struct lrutop_state *s);

#endif
