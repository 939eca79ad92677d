#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Differential check of two Prometheus-compatible query APIs: runs each query of QUERY_FILE as an
instant query at TIME and as a range query over [TIME-RANGE, TIME] and compares the answers
(series sets, values within a relative tolerance). Prints ok/not ok lines.

usage: promcmp.py URL_A URL_B QUERY_FILE TIME_S RANGE_S STEP_S
"""
import json
import math
import sys
import urllib.parse
import urllib.request


def get(base, path, params):
    url = base + path + '?' + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=20) as r:
        return json.load(r)


def close(a, b):
    x, y = float(a), float(b)
    if math.isnan(x) and math.isnan(y):
        return True
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))


def norm(data):
    rt, res = data['resultType'], data['result']
    if rt == 'scalar' or rt == 'string':
        return rt, {'': [res]}
    out = {}
    for s in res:
        key = json.dumps(s['metric'], sort_keys=True)
        out[key] = s['values'] if 'values' in s else [s['value']]
    return rt, out


def compare(a, b):
    if a.get('status') != b.get('status'):
        return 'status %s vs %s (%s)' % (a.get('status'), b.get('status'), a.get('error') or b.get('error'))
    if a['status'] != 'success':
        return None
    ta, ra = norm(a['data'])
    tb, rb = norm(b['data'])
    if ta != tb:
        return 'resultType %s vs %s' % (ta, tb)
    if set(ra) != set(rb):
        return 'series differ: only A %s; only B %s' % (sorted(set(ra) - set(rb))[:3], sorted(set(rb) - set(ra))[:3])
    for k in ra:
        va, vb = ra[k], rb[k]
        if len(va) != len(vb):
            return '%s: %d vs %d points' % (k, len(va), len(vb))
        for (t1, v1), (t2, v2) in zip(va, vb):
            if float(t1) != float(t2) or not close(v1, v2):
                return '%s: (%s, %s) vs (%s, %s)' % (k, t1, v1, t2, v2)
    return None


def main():
    a, b, qfile, t, rng, step = sys.argv[1:7]
    failed = 0
    for q in open(qfile):
        q = q.strip()
        if not q or q.startswith('#'):
            continue
        for kind in ('instant', 'range'):
            if kind == 'instant':
                path, params = '/api/v1/query', {'query': q, 'time': t}
            else:
                path, params = '/api/v1/query_range', {'query': q, 'start': float(t) - float(rng), 'end': t, 'step': step}
            try:
                why = compare(get(a, path, params), get(b, path, params))
            except Exception as e:  # an HTTP or JSON error is a failure, with the reason
                why = 'request failed: %s' % e
            name = 'promcmp %s %s' % (kind, q)
            if why:
                failed += 1
                print('not ok %s: %s' % (name, why))
            else:
                print('ok %s' % name)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
