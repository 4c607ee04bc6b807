#!/bin/bash
# Runs inside a kernel with fentry under virtme-ng (make bench-fastpath; the host's root, so
# ./lrutop, bpftrace and bpftool are the host's): a file server's work in a memcg whose lists
# exist (build/bench-files: files created, stat'ed and unlinked on tmpfs and on ext4, files
# read through the page cache from ext4), with nothing attached, lrutop's fentry backend,
# do-nothing fentry/fexit programs on the same functions (the floor) and bpftrace counting
# the same calls, latency and objects; interleaved rounds. In each round and for each tracer,
# the work once for its time (statistics off: they time every program) and once for each
# program's runs and run time (kernel BPF statistics, build/bench-runs).
# usage: fastpath-guest.sh [ROUNDS [FILES [WORK [TRACERS]]]]   (7 rounds, 2,000 files, every
#   work and tracer unless told; WORK and TRACERS are space-separated subsets, the floor always
#   runs: the other tracers' figures are read against it. Tracer "ab" is build/ab/lrutop,
#   another commit's build (scripts/bench-fastpath-ab.sh), run as lrutop is)
set -u
rounds=${1:-7}
files=${2:-2000}
work_names=${3:-tmpfs ext4 read}
asked=" ${4:-lrutop bpftrace} "
tracers=
for t in lrutop ab floor bpftrace; do
	case "$asked" in *" $t "*) tracers="$tracers $t" ;; *) [ $t = floor ] && tracers="$tracers floor" ;; esac
done
tracers=${tracers# }
out=/tmp/fastpath
mkdir -p $out
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing
median() {
	sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
least() {
	sort -g | head -1
}
fail() {
	echo "LRUTOP-FASTPATH FAILED: $*"
	exit 1
}

# The functions lrutop's fentry programs trace on this kernel, as its probe found them.
./lrutop --probe > $out/probe.txt || fail "lrutop --probe"
lazy=$(awk '/lazy allocator/ { print $1 }' $out/probe.txt)
obj=$(awk '/ object allocator/ { print $1 }' $out/probe.txt)
[ -n "$lazy" ] && [ -n "$obj" ] || fail "no lazy allocator in: $(head -20 $out/probe.txt)"

# The memcg the work runs in, its lists made by a first run; tmpfs, and ext4 on a loop device.
cg=/sys/fs/cgroup/lrutop-fastpath
grep -qw memory /sys/fs/cgroup/cgroup.subtree_control || echo +memory > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p $cg /tmp/fp-tmpfs /tmp/fp-ext4
mount -t tmpfs fp-tmpfs /tmp/fp-tmpfs || fail "tmpfs"
modprobe loop 2> /dev/null
truncate -s 256M /tmp/fp-ext4.img
mkfs.ext4 -q -F /tmp/fp-ext4.img && mount -o loop /tmp/fp-ext4.img /tmp/fp-ext4 || fail "ext4 on a loop device"
for i in 1 2 3 4; do
	head -c 16M /dev/urandom > /tmp/fp-ext4/read$i
done
for w in $work_names; do
	case $w in tmpfs | ext4 | read) ;; *) fail "unknown work '$w' (tmpfs, ext4, read)" ;; esac
done
for t in $asked; do
	case $t in lrutop | ab | floor | bpftrace) ;; *) fail "unknown tracer '$t' (lrutop, ab, floor, bpftrace)" ;; esac
done
work() {
	case $1 in
	tmpfs) build/bench-files $cg create /tmp/fp-tmpfs "$files" ;;
	ext4) build/bench-files $cg create /tmp/fp-ext4 "$files" ;;
	read) build/bench-files $cg read /tmp/fp-ext4/read[1-4] ;;
	esac
}
for w in $work_names; do
	work $w > /dev/null || fail "workload $w"
done

bt="kfunc:$lazy { @start[tid] = nsecs; }
kretfunc:$lazy /@start[tid]/ { @calls[cgroup] = count(); @lat = hist(nsecs - @start[tid]); delete(@start[tid]); }
kretfunc:$obj /retval/ { @objs[cgroup] = count(); }
interval:s:1 { printf(\"tick\\n\"); }"

# Start a tracer, wait until its output holds its ready word; its pid in $tracer.
start() {
	case $1 in
	lrutop) ready='"version"'; set -- ./lrutop -b -j 1 ;;
	ab) ready='"version"'; set -- build/ab/lrutop -b -j 1 ;;
	floor) ready=attached; set -- build/bench-floor build/floor_fentry.bpf.o \
		floor_lazy_enter=$lazy floor_lazy_exit=$lazy floor_obj_exit=$obj ;;
	bpftrace) ready=Attaching; set -- bpftrace -e "$bt" ;;
	esac
	"$@" > $out/tracer.out 2>&1 &
	tracer=$!
	for _ in $(seq 900); do
		grep -q "$ready" $out/tracer.out && return 0
		kill -0 $tracer 2> /dev/null || break
		sleep 0.2
	done
	fail "$1 did not start: $(head -3 $out/tracer.out)"
}

stop() {
	kill -INT $tracer
	wait $tracer 2> /dev/null
}

newest_prog() {
	bpftool prog show -j | python3 -c 'import json, sys; print(max([p["id"] for p in json.load(sys.stdin)] + [0]))'
}

echo "LRUTOP-FASTPATH kernel $(uname -r), clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource); hooks: $lazy, $obj; $rounds rounds of none, $tracers"
for w in $work_names; do
	case $w in
	tmpfs) echo "LRUTOP-FASTPATH work: tmpfs = $files files created, stat'ed, unlinked on tmpfs, in memcg $cg" ;;
	ext4) echo "LRUTOP-FASTPATH work: ext4 = $files files created, stat'ed, unlinked on ext4 (a loop device), in memcg $cg" ;;
	read) echo "LRUTOP-FASTPATH work: read = 4 files of 16 MB read from ext4 after drop_caches, in memcg $cg" ;;
	esac
done
sed -n 's/^backend: /LRUTOP-FASTPATH lrutop backend: /p' $out/probe.txt
: > $out/times
: > $out/costs
for r in $(seq "$rounds"); do
	echo "LRUTOP-FASTPATH-PROGRESS round $r of $rounds"
	for w in $work_names; do
		echo "$r $w none $(work $w)" >> $out/times
	done
	# Each round the tracers' order turns by one: a tracer's place in the round moved its
	# figures (one build run twice in a round, second and first: 1.35 times the object's
	# cost). And a pause after each: a detached tracer's programs are freed in the
	# background (RCU), on the next one's time.
	set -- $tracers
	shift $(((r - 1) % $#))
	order="$* $(echo " $tracers " | sed "s| $* .*||")"
	for t in $order; do
		first=$(newest_prog)
		start $t
		for w in $work_names; do
			echo "$r $w $t $(work $w)" >> $out/times
		done
		for w in $work_names; do
			build/bench-runs "$first" build/bench-files $cg $(
				case $w in tmpfs) echo create /tmp/fp-tmpfs $files ;;
				ext4) echo create /tmp/fp-ext4 $files ;;
				read) echo read /tmp/fp-ext4/read1 /tmp/fp-ext4/read2 /tmp/fp-ext4/read3 /tmp/fp-ext4/read4 ;;
				esac) | awk -v r=$r -v w=$w -v t=$t 'NF == 5 && $3 == "runs" { print r, w, t, $1, $2, $4 }' >> $out/costs
		done
		stop
		sleep 2
	done
done

# Medians and least over the rounds: each tracer's time against none's in the same round, and
# each program's runs and ns a run; then all of a tracer's BPF time for the work, against the
# floor's in the same round (the floor's programs run once a call, as lrutop's do).
python3 - "$out/times" "$out/costs" $tracers <<'PY'
import statistics, sys
from collections import defaultdict
times = defaultdict(dict)
for line in open(sys.argv[1]):
    r, w, t, secs = line.split()
    times[(r, w)][t] = float(secs)
costs = defaultdict(lambda: defaultdict(dict))
for line in open(sys.argv[2]):
    r, w, t, name, runs, ns = line.split()
    # Names are cut at 15 characters: bpftrace's entry and exit programs share one.
    had = costs[(r, w)][t].get(name, (0, 0))
    costs[(r, w)][t][name] = (had[0] + int(runs), had[1] + int(ns))
def ml(v):
    return "%.3f (%.3f)" % (statistics.median(v), min(v)) if v else "-"
works = []
for r, w in times:
    if w not in works:
        works.append(w)
for w in works:
    rounds = [times[k] for k in times if k[1] == w]
    print("LRUTOP-FASTPATH %s: none %s s" % (w, ml([x["none"] for x in rounds])))
    tracers = [t for t in ("lrutop", "ab", "floor", "bpftrace") if t in sys.argv[3:]]
    for t in tracers:
        print("LRUTOP-FASTPATH   %-8s %s s, ratio to none %s" % (t, ml([x[t] for x in rounds]),
              ml([x[t] / x["none"] for x in rounds])))
    for t in tracers:
        names = sorted({n for k in costs if k[1] == w for n in costs[k][t] if n != "(all)"})
        for n in names:
            per = [costs[k][t][n] for k in costs if k[1] == w and n in costs[k][t]]
            nsr = [ns / runs for runs, ns in per if runs]
            print("LRUTOP-FASTPATH   %-8s %-16s %9d runs, ns a run %s" % (t, n,
                  statistics.median([runs for runs, ns in per]), ml(nsr).replace(".000", "")))
    tot = lambda k, t: costs[k][t]["(all)"][1] if "(all)" in costs[k][t] else 0
    ks = [k for k in costs if k[1] == w and tot(k, "floor")]
    for t in [t for t in tracers if t != "floor"]:
        print("LRUTOP-FASTPATH   %s's BPF time / the floor's: %s" % (t, ml([tot(k, t) / tot(k, "floor") for k in ks])))
    # A call's cost on each hook against the floor's on it, round by round: the allocator's
    # entry and exit together, and the object's exit (the issue's "a call" target).
    def per_run(k, t, names):
        got = [costs[k][t].get(n, (0, 0)) for n in names]
        return sum(ns / runs for runs, ns in got if runs) if all(runs for runs, ns in got) else 0
    hooks = (("the allocator's entry and exit", ("lazy_alloc_ente", "lazy_alloc_exit"),
              ("floor_lazy_ente", "floor_lazy_exit")),
             ("the object's exit", ("lru_obj_exit",), ("floor_obj_exit",)))
    for t in [t for t in tracers if t in ("lrutop", "ab")]:
        for what, mine, floors in hooks:
            r = [per_run(k, t, mine) / per_run(k, "floor", floors) for k in ks
                 if per_run(k, t, mine) and per_run(k, "floor", floors)]
            if r:
                print("LRUTOP-FASTPATH   %s, a call on %s / the floor's: %s" % (t, what, ml(r)))
PY
