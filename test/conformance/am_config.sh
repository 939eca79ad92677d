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

# Routing against amtool's own resolver (`amtool config routes test`): for every case file with
# child routes, a fixed list of label sets must reach the same receivers in the same order.
ROUTE_TOOL=$BUILD/test/tools/am_route_test
LABEL_SETS=(
    "alertname=A"
    "severity=critical team=db"
    "severity=page team=web env=prod service=api1"
    "severity=page team=web env=dev service=api1"
    "severity=critical service=foo1"
    "severity=warning service=files"
    "severity=critical service=files"
    "service=database owner=team-Y owner2=team-X"
    "team=db env=prod"
    "team=db"
    "env=test instance=i1"
    "instance=i2 severity=info"
    "sev=low e=x a=b c=d1"
    "severity=page"
    "team=infra alertname=DB instance=d1"
)
if command -v amtool >/dev/null && [ -x "$ROUTE_TOOL" ]; then
    for f in "$ROOT"/test/conformance/am_config_cases/*.yml "$AM"/config-testdata/conf.good.yml \
        "$AM"/captures/alertmanager-webhook-run1/am.yml; do
        [ -f "$f" ] && grep -q "routes" "$f" || continue
        amtool check-config "$f" >/dev/null 2>&1 || continue
        name=$(basename "$f")
        for ls in "${LABEL_SETS[@]}"; do
            total=$((total + 1))
            # shellcheck disable=SC2086
            want=$(amtool config routes test --config.file="$f" $ls 2>/dev/null)
            # shellcheck disable=SC2086
            got=$("$ROUTE_TOOL" "$f" $ls | head -1)
            if [ "$want" = "$got" ]; then
                echo "ok am_config/route/$name/$ls"
                agree=$((agree + 1))
            else
                echo "not ok am_config/route/$name/$ls: amtool \"$want\", we \"$got\""
                fail=$((fail + 1))
            fi
        done
    done
else
    echo "skip am_config/route: amtool or am_route_test missing"
fi

# config_print_redacted against a live Alertmanager 0.25: for every case file amtool accepts,
# start prometheus-alertmanager on a free loopback port and compare /api/v2/status
# config.original with our printed config.
AMBIN=$(command -v prometheus-alertmanager || true)
if [ -n "$AMBIN" ] && command -v amtool >/dev/null && command -v jq >/dev/null &&
    command -v curl >/dev/null && command -v python3 >/dev/null; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    for f in "$ROOT"/test/conformance/am_config_cases/*.yml; do
        name=$(basename "$f")
        amtool check-config "$f" >/dev/null 2>&1 || continue
        total=$((total + 1))
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        rm -rf "$work/data"
        "$AMBIN" --config.file="$f" --web.listen-address="127.0.0.1:$port" \
            --storage.path="$work/data" --cluster.listen-address= >"$work/log" 2>&1 &
        pid=$!
        for _ in $(seq 100); do
            curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && break
            kill -0 $pid 2>/dev/null || break
            sleep 0.05
        done
        want=$(curl -sf "http://127.0.0.1:$port/api/v2/status" | jq -r .config.original)
        kill $pid 2>/dev/null
        wait $pid 2>/dev/null
        got=$("$TOOL" --print "$f" | sed -n '/^global:/,$p')
        if [ -z "$want" ]; then
            echo "not ok am_config/print/$name: alertmanager did not answer: $(tail -1 "$work/log")"
            fail=$((fail + 1))
        elif [ "$want" = "$got" ]; then
            echo "ok am_config/print/$name"
            agree=$((agree + 1))
        else
            echo "not ok am_config/print/$name: differs from config.original"
            diff <(echo "$want") <(echo "$got") | head -10
            fail=$((fail + 1))
        fi
    done
else
    echo "skip am_config/print: prometheus-alertmanager, amtool, jq, curl or python3 missing"
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
# Inhibition: the captured run1 alerts must be inhibited by exactly the sources Alertmanager
# reported.
run1=$AM/captures/alertmanager-webhook-run1
if [ -f "$run1/api_v2_alerts_after.json" ] && [ -x "$BUILD/test/tools/am_inhibit_check" ]; then
    total=$((total + 1))
    if out=$("$BUILD/test/tools/am_inhibit_check" "$run1/am.yml" "$run1/api_v2_alerts_after.json" 2>&1); then
        echo "ok am_config/inhibit-run1 ($(echo "$out" | grep -c '^ok') alerts)"
        agree=$((agree + 1))
    else
        echo "not ok am_config/inhibit-run1: $(echo "$out" | grep '^not ok' | head -3)"
        fail=$((fail + 1))
    fi
fi

# Silence lifecycle: replay amtool's captured silence calls against our store.
ex=$AM/captures/amtool-api/amtool_http_exchanges.jsonl
if [ -f "$ex" ] && [ -x "$BUILD/test/tools/am_silence_replay" ]; then
    total=$((total + 1))
    if out=$("$BUILD/test/tools/am_silence_replay" "$ex" 2>&1); then
        echo "ok am_config/silence-replay ($(echo "$out" | tail -1 | sed 's/^# //'))"
        agree=$((agree + 1))
    else
        echo "not ok am_config/silence-replay: $(echo "$out" | grep -A2 '^not ok' | head -3)"
        fail=$((fail + 1))
    fi
fi
echo "am_config: $agree of $total agree with Alertmanager 0.25"
[ $fail = 0 ]
