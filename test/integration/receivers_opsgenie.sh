#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Opsgenie (Alert API v2) from a real tocsin-notifier to a loopback stand-in: create with every
# field, message/description updates (update_alerts), close when resolved, GenieKey from api_key
# (templated) and api_key_file. When Alertmanager 0.25 is installed, the same config and alerts
# go to it too and every request (method, path, Authorization, body) must be identical.
. "$TOCSIN_ROOT/test/integration/lib.bash"
need_cmd curl python3 jq sha256sum
HP=$(free_port) # stand-in for tocsin
AP=$(free_port) # stand-in for Alertmanager
NP=$(free_port)
AMP=$(free_port)
EXT=http://127.0.0.1:19093
touch "$T_WORK/tocsin.jsonl" "$T_WORK/am.jsonl"
# no surrounding whitespace: 0.25 does not trim key files (its HTTP client then refuses the
# header); Tocsin trims, as later Alertmanager versions do
printf 'file-key-1' >"$T_WORK/og.key"
write_config() { # FILE PORT
    cat >"$1" <<YAML
route: {receiver: og, group_by: [alertname], group_wait: 1s, group_interval: 2s}
receivers:
- name: og
  opsgenie_configs:
  - api_key: 'key-{{ .CommonLabels.alertname }}'
    api_url: 'http://127.0.0.1:$2/opsgenie/'
    details: {extra: '{{ .Status }}', severity: overridden, empty: ''}
    responders:
    - {name: 'team-a, team-b', type: teams}
    - {username: 'u1', type: user}
    - {id: '{{ .CommonLabels.nothing }}', type: '{{ .CommonLabels.nothing }}'}
    tags: ' x, y ,,z '
    note: 'note <b>'
    priority: P2
    entity: '{{ .CommonLabels.service }}'
    actions: 'restart,page'
    update_alerts: true
  - api_key_file: '$T_WORK/og.key'
    api_url: 'http://127.0.0.1:$2/opsgenie2/'
    send_resolved: false
YAML
}
write_config "$T_WORK/tocsin.yml" "$HP"
bg_start stand-in-tocsin python3 "$TOCSIN_ROOT/test/integration/stand_ins/http_stand_in.py" "$HP" "$T_WORK/tocsin.jsonl"
bg_start notifier "$TOCSIN_BIN/tocsin-notifier" --config.file="$T_WORK/tocsin.yml" \
    --web.listen-address=127.0.0.1:$NP --storage.path="$T_WORK/ndata" --web.external-url=$EXT
AM=0
if command -v prometheus-alertmanager >/dev/null 2>&1; then
    AM=1
    write_config "$T_WORK/am.yml" "$AP"
    bg_start stand-in-am python3 "$TOCSIN_ROOT/test/integration/stand_ins/http_stand_in.py" "$AP" "$T_WORK/am.jsonl"
    bg_start am prometheus-alertmanager --config.file="$T_WORK/am.yml" --storage.path="$T_WORK/amdata" \
        --web.listen-address=127.0.0.1:$AMP --cluster.listen-address= --web.external-url=$EXT/
fi
if ! wait_http "http://127.0.0.1:$NP/-/ready" 20; then
    t_fail notifier-start "$(tail -n 5 "$T_WORK/notifier.log")"
    t_done
fi
if [ $AM = 1 ] && ! wait_http "http://127.0.0.1:$AMP/-/ready" 20; then
    t_fail alertmanager-start "$(tail -n 5 "$T_WORK/am.log")"
    AM=0
fi
post() { # JSON
    curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        "http://127.0.0.1:$NP/api/v2/alerts" -d "$1"
    [ $AM = 1 ] && curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
        "http://127.0.0.1:$AMP/api/v2/alerts" -d "$1"
}
alerts() { # ENDS_AT (or empty)
    local e=${1:+,\"endsAt\":\"$1\"}
    printf '[{"labels":{"alertname":"DiskFull","instance":"db1","service":"db","severity":"crit"},"annotations":{"summary":"Disk <full>"}%s},{"labels":{"alertname":"DiskFull","instance":"db2","service":"db","severity":"crit"},"annotations":{"summary":"Disk <full>","runbook":"r"}%s}]' "$e" "$e"
}
count() { jq -c --arg re "$2" 'select(.path | test($re))' "$1" | wc -l; }
wait_count() { # FILE RE N SECONDS
    local i
    for ((i = 0; i < $4 * 10; i++)); do
        [ "$(count "$1" "$2")" -ge "$3" ] && return 0
        sleep 0.1
    done
    return 1
}
req() { # FILE RE FIELD: first matching request's field (.body, .method, .headers.Authorization)
    jq -r --arg re "$2" "select(.path | test(\$re)) | $3" "$1" | head -n 1
}

code=$(post "$(alerts)")
[ "$code" = 200 ] && t_ok post-alerts || t_fail post-alerts "HTTP $code"
ALIAS=$(printf '{}:{alertname="DiskFull"}' | sha256sum | cut -c1-64)
T=$T_WORK/tocsin.jsonl
if wait_count "$T" '^/opsgenie/v2/alerts/.*/description' 1 15 && wait_count "$T" '^/opsgenie2/v2/alerts$' 1 5; then
    t_ok create-and-updates-sent
else t_fail create-and-updates-sent "$(jq -c '[.method, .path]' "$T")"; fi
v=$(jq -r 'select(.path | startswith("/opsgenie/")) | .method + " " + .path' "$T" | head -n 3 | tr '\n' '|')
want="POST /opsgenie/v2/alerts|PUT /opsgenie/v2/alerts/$ALIAS/message?identifierType=alias|PUT /opsgenie/v2/alerts/$ALIAS/description?identifierType=alias|"
[ "$v" = "$want" ] && t_ok request-order || t_fail request-order "$v"
v=$(req "$T" '^/opsgenie/v2/alerts$' .headers.Authorization)
[ "$v" = "GenieKey key-DiskFull" ] && t_ok api-key-templated || t_fail api-key-templated "$v"
v=$(req "$T" '^/opsgenie2/v2/alerts$' .headers.Authorization)
[ "$v" = "GenieKey file-key-1" ] && t_ok api-key-file || t_fail api-key-file "$v"
v=$(req "$T" '^/opsgenie/v2/alerts$' .body | jq -c '[.alias, .message, .details, .source, .responders, .tags, .note, .priority, .entity, .actions]')
want=$(jq -cn --arg a "$ALIAS" --arg s "$EXT/#/alerts?receiver=og" '[$a, "[FIRING:2] DiskFull (db crit)", {"alertname":"DiskFull","empty":"","extra":"firing","service":"db","severity":"overridden"}, $s, [{"name":"team-a","type":"team"},{"name":" team-b","type":"team"},{"username":"u1","type":"user"}], ["x"," y ","z"], "note <b>", "P2", "db", ["restart","page"]]')
[ "$v" = "$want" ] && t_ok create-body-fields || t_fail create-body-fields "$v"
v=$(req "$T" '^/opsgenie2/v2/alerts$' .body | jq -c '.description')
want=$(printf 'Disk <full>\nAlerts Firing:\nLabels:\n - alertname = DiskFull\n - instance = db1\n - service = db\n - severity = crit\nAnnotations:\n - summary = Disk <full>\nSource: \nLabels:\n - alertname = DiskFull\n - instance = db2\n - service = db\n - severity = crit\nAnnotations:\n - runbook = r\n - summary = Disk <full>\nSource: \n\n' | jq -Rsc .)
[ "$v" = "$want" ] && t_ok default-description || t_fail default-description "$v"

now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
post "$(alerts "$now")" >/dev/null
if wait_count "$T" '/close' 1 15; then t_ok close-sent; else t_fail close-sent "$(jq -c '[.method, .path]' "$T")"; fi
v="$(req "$T" '/close' .method) $(req "$T" '/close' .path) $(req "$T" '/close' .body)"
[ "$v" = "POST /opsgenie/v2/alerts/$ALIAS/close?identifierType=alias {\"source\":\"$EXT/#/alerts?receiver=og\"}" ] &&
    t_ok close-request || t_fail close-request "$v"
sleep 1
v=$(count "$T" '^/opsgenie2/')
[ "$v" = 1 ] && t_ok send-resolved-false || t_fail send-resolved-false "$v requests"

if [ $AM = 1 ]; then
    A=$T_WORK/am.jsonl
    wait_count "$A" '/close' 1 15
    sleep 1
    norm() { jq -c '[.method, .path, .headers.Authorization, .headers["Content-Type"], .body]' "$1" | sort; }
    if [ "$(norm "$T")" = "$(norm "$A")" ]; then
        t_ok requests-equal-alertmanager
    else
        t_fail requests-equal-alertmanager "$(diff <(norm "$T") <(norm "$A") | head -n 8)"
    fi
else
    t_skip requests-equal-alertmanager "prometheus-alertmanager not installed"
fi
t_done
