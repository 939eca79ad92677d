#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates a Prometheus remote-write 1.0 body (snappy block of a prometheus.WriteRequest) with
deterministic data, independently of Tocsin's own encoder, for differential tests.

usage: rwgen.py OUT_FILE START_MS STEP_MS SAMPLES [--series N]
Series: rwgen_requests_total{job,instance,code} counters (with one reset), rwgen_temp gauges,
rwgen_latency_seconds_bucket{le} classic histogram buckets. Every timestamp is START_MS + k*STEP_MS
+ 7 so that no sample sits on a whole-second window boundary.
"""
import random
import struct
import sys


def uvarint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def fbytes(fno, data):
    return uvarint((fno << 3) | 2) + uvarint(len(data)) + data


def snappy_literal(raw):
    out = bytearray(uvarint(len(raw)))
    for i in range(0, len(raw), 65536):
        chunk = raw[i:i + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        elif n < 256:
            out += bytes([60 << 2, n])
        else:
            out += bytes([61 << 2]) + n.to_bytes(2, 'little')
        out += chunk
    return bytes(out)


def series_msg(labels, samples):
    body = b''
    for k in sorted(labels):
        body += fbytes(1, fbytes(1, k.encode()) + fbytes(2, labels[k].encode()))
    for ts, v in samples:
        body += fbytes(2, uvarint((1 << 3) | 1) + struct.pack('<d', v) + uvarint(2 << 3) + uvarint(ts))
    return fbytes(1, body)


def main():
    out, start, step, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    nser = 3
    if '--series' in sys.argv:
        nser = int(sys.argv[sys.argv.index('--series') + 1])
    rnd = random.Random(42)
    ts = [start + k * step + 7 for k in range(count)]
    msg = b''
    for i in range(nser):
        inst = 'host-%d:9100' % i
        for code in ('200', '500'):
            v, samples = 0.0, []
            for k, t in enumerate(ts):
                if i == 1 and code == '200' and k == count // 2:
                    v = 0.0  # a counter reset
                v += rnd.randint(0, 50 if code == '200' else 3)
                samples.append((t, v))
            msg += series_msg({'__name__': 'rwgen_requests_total', 'job': 'api', 'instance': inst,
                               'code': code}, samples)
        samples = [(t, round(20 + 10 * rnd.random(), 3)) for t in ts]
        msg += series_msg({'__name__': 'rwgen_temp', 'job': 'api', 'instance': inst}, samples)
        bounds = ['0.05', '0.1', '0.25', '0.5', '1', '+Inf']
        cum = [0.0] * len(bounds)
        hist = {b: [] for b in bounds}
        for t in ts:
            obs = [rnd.expovariate(5) for _ in range(20)]
            for j, b in enumerate(bounds):
                cum[j] += sum(1 for o in obs if b == '+Inf' or o <= float(b))
                hist[b].append((t, cum[j]))
        for b in bounds:
            msg += series_msg({'__name__': 'rwgen_latency_seconds_bucket', 'job': 'api',
                               'instance': inst, 'le': b}, hist[b])
    with open(out, 'wb') as f:
        f.write(snappy_literal(msg))


if __name__ == '__main__':
    main()
