#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# README's "What it looks like": the batch screens it shows, made on this host (by owner, then
# by cause around the same workload run again) and in Debian's 7.3 booted under QEMU (the
# fentry backend), into one raw output headed by its command and commit.
# usage: scripts/readme-screens.sh [OUT_FILE]   (default docs/bench/screens-COMMIT.txt)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${1:-docs/bench/screens-$(git rev-parse --short=7 HEAD).txt}
cgroot=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$cgroot" ] && grep -qw memory "$cgroot/cgroup.controllers" 2>/dev/null ||
	cgroot=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/self/mounts)
[ -n "$cgroot" ] || { echo "readme-screens: no memory cgroup hierarchy mounted" >&2; exit 1; }
mnt=$(mktemp -d /tmp/lrutop-screens-XXXXXX)
wl=(build/workload -r "$cgroot" -d "$mnt" -n containers -m 6 -t 4 -k 2 -f 3 -D 2)
owner=(./lrutop -b --cumulative -H -c /containers --inventory-interval 1 3 2)
cause=(./lrutop -b --cumulative --by cause -H -c /containers --inventory-interval 1 3 2)
tmp=$(mktemp -d)
trap '"${wl[@]}" --cleanup > /dev/null 2>&1 || true; rmdir "$mnt" 2> /dev/null || true; rm -rf "$tmp"' EXIT

# lrutop ($1: by owner or by cause) around the workload, into $tmp/$1; one at a time, so that
# neither counts the other's start-up self-check. -c needs the memcg to exist first.
capture() {
	local args=("${@:2}") pid
	mkdir -p "$cgroot/containers"
	"${args[@]}" > "$tmp/$1" 2> "$tmp/$1.err" &
	pid=$!
	until grep -q Tracing "$tmp/$1.err"; do
		kill -0 "$pid" 2> /dev/null || { cat "$tmp/$1.err" >&2; exit 1; }
		sleep 0.2
	done
	"${wl[@]}" --keep > /dev/null
	wait "$pid"
	"${wl[@]}" --cleanup > /dev/null
}
capture owner "${owner[@]}"
capture cause "${cause[@]}"
{
	scripts/bench-header.sh "scripts/readme-screens.sh"
	echo
	echo "## this host, by owner: ${owner[*]}, around ${wl[*]} --keep"
	cat "$tmp/owner"
	echo
	echo "## this host, by cause: ${cause[*]}, around the same workload, again"
	cat "$tmp/cause"
	echo
	echo "## Debian 7.3 under QEMU: scripts/vm-run.sh --kernel-alias 7.3 tests/vm/capture-guest.sh"
	scripts/vm-run.sh --timeout 600 --kernel-alias 7.3 tests/vm/capture-guest.sh |
		sed -n '/^CAPTURE-BEGIN/,/^CAPTURE-END/p' | sed '1d;$d' | tr -d '\r'
} > "$out"
echo "readme-screens: $out"
