#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The evaluator as a remote_write target, against the real thing:
#  1. a real Prometheus 2.42 scrapes itself and remote-writes to the evaluator; the data becomes
#     queryable from the evaluator (checked with promtool query instant);
#  2. the same generated body goes to the evaluator and to a second Prometheus started with
#     --web.enable-remote-write-receiver; a set of queries must give the same answers from both;
#  3. malformed, truncated, oversized and wrongly typed requests get 400/413/415 and change
#     nothing;
#  4. kill -9 and restart: the window is still there.
. "$TOCSIN_ROOT/test/integration/lib.bash"
need_cmd prometheus promtool curl python3
HERE=$TOCSIN_ROOT/test/integration
EV=$(free_port)
start_evaluator() {
    bg_start "evaluator$1" "$TOCSIN_BIN/tocsin-evaluator" --web.listen-address=127.0.0.1:$EV \
        --storage.path="$T_WORK/ev" --ingest.max-body-size=1MiB --log.level=debug
    EV_PID=$BG_PID
    wait_http "http://127.0.0.1:$EV/-/ready" 20
}
if ! start_evaluator 1; then
    t_fail evaluator-start "evaluator did not become ready: $(tail -n 5 "$T_WORK/evaluator1.log")"
    t_done
fi
t_ok evaluator-start

# --- 1. real Prometheus remote-writing its own scrapes
PA=$(free_port)
mkdir -p "$T_WORK/pa"
cat >"$T_WORK/pa/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s, external_labels: {origin: promA}}
scrape_configs:
  - job_name: self
    static_configs: [{targets: ['127.0.0.1:$PA']}]
remote_write:
  - url: http://127.0.0.1:$EV/api/v1/write
    queue_config: {batch_send_deadline: 1s}
YAML
bg_start promA prometheus --config.file="$T_WORK/pa/prometheus.yml" --storage.tsdb.path="$T_WORK/pa/data" \
    --web.listen-address=127.0.0.1:$PA
PA_PID=$BG_PID
got=""
for i in $(seq 60); do
    got=$(promtool query instant "http://127.0.0.1:$EV" 'up{job="self",origin="promA"}' 2>/dev/null)
    [ -n "$got" ] && break
    sleep 0.5
done
if echo "$got" | grep -q 'up{.*instance="127.0.0.1:'"$PA"'".*} => 1'; then
    t_ok prometheus-remote-write-then-promtool-query
else
    t_fail prometheus-remote-write-then-promtool-query "promtool got: '$got'"
fi
n=$(curl -s "http://127.0.0.1:$EV/api/v1/series" --data-urlencode 'match[]={job="self"}' -G |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))' 2>/dev/null)
if [ "${n:-0}" -gt 10 ]; then t_ok series-from-prometheus; else t_fail series-from-prometheus "series: ${n:-none}"; fi
stop_pid "$PA_PID"

# --- 2. differential: same body into the evaluator and a real Prometheus receiver
PB=$(free_port)
mkdir -p "$T_WORK/pb"
echo 'global: {scrape_interval: 15s}' >"$T_WORK/pb/prometheus.yml"
bg_start promB prometheus --config.file="$T_WORK/pb/prometheus.yml" --storage.tsdb.path="$T_WORK/pb/data" \
    --web.listen-address=127.0.0.1:$PB --web.enable-remote-write-receiver
if ! wait_http "http://127.0.0.1:$PB/-/ready" 20; then
    t_fail prometheus-receiver-start "$(tail -n 5 "$T_WORK/promB.log")"
    t_done
fi
NOW=$(date +%s)
START_MS=$(((NOW - 1800) * 1000))
python3 "$HERE/rwgen.py" "$T_WORK/body.bin" $START_MS 15000 120 --series 3
post() { # post URL FILE [content-type] [encoding] -> prints status
    curl -s -o "$T_WORK/post.out" -w '%{http_code}' -X POST -H "Content-Type: ${3:-application/x-protobuf}" \
        -H "Content-Encoding: ${4:-snappy}" -H 'X-Prometheus-Remote-Write-Version: 0.1.0' \
        --data-binary @"$2" "$1"
}
s1=$(post "http://127.0.0.1:$EV/api/v1/write" "$T_WORK/body.bin")
s2=$(post "http://127.0.0.1:$PB/api/v1/write" "$T_WORK/body.bin")
if [ "$s1" = 204 ] && [ "$s2" = 204 ]; then t_ok differential-load; else
    t_fail differential-load "evaluator $s1 ($(cat "$T_WORK/post.out")), prometheus $s2"
fi
QT=$((NOW - 60))
# The range starts 15 minutes in, so no 10m window reaches back past the first sample: there
# rate/increase differ on purpose (3.x clamps the extrapolation at the counter's zero point after
# the threshold check, 2.42 before it; see docs/promql.md).
python3 "$HERE/promcmp.py" "http://127.0.0.1:$EV" "http://127.0.0.1:$PB" "$HERE/remote_write_queries.txt" \
    $QT 900 60 || T_FAILED=1

# --- 3. bad requests change nothing
count_series() {
    curl -s -G "http://127.0.0.1:$EV/api/v1/series" --data-urlencode 'match[]={__name__=~"rwgen.*"}' |
        python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))'
}
before=$(count_series)
printf 'this is not snappy' >"$T_WORK/garbage.bin"
head -c 100 "$T_WORK/body.bin" >"$T_WORK/trunc.bin"
python3 -c 'import os,sys; sys.stdout.buffer.write(b"\xff\xff\xff\x7f" + os.urandom(64))' >"$T_WORK/huge.bin"
head -c 2000000 /dev/zero >"$T_WORK/big.bin"
for c in "garbage 400 $T_WORK/garbage.bin" "truncated 400 $T_WORK/trunc.bin" "oversized-claim 413 $T_WORK/huge.bin" \
    "oversized-body 413 $T_WORK/big.bin"; do
    set -- $c
    st=$(post "http://127.0.0.1:$EV/api/v1/write" "$3")
    if [ "$st" = "$2" ]; then t_ok "bad-request-$1"; else t_fail "bad-request-$1" "status $st, want $2: $(head -c 200 "$T_WORK/post.out")"; fi
done
st=$(post "http://127.0.0.1:$EV/api/v1/write" "$T_WORK/body.bin" application/json)
if [ "$st" = 415 ]; then t_ok bad-request-content-type; else t_fail bad-request-content-type "status $st, want 415"; fi
st=$(post "http://127.0.0.1:$EV/api/v1/write" "$T_WORK/body.bin")
if [ "$st" = 400 ] || [ "$st" = 204 ]; then t_ok resend-same-body; else t_fail resend-same-body "status $st"; fi
after=$(count_series)
if [ -n "$before" ] && [ "$before" = "$after" ]; then t_ok bad-requests-change-nothing; else
    t_fail bad-requests-change-nothing "series before $before, after $after"
fi

# --- 4. kill -9 and restart keeps the window
q='sum(rwgen_temp)'
v1=$(curl -s -G "http://127.0.0.1:$EV/api/v1/query" --data-urlencode "query=$q" --data-urlencode "time=$QT")
stop_pid "$EV_PID" KILL
if start_evaluator 2; then
    v2=$(curl -s -G "http://127.0.0.1:$EV/api/v1/query" --data-urlencode "query=$q" --data-urlencode "time=$QT")
    if [ -n "$v1" ] && [ "$v1" = "$v2" ] && echo "$v1" | grep -q '"result":\[{'; then t_ok restart-after-kill9-keeps-data; else
        t_fail restart-after-kill9-keeps-data "before: $v1 after: $v2"
    fi
else
    t_fail restart-after-kill9-keeps-data "evaluator did not restart: $(tail -n 5 "$T_WORK/evaluator2.log")"
fi
t_done
