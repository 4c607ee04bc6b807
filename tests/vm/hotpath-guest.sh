#!/bin/bash
# Runs inside a kernel with fentry under virtme-ng (make bench-hotpath; the host's root, so
# ./lrutop, bpftrace and bpftool are the host's): an allocation-heavy workload that touches
# no list_lru (build/hotpath: UDP datagrams on loopback, a kmalloc and a kfree each) with
# nothing attached, lrutop's fentry backend, and bpftrace counting list_lru kmallocs per
# cgroup the tracepoint way, in interleaved rounds; then each tracer's program runs and run
# time over one workload, from kernel BPF statistics. usage: hotpath-guest.sh [ROUNDS]
set -u
rounds=${1:-7}
[ -n "$rounds" ] || rounds=7
datagrams=${HOTPATH_DATAGRAMS:-100000}
work="build/hotpath $datagrams"
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing
median() {
	sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
lo=$(awk '$3 == "memcg_list_lru_alloc" { print "0x" $1; exit }' /proc/kallsyms)
# Through a pipe: sort given /proc/kallsyms itself seeks in it chunk by chunk, and each seek
# makes the kernel walk its symbols again (84 s of system time here, a 6.18 host).
hi=$(awk -v lo="$lo" 'found { print "0x" $1; exit } ("0x" $1) == lo { found = 1 }' <(cat /proc/kallsyms | sort))
bt="tracepoint:kmem:kmalloc /args->call_site >= $lo && args->call_site < $hi/ {
	@lists[cgroup] = count(); @bytes[cgroup] = sum(args->bytes_alloc); @live[args->ptr] = cgroup; }
tracepoint:kmem:kfree /@live[args->ptr]/ { @freed[@live[args->ptr]] = count(); delete(@live[args->ptr]); }
interval:s:1 { printf(\"tick\\n\"); }"

# Start "$@" and wait until its output holds $1; its pid in $tracer.
start() {
	local ready=$1
	shift
	"$@" > /tmp/tracer.out 2>&1 &
	tracer=$!
	for _ in $(seq 600); do
		grep -q "$ready" /tmp/tracer.out && return 0
		kill -0 $tracer 2> /dev/null || break
		sleep 0.2
	done
	echo "hotpath: $1 did not start: $(head -3 /tmp/tracer.out)" >&2
	exit 1
}

stop() {
	kill -INT $tracer
	wait $tracer 2> /dev/null
}

echo "LRUTOP-HOTPATH kernel $(uname -r); workload: $work; $rounds rounds of none, lrutop, bpftrace"
./lrutop --probe | sed -n 's/^\(backend\|kmalloc\/kfree programs\): /LRUTOP-HOTPATH   \1: /p'
: > /tmp/rounds
for _ in $(seq "$rounds"); do
	none=$($work)
	start '"version"' ./lrutop -b -j 1
	with=$($work)
	stop
	start Attaching bpftrace -e "$bt"
	bpf=$($work)
	stop
	echo "$none $with $bpf" >> /tmp/rounds
done
least() {
	sort -g | head -1
}
printf 'LRUTOP-HOTPATH   none:     %.3fs (least %.3fs)\n' \
	"$(awk '{ print $1 }' /tmp/rounds | median)" "$(awk '{ print $1 }' /tmp/rounds | least)"
for c in 2 3; do
	name=$([ $c = 2 ] && echo "lrutop (fentry)" || echo "bpftrace (tracepoints)")
	printf 'LRUTOP-HOTPATH   %-23s %.3fs (least %.3fs), median ratio %.3f (least %.3f)\n' "$name:" \
		"$(awk -v c=$c '{ print $c }' /tmp/rounds | median)" \
		"$(awk -v c=$c '{ print $c }' /tmp/rounds | least)" \
		"$(awk -v c=$c '{ print $c / $1 }' /tmp/rounds | median)" \
		"$(awk -v c=$c '{ print $c / $1 }' /tmp/rounds | least)"
done

# Program runs over one workload, from kernel BPF statistics (on only for it: timing every
# run slows it), of the programs each tracer loaded (build/bench-runs: their fds opened
# before the window). Around "sleep 1" first: what the tracer does on its own in a second
# (lrutop's refresh runs a program of its own).
costs() {
	local who=$1 first
	shift
	first=$(bpftool prog show -j | python3 -c 'import json, sys; print(max([p["id"] for p in json.load(sys.stdin)] + [0]))')
	start "$@"
	for what in "sleep 1" "$work"; do
		build/bench-runs "$first" $what |
			sed "s|^|LRUTOP-HOTPATH   $(printf '%-18s %-14s' "$who" "${what%% *}") |"
	done
	stop
}
echo "LRUTOP-HOTPATH program runs over 1 s idle, then over one workload ($datagrams datagrams):"
# lrutop is ready at its first report: its inventory loads during the first interval.
costs "lrutop fentry" '"version"' ./lrutop -b -j 1
costs "lrutop tracepoint" '"version"' ./lrutop --backend tracepoint -b -j 1
costs "bpftrace" Attaching bpftrace -e "$bt"
