#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian package, as an operator gets it: build it from a copy of the tree
# (dpkg-buildpackage -us -uc -b), check it with lintian (no error, no warning), install it,
# check `dpkg -L` against the contents README documents, verify the exporter's unit
# (systemd-analyze verify, and its exposure score), run /usr/sbin/lrutop --probe with only the
# unit's capabilities (setpriv: the self-check must pass), and purge it.
# Run as root on a machine where `make test` may install packages. Exit status 0 if all held.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"; dpkg --purge lrutop > /dev/null 2>&1' EXIT
fail() { echo "pkg-test: FAILED: $*"; exit 1; }

# An operator's own installation is not this test's to replace and purge.
if dpkg-query -W -f='${Status}' lrutop 2> /dev/null | grep -q 'install ok installed'; then
	trap 'rm -rf "$work"' EXIT
	echo "pkg-test: skipped: lrutop is installed on this machine (dpkg -l lrutop)"
	exit 77
fi
deb=$("$top/scripts/build-deb.sh" "$work") || fail "the package did not build"
version=$(dpkg-deb -f "$deb" Version)
echo "pkg-test: built $(basename "$deb") ($(stat -c %s "$deb") bytes)"

# lintian: errors and warnings fail; what it says at info level is explained in docs/PACKAGING.md.
lintian -I --allow-root "$work/lrutop_${version}_amd64.changes" > "$work/lintian.txt" 2>&1
if grep -E '^[EW]: ' "$work/lintian.txt"; then
	fail "lintian reports errors or warnings"
fi
echo "pkg-test: lintian: no error, no warning; infos: $(grep "^I: " "$work/lintian.txt" | cut -d" " -f3 | sort -u | paste -sd" ")"

dpkg -i "$deb" > "$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i"; }
# The documented contents (README, between the package-contents markers) are the files.
sed -n '/<!-- package contents -->/,/<!-- end package contents -->/s/^    \(\/.*\)$/\1/p' \
	"$top/README.md" | sort > "$work/documented"
dpkg -L lrutop | while read -r f; do [ -f "$f" ] && echo "$f"; done | sort > "$work/installed"
if ! diff -u "$work/documented" "$work/installed"; then
	fail "dpkg -L differs from the contents README documents"
fi
echo "pkg-test: dpkg -L: $(wc -l < "$work/installed") files, as documented"

/usr/sbin/lrutop --probe > "$work/probe.txt" 2>&1 || { cat "$work/probe.txt"; fail "/usr/sbin/lrutop --probe"; }
grep -q '^backend: ' "$work/probe.txt" || fail "--probe names no backend"
unit=/lib/systemd/system/lrutop-exporter.service
systemd-analyze verify "$unit" || fail "systemd-analyze verify $unit"
score=$(systemd-analyze security --offline=true "$unit" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
echo "pkg-test: $unit: verify passed, exposure $score"
# Only the unit's capabilities: the self-check must still pass. Under systemd the unit's
# self-check makes its memcgs in its delegated cgroup (Delegate=); this machine has no
# systemd, so CAP_DAC_OVERRIDE stands in for that, to write in a cgroup root of mode 0555.
# make systemtest runs the unit itself, under systemd.
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
grep -q '^Delegate=' "$unit" && caps="$caps,+dac_override"
setpriv --bounding-set="-all,$caps" --inh-caps=-all /usr/sbin/lrutop --probe > "$work/caps.txt" 2>&1
if ! grep -q '^self-check: passed' "$work/caps.txt"; then
	cat "$work/caps.txt"
	fail "with only $caps the self-check did not pass"
fi
echo "pkg-test: with only the unit's capabilities ($caps): --probe and its self-check pass"

dpkg --purge lrutop > /dev/null 2>&1 || fail "dpkg --purge"
[ ! -e /usr/sbin/lrutop ] && [ ! -e "$unit" ] || fail "files left after the purge"
echo "pkg-test: purged, nothing left"
