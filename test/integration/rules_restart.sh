#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Alert state across kill -9, with data arriving by remote_write:
#  1. an alert whose condition went away keeps firing (keep_firing_for) and still does after a
#     kill -9 and restart, with the same activeAt and keepFiringSince (Prometheus loses this:
#     prometheus/prometheus#13957);
#  2. a `for: 1h` alert that is pending keeps its activeAt across the restart;
#  3. the ALERTS series of the evaluator are still queryable after the restart (the window's WAL).
. "$TOCSIN_ROOT/test/integration/lib.bash"
need_cmd curl python3
RW_ENCODE=$TOCSIN_BUILD/test/tools/rw_encode
[ -x "$RW_ENCODE" ] || {
    t_skip rules_restart "rw_encode not built"
    exit 0
}
EV=$(free_port)
W=$T_WORK
cat >"$W/evaluator.yml" <<'YAML'
global: {evaluation_interval: 1s}
rule_files: [rules.yml]
YAML
cat >"$W/rules.yml" <<'YAML'
groups:
  - name: restart
    interval: 1s
    rules:
      - alert: Down
        expr: kf_up == 0
        keep_firing_for: 10m
        labels: {severity: page}
      - alert: LongPending
        expr: kf_up >= 0
        for: 1h
YAML
start() {
    bg_start "evaluator$1" "$TOCSIN_BIN/tocsin-evaluator" --web.listen-address=127.0.0.1:$EV \
        --storage.path="$W/data" --config.file="$W/evaluator.yml" --storage.wal-fsync-interval=0s
    EV_PID=$BG_PID
    wait_http "http://127.0.0.1:$EV/-/ready" 20
}
push() { # push VALUE: one sample of kf_up{job="x"} at now
    echo "kf_up{job=\"x\"} $1 $(($(date +%s%N) / 1000000))" | "$RW_ENCODE" >"$W/body.bin"
    curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/x-protobuf' \
        -H 'Content-Encoding: snappy' -H 'X-Prometheus-Remote-Write-Version: 0.1.0' \
        --data-binary @"$W/body.bin" "http://127.0.0.1:$EV/api/v1/write"
}
alert() { # alert NAME -> "state activeAt keepFiringSince"
    curl -s "http://127.0.0.1:$EV/api/v1/alerts" | python3 -c '
import json, sys
for a in json.load(sys.stdin)["data"]["alerts"]:
    if a["labels"]["alertname"] == sys.argv[1]:
        print(a["state"], a["activeAt"], a.get("keepFiringSince", "-"))
' "$1"
}
wait_alert() { # wait_alert NAME PATTERN
    local i got=""
    for ((i = 0; i < 100; i++)); do
        got=$(alert "$1")
        [[ $got == $2 ]] && break
        sleep 0.1
    done
    echo "$got"
}
if ! start 1; then
    t_fail start "$(tail -n 5 "$W/evaluator1.log")"
    t_done
fi
t_check push-down [ "$(push 0)" = 204 ]
d1=$(wait_alert Down 'firing * -')
t_check fires [ "${d1%% *}" = firing ]
sleep 1.2
t_check push-up [ "$(push 1)" = 204 ]
d2=$(wait_alert Down 'firing * 20*')
if [[ $d2 == firing*20* ]] && [ "${d2#* }" != "${d1#* }" ] && [ "$(echo "$d2" | cut -d' ' -f2)" = "$(echo "$d1" | cut -d' ' -f2)" ]; then
    t_ok keeps-firing-after-recovery
else
    t_fail keeps-firing-after-recovery "before '$d1' after '$d2'"
fi
p1=$(wait_alert LongPending 'pending *')
sleep 1.5 # let the state file catch up with the last change
kill -9 "$EV_PID"
wait "$EV_PID" 2>/dev/null
if ! start 2; then
    t_fail restart "$(tail -n 5 "$W/evaluator2.log")"
    t_done
fi
sleep 2.5
d3=$(alert Down)
p2=$(alert LongPending)
t_check keep-firing-survives-kill9 [ -n "$d2" -a "$d3" = "$d2" ]
t_check pending-activeAt-survives-kill9 [ -n "$p1" -a "$p2" = "$p1" ]
n=$(curl -s "http://127.0.0.1:$EV/api/v1/query" --data-urlencode 'query=count_over_time(ALERTS{alertname="Down"}[10m])' |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')
t_check "alerts-series-in-window-after-restart($n)" [ "${n:-0}" -ge 3 ]
t_done
