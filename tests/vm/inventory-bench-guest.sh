#!/bin/sh
# Runs inside a booted kernel (scripts/vm-run.sh): the cost of one inventory pass over a
# container host of MEMCGS memcgs and MOUNTS tmpfs mounts (2 memcg-aware list_lrus each),
# each memcg putting files on TOUCH of them. Prints lrutop inventory's walk line three times.
# usage: inventory-bench-guest.sh MEMCGS MOUNTS TOUCH
dir=${LRUTOP_DIR:-/lrutop}
if [ -w /sys/fs/cgroup/cgroup.subtree_control ] &&
   ! grep -qw memory /sys/fs/cgroup/cgroup.subtree_control; then
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
fi
echo "lrutop kernel: $(uname -r)"
"$dir/workload" -r /sys/fs/cgroup -d /tmp/ib -n ib -m "$1" -t "$2" -k "$3" --keep > /dev/null || exit 1
for i in 1 2 3; do
	"$dir/lrutop" inventory -r 3 | sed 's/^/LRUTOP-INVENTORY /'
done
exit 0
