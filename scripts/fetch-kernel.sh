#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian kernel package without installing it, keep only ./boot, and extract the
# kernel's BTF from its vmlinuz so tests can plan against it without booting.
#
# usage: scripts/fetch-kernel.sh ALIAS [CACHE_DIR]
#        scripts/fetch-kernel.sh --package NAME [CACHE_DIR]
#   ALIAS: 5.10 (bullseye, before the patch), 6.1 (bookworm), 6.12 (bookworm-security)
#   NAME:  any Debian kernel image package or metapackage of bookworm, bookworm-security or
#          bullseye (e.g. linux-image-6.1.0-41-amd64, linux-image-rt-amd64)
# Prints the directory holding vmlinuz, btf (raw .BTF) and release.
#
# Package names of old kernels vanish from the archive, so each alias names a metapackage
# and the real package is resolved through it. A private apt configuration reaches suites
# the system's sources.list does not name, without touching the system's lists.
set -euo pipefail

usage="usage: fetch-kernel.sh (ALIAS | --package NAME) [CACHE_DIR]"
alias_name=${1:?$usage}
if [ "$alias_name" = --package ]; then
	meta=${2:?$usage}
	shift
	case "$meta" in
	*/* | .* | "") echo "fetch-kernel: '$meta' is not a package name" >&2; exit 2 ;;
	esac
	alias_name=pkg-$meta suites="bookworm bullseye" sec=bookworm-security
fi
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${2:-${LRUTOP_CACHE:-$top/.cache}}

case "$alias_name" in
5.10)	suites=bullseye; sec=; meta=linux-image-amd64 ;;
6.1)	suites=bookworm; sec=; meta=linux-image-amd64 ;;
6.12)	suites=bookworm; sec=bookworm-security; meta=linux-image-6.12-amd64 ;;
pkg-*)	;;
*)	echo "fetch-kernel: unknown kernel alias '$alias_name' (5.10, 6.1, 6.12, or --package NAME)" >&2; exit 2 ;;
esac

out=$cache/kernels/$alias_name
if [ -s "$out/btf" ] && [ -s "$out/vmlinuz" ] && [ -s "$out/release" ]; then
	echo "$out"
	exit 0
fi

# The archive's address comes from the system's own deb822 sources (other files there may
# hold unreachable addresses).
archive_uri() {
	local want=$1
	awk -v want="$want" '
		/^URIs:/ { uri = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == want) { print uri; exit } }
	' /etc/apt/sources.list.d/debian.sources
}
main_uri=$(archive_uri bookworm)
sec_uri=$(archive_uri bookworm-security)
[ -n "$main_uri" ] || { echo "fetch-kernel: no Debian archive address in /etc/apt/sources.list.d/debian.sources" >&2; exit 1; }

apt_dir=$cache/apt/$alias_name
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$out"
{
	for suite in $suites; do
		echo "deb $main_uri $suite main"
	done
	[ -n "$sec" ] && echo "deb $sec_uri $sec main"
} > "$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=-"
	  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir"
	  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Get::List-Cleanup=0" -o "APT::Sandbox::User=root")

apt-get -qq "${apt_opts[@]}" update >&2
apt-cache "${apt_opts[@]}" show "$meta" > /dev/null 2>&1 ||
	{ echo "fetch-kernel: no package '$meta' in Debian's $suites${sec:+ $sec}" >&2; exit 1; }
# A metapackage names the real image among its dependencies; a real image is itself.
pkg=$(apt-cache "${apt_opts[@]}" depends "$meta" | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
pkg=${pkg:-$meta}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get -qq "${apt_opts[@]}" download "$pkg" >&2)
dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x -C "$work" ./boot 2>/dev/null || true
vmlinuz=$(ls "$work"/boot/vmlinuz-* 2>/dev/null | head -1 || true)
[ -n "$vmlinuz" ] || { echo "fetch-kernel: $pkg holds no /boot/vmlinuz: not a kernel image package" >&2; exit 1; }
release=${vmlinuz##*/vmlinuz-}

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
echo "$out"
