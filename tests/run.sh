#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every test binary, then print one summary line: "N passed, N failed, N skipped".
# Unit tests plan against the BTF of Debian's kernels (fetched once into .cache/); host tests
# load lrutop on this machine's kernel and need root; kernel tests boot Debian 5.10, 6.1,
# 6.12, 6.18 and the newest series under QEMU and run the test_kernel_* tests there with the
# fentry backend, and 6.18 once more under virtme-ng (LRUTOP_VM=0 leaves them out).
# LRUTOP_VM_KERNELS picks other kernels (none: no QEMU guest):
# series (7.1, newest; "all" for every series Debian carries), pkg:NAME for a Debian kernel
# package, or the path of a bzImage. A test skipped where it must run is a failure.
set -u
cd "$(dirname "$0")/.."
export LRUTOP_KERNELS=${LRUTOP_KERNELS:-$PWD/.cache/kernels}
export LRUTOP_BIN=${LRUTOP_BIN:-$PWD/lrutop}

for k in 5.10 6.1 6.12 6.18 7.3; do
	scripts/fetch-kernel.sh "$k" >/dev/null || echo "tests: could not fetch the $k kernel's BTF" >&2
done

passed=0
failed=0
skipped=0
# The tests a cmocka source file lists in its main(): $2 (a glob) narrows them, as
# LRUTOP_TESTS does in the guests.
listed() {
	grep -cE "^[[:space:]]*cmocka_unit_test(_teardown)?\(${2:-}" "$1"
}
# Add a cmocka binary's summary to the totals. $4: how many of its tests may skip (those
# that do not apply to the kernel under test); more is a failure. $5: how many it must have
# run (passed, failed or skipped), where a run of fewer is a failure: a pass left out, a
# test gone.
tally() {
	local out=$1 rc=$2 may_skip=${4:-0} want=${5:-} p f s
	# Every cmocka summary in the output (a guest runs its tests once per backend).
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<< "$out" | awk '{ n += $1 } END { if (NR) print n }')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<< "$out" | awk '{ n += $1 } END { if (NR) print n }')
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' <<< "$out" | awk '{ n += $1 } END { if (NR) print n }')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	skipped=$((skipped + ${s:-0}))
	# A binary that died before cmocka's summary counts as one failure.
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		failed=$((failed + 1))
	fi
	if [ "${s:-0}" -gt "$may_skip" ]; then
		echo "tests: $3 skipped ${s} tests where at most $may_skip may skip" >&2
		failed=$((failed + 1))
	fi
	if [ -n "$want" ] && [ $((${p:-0} + ${f:-0} + ${s:-0})) -ne "$want" ]; then
		echo "tests: $3 ran $((${p:-0} + ${f:-0} + ${s:-0})) tests where $want must run" >&2
		failed=$((failed + 1))
	fi
	echo "${p:-0} passed, ${f:-0} failed, ${s:-0} skipped: $3"
}

# shellcheck source=scripts/kernel-skips.sh
. scripts/kernel-skips.sh

# The guest's JSON Lines against the documented schema, from the fentry backend, with the
# parts it must fill: pairs, list_lrus and latency histograms after the patch, id-space
# growths before it.
check_guest_jsonl() {
	local jsonl msg need
	jsonl=$(mktemp)
	sed -n 's/^.*LRUTOP-JSONL //p' <<< "$1" > "$jsonl"
	if grep -q '^lrutop list_lru: eager' <<< "$1"; then
		need=(--nonempty growths)
	else
		need=(--nonempty pairs --nonempty lrus --nonempty hist.latency_ns
		      --nonempty hist.latency_alloc_ns)
	fi
	if msg=$(tests/check_jsonl.py --min-lines 3 --backend fentry "${need[@]}" \
		 docs/lrutop-jsonl.schema.json "$jsonl"); then
		passed=$((passed + 1))
		echo "1 passed, 0 failed: $2 JSON Lines schema"
	else
		failed=$((failed + 1))
		echo "$msg"
		echo "0 passed, 1 failed: $2 JSON Lines schema"
	fi
	rm -f "$jsonl"
}

prom_dir=$(mktemp -d)
trap 'rm -rf "$prom_dir"' EXIT
dir=${LRUTOP_TEST_DIR:-build}
tests="$(echo "$dir"/unit/test_*) $dir/test_probe $dir/test_host $dir/test_reliability"
[ -n "${LRUTOP_ONLY_VM:-}" ] && tests=
for t in $tests; do
	echo "== $t (at ${SECONDS} s)"
	out=$("$t" 2>&1)
	rc=$?
	echo "$out"
	# The host's kernel is either before or after the patch: one kernel test skips, and
	# before 7.2 (no THP deferred-split list_lru) the THP one too.
	# valgrind cannot run a sanitized build: under make sanitize its test skips.
	src=tests/${t#"$dir"/}.c
	case "$t" in
	# The test_faults_* run only in a kernel built to fail allocations (ci-kernel.sh --faults).
	*test_host) tally "$out" "$rc" "$t" $((1 + $(no_thp_lru < /proc/kallsyms) + $(no_swap <<< "$out"))) \
			"$(($(listed "$src") - $(listed "$src" test_faults_)))" ;;
	*test_reliability) tally "$out" "$rc" "$t" "${LRUTOP_SANITIZED:+1}" "$(listed "$src")" ;;
	*) tally "$out" "$rc" "$t" 0 "$(listed "$src")" ;;
	esac
done

# Every figure of docs/BENCHMARKS.md is in the raw output it cites, made by a named command
# on a clean commit; every A/B document names its command and clean commit; every screen
# README shows is a kept raw output's; every include of src/ comes from its own layer or one
# below; and each check fails on what it is there to catch (--self-test).
doc_checks=(
	"tests/check_bench_doc.py|docs/BENCHMARKS.md"
	"tests/check_ab_docs.py|docs/ab"
	"tests/check_doc_screens.py|README.md|## What it looks like"
	"tests/check_layers.py|src"
)
if [ -z "${LRUTOP_ONLY_VM:-}" ]; then
	for check in "${doc_checks[@]}"; do
		IFS='|' read -r -a argv <<< "$check"
		for mode in "" --self-test; do
			echo "== ${argv[*]} $mode"
			if "${argv[0]}" $mode "${argv[@]:1}"; then
				passed=$((passed + 1))
			else
				failed=$((failed + 1))
			fi
		done
	done
fi

# What make says where it cannot install what it needs (not Debian, not root, no network).
if [ -z "${LRUTOP_ONLY_VM:-}" ]; then
	echo "== tests/check_deps.sh"
	if tests/check_deps.sh; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
fi

vm_kernels=${LRUTOP_VM_KERNELS:-5.10 6.1 6.12 6.18 newest}
kernel_tests=$(listed tests/test_host.c test_kernel_)
# Booted with slab debugging that widens the slots of the cache the lists live in (user
# tracking; red zones; slabs of four pages, so lists sit on compound pages' tails), on 2
# NUMA nodes after the patch: a list's bytes are its slot as /proc/slabinfo shows it, which
# no arithmetic on the type gives. The other kernels boot plain.
boot_args() {
	boot=()
	case "$1" in
	5.10) boot=(--cmdline "slub_debug=U,kmalloc-32") ;;
	6.18) boot=(--numa 2 --cmdline "slub_debug=U,kmalloc-96") ;;
	newest) boot=(--numa 2 --cmdline "slub_min_order=2 slub_debug=ZU,kmalloc-96") ;;
	esac
}
[ "$vm_kernels" = all ] && vm_kernels=$(scripts/fetch-kernel.sh --list)
[ "$vm_kernels" = none ] && vm_kernels=
# Every other series Debian carries, at every run: the exactness, owner/cause and per-kind
# tests (each checks lrutop's start-up self-check too) with both backends, in a plain boot.
# One guest at a time in the background, on the core the guests below leave idle (each has
# one vCPU); their lines come at the end, one a kernel. LRUTOP_SWEEP_KERNELS names them
# (none: no sweep; default: those of fetch-kernel.sh --list that the loop below does not boot).
sweep_kernels=${LRUTOP_SWEEP_KERNELS:-}
if [ -z "$sweep_kernels" ] && [ -z "${LRUTOP_VM_KERNELS:-}" ]; then
	all=$(scripts/fetch-kernel.sh --list) || all=
	newest=$(tail -1 <<< "$all")
	for k in $all; do
		case " $vm_kernels " in *" $k "*) continue ;; esac
		[ "$k" = "$newest" ] && case " $vm_kernels " in *" newest "*) continue ;; esac
		sweep_kernels+="$k "
	done
fi
[ "$sweep_kernels" = none ] && sweep_kernels=
[ "${LRUTOP_VM:-1}" = 0 ] && sweep_kernels=
sweep=$(mktemp -d)
trap 'rm -rf "$prom_dir" "$sweep"' EXIT
if [ -n "$sweep_kernels" ]; then
	for k in $sweep_kernels; do
		scripts/vm-run.sh --kernel-alias "$k" --timeout 600 --add build/test_host \
			tests/vm/guest.sh sweep > "$sweep/$k.log" 2>&1
		echo $? > "$sweep/$k.rc"
	done &
	sweep_pid=$!
fi

if [ "${LRUTOP_VM:-1}" != 0 ]; then
	for k in $vm_kernels; do
		case "$k" in
		pkg:*)	how=(--kernel-package "${k#pkg:}") ;;
		*/*)	how=(--kernel "$k") ;;
		*)	how=(--kernel-alias "$k") ;;
		esac
		boot_args "$k"
		echo "== kernel $k under QEMU${boot[*]:+ (${boot[*]})} (at ${SECONDS} s)"
		# Ten minutes: on a slower host, 7.3 on two nodes with four-page slabs ran past
		# vm-run's default of 240 s under TCG with two of its three passes done.
		out=$(scripts/vm-run.sh "${how[@]}" "${boot[@]}" --timeout 600 --add build/test_host tests/vm/guest.sh 2>&1)
		rc=$?
		grep -E '^(lrutop backend|lrutop list_lru|lrutop thp list_lru|lrutop list bytes|self-check|\[|ERROR|vm-run|eager lists|guest:)' <<< "$out"
		rel=$(sed -n 's/.*lrutop kernel: //p' <<< "$out" | head -1)
		# Once a backend: how many must run and may skip, scripts/kernel-skips.sh.
		tally "$out" "$rc" "${rel:-$k}" "$(guest_may_skip "$out" 2)" \
			"$(guest_must_run "$out" "$kernel_tests")"
		check_guest_jsonl "$out" "${rel:-$k}"
		# Its Prometheus textfile, for the dashboard and rules check below.
		sed -n 's/^.*LRUTOP-PROM //p' <<< "$out" | tr -d '\r' > "$prom_dir/${rel:-$k}.prom"
	done
fi
# The kernel tests under virtme-ng, as users boot a kernel: the host's root shared into the
# guest, the dynamic ./lrutop and build/test_host run as they are (scripts/vm-run.sh
# --runner vng, scripts/vng-run.sh). LRUTOP_VNG_KERNELS picks the kernels (none: no vng).
vng_kernels=${LRUTOP_VNG_KERNELS:-6.18}
[ "$vng_kernels" = none ] && vng_kernels=
if [ "${LRUTOP_VM:-1}" != 0 ] && { [ -z "${LRUTOP_VM_KERNELS:-}" ] || [ -n "${LRUTOP_VNG_KERNELS:-}" ]; }; then
	for k in $vng_kernels; do
		echo "== kernel $k under virtme-ng (at ${SECONDS} s)"
		out=$(scripts/vm-run.sh --runner vng --kernel-alias "$k" --timeout 900 \
			--add build/test_host tests/vm/guest.sh fentry-only 2>&1)
		rc=$?
		grep -E '^(lrutop backend|lrutop list_lru|self-check|\[|ERROR|vm-run|vng-run|guest:)' <<< "$out"
		rel=$(sed -n 's/.*lrutop kernel: //p' <<< "$out" | head -1)
		# The eager kernel test does not apply after the patch, nor the THP one before 7.2.
		tally "$out" "$rc" "vng ${rel:-$k}" "$(guest_may_skip "$out" 1)" "$kernel_tests"
	done
fi
# A small A/B: the same 20-memcg container host on 5.10 and 6.1, each in a fresh boot; each
# kernel's measurement must agree with the model made from the other's run within 5%.
if [ "${LRUTOP_VM:-1}" != 0 ] && [ -z "${LRUTOP_VM_KERNELS:-}" ]; then
	echo "== A/B: 20 memcgs on 5.10 and 6.1 (at ${SECONDS} s)"
	ab=$(mktemp -d)
	ab_rc=0
	for k in 5.10 6.1; do
		scripts/vm-run.sh --kernel-alias "$k" --timeout 600 tests/vm/ab-guest.sh 20 10 2 2 > "$ab/$k.log" 2>&1 ||
			{ ab_rc=$?; echo "tests: the A/B guest on $k failed (status $ab_rc)" >&2; }
		sed -n 's/^.*LRUTOP-SNAPSHOT //p' "$ab/$k.log" > "$ab/$k.json"
	done
	# The patched kernel must have made exactly the lists the workload predicts.
	want=$(sed -n 's/.*"summary".*"expected_lists":\([0-9]*\).*/\1/p' "$ab/6.1.log" | tail -1)
	got=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["measured"]["lists"])' \
		"$ab/6.1.json" 2>/dev/null)
	if [ -z "$want" ] || [ "$want" != "$got" ]; then
		echo "tests: the patched A/B run measured ${got:-no} lists where the workload made ${want:-?}" >&2
		ab_rc=1
	fi
	if [ "$ab_rc" -eq 0 ] &&
	   ./lrutop compare --check 5 "$ab/5.10.json" "$ab/6.1.json" > "$ab/out" 2>&1; then
		passed=$((passed + 1))
		grep -E '^\| (list_lru lists|model vs)|^Model check' "$ab/out"
		echo "1 passed, 0 failed: A/B model check"
	else
		failed=$((failed + 1))
		cat "$ab/out"
		tail -20 "$ab/5.10.log" "$ab/6.1.log"
		echo "0 passed, 1 failed: A/B model check"
	fi
	rm -rf "$ab"
fi
# Two patched kernels against each other: the same 20-memcg host on 6.12 and 6.18, 2 nodes,
# each memcg touching 40 mounts (enough lists that the rest of the workload's kmallocs stay a
# small share of their cache). A list costs what its slab slot is (list_lru_one 24 bytes on
# 6.12, 32 on 6.18: kmalloc-64 and kmalloc-96 for 2 nodes), measured two ways: lrutop's
# bytes per list against the cache's objsize in /proc/slabinfo, exactly; its bytes against
# the slots that cache's slabs gained over the run (num_objs x objsize), from 10% fewer (free
# slots in the slabs at the start take lists without a new slab) to 20% more (the workload's
# mounts and memcgs take some of the same cache: +8.8% on 6.12's kmalloc-64 and +11.9% on
# 6.18's kmalloc-96 in docs/bench/ci-run-e34a718.txt, a slab of 42 slots moving it 2.4%).
# Both kernels must make the same lists.
if [ "${LRUTOP_VM:-1}" != 0 ] && [ -z "${LRUTOP_VM_KERNELS:-}" ]; then
	echo "== A/B of two patched kernels: 20 memcgs x 40 mounts on 6.12 and 6.18, 2 nodes (at ${SECONDS} s)"
	abo=$(mktemp -d)
	if scripts/ab.sh -a 6.12 -b 6.18 --numa 2 --memcgs 20 --mounts 40 --touch 40 -o "$abo" \
		> "$abo/log" 2>&1 &&
	   python3 - "$abo" <<'EOF'
import glob, json, sys

snaps = [json.load(open(f)) for f in sorted(glob.glob(sys.argv[1] + '/[ab]-*.json'))]
ok = len(snaps) == 2
for s in snaps:
    m, slab = s['measured'], s['slab']
    gained = (slab['end']['num_objs'] - slab['start']['num_objs']) * slab['objsize']
    per = m['bytes'] / m['lists'] if m['lists'] else 0
    off = 100.0 * (gained - m['bytes']) / m['bytes'] if m['bytes'] else float('inf')
    print(f"{s['kernel']}: {m['lists']} lists, {m['bytes']} bytes, {per:.1f} a list; "
          f"/proc/slabinfo: {slab['cache']} objsize {slab['objsize']}, slots gained "
          f"{gained} bytes ({off:+.1f}%); command status {s['command_status']}")
    ok = ok and per == slab['objsize'] and -10 <= off <= 20 and s['command_status'] == 0
ok = ok and snaps[0]['measured']['lists'] == snaps[1]['measured']['lists'] > 0
ok = ok and snaps[0]['slab']['objsize'] != snaps[1]['slab']['objsize']
sys.exit(0 if ok else 1)
EOF
	then
		passed=$((passed + 1))
		echo "1 passed, 0 failed: A/B of two patched kernels"
	else
		failed=$((failed + 1))
		tail -30 "$abo/log" "$abo/README.md" 2>/dev/null
		echo "0 passed, 1 failed: A/B of two patched kernels"
	fi
	rm -rf "$abo"
fi
# The four-state model against the kernels' own slab counts: a container host of 400 memcgs
# and 200 mounts on 2 nodes (large enough that the kernel's other kmalloc-32 objects stay
# well under 1% of the eager lists). 5.10's kmalloc-32 must rise by the model's eager lists
# (within 2%), 6.1's by under 5% of them.
if [ "${LRUTOP_VM:-1}" != 0 ] && [ -z "${LRUTOP_VM_KERNELS:-}" ]; then
	echo "== the model against /proc/slabinfo: 400 memcgs, 200 mounts, 2 nodes (at ${SECONDS} s)"
	for side_k in before:5.10 after:6.1; do
		out=$(scripts/model-vm.sh "${side_k%%:*}" "${side_k#*:}" 400 200 1 0 2 2>&1)
		rc=$?
		echo "$out" | grep -E '^(\||model-vm:)'
		if [ "$rc" -eq 0 ]; then
			passed=$((passed + 1))
			echo "1 passed, 0 failed: model against slabinfo on ${side_k#*:}"
		else
			failed=$((failed + 1))
			echo "$out" | tail -20
			echo "0 passed, 1 failed: model against slabinfo on ${side_k#*:}"
		fi
	done
fi
# The sweep's guests, one line a kernel.
if [ -n "$sweep_kernels" ]; then
	sweep_tests=$(sed -n 's/.*export LRUTOP_TESTS=\(test_kernel_.*\)/\1/p' tests/vm/guest.sh | tr ',' '\n' | wc -l)
	echo "== every other series, $sweep_tests tests with each backend: $sweep_kernels (at ${SECONDS} s)"
	wait "$sweep_pid"
	for k in $sweep_kernels; do
		out=$(cat "$sweep/$k.log")
		# A failure's reason too: cmocka's assertion and its line.
		grep -E '^(ERROR|vm-run|guest:)|FAILED|^\[  ERROR|^\[   LINE' <<< "$out"
		rel=$(sed -n 's/.*lrutop kernel: //p' <<< "$out" | head -1)
		# Before the patch none of them applies; before 7.2 the THP one does not.
		skips=$((2 * $(guest_no_thp_lru <<< "$out")))
		grep -q '^lrutop list_lru: eager' <<< "$out" && skips=$((2 * sweep_tests))
		tally "$out" "$(cat "$sweep/$k.rc" 2> /dev/null || echo 1)" "${rel:-$k} (sweep)" "$skips" \
			$((2 * sweep_tests))
	done
fi
# The Grafana dashboard and the alert rules query only families lrutop really exports: the
# host's exporter (tracepoint backend) and the guests' textfiles (fentry: the latency
# histogram). The rules are checked and unit-tested by promtool on series of those names.
if [ -z "${LRUTOP_ONLY_VM:-}" ] && [ "${LRUTOP_VM:-1}" != 0 ] && [ -z "${LRUTOP_VM_KERNELS:-}" ]; then
	echo "== the Grafana dashboard and the Prometheus rules (at ${SECONDS} s)"
	# The live exporter's /metrics, once its inventory has run.
	rm -f "$prom_dir/host.prom"
	./lrutop --listen 127.0.0.1:19843 --inventory-interval 1 1 2> /dev/null &
	exporter=$!
	for _ in $(seq 50); do
		curl -sf http://127.0.0.1:19843/metrics -o "$prom_dir/host.prom" &&
			grep -q '^lrutop_list_lru_held_lists ' "$prom_dir/host.prom" && break
		sleep 0.2
	done
	kill "$exporter"
	wait "$exporter" 2> /dev/null
	exporter_rc=$?
	[ "$exporter_rc" -eq 0 ] || echo "tests: the exporter exited with $exporter_rc after SIGTERM" >&2
	# What the exporter started here served, and the fentry-only families from the guests.
	if [ "$exporter_rc" -eq 0 ] &&
	   tests/check_dashboard.py docs/grafana/lrutop-dashboard.json docs/prometheus/lrutop.rules.yml \
		"$prom_dir/host.prom" $(ls "$prom_dir"/*.prom | grep -v '/host\.prom$') &&
	   promtool check rules docs/prometheus/lrutop.rules.yml > /dev/null &&
	   (cd docs/prometheus && promtool test rules lrutop.rules.test.yml); then
		passed=$((passed + 1))
		echo "1 passed, 0 failed: dashboard and rules"
	else
		failed=$((failed + 1))
		echo "0 passed, 1 failed: dashboard and rules"
	fi
fi
# The Debian package: built, checked by lintian, installed, run, verified, purged.
if [ -z "${LRUTOP_ONLY_VM:-}" ]; then
	echo "== the Debian package (at ${SECONDS} s)"
	scripts/pkg-test.sh
	rc=$?
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		echo "1 passed, 0 failed: Debian package"
	elif [ "$rc" -eq 77 ]; then
		skipped=$((skipped + 1))
		echo "0 passed, 0 failed, 1 skipped: Debian package"
	else
		failed=$((failed + 1))
		echo "0 passed, 1 failed: Debian package"
	fi
fi
# The operator's host: the package installed by apt in a booted Debian 12 with systemd, the
# exporter's unit, a real Prometheus scraping it (scripts/systemtest.sh). Each check counts.
if [ -z "${LRUTOP_ONLY_VM:-}" ] && [ "${LRUTOP_VM:-1}" != 0 ] && [ -z "${LRUTOP_VM_KERNELS:-}" ]; then
	echo "== the system test (Debian 12, systemd, Prometheus) (at ${SECONDS} s)"
	out=$(scripts/systemtest.sh 2>&1)
	rc=$?
	echo "$out"
	line=$(tail -1 <<< "$out")
	p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<< "$line")
	f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<< "$line")
	if [ "$rc" -eq 77 ]; then
		skipped=$((skipped + 1))
	elif [ -z "$p" ] || { [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; }; then
		failed=$((failed + ${f:-0} + 1))
		passed=$((passed + ${p:-0}))
	else
		passed=$((passed + p))
		failed=$((failed + f))
	fi
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
