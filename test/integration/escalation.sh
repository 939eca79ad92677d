#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Escalation end to end with loopback webhook stand-ins for Slack, PagerDuty and SMS: an
# unacknowledged incident walks every step on time (on-call user resolved from a schedule), an
# ack (API, CLI, signed link) stops it, forged and expired links get 403 and change nothing, a
# resolve reaches every receiver that was paged, and kill -9 in the middle of a chain neither
# loses nor doubles a step.
. "$TOCSIN_ROOT/test/integration/lib.bash"
need_cmd curl python3 jq
NP=$(free_port)
SP=$(free_port)
HOOKS=$T_WORK/hooks.jsonl
NURL=http://127.0.0.1:$NP
touch "$HOOKS"
printf 'test-secret-0123456789abcdef\n' >"$T_WORK/secret"
cat >"$T_WORK/am.yml" <<YAML
global: {resolve_timeout: 5m}
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
    webhook_configs: [{url: 'http://127.0.0.1:$SP/slack', send_resolved: true}]
  - name: pagerduty
    webhook_configs: [{url: 'http://127.0.0.1:$SP/pagerduty', send_resolved: true}]
  - name: sms
    webhook_configs: [{url: 'http://127.0.0.1:$SP/sms', send_resolved: true}]
escalation_policies:
  - name: page
    steps:
      - after: 2s
        receivers: [pagerduty]
      - after: 4s
        notify: [{schedule: ops, role: primary, via: sms}]
users:
  - {name: alice, phone: '+15550001', email: alice@example.org}
  - {name: bob, phone: '+15550002', email: bob@example.org}
schedules:
  - name: ops
    time_zone: UTC
    layers:
      - {members: [alice, bob], rotation: 1000d, start: '$(date -u +%F)', handoff: '00:00'}
YAML
bg_start sink python3 "$TOCSIN_ROOT/test/integration/webhook_sink.py" $SP "$HOOKS"
start_notifier() {
    bg_start "notifier$1" "$TOCSIN_BIN/tocsin-notifier" --config.file="$T_WORK/am.yml" \
        --web.listen-address=127.0.0.1:$NP --storage.path="$T_WORK/data" \
        --web.external-url=$NURL/ --escalation.ack-secret-file="$T_WORK/secret"
    N_PID=$BG_PID
    wait_http "$NURL/-/ready" 20
}
start_notifier 1 || {
    t_fail notifier-start "$(tail -n 5 "$T_WORK/notifier1.log")"
    exit 1
}
t_ok notifier-start
post_alert() { # NAME [ENDS_AT]
    local ends=""
    [ -n "${2:-}" ] && ends=",\"endsAt\":\"$2\""
    curl -sf -o /dev/null -H 'Content-Type: application/json' "$NURL/api/v2/alerts" \
        -d "[{\"labels\":{\"alertname\":\"$1\",\"severity\":\"page\"},\"annotations\":{\"summary\":\"$1 broke\"}$ends}]"
}
# hooks NAME PATH [STATUS]: webhook records for the group of alert NAME on PATH
hooks() {
    jq -c --arg a "$1" --arg p "/$2" --arg s "${3:-firing}" \
        'select(.path == $p) | .body | fromjson | select(.groupLabels.alertname == $a and .status == $s)' "$HOOKS"
}
nhooks() { hooks "$@" | wc -l | tr -d ' '; }
wait_count() { # NAME PATH N SECONDS [STATUS]
    local i
    for ((i = 0; i < $4 * 10; i++)); do
        [ "$(nhooks "$1" "$2" "${5:-firing}")" -ge "$3" ] && return 0
        sleep 0.1
    done
    return 1
}
hook_t() { # time of the first record for NAME on PATH
    jq -r --arg a "$1" --arg p "/$2" \
        'select(.path == $p) | select((.body | fromjson | .groupLabels.alertname) == $a and (.body | fromjson | .status) == "firing") | .t' "$HOOKS" | head -n 1
}
incident_of() { curl -sf "$NURL/api/v1/incidents" | jq -r --arg a "$1" '.data[] | select(.group_labels.alertname == $a) | .id' | head -n 1; }
state_of() { curl -sf "$NURL/api/v1/incidents/$1" | jq -r .data.state; }

# 1. an unacknowledged incident walks every step on time
post_alert Full
wait_count Full sms 1 12 || t_fail chain-complete "sms step never came: $(cat "$HOOKS" | head -c 600)"
t0=$(hook_t Full slack)
t1=$(hook_t Full pagerduty)
t2=$(hook_t Full sms)
if python3 -c "import sys; a,b,c=map(float,sys.argv[1:]); sys.exit(0 if 1.5<=b-a<=3.0 and 3.5<=c-a<=5.0 else 1)" "$t0" "$t1" "$t2"; then
    t_ok chain-on-time
else
    t_fail chain-on-time "slack=$t0 pagerduty=$t1 sms=$t2"
fi
u=$(hooks Full sms | jq -r '.alerts[0].annotations.tocsin_oncall_user + " " + .alerts[0].annotations.tocsin_oncall_phone' | head -n 1)
t_check oncall-user-in-sms [ "$u" = "alice +15550001" ]
link=$(hooks Full slack | jq -r '.alerts[0].annotations.tocsin_ack_url' | head -n 1)
t_check ack-link-in-first-notification bash -c "echo '$link' | grep -q '^$NURL/api/v1/ack?incident=[0-9a-f]*&action=ack&expires=[0-9]*&sig=[0-9a-f]\{64\}$'"
IF=$(incident_of Full)
t_check incident-listed [ -n "$IF" ]
tl=$(curl -sf "$NURL/api/v1/incidents/$IF" | jq -r '.data.timeline[].type' | sort | uniq -c | tr -s ' ' | tr '\n' ';')
t_check timeline-has-events bash -c "echo '$tl' | grep -q 'escalated' && echo '$tl' | grep -q ' 3 escalated' && echo '$tl' | grep -q 'notify' && echo '$tl' | grep -q 'opened'"

# 2. an ack stops the chain (CLI)
post_alert Ack
wait_count Ack slack 1 5 || t_fail ack-slack "no slack notification"
IA=$(incident_of Ack)
out=$("$TOCSIN_BIN/tocsin" ack "$IA" --by=carol --notifier.url=$NURL 2>&1)
t_check cli-ack bash -c "[ \"\$(curl -sf $NURL/api/v1/incidents/$IA | jq -r '.data.state + \" \" + .data.acked_by')\" = 'acked carol' ]"
sleep 4.5
t_check ack-stops-chain [ "$(nhooks Ack pagerduty)$(nhooks Ack sms)" = "00" ]

# 3. forged and expired links: 403, nothing changes; a valid link acks
post_alert Link
wait_count Link slack 1 5
IL=$(incident_of Link)
good=$(hooks Link slack | jq -r '.alerts[0].annotations.tocsin_ack_url' | head -n 1)
forged=$(echo "$good" | sed 's/sig=[0-9a-f]*/sig=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/')
code=$(curl -s -o /dev/null -w '%{http_code}' "$forged")
t_check forged-link-403 [ "$code" = 403 ]
exp=$(( $(date +%s) - 10 ))
sig=$(python3 -c "import hmac,hashlib,sys; print(hmac.new(b'test-secret-0123456789abcdef', sys.argv[1].encode(), hashlib.sha256).hexdigest())" "$IL
ack
$exp")
code=$(curl -s -o /dev/null -w '%{http_code}' "$NURL/api/v1/ack?incident=$IL&action=ack&expires=$exp&sig=$sig")
t_check expired-link-403 [ "$code" = 403 ]
other=$(echo "$good" | sed 's/action=ack/action=resolve/')
code=$(curl -s -o /dev/null -w '%{http_code}' "$other")
t_check action-swapped-link-403 [ "$code" = 403 ]
t_check refused-links-change-nothing [ "$(state_of "$IL")" = open ]
unack=$(curl -sf "$NURL/api/v1/incidents/$IL" | jq -r .data.unackURL)
code=$(curl -s -o /dev/null -w '%{http_code}' "$unack")
t_check unack-link-on-open-incident-409 [ "$code:$(state_of "$IL")" = "409:open" ]
code=$(curl -s -o /dev/null -w '%{http_code}' -A 'Slackbot-LinkExpanding 1.0' "$good")
t_check preview-bot-does-not-ack [ "$code:$(state_of "$IL")" = "200:open" ]
code=$(curl -s -o /dev/null -w '%{http_code}' "$good")
t_check valid-link-acks [ "$code:$(state_of "$IL")" = "200:acked" ]
sleep 4
t_check link-ack-stops-chain [ "$(nhooks Link pagerduty)" = 0 ]

# 4. resolve: resolved notifications to every receiver that was paged
post_alert Full "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
wait_count Full pagerduty 1 6 resolved && wait_count Full sms 1 6 resolved && wait_count Full slack 1 6 resolved
t_check resolved-to-every-receiver [ "$(nhooks Full slack resolved)$(nhooks Full pagerduty resolved)$(nhooks Full sms resolved)" = 111 ]
t_check incident-resolved [ "$(state_of "$IF")" = resolved ]

# 5. kill -9 in the middle of a chain: no step lost, none doubled
post_alert Crash
wait_count Crash pagerduty 1 8
sleep 0.3
stop_pid "$N_PID" 9
sleep 3 # the sms step falls due while the notifier is down
start_notifier 2 || t_fail restart "$(tail -n 5 "$T_WORK/notifier2.log")"
wait_count Crash sms 1 6
sleep 2
t_check crash-no-step-lost [ "$(nhooks Crash sms)" = 1 ]
t_check crash-no-step-doubled [ "$(nhooks Crash pagerduty)$(nhooks Crash slack)" = 11 ]
t_check ack-survives-restart [ "$(state_of "$IA")" = acked ]
# a step that is not yet due at the kill fires on time after the restart
post_alert Crash2
wait_count Crash2 slack 1 5
sleep 0.5 # let the dispatcher commit its notification log (its own at-least-once window)
stop_pid "$N_PID" 9
start_notifier 3 || t_fail restart2 "$(tail -n 5 "$T_WORK/notifier3.log")"
wait_count Crash2 sms 1 8
sleep 1
t_check crash2-each-step-once [ "$(nhooks Crash2 slack)$(nhooks Crash2 pagerduty)$(nhooks Crash2 sms)" = 111 ]

# 6. metrics and report
post_alert Final
wait_count Final slack 1 5
IX=$(incident_of Final)
st=$(curl -sf -X POST -d '{"by":"dave"}' "$NURL/api/v1/incidents/$IX/ack" | jq -r '.data.state + " " + .data.acked_by')
t_check api-ack [ "$st" = "acked dave" ]
st=$(curl -sf -X POST "$NURL/api/v1/incidents/$IX/unack" | jq -r '.data.state')
t_check api-unack [ "$st" = open ]
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$NURL/api/v1/incidents/ffffffffffffffff/ack")
t_check api-ack-unknown-404 [ "$code" = 404 ]
wait_count Final pagerduty 1 6
t_check unack-resumes-chain [ "$(nhooks Final pagerduty)" = 1 ]
st=$(curl -sf -X POST "$NURL/api/v1/incidents/$IX/resolve" | jq -r '.data.state')
t_check api-resolve [ "$st" = resolved ]
wait_count Final pagerduty 1 5 resolved
t_check manual-resolve-notifies [ "$(nhooks Final pagerduty resolved)$(nhooks Final slack resolved)" = 11 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$NURL/api/v1/incidents/$IX/ack")
t_check ack-resolved-409 [ "$code" = 409 ]
curl -sf "$NURL/metrics" >"$T_WORK/metrics.txt"
t_check metrics-opened grep -q '^tocsin_incidents_opened_total{.*severity="page"} [1-9]' "$T_WORK/metrics.txt"
t_check metrics-escalations grep -q '^tocsin_escalations_total{step="1"} [1-9]' "$T_WORK/metrics.txt"
t_check metrics-tta grep -q '^tocsin_incident_time_to_acknowledge_seconds_count{.*} [1-9]' "$T_WORK/metrics.txt"
t_check metrics-ttr grep -q '^tocsin_incident_time_to_resolve_seconds_count{.*} [1-9]' "$T_WORK/metrics.txt"
rep=$("$TOCSIN_BIN/tocsin" incident report "$IF" --notifier.url=$NURL 2>&1)
t_check report-markdown bash -c "echo \"\$1\" | grep -q '^# Incident $IF' && echo \"\$1\" | grep -q 'Time to resolve' && echo \"\$1\" | grep -q '## Timeline'" _ "$rep"

# 7. tocsin check config validates the escalation extension with positions
t_check check-config-example bash -c '"$1" check config "$2" >/dev/null' _ "$TOCSIN_BIN/tocsin" "$TOCSIN_ROOT/examples/escalation/notifier.yml"
sed 's/receivers: \[pagerduty\]/receivers: [nosuch]/' "$T_WORK/am.yml" >"$T_WORK/bad.yml"
out=$("$TOCSIN_BIN/tocsin" check config "$T_WORK/bad.yml" 2>&1)
t_check check-config-bad-receiver bash -c "echo \"\$1\" | grep -q 'FAILED: .*bad.yml:[0-9]*:[0-9]*: undefined receiver \"nosuch\"'" _ "$out"
[ "$T_FAILED" = 0 ]
