// SPDX-License-Identifier: GPL-2.0
/*
 * Give ROWS synthetic memcgs a slot each in a running lrutop's per-memcg array, as its BPF
 * does (a slot off the free stack, its memcg in the index, its counters in the array), so
 * its own RSS and CPU can be read with that many rows. With SECONDS, every row's counters
 * then move ten times a second for that long, as on a busy host. Map ids from bpftool.
 *
 * usage: bench-fill STATS_ID SLOTS_ID FREE_ID ROWS [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "lrutop.h"
#include "move_rows.h"

int main(int argc, char **argv)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	double seconds;
	int stats, slots, free_slots;
	long rows;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: bench-fill STATS_ID SLOTS_ID FREE_ID ROWS [SECONDS]\n");
		return 2;
	}
	stats = bpf_map_get_fd_by_id(atoi(argv[1]));
	slots = bpf_map_get_fd_by_id(atoi(argv[2]));
	free_slots = bpf_map_get_fd_by_id(atoi(argv[3]));
	rows = atol(argv[4]);
	if (stats < 0 || slots < 0 || free_slots < 0) {
		perror("bench-fill: map");
		return 1;
	}
	for (long i = 0; i < rows; i++) {
		struct memcg_entry e = { .st = { .allocs = i % 97, .bytes = 64 * (i % 97) },
					 .cgid = 1000000 + i };
		__u32 slot;

		if (bpf_map_lookup_and_delete_elem(free_slots, NULL, &slot) ||
		    bpf_map_update_elem(slots, &e.cgid, &slot, BPF_NOEXIST) ||
		    bpf_map_update_elem(stats, &slot, &e, BPF_ANY)) {
			perror("bench-fill: update");
			return 1;
		}
	}
	seconds = argc == 6 ? atof(argv[5]) : 0;
	if (seconds > 0 && bpf_obj_get_info_by_fd(stats, &info, &len)) {
		perror("bench-fill: map info");
		return 1;
	}
	for (int i = 0; i < seconds * 10; i++) {
		if (move_rows(stats, info.max_entries)) {
			perror("bench-fill: mmap");
			return 1;
		}
		usleep(100000);
	}
	close(stats);
	close(slots);
	close(free_slots);
	return 0;
}
