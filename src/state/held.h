/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_HELD_H
#define __LRUTOP_HELD_H

struct lrutop_state;

/* Load the inventory's walk for the live view, every interval_s seconds (0: never). Where
 * it cannot run, s->held.why says why; that is no error. */
void held_open(struct lrutop_state *s, double interval_s);
/* Walk again if the interval has passed (now: CLOCK_MONOTONIC seconds), and give each
 * memcg row what it holds now; a memcg holding lists gets a row if it had none. */
void held_refresh(struct lrutop_state *s, double now);
void held_close(struct lrutop_state *s);

#endif
