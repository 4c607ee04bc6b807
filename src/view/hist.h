/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_HIST_H
#define __LRUTOP_HIST_H

#include <stddef.h>
#include "lib/log2_slots.h"
/*
 * Render a log2 histogram the bcc way: "     unit    : count    distribution" header, one
 * line per slot from 0 up to the last non-empty one, a 40-character bar of '*' scaled to
 * the largest slot. Returns the length written into buf (truncated to len), 0 if empty.
 */
size_t hist_render(const __u64 *slots, unsigned int nslots, const char *unit, char *buf,
		   size_t len);

#endif
