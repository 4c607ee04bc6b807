#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One refresh's CPU at ROWS memcgs (build/bench-refresh), this tree against an older commit,
# interleaved round by round on this machine: what a change of code costs, apart from what
# a change of machine does. The older build is made in a temporary worktree.
# usage: scripts/bench-refresh-ab.sh COMMIT [ROWS [ROUNDS]]   (defaults 100000, 5)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ab-lib.sh
old=${1:?usage: bench-refresh-ab.sh COMMIT [ROWS [ROUNDS]]}
rows=${2:-100000}
rounds=${3:-5}
trap ab_remove EXIT
ab_worktree "$old" build/bench-refresh
make -s build/bench-refresh > /dev/null
scripts/bench-header.sh "scripts/bench-refresh-ab.sh $old $rows $rounds"
echo "== build/bench-refresh $rows 11, CPU of one refresh (median of 11) a round: $(git rev-parse --short=12 "$old") then this tree"
cpu() {
	"$1" "$rows" 11 | sed -n 's/.*"refresh_cpu_ms":\([0-9.]*\).*/\1/p'
}
for _ in $(seq "$rounds"); do
	echo "  $(cpu "$wt/build/bench-refresh") $(cpu build/bench-refresh)"
done | awk '{ print; a[NR] = $1; b[NR] = $2; r[NR] = $2 / $1 }
	function med(v, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
	END { printf "  median: older %.2f ms, this tree %.2f ms, ratio of the rounds %.3f\n", med(a, NR), med(b, NR), med(r, NR) }'
