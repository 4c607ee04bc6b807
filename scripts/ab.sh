#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Before/after the patch: the same container-host workload on Debian 5.10 (before) and 6.1
# (after), each point in a freshly booted guest, measured by lrutop snapshot; then lrutop
# compare writes the tables and the chart.
#
# usage: scripts/ab.sh [OUT_DIR]     (default docs/ab; AB_MEMCGS, AB_MOUNTS, AB_TOUCH,
#                                      AB_SHARED, AB_NUMA_MEMCGS override the sweep)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/docs/ab}
memcgs=${AB_MEMCGS:-10 100 1000}
mounts=${AB_MOUNTS:-50} touch=${AB_TOUCH:-2} shared=${AB_SHARED:-2}
numa_memcgs=${AB_NUMA_MEMCGS:-100}
mkdir -p "$out"

# One point: boot KERNEL with NODES nodes, run the workload for N memcgs, keep the snapshot.
point() {
	local kernel=$1 n=$2 nodes=$3 log snap rel
	log=$(mktemp)
	if ! "$top/scripts/vm-run.sh" --kernel-alias "$kernel" --numa "$nodes" --timeout 900 \
		"$top/tests/vm/ab-guest.sh" "$n" "$mounts" "$touch" "$shared" > "$log" 2>&1; then
		grep -v '^LRUTOP-SNAPSHOT' "$log" | tail -20 >&2
		echo "ab: $kernel with $n memcgs on $nodes node(s) failed" >&2
		exit 1
	fi
	rel=$(sed -n 's/.*lrutop kernel: //p' "$log" | head -1)
	snap="$out/$rel-m$n-n$nodes.json"
	sed -n 's/^.*LRUTOP-SNAPSHOT //p' "$log" > "$snap"
	[ -s "$snap" ] || { echo "ab: $kernel with $n memcgs gave no snapshot" >&2; exit 1; }
	echo "ab: $snap" >&2
	echo "$snap"
	rm -f "$log"
}

# A failed point ends the run (a command substitution's exit alone would not).
pairs=() numa=()
for n in $memcgs; do
	for k in 5.10 6.1; do
		snap=$(point "$k" "$n" 1) || exit 1
		pairs+=("$snap")
	done
done
for k in 5.10 6.1; do
	snap=$(point "$k" "$numa_memcgs" 4) || exit 1
	numa+=("$snap")
done

cmd="scripts/ab.sh (AB_MEMCGS='$memcgs' AB_MOUNTS=$mounts AB_TOUCH=$touch AB_SHARED=$shared AB_NUMA_MEMCGS=$numa_memcgs)"
{
	echo "# list_lru memory before and after \"mm: introduce kmem_cache_alloc_lru\""
	echo
	echo "Made by \`$cmd\` on $(date -u +%Y-%m-%d): Debian's kernels booted under QEMU (TCG),"
	echo "one fresh boot per point, lrutop's fentry backend. The workload (\`tests/workload.c\`)"
	echo "is a container host: N memcgs, $mounts tmpfs mounts of which each memcg touches $touch"
	echo "(its containers'), $shared shared mounts every memcg touches, 2 files per memcg per mount."
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
