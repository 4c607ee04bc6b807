#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lrutop's kernel tests on a kernel of your own, for a CI job: boot a bzImage, or configure
# and build a kernel tree (virtme-ng's minimal config plus what lrutop needs) and boot it,
# then run the test_kernel_* tests in it. Boots with virtme-ng where it is installed (the
# host's root shared into the guest), else with lrutop's own QEMU runner (a busybox
# initramfs). Exits non-zero when a test fails or the guest never ran them; the last line
# is "N passed, N failed, N skipped".
#
# usage: scripts/ci-kernel.sh [--runner vng|qemu] [--jobs N] [--faults] [--build-only]
#                             (BZIMAGE | TREE | --linux-source SERIES)
#   TREE: a kernel source tree; without a .config one is made (vng --kconfig, or defconfig)
#         with the options below. Built with make bzImage.
#   --linux-source SERIES: Debian's linux-source-SERIES (6.1, 6.12, 7.3), unpacked into
#         .cache/ksrc.
#   --faults: a kernel that fails allocations on purpose (failslab, fail-nth), built in a
#         tree of its own (.cache/ksrc/faults-SERIES); its bzImage is kept in
#         .cache/kernels/faults-SERIES with the .config it came from, and a second run boots
#         it without building. The guest runs the test_faults_* tests, on both backends.
#   --build-only: print the bzImage's path and stop, booting nothing.
set -euo pipefail

usage="usage: ci-kernel.sh [--runner vng|qemu] [--jobs N] [--faults] [--build-only] (BZIMAGE | TREE | --linux-source SERIES)"
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kernel-skips.sh
. "$top/scripts/kernel-skips.sh"
cache=${LRUTOP_CACHE:-$top/.cache}
runner= jobs=$(nproc) target= series= faults= build_only=
while [ $# -gt 0 ]; do
	case "$1" in
	--runner) runner=${2:?$usage}; shift 2 ;;
	--jobs) jobs=${2:?$usage}; shift 2 ;;
	--linux-source) series=${2:?$usage}; shift 2 ;;
	--faults) faults=1; shift ;;
	--build-only) build_only=1; shift ;;
	-h | --help) echo "$usage"; exit 0 ;;
	-*) echo "ci-kernel: unknown option '$1'" >&2; echo "$usage" >&2; exit 2 ;;
	*) target=$1; shift ;;
	esac
done
[ -n "$target" ] || [ -n "$series" ] || { echo "$usage" >&2; exit 2; }
if [ -z "$runner" ]; then
	runner=qemu
	command -v vng > /dev/null && runner=vng
fi

# What lrutop's tests need of a kernel, on top of virtme-ng's minimal config: BTF (fentry,
# CO-RE), memory cgroups, BPF with raw tracepoints and fentry trampolines, tmpfs, kallsyms.
config_items=(
	CONFIG_BPF=y CONFIG_BPF_SYSCALL=y CONFIG_BPF_JIT=y CONFIG_BPF_EVENTS=y
	CONFIG_DEBUG_INFO=y CONFIG_DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT=y CONFIG_DEBUG_INFO_BTF=y
	CONFIG_DEBUG_INFO_REDUCED=n CONFIG_DEBUG_INFO_SPLIT=n
	CONFIG_FTRACE=y CONFIG_FUNCTION_TRACER=y CONFIG_DYNAMIC_FTRACE=y
	CONFIG_KPROBES=y CONFIG_KPROBE_EVENTS=y CONFIG_PERF_EVENTS=y
	CONFIG_CGROUPS=y CONFIG_MEMCG=y CONFIG_TMPFS=y CONFIG_KALLSYMS=y CONFIG_KALLSYMS_ALL=y
	CONFIG_BLK_DEV_INITRD=y CONFIG_DEVTMPFS=y CONFIG_SERIAL_8250=y CONFIG_SERIAL_8250_CONSOLE=y
)
# What the fault tests need besides (--faults): failslab with fail-nth, and its debugfs
# knobs (failslab skips allocations that may sleep unless ignore-gfp-wait is cleared).
fault_items=(
	CONFIG_FAULT_INJECTION=y CONFIG_FAILSLAB=y CONFIG_DEBUG_FS=y
	CONFIG_FAULT_INJECTION_DEBUG_FS=y CONFIG_FUNCTION_ERROR_INJECTION=y
)
[ -n "$faults" ] && config_items+=("${fault_items[@]}")

# Debian's kernel source, unpacked once (a tree of its own for a fault-injecting kernel).
linux_source() {
	local dir=$cache/ksrc${faults:+/faults-$series} deb tarball
	mkdir -p "$dir"
	if [ ! -f "$dir/linux-source-$series/Makefile" ]; then
		# shellcheck source=scripts/archive.sh
		. "$top/scripts/archive.sh"
		archive_setup "$cache"
		(cd "$dir" && rm -f linux-source-*.deb && apt-get -qq "${apt_opts[@]}" download "linux-source-$series" >&2) ||
			{ echo "ci-kernel: Debian's archive has no linux-source-$series" >&2; exit 1; }
		deb=$(ls "$dir"/linux-source-"$series"_*.deb)
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --wildcards './usr/src/linux-source-*.tar.*'
		tarball=$(ls "$dir"/usr/src/linux-source-"$series".tar.*)
		tar -xf "$tarball" -C "$dir"
		rm -rf "$dir/usr" "$deb"
	fi
	echo "$dir/linux-source-$series"
}

configure() {
	local tree=$1 items=()
	for c in "${config_items[@]}"; do
		items+=(--configitem "$c")
	done
	if command -v vng > /dev/null; then
		(cd "$tree" && vng --kconfig "${items[@]}" >&2)
	else
		make -C "$tree" -s defconfig >&2
		for c in "${config_items[@]}"; do
			"$tree/scripts/config" --file "$tree/.config" --set-val "${c%%=*}" "${c#*=}"
		done
		make -C "$tree" -s olddefconfig >&2
	fi
	check_config "$tree"
}

# A config item its dependencies dropped would make tests fail for the wrong reason.
check_config() {
	local tree=$1 c
	for c in CONFIG_DEBUG_INFO_BTF=y CONFIG_MEMCG=y CONFIG_BPF_SYSCALL=y CONFIG_FUNCTION_TRACER=y \
		${faults:+CONFIG_FAILSLAB=y CONFIG_FAULT_INJECTION_DEBUG_FS=y}; do
		grep -qx "$c" "$tree/.config" ||
			{ echo "ci-kernel: $c did not survive the configuration (pahole from dwarves missing?)" >&2; exit 1; }
	done
}

# A tree configured before --faults asked for more: the missing items set, the rest kept.
add_config_items() {
	local tree=$1 c missing=0
	for c in "${config_items[@]}"; do
		case "$c" in *=n) continue ;; esac
		grep -qx "$c" "$tree/.config" && continue
		"$tree/scripts/config" --file "$tree/.config" --set-val "${c%%=*}" "${c#*=}"
		missing=1
	done
	[ "$missing" -eq 0 ] || make -C "$tree" -s olddefconfig >&2
	check_config "$tree"
}

build() {
	local tree=$1 t0
	if [ -f "$tree/.config" ]; then
		add_config_items "$tree"
	else
		configure "$tree"
	fi
	t0=$(date +%s)
	echo "ci-kernel: building $tree with $jobs jobs" >&2
	make -C "$tree" -s -j"$jobs" bzImage >&2
	echo "ci-kernel: built $(make -C "$tree" -s kernelrelease) in $(( $(date +%s) - t0 )) s" >&2
}

[ -n "$series" ] && target=$(linux_source)
if [ -d "$target" ]; then
	[ -f "$target/Makefile" ] && [ -f "$target/Kconfig" ] ||
		{ echo "ci-kernel: $target is no kernel source tree" >&2; exit 2; }
	command -v pahole > /dev/null ||
		{ echo "ci-kernel: pahole (Debian's dwarves) is needed for BTF" >&2; exit 1; }
	kernel=$target/arch/x86/boot/bzImage
	if [ -n "$faults" ] && [ -n "$series" ]; then
		kept=$cache/kernels/faults-$series
		if [ -s "$kept/bzImage" ] && cmp -s "$kept/config" "$target/.config"; then
			echo "ci-kernel: $kept/bzImage, built before from the same .config" >&2
		else
			build "$target"
			mkdir -p "$kept"
			cp "$kernel" "$kept/bzImage.new" && mv "$kept/bzImage.new" "$kept/bzImage"
			cp "$target/.config" "$kept/config"
		fi
		kernel=$kept/bzImage
	else
		build "$target"
	fi
else
	kernel=$target
fi
[ -s "$kernel" ] || { echo "ci-kernel: no kernel image '$kernel'" >&2; exit 2; }
[ -n "$build_only" ] && { echo "$kernel"; exit 0; }

make -C "$top" --no-print-directory -s lrutop lrutop-static build/test_host build/workload >&2
# Both backends: the one lrutop chooses (fentry), then tracepoints forced.
out=$("$top/scripts/vm-run.sh" --runner "$runner" --kernel "$kernel" --timeout 1800 \
	--add "$top/build/test_host" "$top/tests/vm/guest.sh" ${faults:+faults} 2>&1) && rc=0 || rc=$?
echo "$out" | grep -E '^(lrutop kernel|lrutop backend|lrutop list_lru|self-check|\[|ERROR|vm-run|vng-run|workload)' || true
sum() {
	sed -n "s/^\[  $1 *\] \([0-9]*\) test.*/\1/p" <<< "$out" | awk '{ n += $1 } END { print n + 0 }'
}
passed=$(sum PASSED) failed=$(sum FAILED) skipped=$(sum SKIPPED)
# A guest that died before cmocka's summary, or ran nothing, is a failure.
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1
fi
# As tests/run.sh counts a guest: every kernel test run once per backend; only those that do
# not apply to the kernel may skip (scripts/kernel-skips.sh), once per backend.
want=$(guest_must_run "$out" "$(grep -cE '^[[:space:]]*cmocka_unit_test(_teardown)?\(test_kernel_' "$top/tests/test_host.c")")
may_skip=$(guest_may_skip "$out" 2)
# --faults: the test_faults_* alone, once per backend, none of them skipping.
if [ -n "$faults" ]; then
	want=$((2 * $(grep -cE '^[[:space:]]*cmocka_unit_test(_teardown)?\(test_faults_' "$top/tests/test_host.c")))
	may_skip=0
fi
if [ $((passed + failed + skipped)) -ne "$want" ]; then
	echo "ci-kernel: the guest ran $((passed + failed + skipped)) kernel tests where $want must run" >&2
	failed=$((failed + 1))
fi
if [ "$skipped" -gt "$may_skip" ]; then
	echo "ci-kernel: $skipped kernel tests skipped where at most $may_skip may" >&2
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
