#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the data-driven notifier dispatch cases (test/conformance/am_dispatch_cases/*.json) in
# simulated time with test/tools/am_dispatch_run; prints one ok / not ok line per case.
set -u
ROOT=${TOCSIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${TOCSIN_BUILD:-$ROOT/build/san}
RUN=$BUILD/test/tools/am_dispatch_run
if [ ! -x "$RUN" ]; then
    echo "not ok am_dispatch: $RUN not built (make test-build)"
    exit 1
fi
shopt -s nullglob
cases=("$ROOT"/test/conformance/am_dispatch_cases/*.json)
if [ ${#cases[@]} = 0 ]; then
    echo "not ok am_dispatch: no cases found"
    exit 1
fi
# Delivery errors are logged on stderr by design; keep them out of the result lines.
"$RUN" "${cases[@]}" 2>"$BUILD/test-logs/am_dispatch.stderr.log"
