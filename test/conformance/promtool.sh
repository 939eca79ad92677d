#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# promtool conformance: every rulefmt / rules fixture through `tocsin check rules` (.bad.yaml and
# invalid_rules.yaml rejected, the rest accepted), and every `promtool test rules` case of
# ../shared/conformance/promtool/README.md with the 3.x exit status.
set -u
SHARED=${TOCSIN_SHARED:-$(cd "$(dirname "$0")/../../.." && pwd)/shared}
P=$SHARED/conformance/promtool
if [ ! -d "$P" ]; then
    echo "skip promtool: ../shared not found"
    exit 0
fi
# The tocsin binary once cli/main.c wires the commands; the test driver until then.
if "${TOCSIN_BIN:-}/tocsin" check rules --help >/dev/null 2>&1; then
    CLI=("$TOCSIN_BIN/tocsin")
else
    CLI=("$TOCSIN_BUILD/test/tools/rules_cli")
fi
FAIL=0
ok() { echo "ok $1"; }
notok() {
    echo "not ok $1: $2"
    FAIL=1
}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# check rules: expected exit status 1 for bad files, 0 otherwise.
check_case() { # name expected args...
    local name=$1 want=$2
    shift 2
    "${CLI[@]}" check rules "$@" >"$TMP/out" 2>&1
    local rc=$?
    if [ "$rc" = "$want" ]; then
        ok "check $name"
    else
        notok "check $name" "exit $rc, want $want: $(head -c 400 "$TMP/out" | tr '\n' ' ')"
    fi
}
for f in "$P"/rulefmt-testdata/*.yaml "$P"/rules-fixtures/*.yaml; do
    b=$(basename "$f")
    want=0
    case $b in *.bad.yaml | invalid_rules.yaml) want=1 ;; esac
    case $b in
    legacy_validation_*) check_case "$b" "$want" --validation-scheme=legacy "$f" ;;
    *) check_case "$b" "$want" "$f" ;;
    esac
done
C=$P/cmd-promtool-testdata
check_case rules.yml 0 "$C/rules.yml"
check_case rules_large.yml 0 "$C/rules_large.yml"
check_case features.yml 0 --enable-feature=promql-experimental-functions,promql-duration-expr,promql-extended-range-selectors,promql-binop-fill-modifiers "$C/features.yml"
check_case bad-rules-syntax.yml 1 "$C/bad-rules-syntax.yml"
check_case "rules_duplicates.yml (lint warning)" 0 "$C/rules_duplicates.yml"
check_case "rules_duplicates.yml --lint-fatal" 1 --lint-fatal "$C/rules_duplicates.yml"
check_case "rules_duplicates.yml --lint=none --lint-fatal" 0 --lint=none --lint-fatal "$C/rules_duplicates.yml"
check_case rules_extrafields.yml 1 "$C/rules_extrafields.yml"
check_case "rules_extrafields.yml --ignore-unknown-fields" 0 --ignore-unknown-fields "$C/rules_extrafields.yml"
# file:line:column and Prometheus's wording
"${CLI[@]}" check rules "$P/rulefmt-testdata/bad_expr.bad.yaml" >"$TMP/out" 2>&1
if grep -q 'bad_expr.bad.yaml:5:15: group "yolo", rule 1, "yolo": could not parse expression: 1:6: parse error' "$TMP/out"; then
    ok "check message position"
else
    notok "check message position" "$(tr '\n' ' ' <"$TMP/out")"
fi

test_case() { # name expected args...
    local name=$1 want=$2
    shift 2
    (cd "$C" && "${CLI[@]}" test rules "$@") >"$TMP/out" 2>&1
    local rc=$?
    if [ "$rc" = "$want" ]; then
        ok "test $name"
    elif [ "$want" = 0 ] && grep -q "native histogram" "$TMP/out"; then
        echo "skip test $name: uses native histograms (float samples only so far)"
    else
        notok "test $name" "exit $rc, want $want: $(head -c 600 "$TMP/out" | tr '\n' ' ')"
    fi
}
test_case unittest.yml 0 unittest.yml
test_case long-period.yml 0 long-period.yml
test_case bad-input-series.yml 1 bad-input-series.yml
test_case bad-promql.yml 1 bad-promql.yml
test_case bad-rules-syntax-test.yml 1 bad-rules-syntax-test.yml
test_case bad-rules-error-test.yml 1 bad-rules-error-test.yml
test_case failing.yml 1 failing.yml
test_case at-modifier-test.yml 0 at-modifier-test.yml
test_case negative-offset-test.yml 0 negative-offset-test.yml
test_case no-test-group-interval.yml 0 no-test-group-interval.yml
test_case start-time-test.yml 0 start-time-test.yml
test_case rules_run.yml 1 rules_run.yml
test_case "rules_run.yml --run correct" 0 --run correct rules_run.yml
test_case "rules_run_extrafields.yml --ignore-unknown-fields" 0 --ignore-unknown-fields rules_run_extrafields.yml
test_case rules_run_no_fuzzy.yml 1 rules_run_no_fuzzy.yml
test_case "rules_run_fuzzy.yml --run correct" 0 --run correct rules_run_fuzzy.yml
test_case "rules_run_fuzzy.yml --run wrong" 1 --run wrong rules_run_fuzzy.yml
# The report text itself, against the real promtool when installed (these files give the same
# output in 2.42 and 3.x).
if command -v promtool >/dev/null; then
    D=$(cd "$(dirname "$0")" && pwd)/rules_diff
    for f in failing.yml rules_run.yml "$D"/*_test.yml; do
        dir=$C
        case $f in /*) dir=$(dirname "$f") f=$(basename "$f") ;; esac
        (cd "$dir" && promtool test rules "$f") >"$TMP/want" 2>&1
        (cd "$dir" && "${CLI[@]}" test rules "$f") >"$TMP/got" 2>&1
        if cmp -s "$TMP/want" "$TMP/got"; then
            ok "test $f output identical to promtool"
        else
            notok "test $f output identical to promtool" "$(diff "$TMP/want" "$TMP/got" | head -c 600 | tr '\n' ' ')"
        fi
    done
else
    echo "skip test output identical to promtool: promtool not installed"
fi
exit $FAIL
