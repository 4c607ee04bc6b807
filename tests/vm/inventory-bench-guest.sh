#!/bin/sh
# The cost of one inventory pass over a container host of MEMCGS memcgs and MOUNTS tmpfs
# mounts (2 memcg-aware list_lrus each), each memcg putting files on TOUCH of them. Prints
# lrutop inventory's walk line for each of three passes, then their median and spread, and
# the median's cost a list_lru and a list held. Inside a booted kernel (scripts/bench-guests.sh
# inventory: cgroup v2, left in place for the power-off), or on a host (make bench:
# LRUTOP_DIR holds lrutop and workload; cgroup v1 or v2; the workload is removed after).
# usage: inventory-bench-guest.sh MEMCGS MOUNTS TOUCH
dir=${LRUTOP_DIR:-/lrutop}
cgroot=/sys/fs/cgroup
if [ -w $cgroot/cgroup.subtree_control ] &&
   ! grep -qw memory $cgroot/cgroup.subtree_control; then
	echo +memory > $cgroot/cgroup.subtree_control
fi
# No memory controller in the v2 root: the v1 memory hierarchy (this project's hosts).
grep -qw memory $cgroot/cgroup.controllers 2>/dev/null ||
	cgroot=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/self/mounts)
work="$dir/workload -r $cgroot -d /tmp/ib -n ib -m $1 -t $2 -k $3"
echo "LRUTOP-INVENTORY kernel $(uname -r); workload: workload -m $1 -t $2 -k $3; 3 passes"
$work --keep > /dev/null || exit 1
[ -n "$LRUTOP_DIR" ] && trap '$work --cleanup > /dev/null' EXIT
: > /tmp/walks
for i in 1 2 3; do
	"$dir/lrutop" inventory -r 3 > /tmp/inv || exit 1
	sed 's/^/LRUTOP-INVENTORY /' /tmp/inv
	# "walk: RUNS runs, MS ms CPU, longest run MS ms"
	sed -n 's/^walk: .*, \([0-9.]*\) ms CPU, longest run \([0-9.]*\) ms.*/\1 \2/p' /tmp/inv >> /tmp/walks
done
[ "$(wc -l < /tmp/walks)" = 3 ] || { echo "LRUTOP-INVENTORY no walk line"; exit 1; }
sort -n /tmp/walks | awk '{ cpu[NR] = $1 } END { printf "LRUTOP-INVENTORY CPU a pass: median %s ms (least %s)", cpu[2], cpu[1] }'
sort -n -k2 /tmp/walks | awk '{ run[NR] = $2 } END { printf ", longest run %s to %s ms\n", run[1], run[3] }'
# The median over what the pass visits: each list_lru, and each list it holds.
lrus=$(sed -n 's/.*, \([0-9]*\) memcg-aware list_lrus.*/\1/p' /tmp/inv | head -1)
lists=$(sed -n 's/^held now: \([0-9]*\) lists.*/\1/p' /tmp/inv | head -1)
sort -n /tmp/walks | awk -v l="$lrus" -v h="$lists" '{ cpu[NR] = $1 } END {
	if (l > 0 && h > 0) printf "LRUTOP-INVENTORY a list_lru: %.1f us (%d); a list held: %.2f us (%d)\n",
		cpu[2] * 1000 / l, l, cpu[2] * 1000 / h, h }'
exit 0
