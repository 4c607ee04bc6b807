#!/bin/sh
# README's fentry capture: lrutop around the container-host workload in a booted kernel.
# usage: scripts/vm-run.sh --kernel-alias 7.3 tests/vm/capture-guest.sh
dir=${LRUTOP_DIR:-/lrutop}
echo "lrutop kernel: $(uname -r)"
mkdir -p /sys/fs/cgroup/containers
"$dir/lrutop" -b --cumulative -l -H -r 10 -c /containers -o allocs,bytes,held,fails,objs,calls,lat,lrus \
	--inventory-interval 1 3 2 > /tmp/cap.txt 2> /tmp/cap.err &
while ! grep -q Tracing /tmp/cap.err; do sleep 0.2; done
"$dir/workload" -r /sys/fs/cgroup -d /tmp/mnt -n containers -m 3 -t 3 -k 2 -D 2 --keep > /dev/null
wait
echo CAPTURE-BEGIN
cat /tmp/cap.txt
echo CAPTURE-END
