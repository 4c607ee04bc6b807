#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel under QEMU (TCG) with a busybox initramfs holding lrutop-static, the
# workload and a guest script, run the script as PID 1's child, and exit with its status.
#
# usage: scripts/vm-run.sh (--kernel-alias SERIES|newest | --kernel-package NAME |
#                          --kernel BZIMAGE) [--numa N] [--timeout S] [--runner qemu|vng]
#                          [--accel auto|tcg|kvm] [--mem-per-node MB] [--add PROGRAM]...
#                          [--cmdline ARGS] GUEST_SCRIPT [ARGS...]
# --cmdline adds to the kernel's command line (slub_debug=U,kmalloc-96 widens that cache's
# slots: a kernel whose slab is not the type's arithmetic).
# --accel auto (the default) uses KVM only where a bounded probe boot proved it works (the
# verdict is cached per host boot); here /dev/kvm exists but hangs these kernels.
# --kernel-alias takes a series Debian carries (5.10, 6.1, 6.12, 6.16 ... 7.3) or newest;
# --kernel-package any Debian kernel image package or metapackage (fetch-kernel.sh).
# --add copies a dynamically linked program into /lrutop with the libraries ldd names.
# --runner vng boots with virtme-ng instead (scripts/vng-run.sh), the host's root shared into
# the guest and the dynamic ./lrutop run as it is.
# The guest's output goes to stdout. QEMU exits 0 whatever the guest did, so the verdict is
# read from a marker line the guest init prints.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kernel= alias_name= package= numa=1 mem_mb=512 tmo=240 runner=qemu accel=auto extra=() cmdline=
cache=${LRUTOP_CACHE:-$top/.cache}
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--kernel-alias) alias_name=$2; shift 2 ;;
	--kernel-package) package=$2; shift 2 ;;
	--runner) runner=$2; shift 2 ;;
	--accel) accel=$2; shift 2 ;;
	--numa) numa=$2; shift 2 ;;
	--mem-per-node) mem_mb=$2; shift 2 ;;
	--timeout) tmo=$2; shift 2 ;;
	--add) extra+=("$2"); shift 2 ;;
	--cmdline) cmdline=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "vm-run: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
script=${1:?usage: vm-run.sh (--kernel-alias A | --kernel F) GUEST_SCRIPT [ARGS...]}
shift
if [ -n "$alias_name" ]; then
	kernel=$("$top/scripts/fetch-kernel.sh" "$alias_name")/vmlinuz
elif [ -n "$package" ]; then
	kernel=$("$top/scripts/fetch-kernel.sh" --package "$package")/vmlinuz
fi
[ -r "$kernel" ] || { echo "vm-run: no kernel image '$kernel'" >&2; exit 2; }
# The busybox guest runs the static build; a virtme-ng guest the host's own.
needed=("$top/lrutop-static" "$top/build/workload" /bin/busybox)
[ "$runner" = vng ] && needed=("$top/lrutop" "$top/build/workload")
for f in "${needed[@]}"; do
	[ -x "$f" ] || { echo "vm-run: missing $f (make lrutop static build/workload; scripts/deps.sh vm)" >&2; exit 2; }
done

case "$runner" in
qemu)	;;
vng)
	# virtme-ng shares the host's root (read-only, /tmp an overlay) and runs the command as
	# root: the dynamic builds run as they are. The guest script finds them through
	# LRUTOP_DIR; vng-run.sh links the kernel's modules in for the run and reads the verdict.
	dir=$top/build/vng
	rm -rf "$dir" && mkdir -p "$dir"
	ln -s "$top/lrutop" "$dir/lrutop"
	ln -s "$top/build/workload" "$dir/workload"
	for prog in "${extra[@]}"; do
		ln -s "$(realpath "$prog")" "$dir/"
	done
	if [ -n "$alias_name" ]; then
		how=(--kernel-alias "$alias_name")
	elif [ -n "$package" ]; then
		how=(--kernel-package "$package")
	else
		how=(--kernel "$kernel")
	fi
	# virtme-ng's Python init wants more than a busybox guest: at least 1 GB. One vCPU, as
	# the QEMU runner: with two, a 6.18 guest died silently mid-test (vng status 255) in one
	# CI-equivalent run of three, as bench-hotpath's two-vCPU guests sometimes do.
	mem=$((mem_mb * numa < 1024 ? 1024 : mem_mb * numa))
	exec "$top/scripts/vng-run.sh" "${how[@]}" --numa "$numa" --memory "$mem" --cpus 1 \
		--timeout "$tmo" -- env LRUTOP_DIR="$dir" sh "$(realpath "$script")" "$@"
	;;
*)	echo "vm-run: unknown runner '$runner' (qemu, vng)" >&2; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lrutop}
cp /bin/busybox "$root/bin/busybox"
for app in $(/bin/busybox --list); do
	[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
done
cp "$top/lrutop-static" "$root/lrutop/lrutop"
cp "$top/build/workload" "$root/lrutop/workload"
cp "$script" "$root/lrutop/guest.sh"
for prog in "${extra[@]}"; do
	cp "$prog" "$root/lrutop/"
	for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done
printf '%q ' "$@" > "$root/lrutop/args"
# rdinit=/kvm-probe: boots, says so, powers off; nothing else.
printf '#!/bin/busybox sh\necho LRUTOP-KVM-OK\n/bin/busybox poweroff -f\n' > "$root/kvm-probe"
chmod +x "$root/kvm-probe"
cat > "$root/init" <<'INIT'
#!/bin/busybox sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
mkdir -p /sys/fs/cgroup
mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
cd /lrutop
eval "set -- $(cat args)"
sh ./guest.sh "$@"
echo "LRUTOP-VM-RESULT rc=$?"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"

# One vCPU, on node 0; the other nodes hold memory only (nr_node_ids counts them all). Two
# vCPUs under TCG can catch the kernel patching its text (a tracepoint's static key, an
# fentry trampoline) mid-instruction: an int3 oops in kfree, seen once in 7.3 with two.
numa_args=()
if [ "$numa" -gt 1 ]; then
	for n in $(seq 0 $((numa - 1))); do
		cpus=
		[ "$n" = 0 ] && cpus=cpus=0,
		numa_args+=(-object "memory-backend-ram,id=m$n,size=${mem_mb}M" -numa "node,nodeid=$n,${cpus}memdev=m$n")
	done
fi
choose_accel() {
	local stamp=$cache/kvm-probe boot
	[ "$accel" = auto ] || return 0
	accel=tcg
	[ -w /dev/kvm ] || return 0
	boot=$(cat /proc/sys/kernel/random/boot_id)
	if [ "$(head -1 "$stamp" 2>/dev/null)" = "$boot" ]; then
		accel=$(sed -n 2p "$stamp")
		return 0
	fi
	echo "vm-run: probing KVM with a bounded boot (once per host boot)" >&2
	timeout 30 qemu-system-x86_64 -accel kvm -m 256M -nographic -no-reboot -kernel "$kernel" \
		-initrd "$work/initrd.gz" -append "console=ttyS0 panic=-1 quiet rdinit=/kvm-probe" \
		> "$work/kvm.log" 2>&1 || true
	if grep -q 'LRUTOP-KVM-OK' "$work/kvm.log"; then
		accel=kvm
	fi
	mkdir -p "$cache"
	printf '%s\n%s\n' "$boot" "$accel" > "$stamp"
	echo "vm-run: using $accel" >&2
}
case "$accel" in
auto | tcg | kvm) choose_accel ;;
*) echo "vm-run: unknown accelerator '$accel' (auto, tcg, kvm)" >&2; exit 2 ;;
esac

log=$work/serial.log
# QEMU's own status says nothing of the guest.
timeout "$tmo" qemu-system-x86_64 -accel "$accel" -m $((mem_mb * numa))M -smp 1 "${numa_args[@]}" \
	-nographic -no-reboot -kernel "$kernel" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 panic=-1 quiet loglevel=3${cmdline:+ $cmdline}" > "$log" 2>&1 || true
tr -d '\r' < "$log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' | grep -v '^LRUTOP-VM-RESULT' || true
rc=$(tr -d '\r' < "$log" | sed -n 's/.*LRUTOP-VM-RESULT rc=\([0-9]*\).*/\1/p' | tail -1)
if [ -z "$rc" ]; then
	echo "vm-run: the guest gave no verdict (timed out after ${tmo}s or crashed)" >&2
	exit 1
fi
exit "$rc"
