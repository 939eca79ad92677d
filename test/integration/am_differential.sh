#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Differential test: the same config and the same alerts, posted at the same moments, to a real
# Alertmanager 0.25 and to tocsin-notifier; the webhook notifications must match (groups, alerts,
# order, status, labels; timing within a tolerance). The scenario covers grouping, a new alert
# joining a group, `continue`, inhibition, max_alerts truncation and resolution.
. "$TOCSIN_ROOT/test/integration/lib.bash"
need_cmd prometheus-alertmanager curl python3 jq
AMP=$(free_port)
NP=$(free_port)
SA=$(free_port)
SB=$(free_port)
config() { # URL_BASE
    cat <<YAML
global: {resolve_timeout: 5m}
route:
  receiver: default
  group_by: ['alertname']
  group_wait: 2s
  group_interval: 4s
  repeat_interval: 1h
  routes:
    - receiver: team-db
      matchers: ['team="db"']
      continue: true
    - receiver: pager
      matchers: ['severity="page"']
      group_by: ['...']
receivers:
  - name: default
    webhook_configs: [{url: '$1/hook/default', max_alerts: 2}]
  - name: team-db
    webhook_configs: [{url: '$1/hook/team-db'}]
  - name: pager
    webhook_configs: [{url: '$1/hook/pager'}]
inhibit_rules:
  - source_matchers: ['severity="page"']
    target_matchers: ['severity="warning"']
    equal: ['instance']
YAML
}
config "http://127.0.0.1:$SA" >"$T_WORK/am.yml"
config "http://127.0.0.1:$SB" >"$T_WORK/tocsin.yml"
touch "$T_WORK/a.jsonl" "$T_WORK/b.jsonl"
bg_start sinkA python3 "$TOCSIN_ROOT/test/integration/webhook_sink.py" $SA "$T_WORK/a.jsonl"
bg_start sinkB python3 "$TOCSIN_ROOT/test/integration/webhook_sink.py" $SB "$T_WORK/b.jsonl"
bg_start am prometheus-alertmanager --config.file="$T_WORK/am.yml" --storage.path="$T_WORK/amdata" \
    --web.listen-address=127.0.0.1:$AMP --cluster.listen-address= --web.external-url=http://127.0.0.1:$AMP/
bg_start notifier "$TOCSIN_BIN/tocsin-notifier" --config.file="$T_WORK/tocsin.yml" \
    --storage.path="$T_WORK/ndata" --web.listen-address=127.0.0.1:$NP --web.external-url=http://127.0.0.1:$NP/
if ! wait_http "http://127.0.0.1:$AMP/-/ready" 20 || ! wait_http "http://127.0.0.1:$NP/-/ready" 20; then
    t_fail start "$(tail -n 3 "$T_WORK/am.log") $(tail -n 3 "$T_WORK/notifier.log")"
    t_done
fi
sleep 0.5
post() { # JSON: to both, as close together as possible
    local p1 p2
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$AMP/api/v2/alerts" -d "$1" &
    p1=$!
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$NP/api/v2/alerts" -d "$1" &
    p2=$!
    wait $p1 $p2
}
ts() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z; }
T0=$(date +%s.%N)
S=$(ts "${T0%.*}")
post "[{\"labels\":{\"alertname\":\"Disk\",\"instance\":\"a\",\"team\":\"db\",\"severity\":\"warning\"},\"annotations\":{\"summary\":\"disk a\"},\"startsAt\":\"$S\"},
       {\"labels\":{\"alertname\":\"Disk\",\"instance\":\"b\",\"team\":\"db\"},\"annotations\":{\"summary\":\"disk b\"},\"startsAt\":\"$S\"},
       {\"labels\":{\"alertname\":\"Disk\",\"instance\":\"c\"},\"startsAt\":\"$S\"},
       {\"labels\":{\"alertname\":\"Load\",\"instance\":\"x\",\"severity\":\"warning\"},\"startsAt\":\"$S\"}]"
sleep 3
post "[{\"labels\":{\"alertname\":\"Node\",\"instance\":\"x\",\"severity\":\"page\"},\"startsAt\":\"$(ts $(date +%s))\"},
       {\"labels\":{\"alertname\":\"Disk\",\"instance\":\"d\",\"team\":\"db\"},\"startsAt\":\"$(ts $(date +%s))\"}]"
sleep 4
post "[{\"labels\":{\"alertname\":\"Disk\",\"instance\":\"b\",\"team\":\"db\"},\"annotations\":{\"summary\":\"disk b\"},\"startsAt\":\"$S\",\"endsAt\":\"$(ts $(date +%s))\"}]"
sleep 9
python3 "$TOCSIN_ROOT/test/integration/am_compare.py" "$T_WORK/a.jsonl" "$T_WORK/b.jsonl" "$T0" 1.5 || T_FAILED=1
t_done
