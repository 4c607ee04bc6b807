/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_HIST_H
#define __LRUTOP_HIST_H

#include <stddef.h>
#include <linux/types.h>

/* log2 slot of v: slot k holds [2^k, 2^(k+1)); 0 and 1 go to slot 0. */
unsigned int log2_slot(__u64 v);
/* Add v to a histogram of nslots, the last slot taking everything above. */
void hist_add(__u64 *slots, unsigned int nslots, __u64 v);
/*
 * Render a log2 histogram the bcc way: "     unit    : count    distribution" header, one
 * line per slot from 0 up to the last non-empty one, a 40-character bar of '*' scaled to
 * the largest slot. Returns the length written into buf (truncated to len), 0 if empty.
 */
size_t hist_render(const __u64 *slots, unsigned int nslots, const char *unit, char *buf,
		   size_t len);

#endif
