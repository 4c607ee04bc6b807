// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of an event's measured cost on this machine: raw tracepoint programs that do
 * nothing, attached beside lrutop's to the same events (scripts/bench.sh). What kernel BPF
 * statistics report for these is the price of being called at all.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("raw_tp/kmalloc")
int BPF_PROG(floor_kmalloc)
{
	return 0;
}

SEC("raw_tp/kfree")
int BPF_PROG(floor_kfree)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
