#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A real Prometheus 2.42 evaluates rules and sends its alerts to tocsin-notifier through the
# Alertmanager API v2: the alerts show up in `amtool alert query` and the webhook receives them
# with Prometheus's labels, annotations and generatorURL.
. "$TOCSIN_ROOT/test/integration/lib.bash"
need_cmd prometheus amtool curl python3 jq
NP=$(free_port)
PP=$(free_port)
SP=$(free_port)
HOOKS=$T_WORK/hooks.jsonl
touch "$HOOKS"
cat >"$T_WORK/am.yml" <<YAML
route: {receiver: hook, group_by: [alertname], group_wait: 1s, group_interval: 2s}
receivers:
  - name: hook
    webhook_configs: [{url: 'http://127.0.0.1:$SP/hook'}]
YAML
cat >"$T_WORK/rules.yml" <<'YAML'
groups:
  - name: demo
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: {severity: page}
        annotations: {summary: "always firing, value={{ $value }}"}
YAML
cat >"$T_WORK/prometheus.yml" <<YAML
global: {scrape_interval: 15s, evaluation_interval: 1s, external_labels: {origin: promA}}
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - static_configs: [{targets: ['127.0.0.1:$NP']}]
YAML
bg_start sink python3 "$TOCSIN_ROOT/test/integration/webhook_sink.py" $SP "$HOOKS"
bg_start notifier "$TOCSIN_BIN/tocsin-notifier" --config.file="$T_WORK/am.yml" \
    --web.listen-address=127.0.0.1:$NP --storage.path="$T_WORK/ndata"
wait_http "http://127.0.0.1:$NP/-/ready" 20 || {
    t_fail notifier-start "$(tail -n 3 "$T_WORK/notifier.log")"
    t_done
}
bg_start prom prometheus --config.file="$T_WORK/prometheus.yml" --storage.tsdb.path="$T_WORK/pdata" \
    --web.listen-address=127.0.0.1:$PP --web.external-url=http://127.0.0.1:$PP/ --rules.alert.resend-delay=2s
wait_http "http://127.0.0.1:$PP/-/ready" 20 || t_fail prometheus-start "$(tail -n 3 "$T_WORK/prom.log")"
# Prometheus hands targets to its notifier through service discovery every 5 s: allow 30 s
out=""
for _ in $(seq 60); do
    out=$(amtool --alertmanager.url=http://127.0.0.1:$NP alert query -o json 2>/dev/null | jq -r '.[0].labels | "\(.alertname) \(.severity) \(.origin)"' 2>/dev/null)
    [ "$out" = "AlwaysFiring page promA" ] && break
    sleep 0.5
done
if [ "$out" = "AlwaysFiring page promA" ]; then t_ok prometheus-alert-in-amtool; else t_fail prometheus-alert-in-amtool "got '$out'"; fi
for _ in $(seq 40); do
    [ -s "$HOOKS" ] && break
    sleep 0.25
done
v=$(head -n 1 "$HOOKS" | jq -r '.body | fromjson | .alerts[0] | "\(.annotations.summary)|\(.generatorURL)"' 2>/dev/null)
case $v in
"always firing, value=1|http://127.0.0.1:$PP/graph?g0.expr="*) t_ok prometheus-alert-webhook ;;
*) t_fail prometheus-alert-webhook "got '$v'" ;;
esac
t_done
