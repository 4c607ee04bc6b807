// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF programs loaded after id MIN_ID, each with the instructions the verifier walked to
 * accept it (bpf_prog_info.verified_insns, 5.16+) and its size: what loading it cost, read
 * while its process holds it. Debian 12's bpftool does not show the count.
 * usage: bench-verified MIN_ID
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

int main(int argc, char **argv)
{
	unsigned long long total = 0;
	struct bpf_prog_info info;
	__u32 id, len;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: bench-verified MIN_ID\n");
		return 2;
	}
	id = strtoul(argv[1], NULL, 0);
	while (!bpf_prog_get_next_id(id, &id)) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;	/* freed meanwhile */
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			printf("%-16s %8u verified instructions %6u bytes\n", info.name,
			       info.verified_insns, info.xlated_prog_len);
			total += info.verified_insns;
		}
		close(fd);
	}
	printf("%-16s %8llu verified instructions\n", "(all)", total);
	return 0;
}
