#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every test binary, then print one summary line: "N passed, N failed".
# Unit tests plan against the BTF of Debian's 5.10, 6.1 and 6.12 kernels (fetched once into
# .cache/); host tests load lrutop on this machine's kernel and need root; kernel tests boot
# those three kernels under QEMU and run the test_kernel_* tests there with the fentry
# backend (LRUTOP_VM=0 leaves them out).
set -u
cd "$(dirname "$0")/.."
export LRUTOP_KERNELS=${LRUTOP_KERNELS:-$PWD/.cache/kernels}
export LRUTOP_BIN=${LRUTOP_BIN:-$PWD/lrutop}

for k in 5.10 6.1 6.12; do
	scripts/fetch-kernel.sh "$k" >/dev/null || echo "tests: could not fetch the $k kernel's BTF" >&2
done

passed=0
failed=0
tally() {
	local out=$1 rc=$2 p f
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<< "$out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<< "$out" | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	# A binary that died before cmocka's summary counts as one failure.
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		failed=$((failed + 1))
	fi
	echo "${p:-0} passed, ${f:-0} failed: $3"
}

tests="build/test_units build/test_probe build/test_host"
[ -n "${LRUTOP_ONLY_VM:-}" ] && tests=
for t in $tests; do
	echo "== $t"
	out=$("$t" 2>&1)
	rc=$?
	echo "$out"
	tally "$out" "$rc" "$t"
done

if [ "${LRUTOP_VM:-1}" != 0 ]; then
	for k in 5.10 6.1 6.12; do
		echo "== kernel $k under QEMU"
		out=$(scripts/vm-run.sh --kernel-alias "$k" --add build/test_host tests/vm/guest.sh 2>&1)
		rc=$?
		grep -E '^(lrutop backend|\[|ERROR|vm-run)' <<< "$out"
		tally "$out" "$rc" "$(cat "$LRUTOP_KERNELS/$k/release" 2>/dev/null || echo "$k")"
	done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
