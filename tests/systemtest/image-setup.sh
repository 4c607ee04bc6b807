#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmdebstrap's customize hook for the system test's Debian 12 root (scripts/systemtest.sh):
# $1 is the root. What an operator's host has after installation, plus the test's runner:
# - QEMU's user network, fixed (slirp: the guest 10.0.2.15, its gateway 10.0.2.2 and DNS
#   10.0.2.3), through systemd-networkd;
# - Prometheus installed but not started: the test configures it, as an operator would;
# - lrutop-systemtest.service runs guest.sh from the second disk once the system is up, with
#   its output on the serial console, and powers the guest off.
set -euo pipefail
root=$1
echo lrutop-systemtest > "$root/etc/hostname"
mkdir -p "$root/etc/systemd/network"
cat > "$root/etc/systemd/network/10-slirp.network" <<'NET'
[Match]
Name=en* eth*

[Network]
Address=10.0.2.15/24
Gateway=10.0.2.2
DNS=10.0.2.3
NET
echo 'nameserver 10.0.2.3' > "$root/etc/resolv.conf"
chroot "$root" systemctl enable systemd-networkd.service > /dev/null 2>&1
chroot "$root" systemctl disable prometheus.service > /dev/null 2>&1 || true
# The root's password is not set: the serial console is the test's, not a login.
chroot "$root" systemctl mask serial-getty@ttyS0.service getty@tty1.service > /dev/null 2>&1
cat > "$root/etc/systemd/system/lrutop-systemtest.service" <<'UNIT'
[Unit]
Description=lrutop system test (guest.sh on the disk /dev/vdb)
Requires=dev-vdb.device
After=dev-vdb.device multi-user.target network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'mkdir -p /run/lrutop-test && mount -o ro /dev/vdb /run/lrutop-test && exec /bin/bash /run/lrutop-test/guest.sh'
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity
ExecStopPost=/bin/systemctl --no-block poweroff

[Install]
WantedBy=multi-user.target
UNIT
chroot "$root" systemctl enable lrutop-systemtest.service > /dev/null 2>&1
