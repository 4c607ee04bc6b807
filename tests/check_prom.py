#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check lrutop's Prometheus exposition with the Prometheus Python client's parser.

usage: check_prom.py (--file FILE | --url URL) [--watch SECONDS] [--expect-cgroup PATH]...
Parses the text (the parser rejects malformed lines, bad escapes and duplicate HELP/TYPE),
then checks: every family has HELP and TYPE; names are valid and counters end in _total;
histograms have increasing le buckets with non-decreasing counts, a +Inf bucket equal to
_count, and a _sum; each --expect-cgroup appears, unescaped, as a cgroup label. --watch
re-reads the file as fast as it can for that long: every read must be whole (the file is
replaced atomically while lrutop writes it every interval).
"""
import argparse
import math
import re
import sys
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LAST_FAMILY = "lrutop_cgroups_in_other"


def check(text, expect_cgroups):
    problems = []
    if not text.endswith("\n"):
        problems.append("text does not end with a newline (cut short?)")
    helps = set(re.findall(r"^# HELP (\S+) ", text, re.M))
    types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))
    families = list(text_string_to_metric_families(text))
    if not families:
        problems.append("no metric families")
    cgroups = set()
    for fam in families:
        exposed = fam.name + "_total" if fam.type == "counter" else fam.name
        if not NAME.match(exposed):
            problems.append(f"{exposed}: invalid name")
        if exposed not in helps:
            problems.append(f"{exposed}: no HELP")
        if exposed not in types:
            problems.append(f"{exposed}: no TYPE")
        if fam.type == "counter":
            for s in fam.samples:
                if not s.name.endswith("_total") and not s.name.endswith("_created"):
                    problems.append(f"{s.name}: a counter sample not named *_total")
                if s.value < 0:
                    problems.append(f"{s.name}{s.labels}: negative counter")
        for s in fam.samples:
            if "cgroup" in s.labels:
                cgroups.add(s.labels["cgroup"])
        if fam.type == "histogram":
            problems += check_histogram(fam)
    if LAST_FAMILY not in types:
        problems.append(f"{LAST_FAMILY} missing: text cut short")
    for want in expect_cgroups:
        if want not in cgroups:
            problems.append(f"no series for cgroup {want!r} (have {sorted(cgroups)})")
    return problems, len(families)


def check_histogram(fam):
    problems = []
    series = {}
    for s in fam.samples:
        key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
        d = series.setdefault(key, {"buckets": [], "sum": None, "count": None})
        if s.name.endswith("_bucket"):
            d["buckets"].append((float(s.labels["le"]), s.value))
        elif s.name.endswith("_sum"):
            d["sum"] = s.value
        elif s.name.endswith("_count"):
            d["count"] = s.value
    for key, d in series.items():
        les = [le for le, _ in d["buckets"]]
        counts = [c for _, c in d["buckets"]]
        if not les or not math.isinf(les[-1]):
            problems.append(f"{fam.name}{key}: no +Inf bucket last")
        if les != sorted(les) or len(set(les)) != len(les):
            problems.append(f"{fam.name}{key}: le not strictly increasing")
        if counts != sorted(counts):
            problems.append(f"{fam.name}{key}: bucket counts decrease")
        if d["count"] is None or d["sum"] is None:
            problems.append(f"{fam.name}{key}: no _count or _sum")
        elif counts and counts[-1] != d["count"]:
            problems.append(f"{fam.name}{key}: +Inf bucket {counts[-1]} != _count {d['count']}")
    return problems


def read(args):
    if args.url:
        with urllib.request.urlopen(args.url, timeout=5) as r:
            ctype = r.headers.get("Content-Type", "")
            if not ctype.startswith("text/plain; version=0.0.4"):
                raise SystemExit(f"{args.url}: Content-Type {ctype!r}")
            return r.read().decode()
    with open(args.file) as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser()
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--file")
    src.add_argument("--url")
    ap.add_argument("--watch", type=float, default=0)
    ap.add_argument("--expect-cgroup", action="append", default=[])
    args = ap.parse_args()

    text = read(args)
    problems, nfam = check(text, args.expect_cgroup)
    reads = 1
    end = time.monotonic() + args.watch
    while not problems and time.monotonic() < end:
        text = read(args)
        problems, _ = check(text, [])
        reads += 1
    for p in problems:
        print(f"{args.file or args.url}: {p}")
    if problems:
        return 1
    print(f"{args.file or args.url}: {nfam} families valid, {reads} whole reads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
