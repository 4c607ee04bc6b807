#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The first lines of a benchmark's raw output: the command that made it and the commit it
# ran on. docs/BENCHMARKS.md quotes only outputs whose commit is clean and committed
# (tests/check_bench_doc.py checks both).
# usage: scripts/bench-header.sh COMMAND...
set -euo pipefail
cd "$(dirname "$0")/.."
commit=$(git rev-parse --short=12 HEAD 2> /dev/null || echo unknown)
state=clean
[ -z "$(git status --porcelain --untracked-files=no 2> /dev/null)" ] || state="dirty: not for docs"
echo "# command: $*"
echo "# commit: $commit ($state)"
echo "# date: $(date -u +%Y-%m-%dT%H:%MZ)"
