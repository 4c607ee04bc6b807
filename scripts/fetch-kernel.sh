#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian kernel package without installing it, keep only its vmlinuz, and extract
# the kernel's BTF from it so tests can plan against it without booting.
#
# usage: scripts/fetch-kernel.sh [--modules] SERIES [CACHE_DIR]
#        scripts/fetch-kernel.sh [--modules] --package NAME [CACHE_DIR]
#        scripts/fetch-kernel.sh --list
#   SERIES: a kernel series Debian carries (5.10, 6.1, 6.12, 6.16 ... 7.3) or "newest"
#   NAME:   any Debian kernel image package or metapackage of those suites
#           (e.g. linux-image-6.1.0-41-amd64, linux-image-rt-amd64)
#   --list: every series the archive carries, one a line, oldest first
#   --modules: also keep the kernel's modules, in root/lib/modules/RELEASE with their
#           modules.dep (what virtme-ng needs to boot it: 9p is a module in Debian's kernels)
# Prints the directory holding vmlinuz, btf (raw .BTF) and release.
#
# Kernels come from bullseye (5.10), bookworm (6.1), bookworm-security (6.12), trixie and
# trixie-backports (6.12 to 7.x), through a private apt configuration that does not touch
# the system's lists. A series resolves to the newest generic amd64 image package of that
# series the lists name: package names of old kernels vanish, so none is written here.
set -euo pipefail

usage="usage: fetch-kernel.sh [--modules] (SERIES | newest | --package NAME | --list) [CACHE_DIR]"
want_modules=
if [ "${1:-}" = --modules ]; then
	want_modules=1
	shift
fi
arg=${1:?$usage}
meta=
case "$arg" in
--package)
	meta=${2:?$usage}
	shift
	case "$meta" in
	*/* | .* | "") echo "fetch-kernel: '$meta' is not a package name" >&2; exit 2 ;;
	esac
	;;
--list | newest) ;;
[0-9]*.[0-9]*)
	[[ "$arg" =~ ^[0-9]+\.[0-9]+$ ]] ||
		{ echo "fetch-kernel: '$arg' is not a kernel series (e.g. 6.12, 7.3, newest)" >&2; exit 2; }
	;;
*)	echo "fetch-kernel: unknown kernel '$arg' (a series such as 6.12 or 7.3, newest, --package NAME, --list)" >&2; exit 2 ;;
esac
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${2:-${LRUTOP_CACHE:-$top/.cache}}

cached() {
	[ -s "$1/btf" ] && [ -s "$1/vmlinuz" ] && [ -s "$1/release" ] &&
		{ [ -z "$want_modules" ] || [ -s "$1/root/lib/modules/$(cat "$1/release")/modules.dep" ]; }
}
# A series fetched once stays (delete .cache/kernels/SERIES for a newer build of it).
case "$arg" in
--list | newest) ;;
--package) cached "$cache/kernels/pkg-$meta" && { echo "$cache/kernels/pkg-$meta"; exit 0; } ;;
*) cached "$cache/kernels/$arg" && { echo "$cache/kernels/$arg"; exit 0; } ;;
esac

# shellcheck source=scripts/archive.sh
. "$top/scripts/archive.sh"
archive_setup "$cache"

# Generic amd64 images only (no cloud, rt or unsigned flavour), oldest first.
images() {
	apt-cache "${apt_opts[@]}" pkgnames linux-image- |
		grep -E '^linux-image-[0-9]+\.[0-9]+\.[0-9]+(-[0-9]+)?(\+deb[0-9]+)?-amd64$' | sort -V
}
series_of() {
	sed -E 's/^linux-image-([0-9]+\.[0-9]+)\..*/\1/'
}
case "$arg" in
--list)
	images | series_of | uniq
	exit 0
	;;
newest)
	arg=$(images | series_of | tail -1)
	[ -n "$arg" ] || { echo "fetch-kernel: no kernel image in the archive's lists" >&2; exit 1; }
	cached "$cache/kernels/$arg" && { echo "$cache/kernels/$arg"; exit 0; }
	;;
esac
if [ -n "$meta" ]; then
	out=$cache/kernels/pkg-$meta
	apt-cache "${apt_opts[@]}" show "$meta" > /dev/null 2>&1 ||
		{ echo "fetch-kernel: no package '$meta' in Debian's archive" >&2; exit 1; }
	# A metapackage names the real image among its dependencies; a real image is itself.
	pkg=$(apt-cache "${apt_opts[@]}" depends "$meta" |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	pkg=${pkg:-$meta}
else
	out=$cache/kernels/$arg
	pkg=$(images | grep -F "linux-image-$arg." | tail -1)
	[ -n "$pkg" ] || { echo "fetch-kernel: Debian's archive carries no $arg kernel (fetch-kernel.sh --list)" >&2; exit 1; }
fi
mkdir -p "$out"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# From 6.19 the image package is small and its vmlinuz is in linux-binary-VERSION, at
# /usr/lib/modules/VERSION/vmlinuz.
binary=$(apt-cache "${apt_opts[@]}" depends "$pkg" | awk '/Depends: linux-binary-[0-9]/ { print $2; exit }')
(cd "$work" && apt-get -qq "${apt_opts[@]}" download "${binary:-$pkg}" >&2)
dpkg-deb --fsys-tarfile "$work"/*.deb |
	tar -x -C "$work" --wildcards './boot/vmlinuz-*' './usr/lib/modules/*/vmlinuz' 2>/dev/null || true
vmlinuz=$(find "$work/boot" "$work/usr/lib/modules" -name 'vmlinuz*' -type f 2>/dev/null | head -1 || true)
[ -n "$vmlinuz" ] || { echo "fetch-kernel: ${binary:-$pkg} holds no vmlinuz: not a kernel image package" >&2; exit 1; }
case "$vmlinuz" in
*/boot/vmlinuz-*) release=${vmlinuz##*/vmlinuz-} ;;
*) release=$(basename "$(dirname "$vmlinuz")") ;;
esac
# The bzImage header says where the compressed kernel lies (setup sectors at 0x1f1,
# payload_offset at 0x248); its magic says how it is compressed (Debian: xz for 5.10 and
# 6.1, zstd for 6.12, lz4 for the cloud flavours).
le_at() {
	od -An -t u"$2" -j "$1" -N "$2" "$vmlinuz" | tr -d ' '
}
extract_elf() {
	local setup off magic inflate
	setup=$(le_at $((0x1f1)) 1)
	off=$(( (${setup:-4} + 1) * 512 + $(le_at $((0x248)) 4) ))
	magic=$(od -An -tx1 -j "$off" -N 6 "$vmlinuz" | tr -d ' ')
	case "$magic" in
	fd377a585a00)	inflate="xz -dc" ;;
	28b52ffd*)	inflate="zstd -dcq" ;;
	02214c18*)	inflate="lz4 -dc" ;;
	1f8b*)		inflate="gzip -dc" ;;
	425a68*)	inflate="bzip2 -dc" ;;
	5d0000*)	inflate="xz -dc --format=lzma" ;;
	*)	echo "fetch-kernel: $pkg's vmlinuz payload has an unknown compression ($magic)" >&2; exit 1 ;;
	esac
	# Decompressors complain about the bytes after the payload: the ELF is whole by then.
	tail -c +$((off + 1)) "$vmlinuz" | $inflate 2>/dev/null > "$work/vmlinux" || true
}
extract_elf
objcopy -O binary --only-section=.BTF "$work/vmlinux" "$work/btf"
[ -s "$work/btf" ] || { echo "fetch-kernel: no .BTF section in $pkg's vmlinuz" >&2; exit 1; }

cp "$vmlinuz" "$out/vmlinuz"
cp "$work/btf" "$out/btf"
echo "$release" > "$out/release"

# The modules: in the image package up to 6.18; from 6.19 in linux-modules-VERSION, with
# modules.order and modules.builtin in linux-base-VERSION.
if [ -n "$want_modules" ]; then
	parts=$(apt-cache "${apt_opts[@]}" depends "$pkg" |
		awk '/Depends: linux-(modules|base)-[0-9]/ { print $2 }' | sort -u)
	rm -f "$work"/*.deb
	(cd "$work" && apt-get -qq "${apt_opts[@]}" download ${parts:-$pkg} >&2)
	rm -rf "$out/root" "$work/m"
	mkdir -p "$out/root/lib/modules" "$work/m"
	for deb in "$work"/*.deb; do
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/m" --wildcards \
			"./usr/lib/modules/$release/*" "./lib/modules/$release/*" 2>/dev/null || true
	done
	moddir=$(find "$work/m" -maxdepth 4 -type d -name "$release" | head -1)
	[ -n "$moddir" ] && [ -d "$moddir/kernel" ] ||
		{ echo "fetch-kernel: no modules of $release in ${parts:-$pkg}" >&2; exit 1; }
	mv "$moddir" "$out/root/lib/modules/$release"
	# Debian's packages leave modules.dep to their postinst.
	/sbin/depmod -b "$out/root" "$release" ||
		{ echo "fetch-kernel: depmod failed for $release" >&2; exit 1; }
fi
echo "$out"
