#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lrutop as an operator runs it: build the .deb, boot a Debian 12 root made from the archive
# (mmdebstrap, then mke2fs -d: no loop mount) with systemd as PID 1 under QEMU on Debian's
# kernels, and run tests/systemtest/guest.sh there: apt installs the package, systemd runs
# the exporter's unit, a real Prometheus scrapes it, and apt purges it.
#
# usage: scripts/systemtest.sh [--kernel-alias SERIES]... [--timeout S] [--log-dir DIR]
#   --kernel-alias: a series Debian carries, or newest (default: 6.1 and newest). The
#                   guests boot side by side (one vCPU each); each one's lines are printed.
#   --log-dir:      keep each guest's serial console there (KERNEL.log).
# The root image is built once into .cache/systemtest/ and booted with -snapshot (its
# writes are thrown away); delete it for a fresh one. The guest needs the archive (QEMU's
# user network), as apt does on a host. Prints "N passed, N failed"; exit status 0 if all
# held, 77 if it could not run here.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${LRUTOP_CACHE:-$top/.cache}
kernels=() tmo=900 log_dir=
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel-alias) kernels+=("$2"); shift 2 ;;
	--timeout) tmo=$2; shift 2 ;;
	--log-dir) log_dir=$2; shift 2 ;;
	*) echo "systemtest: unknown argument '$1' (--kernel-alias S, --timeout S, --log-dir DIR)" >&2; exit 2 ;;
	esac
done
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1 newest)
[ "$(id -u)" = 0 ] || { echo "systemtest: needs root (mmdebstrap, QEMU's disks)" >&2; exit 77; }
"$top/scripts/deps.sh" systemtest

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The root: Debian 12 as an operator's host has it, with what the test drives it with.
image_pkgs="systemd-sysv,udev,dbus,kmod,iproute2,procps,curl,jq,bpftool,ca-certificates"
image_key=$(printf '%s\n' "$image_pkgs" | cat - "$top/tests/systemtest/image-setup.sh" | sha256sum | cut -c1-12)
image=$cache/systemtest/bookworm-$image_key.img
if [ ! -s "$image" ]; then
	# shellcheck source=scripts/archive.sh
	. "$top/scripts/archive.sh"
	main_uri=$(archive_uri bookworm) sec_uri=$(archive_uri bookworm-security)
	[ -n "$main_uri" ] || { echo "systemtest: no Debian archive address in /etc/apt" >&2; exit 1; }
	echo "systemtest: making the Debian 12 root from $main_uri (once: $image)" >&2
	mkdir -p "$cache/systemtest"
	rm -f "$cache"/systemtest/bookworm-*.img
	if ! mmdebstrap --variant=minbase --include="$image_pkgs" \
		--customize-hook="$top/tests/systemtest/image-setup.sh \"\$1\"" \
		bookworm "$work/root" "deb $main_uri bookworm main" "deb $main_uri bookworm-updates main" \
		${sec_uri:+"deb $sec_uri bookworm-security main"} > "$work/mmdebstrap.log" 2>&1; then
		tail -20 "$work/mmdebstrap.log" >&2
		echo "systemtest: mmdebstrap could not make the root" >&2
		exit 1
	fi
	mke2fs -q -t ext4 -L lrutop-root -d "$work/root" "$image.tmp" 3G > /dev/null
	mv "$image.tmp" "$image"
	rm -rf "$work/root"
fi

deb=$("$top/scripts/build-deb.sh" "$work/deb")
# What every guest checks against: the package, the project's dashboard, and the exposure
# docs/PACKAGING.md documents.
common=$work/common
mkdir -p "$common"
cp "$deb" "$top/tests/systemtest/guest.sh" "$common/"
sed -n 's/.*verify passed, exposure \([0-9.]*\).*/\1/p' "$top/docs/PACKAGING.md" | head -1 > "$common/exposure"
/usr/bin/python3 - "$top/tests" "$top/docs/grafana/lrutop-dashboard.json" > "$common/dashboard.queries" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from check_dashboard import EAGER_ONLY, NAME, dashboard_exprs
# One query a line: "eager" where it reads a family only kernels before 5.18 have.
for title, expr in dashboard_exprs(sys.argv[2]):
    expr = expr.replace('$instance', '.*')
    eager = any(n.removesuffix('_total') in EAGER_ONLY for n in NAME.findall(expr))
    print(('eager' if eager else 'any') + '\t' + expr)
PY

# The Prometheus server, Debian's, on this host (under TCG a guest runs it ten times slower
# than its scrapes come): the project's rules, and its rising-bytes alert scaled to a test's
# minute (its expression; a 30 s window, 8 KiB and 2 s, for an hour, 64 MiB and 15 minutes).
# A guest reaches it at 10.0.2.2, QEMU's gateway; it scrapes the guest through a port QEMU
# forwards. One server a guest.
cp "$top/docs/prometheus/lrutop.rules.yml" "$common/"
{
	printf 'groups:\n  - name: lrutop.systemtest\n    rules:\n'
	sed -n '/- alert: LrutopListLruBytesRisingFast/,/^$/p' "$top/docs/prometheus/lrutop.rules.yml" |
		sed 's/LrutopListLruBytesRisingFast/LrutopListLruBytesRisingFastScaled/; s/\[1h\]/[30s]/;
		     s/64 \* 1024 \* 1024/8192/; s/for: 15m/for: 2s/'
} > "$common/scaled.rules.yml"
grep -q LrutopListLruBytesRisingFastScaled "$common/scaled.rules.yml" ||
	{ echo "systemtest: the rising-bytes alert is not in lrutop.rules.yml" >&2; exit 1; }
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
prometheus_config() {
	cat <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $common/lrutop.rules.yml
  - $common/scaled.rules.yml
scrape_configs:
  - job_name: lrutop
    static_configs:
      - targets: ['127.0.0.1:$1']
YML
}

# A busybox initramfs loads the drivers the root needs (modules in Debian's kernels) and
# hands over to systemd on /dev/vda.
initramfs() {
	local kdir=$1 out=$2 release ir=$2.d
	release=$(cat "$kdir/release")
	mkdir -p "$ir"/{bin,dev,proc,sys,newroot,m}
	cp /bin/busybox "$ir/bin/busybox"
	for app in sh mount insmod switch_root sleep; do ln -s busybox "$ir/bin/$app"; done
	for mod in virtio_pci virtio_blk virtio_net crc32c_generic ext4; do
		# crc32c_generic is crc32c-cryptoapi from 7.x, which ext4's dependencies name.
		/sbin/modprobe -d "$kdir/root" -S "$release" --show-depends "$mod" 2>/dev/null || true
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
		name=$(basename "$ko")
		case "$name" in
		*.xz) xz -dc "$ko" > "$ir/m/${name%.xz}"; name=${name%.xz} ;;
		*.zst) zstd -dcq "$ko" > "$ir/m/${name%.zst}"; name=${name%.zst} ;;
		*) cp "$ko" "$ir/m/$name" ;;
		esac
		echo "$name" >> "$ir/m/order"
	done
	cat > "$ir/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t devtmpfs dev /dev
# crc32c-intel refuses a CPU without SSE4.2 (TCG's): crc32c_generic is there.
for m in $(cat /m/order); do insmod "/m/$m" 2> /dev/null; done
for i in $(seq 50); do [ -b /dev/vda ] && break; sleep 0.1; done
mount -t ext4 /dev/vda /newroot || { echo "systemtest: no root on /dev/vda"; sleep 5; exit 1; }
exec switch_root /newroot /sbin/init
INIT
	chmod +x "$ir/init"
	(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
}

# boot_guest KERNEL_DIR DIR: one guest and its Prometheus; the serial console in DIR/log.
boot_guest() {
	local kdir=$1 dir=$2 prom_port fwd_port prom_pid
	prom_port=$(free_port) fwd_port=$(free_port)
	mkdir -p "$dir/payload"
	cp "$common/guest.sh" "$common"/*.deb "$common/exposure" "$common/dashboard.queries" "$dir/payload/"
	echo "http://10.0.2.2:$prom_port/api/v1" > "$dir/payload/prometheus"
	mke2fs -q -t ext4 -L lrutop-test -d "$dir/payload" "$dir/payload.img" 64M > /dev/null
	initramfs "$kdir" "$dir/initrd.gz"
	prometheus_config "$fwd_port" > "$dir/prometheus.yml"
	promtool check config "$dir/prometheus.yml" > /dev/null 2>&1 ||
		{ echo "systemtest: promtool check config failed" > "$dir/log"; return; }
	prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/tsdb" \
		--web.listen-address="127.0.0.1:$prom_port" > "$dir/prometheus.log" 2>&1 &
	prom_pid=$!
	# One vCPU (vm-run.sh says why), TCG, the root's writes thrown away (snapshot=on).
	timeout "$tmo" qemu-system-x86_64 -accel tcg -m 2048M -smp 1 -nographic -no-reboot \
		-kernel "$kdir/vmlinuz" -initrd "$dir/initrd.gz" \
		-append "console=ttyS0 panic=-1 quiet loglevel=3 systemd.show_status=0 clocksource=tsc tsc=reliable" \
		-drive "file=$image,if=virtio,format=raw,snapshot=on" \
		-drive "file=$dir/payload.img,if=virtio,format=raw,readonly=on" \
		-netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$fwd_port-:9843" \
		-device virtio-net-pci,netdev=net0 2>&1 | tr -d '\r' |
		sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' > "$dir/log" || true
	kill "$prom_pid" 2> /dev/null
	wait "$prom_pid" 2> /dev/null || true
}

# The kernels are fetched one after the other (one apt cache), then booted side by side:
# each guest is one vCPU.
kdirs=()
for k in "${kernels[@]}"; do
	kdirs+=("$("$top/scripts/fetch-kernel.sh" --modules "$k")")
done
pids=()
for i in "${!kernels[@]}"; do
	boot_guest "${kdirs[$i]}" "$work/guest$i" &
	pids+=($!)
done
for pid in "${pids[@]}"; do
	wait "$pid" || true
done
passed=0 failed=0
for i in "${!kernels[@]}"; do
	release=$(cat "${kdirs[$i]}/release")
	log=$work/guest$i/log
	[ -f "$log" ] || echo "systemtest: the guest of $release did not start" > "$log"
	echo "== system test: Debian 12 with systemd on $release"
	[ -z "$log_dir" ] || { mkdir -p "$log_dir"; cp "$log" "$log_dir/${kernels[$i]}.log"; }
	grep -aE '(ok|not ok|#|systemtest:) ' "$log" | sed -E 's/^\[ *[0-9.]+\] [a-z]+\[[0-9]+\]: //; s/^/  /' || true
	p=$(sed -n 's/.*systemtest: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/.*systemtest: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' "$log" | tail -1)
	if [ -z "$p" ]; then
		tail -40 "$log"
		echo "systemtest: the $release guest gave no verdict (timed out after ${tmo}s or crashed)"
		failed=$((failed + 1))
		continue
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
