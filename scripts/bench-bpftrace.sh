#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bpftrace script the benchmarks set beside lrutop: the lists kmalloc makes in
# memcg_list_lru_alloc, counted and summed per cgroup, and their frees; prints it.
# usage: scripts/bench-bpftrace.sh
set -euo pipefail
lo=$(awk '$3 == "memcg_list_lru_alloc" { print "0x" $1; exit }' /proc/kallsyms)
[ -n "$lo" ] || { echo "bench-bpftrace: no memcg_list_lru_alloc in /proc/kallsyms" >&2; exit 1; }
# Through a pipe: sort given /proc/kallsyms itself seeks in it chunk by chunk, and each seek
# makes the kernel walk its symbols again (84 s of system time here, a 6.18 host).
hi=$(awk -v lo="$lo" 'found { print "0x" $1; exit } ("0x" $1) == lo { found = 1 }' <(cat /proc/kallsyms | sort))
echo "tracepoint:kmem:kmalloc /args->call_site >= $lo && args->call_site < $hi/ {
	@lists[cgroup] = count(); @bytes[cgroup] = sum(args->bytes_alloc); @live[args->ptr] = cgroup;
}
tracepoint:kmem:kfree /@live[args->ptr]/ { @freed[@live[args->ptr]] = count(); delete(@live[args->ptr]); }
interval:s:1 { printf(\"tick\\n\"); }"
