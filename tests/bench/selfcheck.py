#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""What the start-up self-check costs: lrutop --probe with and without it, 21 rounds
interleaved; medians of wall and CPU time, and of the per-round wall difference.
usage (as root, from the top of the tree): tests/bench/selfcheck.py"""
import resource, subprocess, time, statistics, sys
res = {"on": ([], []), "off": ([], [])}
for i in range(21):
    for k, args in (("on", ["./lrutop", "--probe"]), ("off", ["./lrutop", "--probe", "--no-self-check"])):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN); t0 = time.monotonic()
        subprocess.run(args, stdout=subprocess.DEVNULL, check=True)
        t1 = time.monotonic(); r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        res[k][0].append(t1 - t0)
        res[k][1].append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
for k in res:
    w, c = res[k]
    print(f"{k}: wall median {statistics.median(w)*1000:.1f} ms (least {min(w)*1000:.1f}), cpu median {statistics.median(c)*1000:.1f} ms (least {min(c)*1000:.1f})")
d = [a - b for a, b in zip(res["on"][0], res["off"][0])]
print(f"self-check adds (median of per-round differences): wall {statistics.median(d)*1000:.1f} ms")
