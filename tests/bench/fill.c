// SPDX-License-Identifier: GPL-2.0
/*
 * Put ROWS synthetic memcgs into a running lrutop's per-memcg map (by map id, from bpftool),
 * so its own RSS and CPU can be read with that many rows.
 *
 * usage: bench-fill MAP_ID ROWS
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "lrutop.h"

int main(int argc, char **argv)
{
	long rows;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: bench-fill MAP_ID ROWS\n");
		return 2;
	}
	rows = atol(argv[2]);
	fd = bpf_map_get_fd_by_id(atoi(argv[1]));
	if (fd < 0) {
		perror("bench-fill: map");
		return 1;
	}
	for (long i = 0; i < rows; i++) {
		struct memcg_stats v = { .allocs = i % 97, .bytes = 64 * (i % 97) };
		__u64 key = 1000000 + i;

		if (bpf_map_update_elem(fd, &key, &v, BPF_ANY)) {
			perror("bench-fill: update");
			return 1;
		}
	}
	close(fd);
	return 0;
}
