#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel under QEMU (TCG) with a busybox initramfs holding lrutop-static, the
# workload and a guest script, run the script as PID 1's child, and exit with its status.
#
# usage: scripts/vm-run.sh (--kernel-alias 5.10|6.1|6.12 | --kernel BZIMAGE) [--numa N]
#                          [--timeout S] [--add PROGRAM]... GUEST_SCRIPT [ARGS...]
# --add copies a dynamically linked program into /lrutop with the libraries ldd names.
# The guest's output goes to stdout. QEMU exits 0 whatever the guest did, so the verdict is
# read from a marker line the guest init prints.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kernel= alias_name= numa=1 tmo=240 extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--kernel-alias) alias_name=$2; shift 2 ;;
	--numa) numa=$2; shift 2 ;;
	--timeout) tmo=$2; shift 2 ;;
	--add) extra+=("$2"); shift 2 ;;
	--) shift; break ;;
	-*) echo "vm-run: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
script=${1:?usage: vm-run.sh (--kernel-alias A | --kernel F) GUEST_SCRIPT [ARGS...]}
shift
if [ -n "$alias_name" ]; then
	kernel=$("$top/scripts/fetch-kernel.sh" "$alias_name")/vmlinuz
fi
[ -r "$kernel" ] || { echo "vm-run: no kernel image '$kernel'" >&2; exit 2; }
for f in "$top/lrutop-static" "$top/build/workload" /bin/busybox; do
	[ -x "$f" ] || { echo "vm-run: missing $f (make static build/workload; scripts/deps.sh vm)" >&2; exit 2; }
done

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

numa_args=()
if [ "$numa" -gt 1 ]; then
	for n in $(seq 0 $((numa - 1))); do
		numa_args+=(-object "memory-backend-ram,id=m$n,size=512M" -numa "node,nodeid=$n,cpus=$n,memdev=m$n")
	done
fi
log=$work/serial.log
# -accel tcg: /dev/kvm here hangs these kernels. QEMU's own status says nothing of the guest.
timeout "$tmo" qemu-system-x86_64 -accel tcg -m $((512 * numa))M -smp "$numa" "${numa_args[@]}" \
	-nographic -no-reboot -kernel "$kernel" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 panic=-1 quiet loglevel=3" > "$log" 2>&1 || true
tr -d '\r' < "$log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' | grep -v '^LRUTOP-VM-RESULT' || true
rc=$(tr -d '\r' < "$log" | sed -n 's/.*LRUTOP-VM-RESULT rc=\([0-9]*\).*/\1/p' | tail -1)
if [ -z "$rc" ]; then
	echo "vm-run: the guest gave no verdict (timed out after ${tmo}s or crashed)" >&2
	exit 1
fi
exit "$rc"
