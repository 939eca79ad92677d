#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tocsin-notifier as an Alertmanager drop-in: the real amtool 0.25 adds and queries alerts,
# adds, queries and expires silences and tests routes against it; webhooks carry Alertmanager's
# payload; alerts and silences survive kill -9; a resolve accepted just before a kill -9 is still
# delivered after the restart (Alertmanager loses it: prometheus/alertmanager#2370).
. "$TOCSIN_ROOT/test/integration/lib.bash"
need_cmd amtool curl python3 jq
NP=$(free_port)
SP=$(free_port)
U=--alertmanager.url=http://127.0.0.1:$NP
HOOKS=$T_WORK/hooks.jsonl
touch "$HOOKS"
cat >"$T_WORK/am.yml" <<YAML
global: {resolve_timeout: 1m}
route:
  receiver: default
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - receiver: pager
      matchers: ['severity="page"']
receivers:
  - name: default
    webhook_configs: [{url: 'http://127.0.0.1:$SP/hook/default'}]
  - name: pager
    webhook_configs: [{url: 'http://127.0.0.1:$SP/hook/pager', send_resolved: true}]
YAML
bg_start sink python3 "$TOCSIN_ROOT/test/integration/webhook_sink.py" $SP "$HOOKS"
start_notifier() {
    bg_start "notifier$1" "$TOCSIN_BIN/tocsin-notifier" --config.file="$T_WORK/am.yml" \
        --web.listen-address=127.0.0.1:$NP --storage.path="$T_WORK/data" \
        --web.external-url=http://127.0.0.1:$NP/
    N_PID=$BG_PID
    wait_http "http://127.0.0.1:$NP/-/ready" 20
}
start_notifier 1 || {
    t_fail notifier-start "$(tail -n 5 "$T_WORK/notifier1.log")"
    t_done
}
t_ok notifier-start
am() { amtool "$U" "$@" 2>&1 | grep -v '^Warning: amtool version'; }
# wait_hook JQ_FILTER SECONDS: waits for a webhook line matching the jq filter
wait_hook() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        [ -n "$(jq -c "select($1)" "$HOOKS" 2>/dev/null | head -n 1)" ] && return 0
        sleep 0.1
    done
    return 1
}

am alert add alertname=Disk instance=a severity=warning --annotation=summary='disk full' >/dev/null
out=$(am alert query)
if echo "$out" | grep -q 'Disk .* disk full .*active'; then t_ok amtool-alert-query; else t_fail amtool-alert-query "$out"; fi
out=$(am alert query alertname=Disk -o json | jq -r '.[0].labels.instance + " " + .[0].fingerprint + " " + .[0].receivers[0].name')
if [ "$out" = "a 803ddb689b135d03 default" ] || echo "$out" | grep -q '^a [0-9a-f]\{16\} default$'; then
    t_ok amtool-alert-json
else t_fail amtool-alert-json "$out"; fi
if wait_hook '.path == "/hook/default" and (.body | fromjson | .groupKey) == "{}:{alertname=\"Disk\"}"' 10; then
    t_ok webhook-default-delivered
else t_fail webhook-default-delivered "no webhook: $(tail -c 500 "$HOOKS")"; fi
body=$(jq -r 'select(.path == "/hook/default") | .body' "$HOOKS" | head -n 1)
v=$(echo "$body" | jq -r '[.version, .status, .receiver, .externalURL, (.alerts|length), .alerts[0].endsAt, .truncatedAlerts] | @tsv')
if [ "$v" = "$(printf '4\tfiring\tdefault\thttp://127.0.0.1:%s\t1\t0001-01-01T00:00:00Z\t0' $NP)" ]; then
    t_ok webhook-payload-shape
else t_fail webhook-payload-shape "$v"; fi

route=$(am config routes test severity=page)
if [ "$route" = pager ]; then t_ok amtool-routes-test; else t_fail amtool-routes-test "$route"; fi
sid=$(am silence add alertname=Quiet --comment=maint --author=tester --duration=10m)
if echo "$sid" | grep -qE '^[0-9a-f-]{36}$'; then t_ok amtool-silence-add; else t_fail amtool-silence-add "$sid"; fi
out=$(am silence query)
if echo "$out" | grep -q "$sid .*alertname=\"Quiet\".*tester .*maint"; then t_ok amtool-silence-query; else t_fail amtool-silence-query "$out"; fi
am alert add alertname=Quiet instance=b >/dev/null
out=$(am alert query -s alertname=Quiet -o json | jq -r '.[0].status.state + " " + .[0].status.silencedBy[0]')
if [ "$out" = "suppressed $sid" ]; then t_ok silenced-alert-suppressed; else t_fail silenced-alert-suppressed "$out"; fi
sleep 3
if jq -e 'select((.body | fromjson | .groupLabels.alertname) == "Quiet")' "$HOOKS" >/dev/null 2>&1; then
    t_fail silenced-alert-not-notified "a webhook was sent for a silenced alert"
else t_ok silenced-alert-not-notified; fi
bad=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    "http://127.0.0.1:$NP/api/v2/silences" -d '{"matchers":[{"name":"a","value":".*","isRegex":true}],"startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"x","comment":"y"}')
if [ "$bad" = 400 ]; then t_ok silence-matching-everything-rejected; else t_fail silence-matching-everything-rejected "status $bad"; fi
bad=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    "http://127.0.0.1:$NP/api/v2/alerts" -d '[{"labels":{"alertname":"X"},"startsAt":"2026-01-02T00:00:00Z","endsAt":"2026-01-01T00:00:00Z"}]')
if [ "$bad" = 400 ]; then t_ok invalid-alert-400; else t_fail invalid-alert-400 "status $bad"; fi

# --- durability: kill -9, restart, alerts and silences are back
am alert add alertname=Pager instance=p severity=page >/dev/null
wait_hook '.path == "/hook/pager" and (.body | fromjson | .status) == "firing"' 10 || t_fail pager-firing "no firing webhook"
stop_pid "$N_PID" KILL
start_notifier 2 || t_fail notifier-restart "$(tail -n 5 "$T_WORK/notifier2.log")"
out=$(am alert query -a -s -o json | jq -r '[.[].labels.alertname] | sort | join(",")')
if [ "$out" = "Disk,Pager,Quiet" ]; then t_ok alerts-survive-kill9; else t_fail alerts-survive-kill9 "$out"; fi
out=$(am silence query -q)
if [ "$out" = "$sid" ]; then t_ok silences-survive-kill9; else t_fail silences-survive-kill9 "$out"; fi
# resolve, then kill -9 before the next group_interval tick can send it
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$NP/api/v2/alerts" \
    -d "[{\"labels\":{\"alertname\":\"Pager\",\"instance\":\"p\",\"severity\":\"page\"},\"endsAt\":\"$now\"}]"
stop_pid "$N_PID" KILL
start_notifier 3 || t_fail notifier-restart2 "$(tail -n 5 "$T_WORK/notifier3.log")"
if wait_hook '.path == "/hook/pager" and (.body | fromjson | .status) == "resolved"' 15; then
    t_ok resolved-notification-after-kill9
else t_fail resolved-notification-after-kill9 "no resolved webhook after restart"; fi
n=$(jq -c 'select(.path == "/hook/pager" and (.body | fromjson | .status) == "firing")' "$HOOKS" | wc -l)
if [ "$n" = 1 ]; then t_ok firing-not-redelivered-after-restart; else t_fail firing-not-redelivered-after-restart "$n firing webhooks"; fi
am silence expire "$sid" >/dev/null
out=$(am silence query -q)
if [ -z "$out" ]; then t_ok amtool-silence-expire; else t_fail amtool-silence-expire "$out"; fi
t_done
