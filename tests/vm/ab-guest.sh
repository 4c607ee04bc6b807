#!/bin/sh
# Runs inside a booted kernel (scripts/vm-run.sh): one A/B point. lrutop snapshot measures the
# container-host workload from a fresh boot (a pre-5.18 id space never shrinks, so each point
# gets its own boot), and the snapshot goes to the console for the host to collect.
# usage: ab-guest.sh MEMCGS MOUNTS TOUCH SHARED
dir=${LRUTOP_DIR:-/lrutop}
memcgs=$1 mounts=$2 touch=$3 shared=$4
if [ -w /sys/fs/cgroup/cgroup.subtree_control ] &&
   ! grep -qw memory /sys/fs/cgroup/cgroup.subtree_control; then
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
fi
echo "lrutop kernel: $(uname -r)"
wl="$dir/workload -r /sys/fs/cgroup -d /tmp/ab -n ab -m $memcgs -t $mounts -k $touch -S $shared -f 2"
"$dir/lrutop" snapshot -o /tmp/ab.json -L memcgs="$memcgs" -L mounts="$mounts" \
	-L touch="$touch" -L shared="$shared" -L files=2 -- $wl --keep > /tmp/ab-workload.out
rc=$?
$wl --cleanup
tail -1 /tmp/ab-workload.out
echo "LRUTOP-SNAPSHOT $(cat /tmp/ab.json)"
exit $rc
