#!/bin/sh
# Runs inside a booted test kernel (scripts/vm-run.sh): the test_kernel_* host tests against
# the kernel's own numbers, once with the backend lrutop chooses (fentry: these kernels
# allow it), once with the tracepoint backend forced (what hosts that refuse fentry use).
# LRUTOP_DIR holds lrutop, the workload and test_host (/lrutop in vm-run's initramfs; under
# virtme-ng links to the host's own builds). usage: guest.sh [fentry-only | sweep | faults]
#   fentry-only: the first pass alone (make vngtest)
#   sweep: the exactness, owner/cause and per-kind tests alone, both passes (the series
#          tests/run.sh boots besides those it runs every test on)
#   faults: the test_faults_* alone, both passes (a kernel built to fail allocations on
#          purpose: scripts/ci-kernel.sh --faults)
dir=${LRUTOP_DIR:-/lrutop}
mode=${1:-all}
# cgroup v2 gives a memcg only where the parent enables the memory controller.
if [ -w /sys/fs/cgroup/cgroup.subtree_control ] &&
   ! grep -qw memory /sys/fs/cgroup/cgroup.subtree_control; then
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
fi
export LRUTOP_BIN=$dir/lrutop LRUTOP_WORKLOAD=$dir/workload
export LRUTOP_TESTS='test_kernel_*' LRUTOP_SUITE="kernel $(uname -r)" LRUTOP_EXPECT_BACKEND=fentry
export LRUTOP_FRESH_KERNEL=1	# booted for these tests: no memcg before them
[ "$mode" = sweep ] &&
	export LRUTOP_TESTS=test_kernel_lazy_lists,test_kernel_owner_cause,test_kernel_shadow_lists,test_kernel_thp_lists
[ "$mode" = faults ] && export LRUTOP_TESTS='test_faults_*' LRUTOP_SUITE="faults $(uname -r)"
# No zone file here: glibc would look for /etc/localtime at every report, a dentry made and
# dropped each time (lrutop's own, which test_kernel_hot_path would count).
export TZ=UTC0
echo "lrutop kernel: $(uname -r)"
"$dir/lrutop" --probe > /tmp/probe.txt
sed -n 's/^backend: /lrutop backend: /p; /^self-check: /p; s/^list_lru: /lrutop list_lru: /p' /tmp/probe.txt
# 7.2+: the THP deferred-split queue is a list_lru (tests/run.sh counts the THP test's skips).
grep -qw folio_memcg_list_lru_alloc /proc/kallsyms && echo "lrutop thp list_lru: yes" ||
	echo "lrutop thp list_lru: no"
"$dir/test_host"
rc=$?
[ "$mode" = fentry-only ] && exit $rc
# The tracepoint backend: lrutop behind a wrapper that forces it. Subcommands (the
# inventory loads no tracer) go through as they are.
printf '#!/bin/sh\ncase "$1" in inventory | model) exec %s "$@" ;; esac\nexec %s --backend tracepoint "$@"\n' \
	"$dir/lrutop" "$dir/lrutop" > /tmp/lrutop-tp
chmod +x /tmp/lrutop-tp
LRUTOP_BIN=/tmp/lrutop-tp LRUTOP_EXPECT_BACKEND=tracepoint \
	LRUTOP_SUITE="$LRUTOP_SUITE tracepoint" "$dir/test_host" || rc=1
[ "$mode" = sweep ] || [ "$mode" = faults ] && exit $rc

# kallsyms hidden (kptr_restrict=2, as hardened hosts set it), after the patch: fentry still
# counts the lists from the allocator's slots; with no way to a list's struct page, its
# bytes are the objsize /proc/slabinfo gives the lists' kmalloc cache. The lazy lists' test.
if grep -q '^list_lru: lazy' /tmp/probe.txt; then
	restrict=$(cat /proc/sys/kernel/kptr_restrict)
	echo 2 > /proc/sys/kernel/kptr_restrict
	"$dir/lrutop" --probe 2> /dev/null | sed -n 's/^list bytes: /lrutop list bytes, kallsyms hidden: /p'
	LRUTOP_TESTS=test_kernel_lazy_lists LRUTOP_SUITE="kernel $(uname -r) kallsyms hidden" \
		"$dir/test_host" || rc=1
	echo "$restrict" > /proc/sys/kernel/kptr_restrict
fi

# JSON Lines with every part this kernel fills in, for the host to check against the schema
# (docs/lrutop-jsonl.schema.json): the guest has no Python.
mkdir -p /tmp/schema-mnt
"$dir/lrutop" -b -j -l -H --cumulative 1 > /tmp/lrutop.jsonl 2> /dev/null &
lrutop_pid=$!
while [ ! -s /tmp/lrutop.jsonl ] && kill -0 $lrutop_pid 2> /dev/null; do
	sleep 0.2
done
# 25 memcgs: more ids than the earlier tests left in use, so a pre-5.18 id space grows.
"$dir/workload" -r /sys/fs/cgroup -d /tmp/schema-mnt -n schema -m 12 -t 2 -k 1 -D 2 > /dev/null ||
	{ echo "guest: the schema workload failed"; rc=1; }
# Two reports after the workload, however long it took (a slow guest took more than the
# three seconds a fixed count gave it): the last holds every list it made.
lines=$(wc -l < /tmp/lrutop.jsonl)
while [ "$(wc -l < /tmp/lrutop.jsonl)" -lt $((lines + 2)) ] && kill -0 $lrutop_pid 2> /dev/null; do
	sleep 0.2
done
kill -INT $lrutop_pid 2> /dev/null
wait $lrutop_pid || { echo "guest: lrutop -b -j exited with $?"; rc=1; }
sed 's/^/LRUTOP-JSONL /' /tmp/lrutop.jsonl
# The Prometheus textfile with this backend's families (the latency histogram with fentry).
"$dir/lrutop" --prometheus /tmp/lrutop.prom --inventory-interval 1 1 2 2> /dev/null ||
	{ echo "guest: lrutop --prometheus exited with $?"; rc=1; }
sed 's/^/LRUTOP-PROM /' /tmp/lrutop.prom
exit $rc
