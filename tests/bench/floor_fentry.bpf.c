// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of the fentry backend's cost (make bench-fastpath): programs that do nothing, on
 * the functions lrutop's fentry programs trace, their targets set at load for the kernel at
 * hand (bench-floor PROG=FUNC). What kernel BPF statistics report for these is the price of
 * a trampoline's call.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("fentry")
int BPF_PROG(floor_lazy_enter)
{
	return 0;
}

SEC("fexit")
int BPF_PROG(floor_lazy_exit)
{
	return 0;
}

SEC("fexit")
int BPF_PROG(floor_obj_exit)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
