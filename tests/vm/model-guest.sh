#!/bin/sh
# Runs inside a booted kernel (scripts/vm-run.sh): the list_lru memory of a container host at
# scale, read from /proc/slabinfo before the workload, while it holds its memcgs and mounts,
# after it removed them all, and once more with no file made (a control), beside lrutop's model
# of the same scale (docs/ab/model.md).
# usage: model-guest.sh MEMCGS MOUNTS TOUCH SHARED
dir=${LRUTOP_DIR:-/lrutop}
memcgs=$1 mounts=$2 touch=$3 shared=$4
if [ -w /sys/fs/cgroup/cgroup.subtree_control ] &&
   ! grep -qw memory /sys/fs/cgroup/cgroup.subtree_control; then
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
fi
# Active objects of the kmalloc caches the lists come from, and the memcg-aware list_lrus
# (lrutop's count of the kernel's ring, in its first report).
slab() {
	awk '$1 ~ /^(kmalloc-(32|64|96|128|192|8k|16k|32k)|radix_tree_node)$/ { printf " %s=%s", $1, $2 }' /proc/slabinfo
}
lrus() {
	"$dir/lrutop" -b -j --no-self-check 0.2 1 2>/dev/null |
		sed -n 's/.*"memcg_lrus":\([0-9]*\).*/\1/p'
}
# The lists the kernel's list_lrus hold, by lrutop's inventory.
held() {
	"$dir/lrutop" inventory -j -r 1 2>/dev/null | grep -o '"totals":{[^}]*}' |
		sed -n 's/.*"held_lists":\([0-9]*\).*/ held=\1/p'
}
echo "lrutop kernel: $(uname -r)"
echo "LRUTOP-MODEL before lrus=$(lrus)$(slab)$(held)"
wl="$dir/workload -r /sys/fs/cgroup -d /tmp/m -n m -m $memcgs -t $mounts -k $touch -S $shared -f 1"
start=$(date +%s)
$wl --keep > /tmp/model-workload.out
rc=$?
tail -1 /tmp/model-workload.out
echo "LRUTOP-MODEL during lrus=$(lrus)$(slab)$(held) seconds=$(($(date +%s) - start))"
$wl --cleanup
# Removed memcgs die asynchronously (RCU, workqueues): let them go before reading.
sleep 3
echo "LRUTOP-MODEL after lrus=$(lrus)$(slab)$(held)"
# The control: the same memcgs and mounts, no file made, so no memcg puts an object on a
# list_lru. A patched kernel makes no list; what the caches gain is the rest of the work.
$wl -f 0 --keep > /dev/null || rc=1
echo "LRUTOP-MODEL control lrus=$(lrus)$(slab)"
$wl -f 0 --cleanup
exit $rc
