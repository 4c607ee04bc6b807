#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what lrutop needs to build and test, from Debian's packages. Idempotent: installs
# only what is missing. usage: scripts/deps.sh [build|test|vm|bench|fuzz]...  (default: build)
set -euo pipefail

build_pkgs="make gcc clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libncurses-dev libjansson-dev libmicrohttpd-dev pkg-config"
test_pkgs="libcmocka-dev tmux python3-prometheus-client python3-jsonschema curl valgrind procps
	prometheus debhelper lintian dpkg-dev"
# libFuzzer and the sanitizers' runtimes for clang.
fuzz_pkgs="libclang-rt-14-dev"
bench_pkgs="bpftrace bc time"
vm_pkgs="qemu-system-x86 busybox-static cpio xz-utils zstd lz4 gnuplot-nox"

want=
for set in "${@:-build}"; do
	case "$set" in
	build)	want="$want $build_pkgs" ;;
	test)	want="$want $build_pkgs $test_pkgs" ;;
	vm)	want="$want $build_pkgs $vm_pkgs" ;;
	bench)	want="$want $build_pkgs $bench_pkgs" ;;
	fuzz)	want="$want $build_pkgs $fuzz_pkgs" ;;
	*)	echo "deps: unknown set '$set' (build, test, vm, bench, fuzz)" >&2; exit 2 ;;
	esac
done

want=$(echo $want | tr " " "\n" | sort -u)
missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends keeps qemu from pulling ~170 extra packages.
apt-get install -y -qq --no-install-recommends $missing >&2
