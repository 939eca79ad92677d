#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# PromQL conformance: runs Prometheus's .test files (from $TOCSIN_SHARED) and our own
# test/conformance/promql/*.test through promql_runner. Fails when the suite's pass count drops
# below test/conformance/promql.threshold (a ratchet) or when any of our own cases fails.
# -x adds the Go harness's optional checks (@-pinned re-evaluation, range-query middle step).
set -u
ROOT=${TOCSIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${TOCSIN_BUILD:-$ROOT/build/san}
SHARED=${TOCSIN_SHARED:-$(cd "$ROOT/.." && pwd)/shared}
RUNNER=$BUILD/test/conformance/promql_runner
status=0

if [ ! -x "$RUNNER" ]; then
    echo "not ok promql-conformance: $RUNNER not built"
    exit 1
fi

# Our own cases: every statement must pass.
out=$("$RUNNER" -v -x "$ROOT"/test/conformance/promql/*.test 2>&1)
total=$(echo "$out" | grep '^total:')
if echo "$total" | grep -q ' 0 failed'; then
    echo "ok promql-own-cases: $total"
else
    echo "not ok promql-own-cases: $total"
    echo "$out" | grep -v '^total:' | sed 's/^/    /'
    status=1
fi

if [ ! -d "$SHARED/conformance/promql" ]; then
    echo "skip promql-conformance: ../shared not found"
    exit $status
fi
out=$("$RUNNER" -x "$SHARED/conformance/promql" 2>&1)
total=$(echo "$out" | grep '^total:')
passed=$(echo "$total" | sed -n 's/^total: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\1/p')
failed=$(echo "$total" | sed -n 's/^total: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\2/p')
threshold=$(tr -dc '0-9' <"$ROOT/test/conformance/promql.threshold")
if [ -z "$passed" ]; then
    echo "not ok promql-conformance: runner gave no total"
    echo "$out" | tail -n 20 | sed 's/^/    /'
    exit 1
fi
echo "$out" | grep -v '^total:' | sed 's/^/    /'
if [ "$passed" -ge "$threshold" ]; then
    echo "ok promql-conformance: $passed/$((passed + failed)) passed (threshold $threshold)"
else
    echo "not ok promql-conformance: $passed/$((passed + failed)) passed, below threshold $threshold"
    status=1
fi
exit $status
