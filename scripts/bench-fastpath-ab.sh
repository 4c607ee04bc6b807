#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The fentry backend where a file server works (make bench-fastpath), this tree against an
# older commit in the same guests, interleaved round by round beside the do-nothing floor:
# what a change of the BPF programs costs, apart from what the machine does from one run to
# the next (under TCG on a shared host the floor itself moves by a third between runs). The
# older lrutop is built in a temporary worktree into build/ab/lrutop, which the guest runs
# as tracer "ab".
# usage: scripts/bench-fastpath-ab.sh COMMIT [SERIES [ROUNDS [WORK]]]
#   (defaults: 6.1, 7 rounds, tmpfs; WORK: any of tmpfs ext4 read)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ab-lib.sh
old=${1:?usage: bench-fastpath-ab.sh COMMIT [SERIES [ROUNDS [WORK]]]}
series=${2:-6.1}
rounds=${3:-7}
work=${4:-tmpfs}
scripts/deps.sh test vng bench
trap ab_remove EXIT
ab_worktree "$old" lrutop
make -s lrutop build/bench-files build/bench-runs build/bench-floor build/floor_fentry.bpf.o > /dev/null
mkdir -p build/ab
cp "$wt/lrutop" build/ab/lrutop
FASTPATH_WORK=$work FASTPATH_TRACERS="lrutop ab" scripts/bench-guests.sh fastpath "$series" "$rounds" |
	sed "1s|^# command: .*|# command: scripts/bench-fastpath-ab.sh $old $series $rounds $work|
3a # ab: build/ab/lrutop is $(git rev-parse --short=12 "$old"); lrutop is this tree"
