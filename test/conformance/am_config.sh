#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the notifier config checker over every Alertmanager 0.25 config fixture and compares the
# verdict (accepted / rejected) with what amtool check-config said (EXPECTED.tsv).
set -u
ROOT=${TOCSIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${TOCSIN_BUILD:-$ROOT/build/san}
SHARED=${TOCSIN_SHARED:-$ROOT/../shared}
TOOL=$BUILD/test/tools/am_config_check
AM=$SHARED/conformance/alertmanager
if [ ! -d "$AM" ]; then
    echo "skip am_config: ../shared not found"
    exit 0
fi
if [ ! -x "$TOOL" ]; then
    echo "not ok am_config: $TOOL not built"
    exit 1
fi
fail=0 total=0 agree=0
for dir in config-testdata config-validation; do
    [ -f "$AM/$dir/EXPECTED.tsv" ] || continue
    while IFS=$'\t' read -r file verdict _msg; do
        [ "$file" = file ] && continue
        total=$((total + 1))
        out=$("$TOOL" "$AM/$dir/$file" 2>&1)
        rc=$?
        if [ $rc = 0 ]; then got=OK; else got=FAIL; fi
        if [ "$rc" -gt 1 ]; then
            echo "not ok am_config/$dir/$file: checker exited $rc: $out"
            fail=$((fail + 1))
        elif [ "$got" = "$verdict" ]; then
            echo "ok am_config/$dir/$file"
            agree=$((agree + 1))
        else
            echo "not ok am_config/$dir/$file: expected $verdict, got $got: $(echo "$out" | head -1)"
            fail=$((fail + 1))
        fi
    done <"$AM/$dir/EXPECTED.tsv"
done
# The redacted printer reproduces Alertmanager's config.original for the captured configs.
for cap in "$AM"/captures/*/; do
    [ -f "$cap/am.yml" ] && [ -f "$cap/api_v2_status.json" ] || continue
    command -v jq >/dev/null || break
    name=$(basename "$cap")
    total=$((total + 1))
    want=$(jq -r .config.original "$cap/api_v2_status.json")
    got=$("$TOOL" --print "$cap/am.yml" | sed -n '/^global:/,$p')
    if [ "$want" = "$got" ]; then
        echo "ok am_config/print-$name"
        agree=$((agree + 1))
    else
        echo "not ok am_config/print-$name: printed config differs from config.original"
        diff <(echo "$want") <(echo "$got") | head -20
        fail=$((fail + 1))
    fi
done
echo "am_config: $agree of $total agree with Alertmanager 0.25"
[ $fail = 0 ]
