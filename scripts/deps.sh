#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what lrutop needs to build and test, from Debian's packages. Idempotent: installs
# only what is missing. usage: scripts/deps.sh [build|test|vm|vng|kbuild|bench|fuzz|systemtest]...
# (default: build)
set -euo pipefail

build_pkgs="make gcc clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libncurses-dev libjansson-dev libmicrohttpd-dev pkg-config"
test_pkgs="libcmocka-dev tmux python3-prometheus-client python3-jsonschema curl valgrind procps
	prometheus debhelper lintian dpkg-dev"
# libFuzzer and the sanitizers' runtimes for clang.
fuzz_pkgs="libclang-rt-14-dev"
bench_pkgs="bpftrace bc time"
vm_pkgs="qemu-system-x86 busybox-static cpio xz-utils zstd lz4 gnuplot-nox"
# virtme-ng comes from trixie (Architecture: all; its dependencies are in bookworm); without
# udev its guest init stops ("cannot find script I/O ports").
vng_pkgs="qemu-system-x86 udev kmod file python3-argcomplete python3-requests python3-pkg-resources"
# The system test: a Debian 12 root (mmdebstrap, mke2fs -d) booted under QEMU, and the .deb.
systemtest_pkgs="mmdebstrap e2fsprogs qemu-system-x86 busybox-static cpio xz-utils zstd kmod
	debhelper dpkg-dev python3-prometheus-client"
# Building a kernel: Debian's linux-source, its toolchain, pahole (dwarves) for BTF.
kbuild_pkgs="build-essential bc bison flex libssl-dev libelf-dev dwarves rsync cpio xz-utils kmod"

want=
with_vng=
for set in "${@:-build}"; do
	case "$set" in
	build)	want="$want $build_pkgs" ;;
	test)	want="$want $build_pkgs $test_pkgs" ;;
	vm)	want="$want $build_pkgs $vm_pkgs" ;;
	vng)	want="$want $build_pkgs $vng_pkgs"; with_vng=1 ;;
	kbuild)	want="$want $build_pkgs $vng_pkgs $kbuild_pkgs"; with_vng=1 ;;
	bench)	want="$want $build_pkgs $bench_pkgs" ;;
	fuzz)	want="$want $build_pkgs $fuzz_pkgs" ;;
	systemtest) want="$want $build_pkgs $systemtest_pkgs" ;;
	*)	echo "deps: unknown set '$set' (build, test, vm, vng, kbuild, bench, fuzz, systemtest)" >&2; exit 2 ;;
	esac
done

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}
want=$(echo $want | tr " " "\n" | sort -u)

# Not Debian (no dpkg, no apt): nothing here can be installed. The build alone can still run
# where what it runs and links is there by other means; say in one line what is not.
if ! command -v dpkg-query > /dev/null || ! command -v apt-get > /dev/null; then
	if [ "$*" != build ] && [ -n "$*" ]; then
		echo "deps: the package sets '$*' are Debian's, and this system has no dpkg or apt-get: install the equivalents of $(echo $want) by hand" >&2
		exit 1
	fi
	absent=
	for c in make "${CC:-cc}" clang llvm-strip bpftool pkg-config; do
		command -v "$c" > /dev/null || absent="$absent $c"
	done
	for lib in libbpf libelf zlib ncursesw jansson; do
		pkg-config --exists "$lib" 2> /dev/null || absent="$absent $lib(dev)"
	done
	if [ -n "$absent" ]; then
		echo "deps: not a Debian system (no dpkg or apt-get), and the build needs:$absent: install them with this system's packages (on Debian: $build_pkgs)" >&2
		exit 1
	fi
	exit 0
fi
missing=
for p in $want; do
	installed "$p" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing Debian packages:$missing: install them as root (sudo apt-get install$missing), or run make as root" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	log=$(mktemp)
	# --no-install-recommends keeps qemu from pulling ~170 extra packages.
	if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } > "$log" 2>&1; then
		echo "deps: could not install$missing from Debian's archive (no network, or apt's sources lack them): apt-get said \"$(grep -E '^(E|Err):' "$log" | head -1 | cut -c1-160)\", all of it in $log" >&2
		exit 1
	fi
	rm -f "$log"
	echo "deps: installed$missing" >&2
fi
if [ -n "$with_vng" ] && ! installed virtme-ng; then
	[ "$(id -u)" = 0 ] || { echo "deps: virtme-ng is missing (run as root to install it)" >&2; exit 1; }
	top=$(cd "$(dirname "$0")/.." && pwd)
	# shellcheck source=scripts/archive.sh
	. "$top/scripts/archive.sh"
	archive_setup "${LRUTOP_CACHE:-$top/.cache}"
	debs=$(mktemp -d)
	trap 'rm -rf "$debs"' EXIT
	(cd "$debs" && apt-get -qq "${apt_opts[@]}" download virtme-ng >&2)
	echo "deps: installing virtme-ng from trixie" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$debs"/virtme-ng_*.deb >&2
fi
