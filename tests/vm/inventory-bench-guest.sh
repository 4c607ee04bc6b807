#!/bin/sh
# Runs inside a booted kernel (scripts/bench-guests.sh inventory): the cost of one inventory
# pass over a container host of MEMCGS memcgs and MOUNTS tmpfs mounts (2 memcg-aware
# list_lrus each), each memcg putting files on TOUCH of them. Prints lrutop inventory's walk
# line for each of three passes, then their median and spread.
# usage: inventory-bench-guest.sh MEMCGS MOUNTS TOUCH
dir=${LRUTOP_DIR:-/lrutop}
if [ -w /sys/fs/cgroup/cgroup.subtree_control ] &&
   ! grep -qw memory /sys/fs/cgroup/cgroup.subtree_control; then
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
fi
echo "LRUTOP-INVENTORY kernel $(uname -r); workload: workload -m $1 -t $2 -k $3; 3 passes"
"$dir/workload" -r /sys/fs/cgroup -d /tmp/ib -n ib -m "$1" -t "$2" -k "$3" --keep > /dev/null || exit 1
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
exit 0
