#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmarks that run in booted kernels, each output headed by the command and commit
# (scripts/bench-header.sh) and cut to the guest's figures; a guest that fails fails this.
#   bench-guests.sh hotpath SERIES [ROUNDS]   (make bench-hotpath) nothing on the hot path:
#       tests/vm/hotpath-guest.sh under virtme-ng
#   bench-guests.sh fastpath "SERIES..." [ROUNDS]   (make bench-fastpath) the fentry backend
#       where a file server works: tests/vm/fastpath-guest.sh under virtme-ng, each series
#   bench-guests.sh inventory [SERIES...]     (make bench-inventory) one inventory pass over
#       a container host of 500 memcgs and 1,000 tmpfs mounts: tests/vm/inventory-bench-guest.sh
#       under QEMU, 5.10 and 6.1 unless named
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:?usage: bench-guests.sh hotpath SERIES [ROUNDS] | fastpath "SERIES..." [ROUNDS] | inventory [SERIES...]}
shift
case "$what" in
hotpath)
	series=${1:?usage: bench-guests.sh hotpath SERIES [ROUNDS]}
	rounds=${2:-7}
	scripts/bench-header.sh "make bench-hotpath HOTPATH_KERNEL=$series ROUNDS=$rounds"
	scripts/vng-run.sh --kernel-alias "$series" -- tests/vm/hotpath-guest.sh "$rounds" |
		sed -n 's/^.*LRUTOP-HOTPATH //p'
	;;
fastpath)
	series=${1:?usage: bench-guests.sh fastpath "SERIES..." [ROUNDS]}
	rounds=${2:-7}
	# FASTPATH_WORK, FASTPATH_TRACERS: subsets, for a quick look at one change (the header
	# names them only when set).
	work=${FASTPATH_WORK:-tmpfs ext4 read}
	tracers=${FASTPATH_TRACERS:-lrutop bpftrace}
	scripts/bench-header.sh "make bench-fastpath FASTPATH_KERNELS='$series' ROUNDS=$rounds${FASTPATH_WORK:+ FASTPATH_WORK='$work'}${FASTPATH_TRACERS:+ FASTPATH_TRACERS='$tracers'}"
	for k in $series; do
		echo "== $k"
		# The guest's whole output kept in /tmp/lrutop-fastpath-K.log, its rounds' progress
		# lines too (virtme-ng gives it when the guest ends).
		# The TSC as the clock, as on the hosts lrutop watches: QEMU's TCG marks it
		# unstable and falls back to the HPET, whose every read (each bpf_ktime_get_ns) is
		# an emulated device's, microseconds that no host pays.
		scripts/vng-run.sh --kernel-alias "$k" --memory 2048 --timeout 3000 \
			--append "clocksource=tsc tsc=reliable" -- \
			tests/vm/fastpath-guest.sh "$rounds" 2000 "$work" "$tracers" | tee "/tmp/lrutop-fastpath-$k.log" |
			sed -n 's/^.*LRUTOP-FASTPATH //p'
	done
	;;
inventory)
	[ $# -gt 0 ] || set -- 5.10 6.1
	scripts/bench-header.sh "make bench-inventory INVENTORY_KERNELS='$*'" \
		"(each: scripts/vm-run.sh --kernel-alias K --mem-per-node 2048" \
		"tests/vm/inventory-bench-guest.sh 500 1000 2)"
	for k in "$@"; do
		echo "== $k"
		scripts/vm-run.sh --kernel-alias "$k" --mem-per-node 2048 --timeout 900 \
			tests/vm/inventory-bench-guest.sh 500 1000 2 | sed -n 's/^.*LRUTOP-INVENTORY //p'
	done
	;;
*)	echo "bench-guests: unknown benchmark '$what' (hotpath, fastpath, inventory)" >&2; exit 2 ;;
esac
