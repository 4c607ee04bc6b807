#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What `make` says where scripts/deps.sh cannot install: not Debian (no dpkg or apt-get),
# not root, no network. Each case runs deps.sh with stand-ins on a PATH of its own and wants
# a non-zero exit and one line naming what is needed and how to get it; a non-Debian system
# that has what the build needs passes. And the archive's address (virtme-ng, the kernels),
# read from apt's sources in either layout. usage: tests/check_deps.sh [DEPS_SCRIPT]
set -u
cd "$(dirname "$0")/.."
deps=$(realpath "${1:-scripts/deps.sh}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

# A PATH directory with the basic tools deps.sh uses, and those named in $2.
make_path() {
	local dir=$work/$1 t
	mkdir -p "$dir"
	for t in bash sh env id tr sort sed head cut mktemp grep dirname rm cat realpath $2; do
		[ -e "$dir/$t" ] || ln -s "$(command -v "$t")" "$dir/$t"
	done
	echo "$dir"
}

# A stand-in command: name, then its body.
stub() {
	printf '#!/bin/bash\n%s\n' "$3" > "$1/$2"
	chmod +x "$1/$2"
}

# run NAME WANT_RC PATTERN... : deps.sh build (or $SETS) on $path; its stderr must be one
# line matching each PATTERN, its exit status WANT_RC.
expect() {
	local name=$1 want=$2 rc err
	shift 2
	err=$(PATH=$path "$deps" ${SETS:-build} 2>&1 >/dev/null)
	rc=$?
	if [ "$want" = 0 ]; then
		if [ "$rc" -ne 0 ] || [ -n "$err" ]; then
			echo "check_deps: $name: exit $rc, said: $err" >&2
			failed=$((failed + 1))
		fi
		return
	fi
	if [ "$rc" -eq 0 ] || [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then
		echo "check_deps: $name: exit $rc (want non-zero) and not one line: $err" >&2
		failed=$((failed + 1))
		return
	fi
	for pat in "$@"; do
		if ! grep -qE -- "$pat" <<< "$err"; then
			echo "check_deps: $name: no '$pat' in: $err" >&2
			failed=$((failed + 1))
		fi
	done
}

# Not Debian, nothing to build with.
path=$(make_path bare "")
expect "not Debian, no compiler" 1 "not a Debian system" "clang" "bpftool" "libbpf" "apt-get|packages"
# Not Debian, asked for the test set: no way to install it.
SETS=test expect "not Debian, test set" 1 "no dpkg or apt-get" "libcmocka-dev"
# Not Debian, but the build's tools and libraries are there: the build goes on.
path=$(make_path tools "make cc gcc clang llvm-strip bpftool pkg-config")
expect "not Debian, tools there" 0
# Debian, a package missing, not root.
path=$(make_path user "")
stub "$path" dpkg-query 'exit 1'
stub "$path" apt-get 'exit 100'
stub "$path" id 'echo 1000'
expect "Debian, not root" 1 "missing Debian packages" "sudo apt-get install .*libbpf-dev"
# Debian, root, no network: apt-get update fails.
path=$(make_path offline "")
stub "$path" dpkg-query 'exit 1'
stub "$path" id 'echo 0'
stub "$path" apt-get '[ "$1" = update ] && { echo "E: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease  Temporary failure resolving deb.debian.org" >&2; exit 100; }; exit 0'
expect "Debian, no network" 1 "could not install .*clang" "no network" "Temporary failure resolving"

# The archive's address for virtme-ng and the kernels, from either layout of apt's sources.
mkdir -p "$work/deb822/sources.list.d" "$work/classic"
printf 'Types: deb\nURIs: http://a.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://s.example/debian-security\nSuites: bookworm-security\nComponents: main\n' \
	> "$work/deb822/sources.list.d/debian.sources"
printf '# deb http://old.example/debian bookworm main\ndeb http://a.example/debian bookworm main\ndeb [signed-by=/k.gpg arch=amd64] http://s.example/debian-security bookworm-security main\n' \
	> "$work/classic/sources.list"
for layout in deb822 classic; do
	got=$(. scripts/archive.sh; APT_ETC=$work/$layout archive_uri bookworm; APT_ETC=$work/$layout archive_uri bookworm-security)
	if [ "$got" != "$(printf 'http://a.example/debian\nhttp://s.example/debian-security')" ]; then
		echo "check_deps: archive address from $layout sources: got '$got'" >&2
		failed=$((failed + 1))
	fi
done

if [ "$failed" -ne 0 ]; then
	echo "check_deps: $failed failed"
	exit 1
fi
echo "check_deps: 7 cases passed"
