#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The cost of watching, measured side by side (docs/BENCHMARKS.md):
#  1. in-kernel cost per event of each BPF program (kernel.bpf_stats_enabled: run_time_ns /
#     run_cnt), lrutop's tracepoint backend and a bpftrace script doing the same aggregation
#     on this host; lrutop's fentry backend in a booted Debian 6.1 guest;
#  2. the slowdown of an allocation-heavy workload (tests/bench/churn.c) with each attached,
#     as the median of per-round ratios over repeated interleaved runs;
#  3. start-up time to the first sample, lrutop and bpftrace, then again with 10,000 more
#     memcgs holding lists (STARTUP_MEMCGS);
#  4. userspace cost of one refresh with 10,000 and 100,000 memcg rows (CPU, peak RSS);
#  5. one inventory pass over 500 memcgs and 2,000 list_lrus: this host, 6.1 and 5.10 guests.
# usage: scripts/bench.sh [RUNS]   (default 11 rounds)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
runs=${1:-11}
# Memcgs made for the start-up's rounds with rows (STARTUP_MEMCGS="" for none).
startup_memcgs=${STARTUP_MEMCGS-10000}
# shellcheck source=scripts/ab-lib.sh
. scripts/ab-lib.sh
ab_cgroot
churn="build/churn -r $cgroot -d /tmp/lrutop-bench-mnt -m 4 -f 2000 -i 5"
ab_tracefs

median() {
	sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Programs a tracer loaded are those whose ids were not there before it started
# (bpftool here is built without the pid iterator, so "pids" is empty).
prog_ids() {
	bpftool prog show -j | /usr/bin/python3 -c 'import json, sys; print(" ".join(str(p["id"]) for p in json.load(sys.stdin)))'
}

# "label name run_cnt run_time_ns" of each program not in the id list $2, labelled $1.
prog_costs() {
	bpftool prog show -j | /usr/bin/python3 -c '
import json, sys
who, before = sys.argv[1], set(sys.argv[2].split())
for p in json.load(sys.stdin):
    if str(p["id"]) in before:
        continue
    cnt, ns, name = p.get("run_cnt", 0), p.get("run_time_ns", 0), p.get("name", "?")
    label = "floor" if name.startswith("floor_") else who
    print(label, name, cnt, ns)
' "$1" "$2"
}

# Start the process "$@", wait until it prints $1.
start_ready() {
	local ready=$1 out
	shift
	out=$(mktemp)
	"$@" > "$out" 2>&1 &
	started=$!
	for _ in $(seq 200); do
		if grep -q "$ready" "$out" 2>/dev/null; then
			rm -f "$out"
			return 0
		fi
		sleep 0.1
	done
	echo "bench: $1 did not start: $(head -3 "$out")" >&2
	rm -f "$out"
	exit 1
}

# One churn run with a tracer attached: its wall time on stdout. With $costs set, the
# do-nothing floor programs are attached to the same events too, kernel BPF statistics are
# on, and each program's costs are appended to $costs. The slowdown runs keep statistics
# off: enabling them times every BPF program on the host (cgroup and LSM programs on each
# syscall among them), which slows the workload by itself.
with_tracer() {
	local name=$1 ready=$2 pid floor= before
	shift 2
	before=$(prog_ids)
	if [ -n "$costs" ]; then
		start_ready attached build/bench-floor build/floor.bpf.o
		floor=$started
	fi
	start_ready "$ready" "$@"
	pid=$started
	[ -n "$costs" ] && sysctl -qw kernel.bpf_stats_enabled=1
	$churn
	if [ -n "$costs" ]; then
		prog_costs "$name" "$before" >> "$costs"
		sysctl -qw kernel.bpf_stats_enabled=0
	fi
	kill -INT $pid $floor
	wait $pid $floor 2>/dev/null || true
}

bt_script=$(scripts/bench-bpftrace.sh)

started_s=$(date +%s)
scripts/bench-header.sh "make bench (scripts/bench.sh $runs)"
echo "== machine: $(nproc) CPUs, $(uname -r), $(awk -F: '/model name/ { print $2; exit }' /proc/cpuinfo)," \
	"Debian $(cat /etc/debian_version)"
echo "== workload: $churn; $runs rounds of: none, lrutop, bpftrace (interleaved against drift)"
costs=
times=$(mktemp)
for _ in $(seq "$runs"); do
	echo "$($churn) $(with_tracer lrutop '"version"' ./lrutop -b -j 1) $(with_tracer bpftrace Attaching bpftrace -e "$bt_script")"
done > "$times"
awk 'NF != 3 { exit 1 }' "$times" || { echo "bench: a run failed: $(cat "$times")" >&2; exit 1; }
# Column $1 of the rounds: "median (least)".
med_least() {
	awk "{ print $1 }" "$times" | median | tr '\n' ' '
	awk "{ print $1 }" "$times" | sort -g | head -1
}
printf "  none attached:         %.3f s (%.3f)\n" $(med_least '$1')
printf "  lrutop (tracepoint):   %.3f s (%.3f), ratio to none %.3f (%.3f)\n" $(med_least '$2') $(med_least '$2 / $1')
printf "  bpftrace (same count): %.3f s (%.3f), ratio to none %.3f (%.3f)\n" $(med_least '$3') $(med_least '$3 / $1')
rm -f "$times"

echo "== in-kernel cost per event (kernel.bpf_stats_enabled), median over $runs runs of each"
echo "   program's mean; floor: programs that return at once, on the same events at the same time"
costs=$(mktemp)
for _ in $(seq "$runs"); do
	with_tracer lrutop '"version"' ./lrutop -b -j 1 > /dev/null
	with_tracer bpftrace Attaching bpftrace -e "$bt_script" > /dev/null
done
# One line per program per run: the median of the runs' means resists a vCPU stalled in
# the middle of one program, which the pooled sum does not.
table=$(awk '$3 > 0 { print $1, $2, $3, $4 / $3 }' "$costs" | sort -k1,1 -k2,2 -k4,4g | awk '
	{ k = $1 " " $2; n[k]++; v[k, n[k]] = $4; cnt[k] += $3 }
	END { for (k in n) { m = n[k]; med = (m % 2) ? v[k, (m + 1) / 2] : (v[k, m / 2] + v[k, m / 2 + 1]) / 2
		split(k, p, " "); printf "  %-8s %-20s %10d events %9.1f ns/event (least %.1f)\n", p[1], p[2], cnt[k], med, v[k, 1] } }' |
	sort -k1,1 -k2,2)
echo "$table"
rm -f "$costs"
# What each tracer adds to being called at all: its median less the floor's on the same event.
awk '{ ns[$2] = $5 }
	END { k = ns["handle_kmalloc"] - ns["floor_kmalloc"]; f = ns["handle_kfree"] - ns["floor_kfree"]
		b = ns["kfree"] - ns["floor_kfree"]
		printf "  above the floor: lrutop kmalloc %.1f ns, kfree %.1f ns; bpftrace kmalloc %.1f ns, kfree %.1f ns;", \
			k, f, ns["kmalloc"] - ns["floor_kmalloc"], b
		printf " kfree lrutop / bpftrace %.2f\n", (b > 0 ? f / b : 0) }' <<< "$table"

# Start to first sample, interleaved: lrutop -b 0.1 1, then bpftrace with the same script and
# a 0.1 s interval (both include it); wall time and peak RSS, median (least) of $runs.
startup_rounds() {
	local starts name t tmin m mmin
	starts=$(mktemp)
	for _ in $(seq "$runs"); do
		echo "$(/usr/bin/time -f '%e %M' ./lrutop -b 0.1 1 2>&1 >/dev/null | tail -1)" \
			"$(/usr/bin/time -f '%e %M' bpftrace -e "$bt_script interval:ms:100 { exit(); }" 2>&1 >/dev/null | tail -1)"
	done > "$starts"
	awk 'NF != 4 { exit 1 }' "$starts" || { echo "bench: a start failed: $(cat "$starts")" >&2; exit 1; }
	for col in 1 3; do
		name=$([ $col = 1 ] && echo lrutop || echo bpftrace)
		t=$(awk -v c=$col '{ print $c }' "$starts" | median)
		tmin=$(awk -v c=$col '{ print $c }' "$starts" | sort -g | head -1)
		m=$(awk -v c=$((col + 1)) '{ print $c / 1024 }' "$starts" | median)
		mmin=$(awk -v c=$((col + 1)) '{ print $c / 1024 }' "$starts" | sort -g | head -1)
		printf "  %-8s %.3f s (%.3f), peak RSS %.1f MB (%.1f)\n" "$name" "$t" "$tmin" "$m" "$mmin"
	done
	awk '{ print $1 / $3 }' "$starts" | median | awk '{ printf "  lrutop / bpftrace, median of the rounds: time %.2f", $1 }'
	awk '{ print $2 / $4 }' "$starts" | median | awk '{ printf ", peak RSS %.2f\n", $1 }'
	rm -f "$starts"
}

echo "== start to first sample, interleaved: lrutop -b 0.1 1, then bpftrace with the same script"
echo "   and a 0.1 s interval (both include it); wall time and peak RSS, median (least) of $runs"
startup_rounds
# Memcgs that hold lists before lrutop starts are rows of its first sample (the inventory
# finds them); the kernel's memcg ids stop at 65,535, so 100,000 live memcgs cannot be made.
for memcgs in $startup_memcgs; do
	ab_rowwork "$memcgs"
	$rowwork --keep > /dev/null
	echo "== the same with $memcgs more memcgs, each holding lists on a tmpfs ($rowwork --keep)"
	startup_rounds
	echo "  rows in lrutop's first sample: $(./lrutop -b -j 0.1 1 2>/dev/null | /usr/bin/python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["nr_memcgs"])')"
	$rowwork --cleanup > /dev/null
done

echo "== userspace cost of one refresh, every row's counters moved since the one before, beside the floor"
echo "   (a bare read of the same counters) in the same run (synthetic rows in the real per-memcg"
echo "   array; median and least of 11)"
for rows in 10000 100000; do
	echo "  $(build/bench-refresh "$rows" 11)"
done

echo "== lrutop's own memory with 100,000 rows (synthetic, put into its map while it runs), every"
echo "   row's counters moving ten times a second for 10 s"
./lrutop -b -j -r 20 --max-memcgs 101024 1 >/dev/null &
pid=$!
sleep 3
map_id() { bpftool map show | awk -F: -v name="$1" '$0 ~ " name " name " " { id = $1 } END { print id }'; }
build/bench-fill "$(map_id memcg_stats)" "$(map_id memcg_slots)" "$(map_id free_slots)" 100000 10
sleep 2
echo "  $(grep -E 'VmHWM|VmRSS' /proc/$pid/status | tr -s ' \t\n' ' ')"
kill -INT "$pid"
wait "$pid"

echo "== the walk of the cgroup tree with 2,000 more memcgs (a refresh after a mkdir or rmdir; median and least of 5):"
echo "   by its directories, and by the kernel's cgroup iterator (lrutop's where the kernel has one; null: none)"
cgroot=$(./lrutop --probe | sed -n 's/^memory cgroups: v[12] at //p')
walk=$(mktemp -d "$cgroot/lrutop-bench-walk.XXXXXX")
for i in $(seq 2000); do mkdir "$walk/c$i"; done
echo "  $(build/bench-refresh 1000 5 | grep -o '"cgroups":[0-9]*,"cgroup_dirs_cpu_ms":[0-9.]*,"cgroup_dirs_cpu_ms_min":[0-9.]*,"cgroup_iter_cpu_ms":[0-9.nul]*,"cgroup_iter_cpu_ms_min":[0-9.nul]*')"
rmdir "$walk"/c[0-9]* "$walk"

echo "== the start-up self-check (lrutop --probe with and without it, 21 rounds interleaved)"
tests/bench/selfcheck.py | sed 's/^/  /'

echo "== fentry backend in a Debian 6.1 guest (QEMU TCG: ns/event inflated by emulation)"
scripts/vm-run.sh --kernel-alias 6.1 --add "$(command -v bpftool)" --add build/churn \
	--add build/bench-floor --add build/floor.bpf.o \
	tests/vm/bench-guest.sh "$runs" 2>&1 | sed -n 's/^.*LRUTOP-BENCH //p'
echo "== the inventory: one pass over 500 memcgs and 1,000 tmpfs mounts (2 list_lrus each), each memcg"
echo "   putting a file on 2 (tests/vm/inventory-bench-guest.sh 500 1000 2, 3 passes): this host, then"
echo "   guests under QEMU TCG"
invdir=$(mktemp -d)
ln -s "$top/lrutop" "$top/build/workload" "$invdir/"
LRUTOP_DIR=$invdir tests/vm/inventory-bench-guest.sh 500 1000 2 | sed -n 's/^LRUTOP-INVENTORY /  /p' |
	grep -E 'kernel|memcg-aware|held now|walk:|CPU a pass|a list_lru'
rm -rf "$invdir"
for k in 6.1 5.10; do
	scripts/vm-run.sh --kernel-alias "$k" --mem-per-node 2048 --timeout 900 \
		tests/vm/inventory-bench-guest.sh 500 1000 2 | sed -n 's/^.*LRUTOP-INVENTORY /  /p' |
		grep -E 'kernel|memcg-aware|held now|walk:|CPU a pass|a list_lru'
done
echo "== done in $(($(date +%s) - started_s)) s"
