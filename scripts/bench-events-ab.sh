#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The tracepoint backend's cost per event on this host, this tree against an older commit:
# both lrutops and the do-nothing floor (build/floor.bpf.o) attached at once, on the same
# events, while make bench's churn workload runs with kernel BPF statistics on; each
# program's mean ns a run, round by round, the order of the two lrutops' attachment turned
# each round (a program's place among those of one event moves its figure). What a change
# of the programs costs, apart from what this shared host does from one minute to the next.
# MEMCGS (default 0): each round, once both lrutops are attached, that many more memcgs each
# make lists on a tmpfs and keep them through the churn: lists both lrutops hold live, as on
# a container host, made while no statistics are on.
# usage: scripts/bench-events-ab.sh COMMIT [ROUNDS [MEMCGS]]   (default 7 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ab-lib.sh
old=${1:?usage: bench-events-ab.sh COMMIT [ROUNDS [MEMCGS]]}
rounds=${2:-7}
memcgs=${3:-0}
ab_host
ab_rowwork "$memcgs"
out=$(mktemp -d)
pids=()
cleanup() {
	[ ${#pids[@]} = 0 ] || kill -INT "${pids[@]}" 2> /dev/null || true
	wait 2> /dev/null || true
	sysctl -qw kernel.bpf_stats_enabled=0
	[ "$memcgs" = 0 ] || $rowwork --cleanup > /dev/null 2>&1 || true
	ab_remove
	rm -rf "$out"
}
trap cleanup EXIT
ab_worktree "$old" lrutop
make -s lrutop build/churn build/bench-floor build/floor.bpf.o > /dev/null
mkdir -p /tmp/lrutop-bench-mnt
churn="build/churn -r $cgroot -d /tmp/lrutop-bench-mnt -m 4 -f 2000 -i 5"

# Start "$@" with output to $out/$1.out (its label first), wait for its word $2.
start() {
	local label=$1 ready=$2
	shift 2
	"$@" > "$out/$label.out" 2>&1 &
	pids+=($!)
	for _ in $(seq 300); do
		grep -q "$ready" "$out/$label.out" && return 0
		sleep 0.1
	done
	echo "bench-events-ab: $label did not start: $(head -3 "$out/$label.out")" >&2
	exit 1
}

# The ids of the programs loaded now.
prog_ids() {
	bpftool prog show -j | /usr/bin/python3 -c 'import json, sys; print(" ".join(str(p["id"]) for p in json.load(sys.stdin)))'
}

scripts/bench-header.sh "scripts/bench-events-ab.sh $old $rounds${3:+ $memcgs}"
echo "== $(nproc) CPUs, $(uname -r); workload: $churn; $rounds rounds"
[ "$memcgs" = 0 ] || echo "   lists live through each round's churn: $rowwork --keep, made once both are attached"
echo "   older: $(git rev-parse --short=12 "$old") ($wt/lrutop), this tree: ./lrutop; both -b -j 1, tracepoint backend"
: > "$out/costs"
for r in $(seq "$rounds"); do
	pids=()
	start floor attached build/bench-floor build/floor.bpf.o
	if [ $((r % 2)) = 1 ]; then first=older; else first=tree; fi
	for who in $first $([ $first = older ] && echo tree || echo older); do
		before=$(prog_ids)
		bin=./lrutop
		[ $who = older ] && bin=$wt/lrutop
		start $who '"version"' "$bin" -b -j 1
		echo "$who $before" > "$out/before.$who"
	done
	[ "$memcgs" = 0 ] || $rowwork --keep > /dev/null
	sysctl -qw kernel.bpf_stats_enabled=1
	$churn > /dev/null
	bpftool prog show -j > "$out/progs.json"
	sysctl -qw kernel.bpf_stats_enabled=0
	kill -INT "${pids[@]}"
	wait "${pids[@]}" 2> /dev/null || true
	pids=()
	[ "$memcgs" = 0 ] || $rowwork --cleanup > /dev/null
	# A program is the later-started lrutop's if it was not there before that one started.
	/usr/bin/python3 - "$r" "$out/progs.json" "$out/before.$first" \
		"$out/before.$([ $first = older ] && echo tree || echo older)" >> "$out/costs" <<'PY'
import json, sys
r, progs = sys.argv[1], json.load(open(sys.argv[2]))
first = open(sys.argv[3]).read().split()
second = open(sys.argv[4]).read().split()
who1, ids1 = first[0], set(first[1:])
who2, ids2 = second[0], set(second[1:])
for p in progs:
    name, pid = p.get("name", "?"), str(p["id"])
    if name not in ("handle_kmalloc", "handle_kfree", "floor_kmalloc", "floor_kfree"):
        continue
    if name.startswith("floor_"):
        who = "floor"
    elif pid not in ids2:
        who = who2
    elif pid not in ids1:
        who = who1
    else:
        continue
    if p.get("run_cnt"):
        print(r, who, name.split("_")[1], p["run_cnt"], p["run_time_ns"] / p["run_cnt"])
PY
done

# Per event: each one's median (least) ns a run over the rounds, and above the floor's.
/usr/bin/python3 - "$out/costs" <<'PY'
import statistics, sys
from collections import defaultdict
ns = defaultdict(dict)
for line in open(sys.argv[1]):
    r, who, event, cnt, v = line.split()
    ns[(event, who)][r] = float(v)
def ml(v):
    return "%.1f (%.1f)" % (statistics.median(v), min(v))
for event in ("kmalloc", "kfree"):
    rounds = sorted(set(ns[(event, "floor")]) & set(ns[(event, "older")]) & set(ns[(event, "tree")]))
    if not rounds:
        continue
    print("%s, ns a run, median (least) of %d rounds:" % (event, len(rounds)))
    for who in ("floor", "older", "tree"):
        print("  %-6s %s" % (who, ml([ns[(event, who)][r] for r in rounds])))
    for who in ("older", "tree"):
        print("  %-6s above the floor: %s" % (who, ml([ns[(event, who)][r] - ns[(event, "floor")][r] for r in rounds])))
PY
