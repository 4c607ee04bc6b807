#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the Debian package from a copy of the tree as git has it (dpkg-buildpackage -us -uc
# -b): a fresh clone's files and new ones not ignored, not build output.
# usage: scripts/build-deb.sh OUTDIR   Prints the path of the .deb; the .changes and the
# build's log (build.log) are beside it. Exit status 1, with the log's tail, if it failed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath "${1:?usage: build-deb.sh OUTDIR}")
version=$(cd "$top" && dpkg-parsechangelog -S Version) ||
	{ echo "build-deb: no debian/changelog" >&2; exit 1; }
src="$out/lrutop-$version"
rm -rf "$src" && mkdir -p "$src"
(cd "$top" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) |
	tar -x -C "$src"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b > "$out/build.log" 2>&1); then
	tail -30 "$out/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed (all of it in $out/build.log)" >&2
	exit 1
fi
rm -rf "$src"
deb="$out/lrutop_${version}_amd64.deb"
[ -f "$deb" ] || { echo "build-deb: dpkg-buildpackage made no $deb" >&2; exit 1; }
echo "$deb"
