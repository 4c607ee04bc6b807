#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# docs/ab/model/'s raw outputs, each headed by its command and the commit it ran on
# (scripts/bench-header.sh): lrutop model at the scales docs/ab/model.md quotes, and
# scripts/model-vm.sh booting Debian 5.10 and 6.1 at them (a few minutes under TCG).
# usage: scripts/model-docs.sh [OUT_DIR]   (default docs/ab/model)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${1:-docs/ab/model}
mkdir -p "$out"
# The commit before the run: its outputs are tracked files, which make the tree dirty.
header=$(scripts/bench-header.sh x | sed -n '/^# commit:/p; /^# date:/p')
rc=0

# FILE COMMAND...: the command's output, headed, into OUT_DIR/FILE.
one() {
	local file=$1
	shift
	(
		echo "# command: $*"
		echo "$header"
		echo "\$ $*"
		"$@" 2>&1
		status=$?
		echo "exit $status"
		exit "$status"
	) > "$out/$file.new" || rc=1
	mv "$out/$file.new" "$out/$file"
	echo "model-docs: $out/$file"
}

one cover-letter.txt ./lrutop model --cover-letter
one model-m200-n2.txt ./lrutop model --memcgs 201 --mounts 100 --lrus 245 --nodes 2 --pairs 600
one model-m2000-n2.txt ./lrutop model --memcgs 2001 --mounts 1000 --lrus 2045 --nodes 2 --pairs 6000
one model-m400-n1.txt ./lrutop model --memcgs 401 --mounts 1200 --lrus 2445 --nodes 1 --pairs 4800
for side_k in before:5.10 after:6.1; do
	side=${side_k%%:*} k=${side_k#*:}
	one "model-vm-$k-m200-t100-n2.txt" scripts/model-vm.sh "$side" "$k" 200 100 1 0 2
	one "model-vm-$k-m2000-t1000-n2.txt" scripts/model-vm.sh "$side" "$k" 2000 1000 1 0 2 1536
	one "model-vm-$k-m400-t1200-n1.txt" scripts/model-vm.sh "$side" "$k" 400 1200 3 0 1 2048
	# make test's point: the inventory against the model.
	one "model-vm-inventory-$k-400x200-n2.txt" scripts/model-vm.sh "$side" "$k" 400 200 1 0 2
done
exit $rc
