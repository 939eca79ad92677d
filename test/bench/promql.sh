#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# PromQL engine benchmark: time and bytes allocated per query for 1..N generated series
# (N = $PROMQL_BENCH_SERIES, default 1000). Prints the table and "ok promql-bench".
set -u
ROOT=${TOCSIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${TOCSIN_BUILD:-${1:-$ROOT/build/rel}}
BENCH=$BUILD/test/bench/promql_bench
if [ ! -x "$BENCH" ]; then
    echo "not ok promql-bench: $BENCH not built"
    exit 1
fi
"$BENCH" "${PROMQL_BENCH_SERIES:-1000}"
