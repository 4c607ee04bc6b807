#!/bin/sh
# Runs inside a kernel booted by virtme-ng (scripts/vm-run.sh --runner vng) with the host's
# root filesystem: the host's own dynamic builds run unchanged, with the backend lrutop
# chooses (fentry on these kernels). LRUTOP_DIR holds lrutop, the workload and test_host.
dir=${LRUTOP_DIR:?LRUTOP_DIR: the directory of lrutop, workload and test_host}
# cgroup v2 gives a memcg only where the parent enables the memory controller.
if [ -w /sys/fs/cgroup/cgroup.subtree_control ] &&
   ! grep -qw memory /sys/fs/cgroup/cgroup.subtree_control; then
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
fi
export LRUTOP_BIN=$dir/lrutop LRUTOP_WORKLOAD=$dir/workload
export LRUTOP_TESTS='test_kernel_*' LRUTOP_SUITE="vng $(uname -r)" LRUTOP_EXPECT_BACKEND=fentry
export LRUTOP_FRESH_KERNEL=1	# booted for these tests: no memcg before them
echo "lrutop kernel: $(uname -r)"
"$dir/lrutop" --probe | sed -n 's/^backend: /lrutop backend: /p; /^self-check: /p; s/^list_lru: /lrutop list_lru: /p'
exec "$dir/test_host"
