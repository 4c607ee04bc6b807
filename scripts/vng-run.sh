#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel with virtme-ng (the host's root filesystem, shared over 9p, under TCG) and
# run one command in it as root. The verdict is the command's exit status, read from a
# marker on the guest's console: a guest that crashed, hung or never ran it fails.
#
# usage: scripts/vng-run.sh [--kernel-alias SERIES | --kernel-package NAME |
#                            --kernel BZIMAGE [--modules DIR]] [--memory MB] [--cpus N]
#                            [--numa N] [--append ARGS] [--timeout S] -- COMMAND [ARG]...
#   SERIES: a Debian kernel series (6.18, newest...): scripts/fetch-kernel.sh fetches it and
#           its modules. BZIMAGE: a kernel built here, DIR its modules' tree
#           (INSTALL_MOD_PATH: DIR/lib/modules/RELEASE), none for a kernel with 9p built in.
#   ARGS: more of the kernel's command line.
#
# virtme-ng finds a kernel's modules in /lib/modules/RELEASE. The modules of a fetched or
# built kernel are linked there for the run only, and the link is removed however it ends;
# a directory already there is left alone.
set -euo pipefail

usage="usage: vng-run.sh [--kernel-alias SERIES | --kernel-package NAME | --kernel BZIMAGE [--modules DIR]] [--memory MB] [--cpus N] [--numa N] [--append ARGS] [--timeout S] -- COMMAND..."
top=$(cd "$(dirname "$0")/.." && pwd)
alias= pkgname= kernel= modroot= append= memory=1536 cpus=2 numa=1 timeout_s=1800
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel-alias) alias=${2:?$usage}; shift 2 ;;
	--kernel-package) pkgname=${2:?$usage}; shift 2 ;;
	--kernel) kernel=${2:?$usage}; shift 2 ;;
	--modules) modroot=${2:?$usage}; shift 2 ;;
	--memory) memory=${2:?$usage}; shift 2 ;;
	--cpus) cpus=${2:?$usage}; shift 2 ;;
	--numa) numa=${2:?$usage}; shift 2 ;;
	--append) append=${2:?$usage}; shift 2 ;;
	--timeout) timeout_s=${2:?$usage}; shift 2 ;;
	--) shift; break ;;
	*) echo "vng-run: unknown argument '$1'" >&2; echo "$usage" >&2; exit 2 ;;
	esac
done
[ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }
command -v vng > /dev/null || { echo "vng-run: virtme-ng is not installed (scripts/deps.sh vng)" >&2; exit 1; }

if [ -n "$alias" ] || [ -n "$pkgname" ]; then
	if [ -n "$alias" ]; then
		dir=$("$top/scripts/fetch-kernel.sh" --modules "$alias")
	else
		dir=$("$top/scripts/fetch-kernel.sh" --modules --package "$pkgname")
	fi
	kernel=$dir/vmlinuz
	modroot=$dir/root
fi
[ -n "$kernel" ] && [ -s "$kernel" ] || { echo "vng-run: no kernel to boot" >&2; echo "$usage" >&2; exit 2; }
# The release, from the bzImage header (a string at 0x200 + the offset at 0x20e).
off=$(od -An -t u2 -j $((0x20e)) -N 2 "$kernel" | tr -d ' ')
release=$(dd if="$kernel" bs=1 skip=$((off + 0x200)) count=128 status=none | tr '\0' '\n' |
	head -1 | cut -d' ' -f1)
[ -n "$release" ] || { echo "vng-run: $kernel has no version string: not a bzImage" >&2; exit 2; }

link= made_dir=
cleanup() {
	[ -n "$link" ] && rm -f "$link"
	[ -n "$made_dir" ] && rmdir /lib/modules 2>/dev/null
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -n "$modroot" ] && [ ! -e "/lib/modules/$release" ]; then
	[ -d "$modroot/lib/modules/$release" ] ||
		{ echo "vng-run: no $modroot/lib/modules/$release" >&2; exit 2; }
	[ -d /lib/modules ] || { mkdir /lib/modules && made_dir=1; }
	link=/lib/modules/$release
	ln -s "$modroot/lib/modules/$release" "$link"
fi

# The command runs from here (the guest's /tmp is an overlay of the host's: writes stay in
# the guest), then the guest's kernel log is searched for splats, as libbpf's CI does.
script=$(printf '%q ' "$@")
# N NUMA nodes of equal memory, a CPU each.
numa_opts=()
if [ "$numa" -gt 1 ]; then
	cpus=$numa
	for n in $(seq 0 $((numa - 1))); do
		numa_opts+=(--numa "$((memory / numa))M,cpus=$n")
	done
fi
marker=LRUTOP-VNG-RC
log=$(mktemp)
rc=0
timeout --foreground "$timeout_s" vng --run "$kernel" --disable-kvm --force-9p \
	--memory "${memory}M" --cpus "$cpus" "${numa_opts[@]}" ${append:+--append "$append"} --cwd "$PWD" \
	--exec "$script; rc=\$?; dmesg | grep -E 'BUG:|WARNING:|Oops:|Kernel panic' | sed 's/^/LRUTOP-VNG-DMESG /'; echo $marker=\$rc" \
	< /dev/null 2>&1 | tr -d '\r' | tee "$log" || rc=$?
status=$(sed -n "s/^.*$marker=\([0-9]*\).*$/\1/p" "$log" | tail -1)
# A splat in the guest's kernel log is a failure even when the command passed.
splat=$(grep '^LRUTOP-VNG-DMESG ' "$log" | head -3 || true)
rm -f "$log"
if [ -z "$status" ]; then
	echo "vng-run: $release: the guest never finished the command (vng status $rc)" >&2
	exit 1
fi
if [ -n "$splat" ]; then
	echo "vng-run: $release: the guest's kernel complained: $splat" >&2
	exit 1
fi
exit "$status"
