#!/bin/sh
# Runs inside a booted 6.1 kernel (scripts/bench.sh): the churn workload without and with
# lrutop's fentry backend (interleaved rounds, no floor programs attached), then the cost per
# event of each program beside do-nothing floor programs. Lines for the host start with
# LRUTOP-BENCH.
dir=${LRUTOP_DIR:-/lrutop}
runs=${1:-5}
echo +memory > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
churn="$dir/churn -r /sys/fs/cgroup -d /tmp/churn -m 4 -f 500 -i 3"
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
# The slowdown: each round runs the workload with nothing attached, then with lrutop's
# fentry backend alone, from its first report on (its inventory loads during the first
# interval), so that drift between rounds falls on both; the ratio is the median of the
# rounds' ratios.
: > /tmp/rounds
for i in $(seq "$runs"); do
	none=$($churn)
	"$dir/lrutop" -b -j 1 > /tmp/lrutop.out 2> /dev/null &
	pid=$!
	while ! grep -q '"version"' /tmp/lrutop.out && kill -0 $pid 2> /dev/null; do sleep 0.2; done
	with=$($churn)
	kill -INT $pid
	wait $pid
	echo "$none $with" >> /tmp/rounds
done
least() {
	sort -n | head -1
}
# Column $1 of the rounds, median then least, rounded as the host's figures are; $2 the unit.
med_least() {
	printf '%.3f%s (%.3f)' "$(awk "{ print $1 }" /tmp/rounds | median)" "$2" \
		"$(awk "{ print $1 }" /tmp/rounds | least)"
}
echo "LRUTOP-BENCH   kernel $(uname -r); workload: ${churn#$dir/}; $runs interleaved rounds"
echo "LRUTOP-BENCH   none $(med_least '$1' ' s'), lrutop (fentry) $(med_least '$2' ' s')," \
	"median of the rounds' ratios $(med_least '$2 / $1' '')"
# The do-nothing floor programs on the same events, beside lrutop: what being called at all
# costs here.
"$dir/bench-floor" "$dir/floor.bpf.o" > /tmp/floor.out 2>&1 &
floor=$!
"$dir/lrutop" -b -j 1 > /tmp/lrutop.out 2>&1 &
pid=$!
while ! grep -q '"version"' /tmp/lrutop.out || ! grep -q attached /tmp/floor.out; do sleep 0.2; done
# Statistics only now: timing every program run slows the runs above by itself.
sysctl -w kernel.bpf_stats_enabled=1 > /dev/null
$churn > /dev/null
"$dir/bpftool" prog show | awk '
	/^[0-9]+:/ { name = $4 }
	/run_time_ns/ { for (i = 1; i < NF; i++) { if ($i == "run_time_ns") ns = $(i + 1); if ($i == "run_cnt") cnt = $(i + 1) }
			who = name ~ /^floor_/ ? "floor" : "lrutop"
			if (cnt > 0) printf "LRUTOP-BENCH   %-8s %-18s %12d events %8.1f ns/event\n", who, name, cnt, ns / cnt }'
kill -TERM $pid $floor
wait
