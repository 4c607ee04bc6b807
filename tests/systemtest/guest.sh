#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Inside the booted Debian 12 guest of scripts/systemtest.sh, run by lrutop-systemtest.service
# once the system is up, as root: what an operator does with lrutop's package, checked step
# by step. One "ok -" or "not ok -" line a check, then "systemtest: N passed, N failed".
# Beside it on the disk: the .deb, dashboard.queries, exposure, and prometheus (the API of
# the server on the host that scrapes this guest).
set -u
here=$(cd "$(dirname "$0")" && pwd)
metrics=http://127.0.0.1:9843/metrics
prom=$(cat "$here/prometheus")
work=/system.slice/lrutop-work.scope
burst=/system.slice/lrutop-burst.scope
passed=0 failed=0

ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }
note() { echo "# $*"; }
# check WHAT CMD...: one line for CMD's status.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
finish() {
	echo "systemtest: $passed passed, $failed failed"
	exit 0
}
# same A B: both the same, and not nothing.
same() {
	[ -n "$1" ] && [ "$1" = "$2" ]
}
# until SECONDS CMD...: CMD's status, tried every second for at most SECONDS.
until_ok() {
	local n=$1
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 1
	done
}
scrape() {
	curl -sf "$metrics"
}
# metric NAME [LABEL]: its value in the exporter's /metrics now (of the first series with
# LABEL, as name="value", among its labels), or nothing.
metric() {
	scrape | awk -v name="$1" -v label="${2:-}" '{
		n = $1; sub(/\{.*/, "", n)
		if (n == name && index($1, label)) { print $2; exit }
	}'
}
exporter_serves() {
	[ "$(metric lrutop_self_check_ok)" = 1 ] && [ -n "$(metric lrutop_list_lru_held_lists)" ]
}
# The BPF programs loaded now that systemd did not load (its own are named sd_*), less those
# loaded before lrutop was installed.
foreign_progs() {
	bpftool -j prog show | jq -r '.[] | select((.name // "") | startswith("sd_") | not) | .id' |
		sort | comm -13 /run/progs.before -
}
unit_prop() {
	systemctl show -p "$1" --value lrutop-exporter.service
}
# query EXPR [TIME]: the result vector of an instant query to the Prometheus server.
query() {
	curl -sf "$prom/query" --data-urlencode "query=$1" ${2:+--data-urlencode "time=$2"} |
		jq -c '.data.result'
}
# value EXPR [TIME]: the first sample's value, or nothing.
value() {
	query "$@" | jq -r '.[0].value[1] // empty'
}

note "kernel $(uname -r), $(systemd --version | head -1)"
check "systemd is PID 1" [ "$(ps -p 1 -o comm=)" = systemd ]
bpftool -j prog show | jq -r '.[] | select((.name // "") | startswith("sd_") | not) | .id' |
	sort > /run/progs.before

# --- apt install: the package's dependencies come from the archive.
cp "$here"/lrutop_*.deb /root/
# bpftool brought libbpf1; nothing in the image needs these.
for dep in libjansson4 libmicrohttpd12; do
	! dpkg -s "$dep" > /dev/null 2>&1 || not_ok "$dep is absent before the install (the image has it)"
done
apt-get update -q > /root/apt-update.log 2>&1 || note "apt-get update: $(tail -1 /root/apt-update.log)"
if DEBIAN_FRONTEND=noninteractive apt-get install -y /root/lrutop_*.deb > /root/apt.log 2>&1; then
	ok "apt install ./lrutop_*.deb: $(grep -c '^Get:' /root/apt.log) packages from the archive ($(awk '/^Get:/ && $2 !~ /^\// { print $5 }' /root/apt.log | paste -sd' '))"
else
	tail -5 /root/apt.log
	not_ok "apt install ./lrutop_*.deb"
	finish
fi
check "libjansson4 and libmicrohttpd12 came with it" dpkg -s libjansson4 libmicrohttpd12 > /dev/null 2>&1
installed_idle() {
	[ "$(systemctl is-enabled lrutop-exporter.service)" = disabled ] &&
		! systemctl -q is-active lrutop-exporter.service
}
check "the unit is installed disabled, and not started" installed_idle

# --- systemctl enable --now: the unit's sandbox and the self-check inside it.
check "systemctl enable --now lrutop-exporter" systemctl enable --now lrutop-exporter.service
if until_ok 120 exporter_serves; then
	ok "the exporter serves, its self-check passed inside the unit (lrutop_self_check_ok 1)"
else
	journalctl -u lrutop-exporter.service --no-pager | tail -15
	not_ok "the exporter serves with its self-check passed"
	finish
fi
pid=$(unit_prop MainPID)
note "a scrape of /metrics takes $(curl -s -o /dev/null -w '%{time_total}' "$metrics") s here"
note "$(journalctl -u lrutop-exporter.service --no-pager -o cat | grep -m1 'self-check')"
note "the exporter's process: $(grep -E '^(Uid|CapBnd|CapEff):' /proc/"$pid"/status | tr -s '\t\n' '  ')"
# Least privilege: neither CAP_SYS_ADMIN (21) nor CAP_DAC_OVERRIDE (1), and still checked.
eff=$((16#$(awk '$1 == "CapEff:" { print $2 }' /proc/"$pid"/status)))
check "it runs without CAP_SYS_ADMIN and CAP_DAC_OVERRIDE" [ $((eff & (1 << 21 | 1 << 1))) = 0 ]
exposure=$(systemd-analyze security lrutop-exporter.service --no-pager 2>&1 |
	sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
check "systemd-analyze security on the running unit: exposure $exposure, docs/PACKAGING.md says $(cat "$here/exposure")" \
	[ "$exposure" = "$(cat "$here/exposure")" ]
programs=$(foreign_progs | wc -l)
check "the exporter loaded its BPF programs ($programs)" [ "$programs" -gt 0 ]

# --- Scraped by a real Prometheus (Debian's, on the host: a server scrapes its hosts from
# afar), every second, with the project's rules: the operator widens the unit's --listen
# and IPAddressAllow as its comment says, in a drop-in. QEMU forwards the server's
# connections from the gateway, 10.0.2.2.
mkdir -p /etc/systemd/system/lrutop-exporter.service.d
cat > /etc/systemd/system/lrutop-exporter.service.d/scraped-remotely.conf <<'CONF'
[Service]
ExecStart=
ExecStart=/usr/sbin/lrutop --listen 0.0.0.0:9843 15
IPAddressAllow=10.0.2.2
CONF
systemctl daemon-reload
systemctl restart lrutop-exporter.service
until_ok 120 exporter_serves
scraped() {
	[ "$(value 'up{job="lrutop"}')" = 1 ]
}
if until_ok 120 scraped; then
	prom_started=$(date +%s)
	ok "Prometheus scrapes the exporter (up == 1)"
else
	curl -sf "$prom/targets" | jq -c '.data.activeTargets[] | {health, lastError}'
	not_ok "Prometheus scrapes the exporter (up == 1)"
	finish
fi

# --- A workload in a systemd scope makes lists; lrutop's JSON counts them beside the exporter.
lrutop -b -j --cumulative 2 > /run/lrutop.jsonl 2> /run/lrutop.err &
json_pid=$!
until_ok 60 test -s /run/lrutop.jsonl || note "lrutop -b -j wrote nothing in 60 s"
systemd-run --scope --quiet --unit=lrutop-work sh -c '
	mkdir -p /var/tmp/lrutop-work
	for i in $(seq 200); do : > /var/tmp/lrutop-work/f$i; done
	exec sleep 100000' &
held_for() {
	[ "$(metric lrutop_memcg_held_lists "cgroup=\"$work\"")" -gt 0 ] 2> /dev/null
}
check "/metrics shows the scope's lists under its memcg ($work)" until_ok 90 held_for
note "$(scrape | grep -F "\"$work\"" | grep -E '_(held_lists|allocations_total)' | paste -sd' ')"

# The alert: a burst of memcgs in a delegated scope, each making lists, drives it to firing.
systemd-run --scope --quiet -p Delegate=yes --unit=lrutop-burst sh -c '
	cg=/sys/fs/cgroup'"$burst"'
	mkdir $cg/leader && echo $$ > $cg/leader/cgroup.procs && echo +memory > $cg/cgroup.subtree_control
	mkdir -p /var/tmp/lrutop-burst
	for i in $(seq 100); do
		mkdir $cg/c$i
		sh -c "echo \$\$ > $cg/c$i/cgroup.procs; : > /var/tmp/lrutop-burst/f$i; : > /dev/shm/lrutop-burst-$i"
	done
	exec sleep 100000' &
firing() {
	[ "$(curl -sf "$prom/alerts" | jq -r '.data.alerts[] | select(.labels.alertname == "LrutopListLruBytesRisingFastScaled") | .state')" = "$1" ]
}
check "the scaled LrutopListLruBytesRisingFast fires with 100 new memcgs making lists" until_ok 120 firing firing
systemctl stop lrutop-burst.scope
rm -rf /var/tmp/lrutop-burst /dev/shm/lrutop-burst-*
for d in /sys/fs/cgroup"$burst"/*/; do rmdir "$d" 2> /dev/null; done
rmdir /sys/fs/cgroup"$burst" 2> /dev/null
inactive() {
	[ -z "$(curl -sf "$prom/alerts" | jq -r '.data.alerts[] | select(.labels.alertname == "LrutopListLruBytesRisingFastScaled") | .state')" ]
}
check "and goes back to inactive when they are removed" until_ok 150 inactive

# A minute of scrapes at least, then the server's view against lrutop's own JSON.
left=$((prom_started + 65 - $(date +%s)))
[ "$left" -le 0 ] || sleep "$left"
scrapes=$(value 'sum_over_time(up{job="lrutop"}[1m])')
check "a minute of scrapes every second ($scrapes that succeeded in the last minute)" \
	[ "${scrapes:-0}" -ge 55 ]
kill -INT "$json_pid"
wait "$json_pid"
line=$(tail -1 /run/lrutop.jsonl)
t=$(jq -r .time <<< "$line")
for pair in "held_lists lrutop_memcg_held_lists" "allocs lrutop_list_lru_allocations_total"; do
	set -- $pair
	mine=$(jq -r --arg p "$work" '.memcgs[] | select(.path == $p) | .'"$1" <<< "$line")
	server=$(value "$2{cgroup=\"$work\"}" "$t")
	check "Prometheus's $2 for the scope ($server) equals lrutop -b -j's $1 ($mine) at the same time" \
		same "$server" "$mine"
done
share=$(value "cgroup:lrutop_memcg_held_lists:share{cgroup=\"$work\"}" "$t")
ratio=$(value "lrutop_memcg_held_lists{cgroup=\"$work\"} / ignoring (cgroup, unit) lrutop_list_lru_held_lists" "$t")
check "the server evaluated the recording rule cgroup:lrutop_memcg_held_lists:share ($share)" \
	same "$share" "$ratio"
eager=$(jq -r '.totals.eager_allocs' <<< "$line")
while IFS=$'\t' read -r kind expr; do
	n=$(query "$expr" | jq length)
	if [ "$kind" = eager ] && [ "$eager" = null ]; then
		check "dashboard: no data, as on every kernel since 5.18: $expr" [ "$n" = 0 ]
	else
		check "dashboard: data ($n series): $expr" [ "${n:-0}" -gt 0 ]
	fi
done < "$here/dashboard.queries"

# --- Each of the unit's capabilities, dropped in turn (docs/PACKAGING.md quotes these), in
# a delegated scope as the unit's cgroup is.
unit_caps="bpf perfmon syslog"
# probe_with CAPS [ARGS]: what lrutop --probe says with only CAPS (+a,+b), in a delegated scope.
probe_with() {
	local caps=$1
	shift
	systemd-run --scope --quiet -p Delegate=memory \
		setpriv --bounding-set=-all,"$caps" --inh-caps=-all lrutop --probe "$@" 2>&1
}
only_unit_caps() {
	probe_with "+${unit_caps// /,+}" | grep -q '^self-check: passed'
}
check "with only the unit's capabilities ($unit_caps), --probe's self-check passes" only_unit_caps
for cap in $unit_caps; do
	rest=$(echo $unit_caps | tr ' ' '\n' | grep -vx "$cap" | sed 's/^/+/' | paste -sd,)
	for backend in fentry tracepoint; do
		said=$(probe_with "$rest" --backend "$backend" |
			grep -E '^(lrutop: (error|cannot|warning)|self-check:)' | cut -c1-150 | paste -sd'|')
		note "without CAP_${cap^^}, $backend: ${said:-nothing said}"
	done
done

# --- The unit's life: stop, restart, a kill -9 (Restart=on-failure). No program outlives it.
systemctl stop lrutop-exporter.service
check "systemctl stop leaves no BPF program behind" [ -z "$(foreign_progs)" ]
systemctl start lrutop-exporter.service
until_ok 120 exporter_serves
pid=$(unit_prop MainPID)
systemctl restart lrutop-exporter.service
until_ok 120 exporter_serves
one_new_process() {
	[ "$(unit_prop MainPID)" != "$pid" ] && [ "$(foreign_progs | wc -l)" = "$programs" ]
}
check "systemctl restart: a new process serves, with one set of programs" one_new_process
pid=$(unit_prop MainPID)
kill -9 "$pid"
restarted() {
	[ "$(unit_prop NRestarts)" -ge 1 ] && [ "$(unit_prop MainPID)" != "$pid" ] && exporter_serves
}
check "kill -9: systemd restarts it (Restart=on-failure) and it serves again" until_ok 60 restarted
check "and the killed process's programs are gone ($(foreign_progs | wc -l) loaded)" \
	[ "$(foreign_progs | wc -l)" = "$programs" ]

# --- The tracepoint backend, which kernels that refuse fentry get, in the same sandbox: it
# needs kallsyms' addresses (call sites), so the unit must keep CAP_SYSLOG.
mkdir -p /run/systemd/system/lrutop-exporter.service.d
cat > /run/systemd/system/lrutop-exporter.service.d/tracepoint.conf <<'CONF'
[Service]
ExecStart=
ExecStart=/usr/sbin/lrutop --backend tracepoint --listen 0.0.0.0:9843 15
CONF
systemctl daemon-reload
systemctl restart lrutop-exporter.service
if until_ok 120 exporter_serves && scrape | grep -q '^lrutop_info{.*backend="tracepoint"'; then
	ok "the tracepoint backend runs in the unit too, its self-check passed"
else
	journalctl -u lrutop-exporter.service --no-pager -o cat | tail -4
	not_ok "the tracepoint backend runs in the unit too, its self-check passed"
fi
rm -r /run/systemd/system/lrutop-exporter.service.d
systemctl daemon-reload
systemctl restart lrutop-exporter.service
until_ok 120 exporter_serves

# --- Its memory against MemoryMax.
max=$(unit_prop MemoryMax)
cg=/sys/fs/cgroup$(unit_prop ControlGroup)
check "MemoryMax ($max) is applied to the unit's cgroup" [ "$(cat "$cg/memory.max")" = "$max" ]
peak=$(cat "$cg/memory.peak" 2> /dev/null || cat "$cg/memory.current")
note "the unit's memory: $((peak / 1024)) kB at its peak (memory.peak, or memory.current before 5.19) against MemoryMax $((max / 1024)) kB"

# --- apt purge: no file, unit or program left.
dpkg -L lrutop | while read -r f; do [ -f "$f" ] && echo "$f"; done > /run/lrutop.files
check "apt purge lrutop" apt-get purge -y -q lrutop > /root/purge.log 2>&1
left=$(while read -r f; do [ -e "$f" ] && echo "$f"; done < /run/lrutop.files)
check "no file of the package is left ($(wc -l < /run/lrutop.files) were installed)" [ -z "$left" ]
check "no unit is left" [ "$(unit_prop LoadState)" = not-found ]
check "no enablement symlink is left" \
	[ ! -e /etc/systemd/system/multi-user.target.wants/lrutop-exporter.service ]
left=$(foreign_progs)
check "no BPF program is left" [ -z "$left" ]
[ -z "$left" ] || bpftool prog show | grep -A1 -E "^($(echo $left | tr ' ' '|')):"
finish
