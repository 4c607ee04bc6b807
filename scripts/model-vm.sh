#!/bin/bash
# The model against a booted kernel: tests/vm/model-guest.sh builds a container host at a
# scale (memcgs, mounts, touches, shared mounts) and reads /proc/slabinfo before, during and
# after; this script asks `lrutop model` for the same scale and checks that the kernel's
# kmalloc-32 objects rose by the lists the model says:
#   before the patch: the rise is the "without" state's lists (L x K x N), within 2%;
#   after it: no eager list at all, a rise under 5% of that.
# And lrutop's inventory against both: before the patch it must find exactly the model's
# L x K x N lists held (and kmalloc-32 rise by at least what it found made); after, the held
# lists must rise by exactly the pairs the workload populated.
# usage: scripts/model-vm.sh before|after KERNEL MEMCGS MOUNTS TOUCH SHARED NODES [MB_PER_NODE]
# Prints the guest's lines, a table, and "model-vm: KERNEL: ok|FAILED ..."; exit 1 on failure.
set -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
side=$1 kernel=$2 memcgs=$3 mounts=$4 touch=$5 shared=$6 nodes=$7 mem=${8:-512}
case "$side" in before | after) ;; *) nodes= ;; esac
[ -n "$nodes" ] || { echo "usage: model-vm.sh before|after KERNEL MEMCGS MOUNTS TOUCH SHARED NODES [MB]" >&2; exit 2; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$top/scripts/vm-run.sh" --kernel-alias "$kernel" --numa "$nodes" --mem-per-node "$mem" \
	--timeout 900 "$top/tests/vm/model-guest.sh" "$memcgs" "$mounts" "$touch" "$shared" > "$log" 2>&1
rc=$?
grep -oE '(lrutop kernel:|LRUTOP-MODEL) .*' "$log"
summary=$(grep -o '{"summary":{[^[]*' "$log" | head -1)
if [ "$rc" -ne 0 ] || [ -z "$summary" ]; then
	tail -20 "$log"
	echo "model-vm: $kernel: FAILED: the guest's workload did not complete (rc $rc)"
	exit 1
fi
pairs=$(sed -n 's/.*"expected_lists":\([0-9]*\).*/\1/p' <<< "$summary")
during_lrus=$(sed -n 's/.*LRUTOP-MODEL during lrus=\([0-9]*\).*/\1/p' "$log")
# The workload's own parent memcg holds the ancestors' lists: memcgs + 1 alive.
model=$("$top/lrutop" model -j --memcgs $((memcgs + 1)) --mounts "$mounts" --lrus "$during_lrus" \
	--nodes "$nodes" --pairs "$pairs") || { echo "model-vm: $kernel: FAILED: lrutop model"; exit 1; }
python3 - "$side" "$kernel" "$log" "$model" <<'EOF'
import json, re, sys

side, kernel, log, model = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
phases = {}
for line in open(log):
    m = re.search(r'LRUTOP-MODEL (\w+) (.*)', line)
    if m:
        phases[m.group(1)] = {k: int(v) for k, v in re.findall(r'(\S+?)=(\d+)', m.group(2))}
release = next((m.group(1) for m in map(re.compile(r'lrutop kernel: (\S+)').search, open(log)) if m), '?')
b, d, a = phases['before'], phases['during'], phases['after']
rise = d['kmalloc-32'] - b['kmalloc-32']
without = model['states'][0]['lists']
pre = side == 'before'
print(f"| {release} | kmalloc-32 before / during / after | {b['kmalloc-32']} / {d['kmalloc-32']} / {a['kmalloc-32']} |")
print(f"| | rise while the workload holds its memcgs and mounts | {rise} |")
print(f"| | model, without the series (L x K x N lists) | {without} |")
held_rise = d.get('held', 0) - b.get('held', 0)
if 'held' in d:
    print(f"| | held, by lrutop inventory, before / during / after | {b.get('held')} / {d['held']} / {a.get('held')} |")
if pre:
    # The inventory reads every list there is: L x K x N exactly; slabinfo rises by at
    # least the lists it finds made (its active count also holds other objects).
    if d.get('held') != without or rise < held_rise:
        print(f"model-vm: {kernel}: FAILED: the inventory found {d.get('held')} lists held, the "
              f"model says {without}; kmalloc-32 rose by {rise}, the held lists by {held_rise}")
        sys.exit(1)
    err = 100.0 * (rise - without) / without
    ok = abs(err) <= 2
    print(f"model-vm: {kernel}: {'ok' if ok else 'FAILED'}: before the patch, kmalloc-32 rose by {rise}, "
          f"the model says {without} eager lists ({err:+.2f}%, limit 2%)")
else:
    pairs = model['inputs']['pairs']
    if held_rise != pairs:
        print(f"model-vm: {kernel}: FAILED: the inventory found {held_rise} more lists held, "
              f"the workload made {pairs}")
        sys.exit(1)
    ok = rise < 0.05 * without
    print(f"model-vm: {kernel}: {'ok' if ok else 'FAILED'}: after the patch, kmalloc-32 rose by {rise}, "
          f"under 5% of the {without} eager lists a pre-5.18 kernel would make")
sys.exit(0 if ok else 1)
EOF
