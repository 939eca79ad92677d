#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every test suite against one build flavor and ends with "N passed, M failed".
# usage: test/run.sh BUILD_DIR [unit|fuzz|conformance|integration ...]
# Every test program prints "ok NAME", "not ok NAME: why" or "skip NAME: why" lines; a program
# that exits non-zero without printing a "not ok" line counts as one failure.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${1:?usage: test/run.sh BUILD_DIR [suite...]}
shift
SUITES=${*:-unit fuzz conformance integration}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
export TOCSIN_ROOT=$ROOT TOCSIN_BUILD=$B TOCSIN_BIN=$B/bin
export TOCSIN_SHARED=${TOCSIN_SHARED:-$(cd "$ROOT/.." && pwd)/shared}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/test/lsan.supp:print_suppressions=0}
LOGDIR=$B/test-logs
mkdir -p "$LOGDIR"
PASS=0
FAIL=0
SKIP=0
FAILED_NAMES=()

# run_prog LABEL CMD... : runs a test program, counts its result lines
run_prog() {
    local label=$1
    shift
    local log=$LOGDIR/$(echo "$label" | tr '/ ' '__').log
    local rc
    "$@" >"$log" 2>&1
    rc=$?
    local p f s
    p=$(grep -c '^ok ' "$log")
    f=$(grep -c '^not ok ' "$log")
    s=$(grep -c '^skip ' "$log")
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        f=1
        echo "not ok $label: exited with status $rc (log: $log)"
        tail -n 20 "$log" | sed 's/^/    /'
    fi
    grep -E '^(not ok|skip) ' "$log" | sed "s|^|[$label] |"
    [ "$f" != 0 ] && grep -E '^not ok ' "$log" >/dev/null && tail -n 30 "$log" | grep -v '^ok ' | sed 's/^/    /' | head -n 40
    [ "$f" != 0 ] && FAILED_NAMES+=("$label")
    PASS=$((PASS + p))
    FAIL=$((FAIL + f))
    SKIP=$((SKIP + s))
    printf '%-60s %4d passed, %d failed, %d skipped\n' "$label" "$p" "$f" "$s"
}

for suite in $SUITES; do
    echo "== $suite"
    case $suite in
    unit)
        while IFS= read -r t; do
            run_prog "unit/${t#$B/test/unit/}" "$t"
        done < <(find "$B/test/unit" -type f -executable 2>/dev/null | sort)
        ;;
    fuzz)
        while IFS= read -r t; do
            n=$(basename "$t")
            run_prog "fuzz/$n" "$t" "$ROOT/test/fuzz/corpus/$n"
        done < <(find "$B/fuzz" -type f -executable 2>/dev/null | sort)
        ;;
    conformance | integration)
        while IFS= read -r t; do
            run_prog "$suite/$(basename "$t" .sh)" bash "$t"
        done < <(find "$ROOT/test/$suite" -maxdepth 1 -name '*.sh' 2>/dev/null | sort)
        ;;
    *)
        echo "unknown suite $suite" >&2
        exit 2
        ;;
    esac
done
if [ ${#FAILED_NAMES[@]} != 0 ]; then
    echo "failing programs: ${FAILED_NAMES[*]} (logs in $LOGDIR)"
fi
echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" = 0 ]
