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
if [ ! -x "$TOOL" ]; then
    echo "not ok am_config: $TOOL not built"
    exit 1
fi
fail=0 total=0 agree=0

# Our own small configs (test/conformance/am_config_cases) against the live amtool 0.25: same
# verdict, and our message starts with the first line of amtool's (positions stripped).
if command -v amtool >/dev/null; then
    for f in "$ROOT"/test/conformance/am_config_cases/*.yml; do
        name=$(basename "$f")
        total=$((total + 1))
        am=$(cd "$(dirname "$f")" && amtool check-config "$name" 2>&1)
        us=$(cd "$(dirname "$f")" && "$TOOL" "$name" 2>&1)
        amv=FAIL usv=FAIL
        echo "$am" | grep -q SUCCESS && amv=OK
        echo "$us" | grep -q SUCCESS && usv=OK
        amm=$(echo "$am" | grep -o 'FAILED: .*' | head -1 | sed 's/^FAILED: //')
        usm=$(echo "$us" | grep -o 'FAILED: .*' | head -1 |
            sed -E 's/^FAILED: //; s/^[^ ]+:[0-9]+:[0-9]+: //; s/^[^ ]+\.yml: //')
        if [ "$amv" != "$usv" ]; then
            echo "not ok am_config/case/$name: amtool $amv, we $usv: ${amm}${usm}"
            fail=$((fail + 1))
        elif [ -n "$amm" ] && [ "${usm#"$amm"}" = "$usm" ]; then
            echo "not ok am_config/case/$name: message \"$usm\", amtool \"$amm\""
            fail=$((fail + 1))
        else
            echo "ok am_config/case/$name"
            agree=$((agree + 1))
        fi
    done
else
    echo "skip am_config/cases: amtool not installed"
fi

if [ ! -d "$AM" ]; then
    echo "skip am_config: ../shared not found"
    echo "am_config: $agree of $total agree with Alertmanager 0.25"
    [ $fail = 0 ]
    exit
fi
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
            # Same message too (regex errors come from PCRE2, so only their prefix is compared).
            want=$(echo "$_msg" | sed -E 's/^FAILED: //; s/ +$//')
            case "$want" in "error parsing regexp"*) want="error parsing regexp" ;; esac
            mine=$(echo "$out" | grep -o 'FAILED: .*' | head -1 |
                sed -E 's/^FAILED: //; s/^[^ ]+:[0-9]+:[0-9]+: //; s/^[^ ]+\.yml: //')
            if [ "$got" = FAIL ] && [ "${mine#"$want"}" = "$mine" ]; then
                echo "not ok am_config/$dir/$file: message \"$mine\", amtool \"$want\""
                fail=$((fail + 1))
            else
                echo "ok am_config/$dir/$file"
                agree=$((agree + 1))
            fi
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
