#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The evaluator's alerts reach a real Alertmanager 0.25:
#  1. a `vector(1)` alert shows up in `amtool alert query` within 15 s, with the external labels,
#     while two other targets are dead: one refuses connections, one accepts and never answers
#     (the live one must not wait for them: prometheus#7676);
#  2. /api/v1/alertmanagers lists the three targets;
#  3. kill -9 while a `for: 30s` alert is pending, restart: activeAt is the same, and the alert
#     fires 30 s after the original activeAt, not 30 s after the restart.
. "$TOCSIN_ROOT/test/integration/lib.bash"
need_cmd prometheus-alertmanager amtool curl python3

AM=$(free_port)
EV=$(free_port)
DEAD=$(free_port)
HOLE=$(free_port)
mkdir -p "$T_WORK/am" "$T_WORK/ev"
cat >"$T_WORK/am/am.yml" <<YAML
route: {receiver: devnull, group_wait: 1s}
receivers: [{name: devnull}]
YAML
bg_start alertmanager prometheus-alertmanager --config.file="$T_WORK/am/am.yml" \
    --storage.path="$T_WORK/am/data" --web.listen-address=127.0.0.1:$AM --cluster.listen-address=
if ! wait_http "http://127.0.0.1:$AM/-/ready" 20; then
    t_fail alertmanager-start "$(tail -n 5 "$T_WORK/alertmanager.log")"
    t_done
fi
# a black hole: accepts connections, never reads or answers
bg_start blackhole python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$HOLE"

cat >"$T_WORK/ev/evaluator.yml" <<YAML
global:
  evaluation_interval: 1s
  external_labels: {cluster: it-1}
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - static_configs: [{targets: ['127.0.0.1:$HOLE', '127.0.0.1:$DEAD']}]
      timeout: 60s
    - static_configs: [{targets: ['127.0.0.1:$AM']}]
YAML
cat >"$T_WORK/ev/rules.yml" <<'YAML'
groups:
  - name: it
    rules:
      - alert: AlwaysOn
        expr: vector(1)
        labels: {severity: page}
        annotations: {summary: 'always on, value {{ $value }}'}
      - alert: SlowBurn
        expr: vector(1)
        for: 30s
YAML
start_evaluator() {
    bg_start "evaluator$1" "$TOCSIN_BIN/tocsin-evaluator" --web.listen-address=127.0.0.1:$EV \
        --storage.path="$T_WORK/ev/data" --config.file="$T_WORK/ev/evaluator.yml"
    EV_PID=$BG_PID
    wait_http "http://127.0.0.1:$EV/-/ready" 20
}
T0=$(date +%s)
if ! start_evaluator 1; then
    t_fail evaluator-start "$(tail -n 5 "$T_WORK/evaluator1.log")"
    t_done
fi
t_ok evaluator-start

# --- 1. the alert in amtool, despite the dead targets
got=""
for ((i = 0; i < 150; i++)); do
    got=$(amtool alert query --alertmanager.url="http://127.0.0.1:$AM" -o json alertname=AlwaysOn 2>/dev/null)
    echo "$got" | grep -q '"AlwaysOn"' && break
    sleep 0.1
done
T1=$(date +%s)
if echo "$got" | grep -q '"AlwaysOn"'; then
    t_ok "amtool-sees-alert-in-$((T1 - T0))s"
else
    t_fail amtool-sees-alert "not in amtool after $((T1 - T0)) s: $got"
fi
if echo "$got" | python3 -c '
import json, sys
a = json.load(sys.stdin)[0]
l = a["labels"]
assert l == {"alertname": "AlwaysOn", "severity": "page", "cluster": "it-1"}, l
assert a["annotations"] == {"summary": "always on, value 1"}, a["annotations"]
assert a["generatorURL"].endswith("/graph?g0.expr=vector%281%29&g0.tab=1"), a["generatorURL"]
assert a["status"]["state"] == "active", a["status"]
' 2>"$T_WORK/check.err"; then
    t_ok alert-labels-annotations-external-labels
else
    t_fail alert-labels-annotations-external-labels "$(cat "$T_WORK/check.err")"
fi
n=$(curl -s "http://127.0.0.1:$EV/api/v1/alertmanagers" | python3 -c '
import json, sys
print(len(json.load(sys.stdin)["data"]["activeAlertmanagers"]))')
t_check alertmanagers-endpoint-lists-3 [ "$n" = 3 ]

# --- 3. restart while pending keeps activeAt
alert_field() { # alert_field ALERTNAME FIELD
    curl -s "http://127.0.0.1:$EV/api/v1/alerts" | python3 -c '
import json, sys
for a in json.load(sys.stdin)["data"]["alerts"]:
    if a["labels"]["alertname"] == sys.argv[1]:
        print(a[sys.argv[2]])
' "$1" "$2"
}
while [ $(($(date +%s) - T0)) -lt 12 ]; do sleep 0.5; done
before=$(alert_field SlowBurn activeAt)
state=$(alert_field SlowBurn state)
if [ "$state" != pending ] || [ -z "$before" ]; then
    t_fail pending-before-restart "state '$state' activeAt '$before'"
fi
kill -9 "$EV_PID"
wait "$EV_PID" 2>/dev/null
if ! start_evaluator 2; then
    t_fail evaluator-restart "$(tail -n 5 "$T_WORK/evaluator2.log")"
    t_done
fi
sleep 2
after=$(alert_field SlowBurn activeAt)
if [ -n "$before" ] && [ "$before" = "$after" ]; then
    t_ok restart-keeps-activeAt
else
    t_fail restart-keeps-activeAt "before '$before' after '$after'"
fi
# fires once activeAt + 30 s passed (plus an evaluation), i.e. well before restart + 30 s
act=$(python3 -c 'import sys,datetime; print(datetime.datetime.fromisoformat(sys.argv[1].replace("Z","+00:00")).timestamp())' "$before" 2>/dev/null)
state=""
for ((i = 0; i < 400; i++)); do
    state=$(alert_field SlowBurn state)
    [ "$state" = firing ] && break
    sleep 0.1
done
fired=$(date +%s)
late=$(python3 -c "print(int($fired - ${act:-0} - 30))")
if [ "$state" = firing ] && [ "$late" -le 4 ]; then
    t_ok "restored-alert-fires-on-time (${late}s after activeAt+for)"
else
    t_fail restored-alert-fires-on-time "state '$state', ${late}s after activeAt+for"
fi
got=""
for ((i = 0; i < 150; i++)); do
    got=$(amtool alert query --alertmanager.url="http://127.0.0.1:$AM" alertname=SlowBurn 2>/dev/null)
    echo "$got" | grep -q SlowBurn && break
    sleep 0.1
done
t_check slowburn-reaches-alertmanager grep -q SlowBurn <<<"$got"
t_done
