#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compares the webhook notifications two Alertmanager-compatible servers sent for the same
scenario: per (path, groupKey) the sequence of notifications must match in status, receiver,
group labels, common labels/annotations, truncation and the alerts (labels, status, annotations,
startsAt), and each notification's arrival time (relative to T0) must agree within TOL seconds.

usage: am_compare.py A.jsonl B.jsonl T0 TOL
"""
import json
import sys


def load(path, t0):
    seqs = {}
    for line in open(path):
        r = json.loads(line)
        b = json.loads(r['body'])
        key = (r['path'], b['groupKey'])
        alerts = [(a['status'], json.dumps(a['labels'], sort_keys=True),
                   json.dumps(a['annotations'], sort_keys=True), a['startsAt'][:19])
                  for a in b['alerts']]
        seqs.setdefault(key, []).append({
            't': r['t'] - t0, 'status': b['status'], 'receiver': b['receiver'],
            'groupLabels': b['groupLabels'], 'commonLabels': b['commonLabels'],
            'commonAnnotations': b['commonAnnotations'], 'truncated': b['truncatedAlerts'],
            'alerts': alerts, 'version': b['version']})
    return seqs


def main():
    a, b = load(sys.argv[1], float(sys.argv[3])), load(sys.argv[2], float(sys.argv[3]))
    tol = float(sys.argv[4])
    failed = 0
    for key in sorted(set(a) | set(b)):
        name = 'am-diff %s %s' % key
        sa, sb = a.get(key, []), b.get(key, [])
        why = None
        if len(sa) != len(sb):
            why = '%d notifications from Alertmanager, %d from tocsin (times %s vs %s)' % (
                len(sa), len(sb), [round(x['t'], 1) for x in sa], [round(x['t'], 1) for x in sb])
        else:
            for i, (x, y) in enumerate(zip(sa, sb)):
                for f in ('status', 'receiver', 'groupLabels', 'commonLabels', 'commonAnnotations',
                          'truncated', 'alerts', 'version'):
                    if x[f] != y[f]:
                        why = 'notification %d: %s differs: %s vs %s' % (i, f, x[f], y[f])
                        break
                if why is None and abs(x['t'] - y['t']) > tol:
                    why = 'notification %d at %.1fs vs %.1fs' % (i, x['t'], y['t'])
                if why:
                    break
        if why:
            failed += 1
            print('not ok %s: %s' % (name, why))
        else:
            print('ok %s (%d notifications)' % (name, len(sa)))
    if not a:
        print('not ok am-diff: Alertmanager sent nothing')
        failed += 1
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
