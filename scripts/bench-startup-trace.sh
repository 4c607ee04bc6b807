#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Where `lrutop -b 0.1 1` spends its start on this host, this tree against an older commit:
# bpftrace's uprobes on libbpf's btf__parse (each parse of a BTF: the kernel's whole, or
# lrutop's cut of it) and on lrutop's session_prepare and inventory_take, in the thread that
# ran each. Per run, ms from main(): each parse's length and end, session_prepare's return,
# each inventory pass (main thread or the preload thread) and the first write of the report.
# With MEMCGS, the same again once that many more memcgs hold lists (as bench-host-ab.sh makes).
# usage: scripts/bench-startup-trace.sh COMMIT [ROUNDS [MEMCGS]]   (defaults 5, 0)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ab-lib.sh
old=${1:?usage: bench-startup-trace.sh COMMIT [ROUNDS [MEMCGS]]}
rounds=${2:-5}
memcgs=${3:-0}
ab_host
ab_tracefs
out=$(mktemp -d)
ab_rowwork "$memcgs"
trap '$rowwork --cleanup > /dev/null 2>&1 || true; ab_remove; rm -rf "$out"' EXIT
ab_worktree "$old" lrutop
make -s lrutop build/workload > /dev/null
libbpf=$(ldd ./lrutop | awk '$1 ~ /^libbpf\.so/ { print $3 }')
libc=$(ldd ./lrutop | awk '$1 ~ /^libc\.so/ { print $3 }')

# One traced run of binary $1: its lines on stdout.
trace() {
	local bin bt
	bin=$(readlink -f "$1")
	bt="uprobe:$bin:main { @t0 = nsecs; }
uprobe:$libbpf:btf__parse /@t0 && pid == cpid/ { @p[tid] = nsecs; }
uretprobe:$libbpf:btf__parse /@p[tid]/ { printf(\"  btf__parse: %d ms, ended at %d ms (thread %d)\\n\", (nsecs - @p[tid]) / 1000000, (nsecs - @t0) / 1000000, tid - pid); delete(@p[tid]); }
uretprobe:$bin:session_prepare /pid == cpid/ { printf(\"  session_prepare returned at %d ms\\n\", (nsecs - @t0) / 1000000); }
uprobe:$bin:inventory_take /pid == cpid/ { @i[tid] = nsecs; }
uretprobe:$bin:inventory_take /@i[tid]/ { printf(\"  inventory pass: %d ms, ended at %d ms (thread %d)\\n\", (nsecs - @i[tid]) / 1000000, (nsecs - @t0) / 1000000, tid - pid); delete(@i[tid]); }
uprobe:$libc:write /pid == cpid && arg0 == 1 && !@w/ { @w = 1; printf(\"  first write of the report at %d ms\\n\", (nsecs - @t0) / 1000000); }"
	bpftrace -q -e "$bt" -c "$bin -b 0.1 1" 2> "$out/err" | grep '^  ' || { cat "$out/err" >&2; exit 1; }
}

# $rounds rounds, each build in turn; $1 names the memcgs there.
rounds_of() {
	for r in $(seq "$rounds"); do
		echo "== round $r, $1: now"
		trace ./lrutop
		echo "== round $r, $1: before"
		trace "$wt/lrutop"
	done
}

scripts/bench-header.sh "scripts/bench-startup-trace.sh $old $rounds $memcgs"
echo "== $(nproc) CPUs, $(uname -r); this tree (now) against $(git rev-parse --short=12 "$old") (before)"
rounds_of "no more memcgs"
if [ "$memcgs" -gt 0 ]; then
	$rowwork --keep > /dev/null
	rounds_of "$memcgs more memcgs ($rowwork --keep)"
fi
