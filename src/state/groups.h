/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_GROUPS_H
#define __LRUTOP_GROUPS_H

#include <stdint.h>
#include "lib/cgroup_names.h"

struct lrutop_state;
struct memcg_row;
struct memcg_table;

/* Roll the memcg rows up by s->group_by into s->groups (a refresh does it); nothing with
 * GROUP_NONE. 0, or -ENOMEM (no groups then). */
int groups_update(struct lrutop_state *s);
/* Roll up by another: the screen's key, the options at start. */
void groups_set(struct lrutop_state *s, enum group_by by);
/* The rows the views show: the groups' when rolled up, else the memcgs'. */
const struct memcg_table *state_rows(const struct lrutop_state *s);
/* The memcgs a row of the views sums: 0 for a memcg's own row. */
uint32_t state_row_members(const struct lrutop_state *s, const struct memcg_row *r);
void groups_free(struct lrutop_state *s);

#endif
