#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What starting lrutop and one inventory pass cost on this host, this tree against an older
# commit, in the same rounds:
#  1. what the verifier walked to accept each build's programs (build/bench-verified, read
#     while a run of each holds them);
#  2. start to the first sample: `lrutop -b 0.1 1` of each build and bpftrace with make
#     bench's script, exiting at its first 100 ms interval (both include the interval); wall
#     time and peak RSS, the two lrutops' order turned each round; and this tree without
#     the inventory's pass (--inventory-interval 0), what the pass adds; then again with
#     MEMCGS more memcgs holding lists (rows of lrutop's first sample, as make bench makes them);
#  3. one inventory pass over 500 memcgs and 1,000 tmpfs mounts (2 list_lrus each), each memcg
#     putting a file on 2 (what tests/vm/inventory-bench-guest.sh makes): `lrutop inventory`
#     of each build, its walk line's CPU and longest run.
# Median (least) of the rounds.
# usage: scripts/bench-host-ab.sh COMMIT [ROUNDS [MEMCGS]]   (defaults 11, 10000; 0: none)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ab-lib.sh
old=${1:?usage: bench-host-ab.sh COMMIT [ROUNDS [MEMCGS]]}
rounds=${2:-11}
memcgs=${3:-10000}
ab_host
ab_tracefs
out=$(mktemp -d)
work="build/workload -r $cgroot -d /tmp/lrutop-bench-inv -n lrutop-bench-inv -m 500 -t 1000 -k 2"
ab_rowwork "$memcgs"
cleanup() {
	$work --cleanup > /dev/null 2>&1 || true
	$rowwork --cleanup > /dev/null 2>&1 || true
	ab_remove
	rm -rf "$out"
}
trap cleanup EXIT
ab_worktree "$old" lrutop
make -s lrutop build/workload build/bench-verified > /dev/null
new=./lrutop
was=$wt/lrutop
bt_script=$(scripts/bench-bpftrace.sh)
scripts/bench-header.sh "scripts/bench-host-ab.sh $old $rounds $memcgs"
echo "== $(nproc) CPUs, $(uname -r); this tree (now) against $(git rev-parse --short=12 "$old") (before)"

# Median and least of column $2 of file $1, each printed with format $3 ("%.2f").
med_least() {
	local m l
	m=$(awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	l=$(awk -v c="$2" '{ print $c }' "$1" | sort -g | head -1)
	printf "$3 ($3)" "$m" "$l"
}

echo "== the verifier: instructions walked to accept each program (one run of each, -b 1 2)"
for build in now before; do
	bin=$([ $build = now ] && echo "$new" || echo "$was")
	ids=$(bpftool prog show -j | /usr/bin/python3 -c 'import json, sys; print(max([p["id"] for p in json.load(sys.stdin)] + [0]))')
	"$bin" -b 1 2 > /dev/null 2>&1 &
	pid=$!
	sleep 1.5
	build/bench-verified "$ids" | sed "s/^/  $build: /"
	wait "$pid"
done

# Start to the first sample, $rounds rounds: each build and bpftrace, "median (least)".
startup_rounds() {
	local a b c r
	: > "$out/starts"
	for r in $(seq "$rounds"); do
		if [ $((r % 2)) = 1 ]; then
			a=$(timed "$new" -b 0.1 1); b=$(timed "$was" -b 0.1 1)
		else
			b=$(timed "$was" -b 0.1 1); a=$(timed "$new" -b 0.1 1)
		fi
		c=$(timed bpftrace -e "$bt_script interval:ms:100 { exit(); }")
		# What the inventory's first pass adds: this tree without it.
		d=$(timed "$new" -b --inventory-interval 0 0.1 1)
		echo "$a $b $c $d" | awk '{ print $1, $2 / 1024, $3, $4 / 1024, $5, $6 / 1024, $1 / $5, $3 / $5, $7, $7 / $5 }' >> "$out/starts"
	done
	awk 'NF != 10 { exit 1 }' "$out/starts" || { echo "bench-host-ab: a start failed: $(cat "$out/starts")" >&2; exit 1; }
	echo "  now:      $(med_least "$out/starts" 1 %.2f) s, $(med_least "$out/starts" 2 %.1f) MB; over bpftrace's time $(med_least "$out/starts" 7 %.3f)"
	echo "  before:   $(med_least "$out/starts" 3 %.2f) s, $(med_least "$out/starts" 4 %.1f) MB; over bpftrace's time $(med_least "$out/starts" 8 %.3f)"
	echo "  bpftrace: $(med_least "$out/starts" 5 %.2f) s, $(med_least "$out/starts" 6 %.1f) MB"
	echo "  now, --inventory-interval 0 (no inventory pass): $(med_least "$out/starts" 9 %.2f) s; over bpftrace's time $(med_least "$out/starts" 10 %.3f)"
}
# "wall_s peak_rss_kb" of a command.
timed() { /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1; }

echo "== start to the first sample: lrutop -b 0.1 1 (each build) and bpftrace (make bench's script,"
echo "   exit at its first 100 ms interval), $rounds rounds; wall s, peak RSS MB"
startup_rounds
if [ "$memcgs" -gt 0 ]; then
	$rowwork --keep > /dev/null
	echo "== the same with $memcgs more memcgs, each holding lists on a tmpfs ($rowwork --keep)"
	startup_rounds
	echo "  rows in the first sample (now): $("$new" -b -j 0.1 1 2>/dev/null | /usr/bin/python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["nr_memcgs"])')"
	$rowwork --cleanup > /dev/null
fi

echo "== one inventory pass (lrutop inventory) over 500 memcgs and 1,000 tmpfs mounts ($work), $rounds rounds"
$work --keep > /dev/null
: > "$out/passes"
# "walk: RUNS runs, MS ms CPU, longest run MS ms"
walk() { "$1" inventory -r 3 | sed -n 's/^walk: \([0-9]*\) runs, \([0-9.]*\) ms CPU, longest run \([0-9.]*\) ms.*/\1 \2 \3/p'; }
head -4 < <("$new" inventory -r 3) | sed 's/^/  now: /'
for r in $(seq "$rounds"); do
	if [ $((r % 2)) = 1 ]; then
		a=$(walk "$new"); b=$(walk "$was")
	else
		b=$(walk "$was"); a=$(walk "$new")
	fi
	echo "$a $b" >> "$out/passes"
done
awk 'NF != 6 { exit 1 }' "$out/passes" || { echo "bench-host-ab: a pass failed: $(cat "$out/passes")" >&2; exit 1; }
echo "  now:    $(awk '{ print $1; exit }' "$out/passes") runs, CPU $(med_least "$out/passes" 2 %.1f) ms a pass, longest run $(sort -g -k3 "$out/passes" | awk 'NR == 1 { lo = $3 } { hi = $3 } END { print lo " to " hi }') ms"
echo "  before: $(awk '{ print $4; exit }' "$out/passes") runs, CPU $(med_least "$out/passes" 5 %.1f) ms a pass, longest run $(sort -g -k6 "$out/passes" | awk 'NR == 1 { lo = $6 } { hi = $6 } END { print lo " to " hi }') ms"
