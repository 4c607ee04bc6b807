#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make kernel-faults: for each series, Debian's linux-source built to fail allocations on
# purpose (scripts/ci-kernel.sh --faults: built once, then kept), booted, and the
# test_faults_* run in it with both backends. Prints each kernel's line, then the total as
# "N passed, N failed, N skipped"; non-zero if any failed.
# usage: scripts/kernel-faults.sh SERIES...
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || { echo "usage: kernel-faults.sh SERIES..." >&2; exit 2; }
passed=0 failed=0 skipped=0
for series in "$@"; do
	t0=$(date +%s)
	out=$("$top/scripts/ci-kernel.sh" --faults --linux-source "$series" 2>&1)
	rc=$?
	echo "$out" | grep -vE '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$'
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' <<< "$out" | tail -1)
	read -r p _ f _ s _ <<< "${line:-0 passed, 1 failed, 0 skipped}"
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	echo "faults $series: $p passed, $f failed, $s skipped ($(( $(date +%s) - t0 )) s)"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
