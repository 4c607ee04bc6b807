# SPDX-License-Identifier: GPL-2.0
# Sourced by the A/B benchmarks (scripts/bench-*-ab.sh): an older commit built beside this
# tree in a temporary worktree, and this host's memory cgroup hierarchy.

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

# The root of the memory cgroup hierarchy: cgroup v2's, else v1's memory one; exits if none.
ab_cgroot() {
	cgroot=$(awk '$3 == "cgroup2" { print $2; exit } $3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/mounts)
	[ -n "$cgroot" ] || { echo "$(basename "$0"): no memory cgroup hierarchy" >&2; exit 1; }
}
