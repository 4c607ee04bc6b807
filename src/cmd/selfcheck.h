/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_SELFCHECK_H
#define __LRUTOP_SELFCHECK_H

#include "state/state.h"

/*
 * Make the kernel allocate a known number of lists and check that the attached programs saw
 * exactly them: on 5.18+, a private memcg and a child of it, and a private tmpfs in which
 * the child creates one file (one dentry, one inode: a list on each of the superblock's two
 * list_lrus for the child and for its parent, four in all, all caused by the child); before
 * 5.18, a private tmpfs alone (2 list_lrus x nodes x the memcg id space). What the check
 * makes is counted apart from what reports show. Signals wait until it has cleaned up.
 */
void self_check_run(struct lrutop_state *s, struct self_check *out);

#endif
