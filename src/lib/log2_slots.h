/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_LIB_LOG2_SLOTS_H
#define __LRUTOP_LIB_LOG2_SLOTS_H

#include "lrutop.h"	/* log2_slot, shared with BPF */

/* Add v to a log2 histogram of nslots, the last slot taking everything above. */
static inline void hist_add(__u64 *slots, unsigned int nslots, __u64 v)
{
	__u32 s = log2_slot(v);

	slots[s < nslots ? s : nslots - 1]++;
}

#endif
