#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The same container-host workload on two kernels, each point in a freshly booted guest
# (a pre-5.18 id space never shrinks, so points do not share a boot), measured by lrutop
# snapshot; then lrutop compare writes the tables and the chart.
#
# usage: scripts/ab.sh [-a KERNEL -b KERNEL] [--memcgs "N ..."] [--numa "K ..."]
#                      [--mounts M] [--touch T] [--shared S] [-o OUT_DIR]
# KERNEL: a series Debian carries (5.10, 6.12, 7.3, newest), pkg:NAME (a Debian kernel
# package) or the path of a bzImage (your own build).
# Without -a and -b: the before/after study, Debian 5.10 against 6.1, N = 10, 100, 1000 on
# one node and 100 on four, into docs/ab (AB_MEMCGS, AB_MOUNTS, AB_TOUCH, AB_SHARED and
# AB_NUMA_MEMCGS override its sweep). With them: every N on every node count, into OUT_DIR
# (default docs/ab/A-vs-B).
set -euo pipefail
# The commit the run is made on, as scripts/bench-header.sh names it ("dirty" if the tree
# has uncommitted changes: such a run is not for docs/). Read before the run, whose own
# outputs (docs/ab) are tracked files.
commit_of() {
	"$top/scripts/bench-header.sh" x | sed -n 's/^# commit: \([0-9a-f]*\) (\(clean\|dirty\).*/commit \1 (\2 tree)/p'
}
top=$(cd "$(dirname "$0")/.." && pwd)
made_at=$(commit_of)
a= b= out= numa_list=
memcgs=${AB_MEMCGS:-10 100 1000}
mounts=${AB_MOUNTS:-50} touch=${AB_TOUCH:-2} shared=${AB_SHARED:-2}
numa_memcgs=${AB_NUMA_MEMCGS:-100}
args=("$@")
while [ $# -gt 0 ]; do
	case "$1" in
	-a) a=$2; shift 2 ;;
	-b) b=$2; shift 2 ;;
	--memcgs) memcgs=$2; shift 2 ;;
	--numa) numa_list=$2; shift 2 ;;
	--mounts) mounts=$2; shift 2 ;;
	--touch) touch=$2; shift 2 ;;
	--shared) shared=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	-h | --help) sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "ab: unknown option '$1' (--help)" >&2; exit 2 ;;
	*) out=$1; shift ;;	# the old form: scripts/ab.sh OUT_DIR
	esac
done
if [ -n "$a$b" ] && { [ -z "$a" ] || [ -z "$b" ]; }; then
	echo "ab: give both kernels, -a KERNEL -b KERNEL" >&2
	exit 2
fi

# vm-run.sh's arguments for a kernel given as an alias, pkg:NAME or a path.
kernel_args() {
	case "$1" in
	pkg:*) echo "--kernel-package ${1#pkg:}" ;;
	*/*) [ -f "$1" ] || { echo "ab: no kernel image at $1" >&2; return 1; }
	     echo "--kernel $1" ;;
	*) echo "--kernel-alias $1" ;;
	esac
}

# One point: boot KERNEL with NODES nodes, run the workload for N memcgs, keep the snapshot
# as OUT/PREFIX<release>-mN-nNODES.json.
point() {
	local kernel=$1 n=$2 nodes=$3 prefix=$4 log snap rel kargs
	kargs=$(kernel_args "$kernel") || exit 1
	log=$(mktemp)
	# shellcheck disable=SC2086
	if ! "$top/scripts/vm-run.sh" $kargs --numa "$nodes" --timeout 900 \
		"$top/tests/vm/ab-guest.sh" "$n" "$mounts" "$touch" "$shared" > "$log" 2>&1; then
		grep -v '^LRUTOP-SNAPSHOT' "$log" | tail -20 >&2
		echo "ab: $kernel with $n memcgs on $nodes node(s) failed" >&2
		exit 1
	fi
	rel=$(sed -n 's/.*lrutop kernel: //p' "$log" | head -1)
	snap="$out/$prefix$rel-m$n-n$nodes.json"
	sed -n 's/^.*LRUTOP-SNAPSHOT //p' "$log" > "$snap"
	[ -s "$snap" ] || { echo "ab: $kernel with $n memcgs gave no snapshot" >&2; exit 1; }
	echo "ab: $snap" >&2
	echo "$snap"
	rm -f "$log"
}

# Whether a snapshot's kernel is after the patch: true or false.
patched() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["patched"])' "$1"
}

workload_words() {
	echo "The workload (\`tests/workload.c\`) is a container host: N memcgs, $mounts tmpfs"
	echo "mounts of which each memcg touches $touch (its containers'), $shared shared mounts every"
	echo "memcg touches, 2 files per memcg per mount."
}

# Two kernels given: every point on both, measured against measured (or against the model
# where one is before the patch and the other after).
any_two() {
	local n k pairs=() snap check=()
	out=${out:-$top/docs/ab/$(basename "$a")-vs-$(basename "$b")}
	mkdir -p "$out"
	for k in ${numa_list:-1}; do
		for n in $memcgs; do
			snap=$(point "$a" "$n" "$k" a-) || exit 1
			pairs+=("$snap")
			snap=$(point "$b" "$n" "$k" b-) || exit 1
			pairs+=("$snap")
		done
	done
	# Before against after: each side's measurement against the model from the other's.
	[ "$(patched "${pairs[0]}")" != "$(patched "${pairs[1]}")" ] && check=(--check 5)
	{
		echo "# list_lru memory of the same workload on $a and $b"
		echo
		echo "Made by \`scripts/ab.sh $(printf '%q ' "${args[@]}" | sed 's/ $//')\` on $(date -u +%Y-%m-%d) at $made_at: each kernel booted"
		echo "under QEMU (TCG), one fresh boot per point, lrutop snapshot with its default backend."
		workload_words
		echo "Measured: lists allocated for memcgs during the run and their bytes, each list's"
		echo "bytes the slot of the slab that holds it (read from the kernel: its struct page and"
		echo "kmem_cache with fentry, kmalloc's bytes_alloc with tracepoints); beside them what"
		echo "/proc/slabinfo shows of that kmalloc cache (its slot, and the slots its slabs gained"
		echo "over the run), the model's bytes per list from each kernel's BTF"
		echo "(\`sizeof(struct list_lru_one)\` x nodes + 16, rounded up to its kmalloc bucket), and"
		echo "what changed beyond 5%. Two kernels on the same side of the patch have no model"
		echo "between them: the model check runs only across the patch."
		echo
		echo "![memory against memcgs](chart.svg)"
		"$top/lrutop" compare "${check[@]}" --svg "$out/chart.svg" "${pairs[@]}" || check_rc=$?
	} > "$out/README.md"
	sed -i "s#$out/##g; s#$top/##g" "$out/README.md"
	echo "ab: $out/README.md, $out/chart.svg"
	# Across the patch, a model that disagrees with a measurement: the tables are written,
	# and the run says so.
	[ "${check_rc:-0}" -eq 0 ] || echo "ab: compare ${check[*]} failed: see $out/README.md" >&2
	return "${check_rc:-0}"
}

before_after() {
	local n k pairs=() numa=() snap
	out=${out:-$top/docs/ab}
	mkdir -p "$out"
	for n in $memcgs; do
		for k in 5.10 6.1; do
			snap=$(point "$k" "$n" 1 "") || exit 1
			pairs+=("$snap")
		done
	done
	for k in 5.10 6.1; do
		snap=$(point "$k" "$numa_memcgs" 4 "") || exit 1
		numa+=("$snap")
	done
	cmd="scripts/ab.sh (AB_MEMCGS='$memcgs' AB_MOUNTS=$mounts AB_TOUCH=$touch AB_SHARED=$shared AB_NUMA_MEMCGS=$numa_memcgs)"
	{
		echo "# list_lru memory before and after \"mm: introduce kmem_cache_alloc_lru\""
		echo
		echo "Made by \`$cmd\` on $(date -u +%Y-%m-%d) at $made_at: Debian's kernels booted under QEMU (TCG),"
		echo "one fresh boot per point, lrutop's fentry backend."
		workload_words
		echo "Measured: lists kmalloc'd for memcgs during the run (before: \`__memcg_init_list_lru_node\`;"
		echo "after: \`memcg_list_lru_alloc\`, temporary tables subtracted). The model (README, \"The"
		echo "model\") predicts each kernel from the other's run."
		echo
		echo "![memory against memcgs](chart.svg)"
		echo
		echo "## One NUMA node"
		"$top/lrutop" compare --check 5 --svg "$out/chart.svg" "${pairs[@]}"
		echo
		echo "## Four NUMA nodes (\`--numa 4\`)"
		echo
		echo "Before the patch, memory grows with nodes x ids; after it, with populated pairs"
		echo "(one list per pair holds all nodes: 16 + 4 x 24 bytes, kmalloc-128)."
		"$top/lrutop" compare --check 5 "${numa[@]}"
	} > "$out/README.md"
	sed -i "s#$out/##g; s#$top/##g" "$out/README.md"
	echo "ab: $out/README.md, $out/chart.svg"
}

if [ -n "$a" ]; then
	any_two
else
	before_after
fi
