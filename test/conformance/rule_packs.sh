#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The rule packs in rules/: every rule file passes `tocsin check rules`, every *_test.yml passes
# `tocsin test rules`, and, when promtool is installed, `promtool check rules` and
# `promtool test rules` too (Debian's promtool is 2.42: the tests avoid samples on window edges).
set -u
ROOT=${TOCSIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
if "${TOCSIN_BIN:-}/tocsin" check rules --help >/dev/null 2>&1; then
    CLI=("$TOCSIN_BIN/tocsin")
else
    CLI=("$TOCSIN_BUILD/test/tools/rules_cli")
fi
FAIL=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$ROOT/rules" || exit 1
shopt -s nullglob
tests=(*_test.yml)
if [ ${#tests[@]} = 0 ]; then
    echo "not ok rule_packs: no *_test.yml in rules/"
    exit 1
fi
for f in *.yml; do
    case $f in *_test.yml) continue ;; esac
    if "${CLI[@]}" check rules "$f" >"$TMP/out" 2>&1; then
        echo "ok tocsin check rules $f"
    else
        echo "not ok tocsin check rules $f: $(tr '\n' ' ' <"$TMP/out")"
        FAIL=1
    fi
    if command -v promtool >/dev/null; then
        if promtool check rules "$f" >"$TMP/out" 2>&1; then
            echo "ok promtool check rules $f"
        else
            echo "not ok promtool check rules $f: $(tr '\n' ' ' <"$TMP/out")"
            FAIL=1
        fi
    fi
done
for t in "${tests[@]}"; do
    "${CLI[@]}" test rules "$t" >"$TMP/out" 2>&1
    rc=$?
    if [ $rc = 0 ]; then
        echo "ok tocsin test rules $t"
    else
        echo "not ok tocsin test rules $t: exit $rc: $(head -c 800 "$TMP/out" | tr '\n' ' ')"
        FAIL=1
    fi
    if command -v promtool >/dev/null; then
        if promtool test rules "$t" >"$TMP/out" 2>&1; then
            echo "ok promtool test rules $t"
        else
            echo "not ok promtool test rules $t: $(head -c 800 "$TMP/out" | tr '\n' ' ')"
            FAIL=1
        fi
    else
        echo "skip promtool test rules $t: promtool not installed"
    fi
done
exit $FAIL
