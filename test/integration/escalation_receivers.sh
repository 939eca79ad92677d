#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Escalation through the real integrations: Slack first (loopback Slack stand-in), then
# PagerDuty (Events API v2 stand-in) to the primary on call with their own routing key, then an
# SMS (generic gateway stand-in) to the primary's phone and an e-mail (real SMTP server,
# aiosmtpd) to the secondary; the signed link from the Slack message acks the incident and the
# last step never fires; the resolve reaches PagerDuty, SMS and e-mail.
. "$TOCSIN_ROOT/test/integration/lib.bash"
need_cmd curl python3 jq
SMTP_PY=""
for py in python3 /usr/bin/python3; do
    if "$py" -c 'import aiosmtpd' 2>/dev/null; then SMTP_PY=$py; break; fi
done
if [ -z "$SMTP_PY" ]; then
    t_skip escalation_receivers "python3 aiosmtpd not installed"
    exit 0
fi
HP=$(free_port)
MP=$(free_port)
NP=$(free_port)
NURL=http://127.0.0.1:$NP
REQ=$T_WORK/http.jsonl
MAIL=$T_WORK/mail
mkdir -p "$MAIL"
touch "$REQ"
cat >"$T_WORK/am.yml" <<YAML
global:
  smtp_smarthost: '127.0.0.1:$MP'
  smtp_from: 'tocsin@example.test'
  smtp_require_tls: false
route:
  receiver: slack
  group_by: ['alertname']
  group_wait: 500ms
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - matchers: ['severity="page"']
      receiver: slack
      escalation_policy: page
receivers:
  - name: slack
    slack_configs:
      - api_url: 'http://127.0.0.1:$HP/slack/T000/B000/XXXX'
        channel: '#db'
        send_resolved: true
        text: '{{ range .Alerts }}{{ .Annotations.summary }} ack: {{ .Annotations.tocsin_ack_url }}{{ end }}'
  - name: pagerduty-oncall
    pagerduty_configs:
      - routing_key: '{{ (index .Alerts 0).Annotations.tocsin_oncall_pagerduty_key }}'
        url: 'http://127.0.0.1:$HP/pagerduty/v2/enqueue'
  - name: sms-oncall
    sms_configs:
      - provider: generic
        url: 'http://127.0.0.1:$HP/sms-gateway'
        to: ['{{ (index .Alerts 0).Annotations.tocsin_oncall_phone }}']
        send_resolved: true
  - name: email-oncall
    email_configs:
      - to: '{{ (index .Alerts 0).Annotations.tocsin_oncall_email }}'
        send_resolved: true
  - name: lead
    webhook_configs: [{url: 'http://127.0.0.1:$HP/sms-gateway/lead'}]
escalation_policies:
  - name: page
    steps:
      - after: 2s
        notify: [{schedule: dba, role: primary, via: pagerduty-oncall}]
      - after: 4s
        notify:
          - {schedule: dba, role: primary, via: sms-oncall}
          - {schedule: dba, role: secondary, via: email-oncall}
      - after: 8s
        receivers: [lead]
users:
  - {name: alice, phone: '+15550100001', email: alice@example.test, pagerduty_key: ALICEKEY00000000000000000000000A}
  - {name: bob, phone: '+15550100002', email: bob@example.test, pagerduty_key: BOBKEY0000000000000000000000000B}
schedules:
  - name: dba
    layers: [{members: [alice, bob], rotation: 1000d, start: '$(date -u +%F)'}]
YAML
bg_start http python3 "$TOCSIN_ROOT/test/integration/stand_ins/http_stand_in.py" "$HP" "$REQ"
PYTHONPATH="$TOCSIN_ROOT/test/integration/stand_ins" bg_start smtp "$SMTP_PY" -m aiosmtpd -n \
    -l "127.0.0.1:$MP" -c smtp_sink.Saver "$MAIL"
bg_start notifier "$TOCSIN_BIN/tocsin-notifier" --config.file="$T_WORK/am.yml" \
    --web.listen-address=127.0.0.1:$NP --storage.path="$T_WORK/data" --web.external-url=$NURL
if ! wait_http "$NURL/-/ready" 20; then
    t_fail notifier-start "$(tail -n 5 "$T_WORK/notifier.log")"
    exit 1
fi
t_ok notifier-start
reqs() { jq -c --arg p "$1" 'select(.path | startswith($p))' "$REQ"; }
nreqs() { reqs "$1" | wc -l | tr -d ' '; }
wait_req() { # PATH N SECONDS
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        [ "$(nreqs "$1")" -ge "$2" ] && return 0
        sleep 0.1
    done
    return 1
}
mails() { grep -l "$1" "$MAIL"/*.eml 2>/dev/null | wc -l | tr -d ' '; }
curl -sf -o /dev/null -H 'Content-Type: application/json' "$NURL/api/v2/alerts" \
    -d '[{"labels":{"alertname":"DbDown","severity":"page"},"annotations":{"summary":"db down"}}]'
wait_req /slack/ 1 5 || t_fail slack "no Slack message"
link=$(reqs /slack/ | head -n 1 | jq -r '.body | fromjson | .attachments[0].text' | sed 's/.*ack: //')
t_check ack-link-in-slack-text bash -c "echo '$link' | grep -q '^$NURL/api/v1/ack?incident='"
wait_req /pagerduty/ 1 4
rk=$(reqs /pagerduty/ | head -n 1 | jq -r '.body | fromjson | .routing_key + " " + .event_action')
t_check pagerduty-to-primary-key [ "$rk" = "ALICEKEY00000000000000000000000A trigger" ]
wait_req /sms-gateway 1 4
to=$(reqs /sms-gateway | head -n 1 | jq -r '.body | fromjson | .to')
t_check sms-to-primary-phone [ "$to" = "+15550100001" ]
for ((i = 0; i < 40; i++)); do [ "$(mails 'X-Envelope-To: .*bob@example.test')" -ge 1 ] && break; sleep 0.1; done
t_check email-to-secondary [ "$(mails 'X-Envelope-To: .*bob@example.test')" = 1 ]
code=$(curl -s -o /dev/null -w '%{http_code}' "$link")
t_check ack-by-slack-link [ "$code" = 200 ]
sleep 4.5
t_check ack-stops-last-step [ "$(nreqs /sms-gateway/lead)" = 0 ]
id=$(echo "$link" | sed 's/.*incident=\([0-9a-f]*\).*/\1/')
curl -sf -o /dev/null -H 'Content-Type: application/json' "$NURL/api/v2/alerts" \
    -d "[{\"labels\":{\"alertname\":\"DbDown\",\"severity\":\"page\"},\"endsAt\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}]"
wait_req /pagerduty/ 2 6
for ((i = 0; i < 50; i++)); do [ "$(mails 'X-Envelope-To: .*bob@example.test')" -ge 2 ] && [ "$(nreqs /sms-gateway)" -ge 2 ] && break; sleep 0.1; done
ev=$(reqs /pagerduty/ | tail -n 1 | jq -r '.body | fromjson | .event_action')
t_check resolve-pagerduty [ "$ev" = resolve ]
t_check resolve-sms [ "$(nreqs /sms-gateway)" = 2 ]
t_check resolve-email [ "$(mails 'X-Envelope-To: .*bob@example.test')" = 2 ]
st=$(curl -sf "$NURL/api/v1/incidents/$id" | jq -r '.data.state + " " + .data.acked_by')
t_check incident-state [ "$st" = "resolved signed link" ]
kinds=$(curl -sf "$NURL/api/v1/incidents/$id" | jq -r '[.data.timeline[] | select(.type == "notify") | .integration] | unique | join(",")')
t_check timeline-integrations [ "$kinds" = "email,pagerduty,slack,sms" ]
[ "$T_FAILED" = 0 ]
