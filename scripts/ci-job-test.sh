#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# README's CI job for kernel developers, run as written on a clean Debian 12 runner: a root
# made by mmdebstrap (minbase, with git and make, as a runner has them), once with the apt
# sources in deb822 form (debian.sources, Debian 12's default) and once in the classic
# one-line form (sources.list). In a chroot of it: a clone of this repository (a git
# bundle of HEAD), `make deps`, `scripts/deps.sh test kbuild vng`, then ci-kernel.sh. The
# job builds the runner's kernel tree first (1652 s measured, README) and boots it with
# virtme-ng (its config has 9p built in); here ci-kernel.sh boots Debian's 6.1 bzImage
# instead, whose 9p is a module virtme-ng cannot load from a bare bzImage (vng status 255,
# seen), so with the busybox runner (--runner qemu), which needs the `vm` set (busybox-static:
# "vm-run: missing /bin/busybox" without it, seen).
#
# usage: scripts/ci-job-test.sh [deb822|classic]...   (default: both)
# Prints each step's verdict, then "N passed, N failed". Needs root and Debian's archive.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${LRUTOP_CACHE:-$top/.cache}
layouts=("$@")
[ $# -gt 0 ] || layouts=(deb822 classic)
[ "$(id -u)" = 0 ] || { echo "ci-job-test: needs root (mmdebstrap, chroot)" >&2; exit 77; }
"$top/scripts/deps.sh" systemtest || exit 1
# shellcheck source=scripts/archive.sh
. "$top/scripts/archive.sh"
main_uri=$(archive_uri bookworm)
sec_uri=$(archive_uri bookworm-security)
[ -n "$main_uri" ] || { echo "ci-job-test: no Debian archive address in /etc/apt" >&2; exit 1; }
kdir=$("$top/scripts/fetch-kernel.sh" 6.1) || exit 1

work=$(mktemp -d)
root=$work/root
unmount_all() {
	for m in dev/pts dev proc sys; do umount "$root/$m" 2> /dev/null; done
}
# Never remove through a bind mount of the host's /dev, /proc or /sys.
remove_root() {
	unmount_all
	if findmnt -rn -o TARGET | grep -q "^$root/"; then
		echo "ci-job-test: $root still has mounts: left in place" >&2
		return 1
	fi
	rm -rf --one-file-system "$root"
}
cleanup() {
	remove_root && rm -rf --one-file-system "$work"
}
trap cleanup EXIT
passed=0 failed=0
step() {
	local what=$1
	shift
	if "$@" > "$work/step.log" 2>&1; then
		echo "ok - $what"
		passed=$((passed + 1))
		return 0
	fi
	tail -15 "$work/step.log" | sed 's/^/    /'
	echo "not ok - $what"
	failed=$((failed + 1))
	return 1
}
in_root() {
	chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c "$1"
}
git -C "$top" bundle create "$work/lrutop.bundle" HEAD > /dev/null 2>&1 ||
	{ echo "ci-job-test: git bundle failed" >&2; exit 1; }

for layout in "${layouts[@]}"; do
	echo "== README's CI job in a clean Debian 12 root, apt sources: $layout"
	remove_root || exit 1
	step "mmdebstrap: Debian 12, minbase with git and make" \
		mmdebstrap --variant=minbase --include=git,make,ca-certificates bookworm "$root" \
		"deb $main_uri bookworm main" "deb $main_uri bookworm-updates main" \
		${sec_uri:+"deb $sec_uri bookworm-security main"} || continue
	# mmdebstrap writes the one-line form; Debian 12's installer the deb822 one.
	if [ "$layout" = deb822 ]; then
		awk '$1 == "deb" { printf "Types: deb\nURIs: %s\nSuites: %s\nComponents: %s\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n", $2, $3, $4 }' \
			"$root/etc/apt/sources.list" > "$root/etc/apt/sources.list.d/debian.sources"
		rm "$root/etc/apt/sources.list"
	fi
	for m in proc sys dev dev/pts; do mount --bind "/$m" "$root/$m"; done
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	cp "$work/lrutop.bundle" "$root/lrutop.bundle"
	cp "$kdir/vmlinuz" "$root/bzImage"
	mkdir -p "$root/runner/kernel"
	# The job's own steps (README, "A kernel built from source, in your CI").
	step "git clone (a bundle of $(git -C "$top" rev-parse --short HEAD))" \
		in_root "git clone -q /lrutop.bundle /runner/lrutop" &&
	step "make -C ../lrutop deps && ../lrutop/scripts/deps.sh test kbuild vng" \
		in_root "cd /runner/kernel && make -C ../lrutop deps && ../lrutop/scripts/deps.sh test kbuild vng" &&
	step "../lrutop/scripts/ci-kernel.sh --runner qemu /bzImage (Debian's 6.1, for the tree)" \
		in_root "cd /runner/kernel && ../lrutop/scripts/deps.sh vm && ../lrutop/scripts/ci-kernel.sh --runner qemu /bzImage"
	grep -E '^[0-9]+ passed, [0-9]+ failed' "$work/step.log" | tail -1 | sed 's/^/    ci-kernel: /'
	unmount_all
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
