/* SPDX-License-Identifier: GPL-2.0 */
/* The benchmarks' busy host: every named row of the per-memcg array moves. */
#ifndef __LRUTOP_BENCH_MOVE_ROWS_H
#define __LRUTOP_BENCH_MOVE_ROWS_H

#include <stddef.h>
#include <sys/mman.h>
#include "lrutop.h"

/* Every named row's counters move, as BPF's adds would between two refreshes: through a
 * writable mapping of the array (fd, slots entries). 0, or -1 if it cannot be mapped. */
static inline int move_rows(int fd, size_t slots)
{
	size_t len = slots * sizeof(struct memcg_entry);
	struct memcg_entry *e = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (e == MAP_FAILED)
		return -1;
	for (size_t i = 0; i < slots; i++) {
		if (!e[i].cgid)
			continue;
		e[i].st.allocs++;
		e[i].st.bytes += 64;
		e[i].st.caused_allocs++;
		e[i].st.caused_bytes += 64;
		e[i].st.calls += 3;
		e[i].st.objs += 5;
	}
	munmap(e, len);
	return 0;
}

#endif
