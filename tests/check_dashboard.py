#!/usr/bin/python3
"""Every metric the Grafana dashboard and the Prometheus rules query is one lrutop really
exports: its family is in LIVE, what the exporter the caller started served (it must name
itself in lrutop_info). A family only the fentry backend measures (FENTRY_ONLY) may come
from a fentry guest's textfile instead when LIVE's backend is the tracepoint one, and one
only a kernel before 5.18 has (EAGER_ONLY) from a guest of such a kernel. Histogram
series (_bucket, _sum, _count) must belong to a histogram family. Prints a summary line;
exits 1 naming what is missing.

usage: check_dashboard.py DASHBOARD.json RULES.yml LIVE [GUEST_TEXTFILE...]
"""
import json
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

NAME = re.compile(r'\blrutop_[a-z0-9_]+\b')
# Measured only with fentry/fexit on the allocator (lrutop --probe says why elsewhere).
FENTRY_ONLY = {'lrutop_list_lru_alloc_calls', 'lrutop_list_lru_objects',
               'lrutop_memcg_list_lru_alloc_duration_seconds'}
# Only a kernel that allocates its lists eagerly (before 5.18) has them.
EAGER_ONLY = {'lrutop_list_lru_eager_allocations', 'lrutop_list_lru_eager_bytes',
              'lrutop_list_lru_eager_freed_bytes', 'lrutop_list_lru_eager_failures',
              'lrutop_memcg_id_space', 'lrutop_memcg_id_space_growths'}
HIST_SUFFIXES = ('_bucket', '_sum', '_count')


def dashboard_exprs(path):
    exprs = []
    for panel in json.load(open(path))['panels']:
        for target in panel.get('targets', []):
            exprs.append((panel['title'], target['expr']))
    return exprs


def rules_exprs(path):
    # The rules file's expr: lines (and their continuation lines) without a YAML parser.
    exprs, cur = [], None
    for line in open(path):
        m = re.match(r'\s*expr:\s*(>)?\s*(.*)$', line)
        if m:
            cur = m.group(2)
            exprs.append(['rule', cur])
        elif exprs and re.match(r'\s{10,}\S', line) and not re.match(r'\s*[a-z_]+:', line):
            exprs[-1][1] += ' ' + line.strip()
    return [tuple(e) for e in exprs]


def families(path):
    """{family: type} of one exposition, and the backend its lrutop_info names."""
    fams, backend = {}, None
    for fam in text_string_to_metric_families(open(path).read()):
        fams[fam.name] = fam.type
        if fam.name == 'lrutop_info':
            backend = fam.samples[0].labels.get('backend') if fam.samples else None
    return fams, backend


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    fams, live_backend = families(sys.argv[3])
    if not live_backend:
        print(f'check_dashboard: {sys.argv[3]} has no lrutop_info: the exporter did not serve',
              file=sys.stderr)
        return 1
    for path in sys.argv[4:]:
        more, backend = families(path)
        if live_backend == 'tracepoint' and backend == 'fentry':
            fams.update({n: t for n, t in more.items() if n in FENTRY_ONLY})
        fams.update({n: t for n, t in more.items() if n in EAGER_ONLY})
    # prometheus_client names counters without _total.
    known = set(fams) | {n + '_total' for n, t in fams.items() if t == 'counter'}
    exprs = dashboard_exprs(sys.argv[1]) + rules_exprs(sys.argv[2])
    missing, names = [], set()
    for where, expr in exprs:
        for name in NAME.findall(expr):
            # Recorded series (level:metric:ops) come from the rules, not the exporter.
            if ':' in expr[max(0, expr.find(name) - 1):expr.find(name)]:
                continue
            names.add(name)
            base = name
            for suffix in HIST_SUFFIXES:
                if name.endswith(suffix) and name[:-len(suffix)] in fams:
                    base = name[:-len(suffix)]
                    if fams[base] != 'histogram':
                        missing.append(f'{where}: {name} is no histogram\'s series')
            if base not in known:
                missing.append(f'{where}: {name} is in no lrutop output')
    for m in missing:
        print('check_dashboard: ' + m, file=sys.stderr)
    print(f'{len(exprs)} queries, {len(names)} metric names, all exported: '
          f'{"yes" if not missing else "no"} ({len(fams)} families in {len(sys.argv) - 3} outputs)')
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
