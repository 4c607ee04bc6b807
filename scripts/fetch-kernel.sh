#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian kernel package without installing it, keep only ./boot, and extract the
# kernel's BTF from its vmlinuz so tests can plan against it without booting.
#
# usage: scripts/fetch-kernel.sh ALIAS [CACHE_DIR]
#   ALIAS: 5.10 (bullseye, before the patch), 6.1 (bookworm), 6.12 (bookworm-security)
# Prints the directory holding vmlinuz, btf (raw .BTF) and release.
#
# Package names of old kernels vanish from the archive, so each alias names a metapackage
# and the real package is resolved through it. A private apt configuration reaches suites
# the system's sources.list does not name, without touching the system's lists.
set -euo pipefail

alias_name=${1:?usage: fetch-kernel.sh ALIAS [CACHE_DIR]}
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${2:-${LRUTOP_CACHE:-$top/.cache}}

case "$alias_name" in
5.10)	suite=bullseye; sec=; meta=linux-image-amd64 ;;
6.1)	suite=bookworm; sec=; meta=linux-image-amd64 ;;
6.12)	suite=bookworm; sec=bookworm-security; meta=linux-image-6.12-amd64 ;;
*)	echo "fetch-kernel: unknown kernel alias '$alias_name' (5.10, 6.1, 6.12)" >&2; exit 2 ;;
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
	echo "deb $main_uri $suite main"
	[ -n "$sec" ] && echo "deb $sec_uri $sec main"
} > "$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=-"
	  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir"
	  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Get::List-Cleanup=0" -o "APT::Sandbox::User=root")

apt-get -qq "${apt_opts[@]}" update >&2
pkg=$(apt-cache "${apt_opts[@]}" depends "$meta" | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$pkg" ] || { echo "fetch-kernel: $meta has no linux-image dependency in $suite" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get -qq "${apt_opts[@]}" download "$pkg" >&2)
dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x -C "$work" ./boot
vmlinuz=$(ls "$work"/boot/vmlinuz-*)
release=${vmlinuz##*/vmlinuz-}

# The vmlinuz payload is xz (5.10, 6.1) or zstd (6.12) compressed: find its magic, inflate
# the ELF and keep its .BTF section.
extract_elf() {
	local off
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -1 | cut -d: -f1 || true)
	if [ -n "$off" ]; then
		tail -c +$((off + 1)) "$vmlinuz" | xz -dc 2>/dev/null > "$work/vmlinux" || true
	else
		off=$(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$vmlinuz" | head -1 | cut -d: -f1)
		tail -c +$((off + 1)) "$vmlinuz" | zstd -dcq 2>/dev/null > "$work/vmlinux" || true
	fi
}
extract_elf
objcopy -O binary --only-section=.BTF "$work/vmlinux" "$work/btf"
[ -s "$work/btf" ] || { echo "fetch-kernel: no .BTF section in $pkg's vmlinuz" >&2; exit 1; }

cp "$vmlinuz" "$out/vmlinuz"
cp "$work/btf" "$out/btf"
echo "$release" > "$out/release"
echo "$out"
