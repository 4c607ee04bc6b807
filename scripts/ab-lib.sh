# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Sourced by the host benchmarks (scripts/bench.sh, bench-*-ab.sh, bench-startup-trace.sh):
# an older commit built beside this tree in a temporary worktree, this host's memory cgroup
# hierarchy, and what the benchmarks need of the host.

# ab_worktree COMMIT TARGET...: COMMIT checked out in a new worktree ($wt) and TARGET built
# there; ab_remove takes the worktree away (the caller's trap calls it).
ab_worktree() {
	local old=$1
	shift
	git rev-parse -q --verify "$old^{commit}" > /dev/null ||
		{ echo "$(basename "$0"): no commit $old" >&2; exit 2; }
	wt=$(mktemp -d)
	git worktree add -q --detach "$wt" "$old"
	ln -s "$PWD/.cache" "$wt/.cache"
	make -s -C "$wt" "$@" > /dev/null
}

ab_remove() {
	[ -n "${wt:-}" ] || return 0
	git worktree remove --force "$wt" 2> /dev/null || rm -rf "$wt"
}

# The root of the memory cgroup hierarchy: cgroup v2's where it has the memory controller,
# else v1's memory one; exits if none.
ab_cgroot() {
	cgroot=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	[ -n "$cgroot" ] && grep -qw memory "$cgroot/cgroup.controllers" 2> /dev/null ||
		cgroot=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/self/mounts)
	[ -n "$cgroot" ] || { echo "$(basename "$0"): no memory cgroup hierarchy" >&2; exit 1; }
}

# A benchmark run on this host: root (BPF), the test and bench packages, and $cgroot.
ab_host() {
	[ "$(id -u)" = 0 ] || { echo "$(basename "$0"): needs root (BPF)" >&2; exit 77; }
	scripts/deps.sh test bench
	ab_cgroot
}

# bpftrace's tracepoints need tracefs, which a fresh machine has unmounted.
ab_tracefs() {
	[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing
}

# ab_rowwork MEMCGS: $rowwork, the workload that makes MEMCGS more memcgs each holding lists
# on a tmpfs (--keep; --cleanup removes them): rows of lrutop's first sample.
ab_rowwork() {
	# shellcheck disable=SC2034 # the caller's
	rowwork="build/workload -r $cgroot -d /tmp/lrutop-bench-rows -n lrutop-bench-rows -m $1 -t 1 -k 1"
}
