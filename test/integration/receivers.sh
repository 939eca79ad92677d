#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A real tocsin-notifier delivering to loopback stand-ins of Slack (incoming webhook and
# chat.postMessage with a token), PagerDuty Events API v2, Twilio's Messages API, a generic SMS
# gateway and a real SMTP server (aiosmtpd): alerts go in through POST /api/v2/alerts and the
# checks look at what crossed the wire. With the same alerts and external URL as the
# Alertmanager 0.25 capture in ../shared, the Slack and PagerDuty bodies must be byte-identical
# to what Alertmanager sent. Also: 429 with Retry-After is retried after the wait, and a
# PagerDuty v1 service_key is refused with a clear error.
. "$TOCSIN_ROOT/test/integration/lib.bash"
need_cmd curl python3 jq base64
HP=$(free_port)
MP=$(free_port)
NP=$(free_port)
TP=$(free_port)
EXT=http://127.0.0.1:19093
REQ=$T_WORK/http.jsonl
MAIL=$T_WORK/mail
TMAIL=$T_WORK/mail-tls
CAP=$TOCSIN_SHARED/conformance/alertmanager/captures/alertmanager-integrations
mkdir -p "$MAIL" "$TMAIL"
touch "$REQ"
SMTP_PY=""
for py in python3 /usr/bin/python3; do
    if "$py" -c 'import aiosmtpd' 2>/dev/null; then SMTP_PY=$py; break; fi
done

mkdir -p "$T_WORK/tmpl"
cat >"$T_WORK/tmpl/custom.tmpl" <<'TMPL'
{{ define "custom.text" }}{{ range .Alerts }}{{ .Annotations.summary }}; {{ end }}{{ end }}
TMPL
cat >"$T_WORK/am.yml" <<YAML
templates: ['tmpl/*.tmpl']
global:
  smtp_smarthost: '127.0.0.1:$MP'
  smtp_from: 'tocsin@example.test'
  smtp_require_tls: false
  smtp_hello: 'tocsin-it'
route:
  receiver: all
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - receiver: limited
      matchers: ['alertname="RateLimited"']
    - receiver: legacy
      matchers: ['alertname="Legacy"']
    - receiver: starttls
      matchers: ['alertname="Secure"']
    - receiver: tls-required-but-absent
      matchers: ['alertname="NoTLS"']
receivers:
  - name: all
    slack_configs:
      - api_url: 'http://127.0.0.1:$HP/slack/T000/B000/XXXX'
        channel: '#ops'
        send_resolved: true
      - api_url: 'http://127.0.0.1:$HP/api/chat.postMessage'
        http_config: {authorization: {credentials: xoxb-test-token}}
        channel: '#alerts'
        text: '{{ template "custom.text" . }}'
    pagerduty_configs:
      - routing_key: 'R0UT1NGKEY0000000000000000000000'
        url: 'http://127.0.0.1:$HP/pagerduty/v2/enqueue'
        send_resolved: true
    email_configs:
      - to: 'oncall@example.test'
        send_resolved: true
    sms_configs:
      - account_sid: AC0001
        auth_token: twtoken
        from: '+15550000000'
        to: ['+15550000001', '+15550000002']
        url: 'http://127.0.0.1:$HP'
      - provider: generic
        url: 'http://127.0.0.1:$HP/sms-gateway'
        http_config: {bearer_token: gw-token}
        to: ['+15550000003']
  - name: limited
    slack_configs:
      - api_url: 'http://127.0.0.1:$HP/ratelimit/2/slack/T/B/RL'
  - name: legacy
    pagerduty_configs:
      - service_key: 'v1key'
  - name: starttls
    email_configs:
      - to: 'secure@example.test'
        smarthost: '127.0.0.1:$TP'
        require_tls: true
        tls_config: {insecure_skip_verify: true}
        text: 'plain text for {{ .CommonLabels.alertname }}'
  - name: tls-required-but-absent
    email_configs:
      - to: 'never@example.test'
        require_tls: true
YAML

bg_start http python3 "$TOCSIN_ROOT/test/integration/stand_ins/http_stand_in.py" "$HP" "$REQ"
if [ -n "$SMTP_PY" ]; then
    PYTHONPATH="$TOCSIN_ROOT/test/integration/stand_ins" bg_start smtp "$SMTP_PY" -m aiosmtpd -n \
        -l "127.0.0.1:$MP" -c smtp_sink.Saver "$MAIL"
fi
if [ -n "$SMTP_PY" ] && command -v openssl >/dev/null 2>&1 &&
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_WORK/key.pem" -out "$T_WORK/cert.pem" \
        -days 1 -subj /CN=127.0.0.1 >/dev/null 2>&1; then
    PYTHONPATH="$TOCSIN_ROOT/test/integration/stand_ins" bg_start smtp-tls "$SMTP_PY" -m aiosmtpd \
        -n -l "127.0.0.1:$TP" --tlscert "$T_WORK/cert.pem" --tlskey "$T_WORK/key.pem" \
        -c smtp_sink.Saver "$TMAIL"
    HAVE_TLS=1
else
    HAVE_TLS=0
fi
bg_start notifier "$TOCSIN_BIN/tocsin-notifier" --config.file="$T_WORK/am.yml" \
    --web.listen-address=127.0.0.1:$NP --storage.path="$T_WORK/data" --web.external-url=$EXT
if ! wait_http "http://127.0.0.1:$NP/-/ready" 20; then
    t_fail notifier-start "$(tail -n 5 "$T_WORK/notifier.log")"
    t_done
fi
t_ok notifier-start
if grep -q 'not implemented: PagerDuty Events API v1 (service_key)' "$T_WORK/notifier.log"; then
    t_ok pagerduty-v1-refused
else t_fail pagerduty-v1-refused "$(grep -i pagerduty "$T_WORK/notifier.log" | head -n 3)"; fi

post() {
    curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        "http://127.0.0.1:$NP/api/v2/alerts" -d "$1"
}
# the alerts of the Alertmanager capture
alert() { # instance pct endsAt
    printf '{"labels":{"alertname":"DiskFull","instance":"%s:9100","job":"node","severity":"critical"},"annotations":{"description":"Only %s%% left on /var","summary":"Disk almost full on %s"},"generatorURL":"http://127.0.0.1:19090/graph?g0.expr=disk"%s}' \
        "$1" "$2" "$1" "${3:+,\"endsAt\":\"$3\"}"
}
# count PATH_REGEX: requests recorded so far for paths matching
count() { jq -c --arg re "$1" 'select(.path | test($re))' "$REQ" | wc -l; }
# wait_count PATH_REGEX N SECONDS
wait_count() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        [ "$(count "$1")" -ge "$2" ] && return 0
        sleep 0.1
    done
    return 1
}
# body PATH_REGEX N: the Nth (1-based) body sent to matching paths
body() {
    jq -rs --arg re "$1" --argjson n "$2" \
        '[.[] | select(.path | test($re)) | .body][$n - 1] // "" | rtrimstr("\n")' "$REQ"
}
hdr() { jq -r --arg re "$1" --arg h "$3" 'select(.path | test($re)) | .headers[$h]' "$REQ" | sed -n "${2}p"; }
# same_as_capture NAME PATH_REGEX N CAPTURE_FILE
same_as_capture() {
    local got want
    if [ ! -d "$CAP" ]; then
        t_skip "$1" "../shared not found"
        return
    fi
    got=$(body "$2" "$3")
    want=$(cat "$CAP/$4")
    if [ "$got" = "$want" ]; then t_ok "$1"; else t_fail "$1" "got $got want $want"; fi
}
wait_mail() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        [ "$(find "$MAIL" -name '*.eml' | wc -l)" -ge "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

code=$(post "[$(alert db1 3),$(alert db2 1)]")
[ "$code" = 200 ] && t_ok post-alerts || t_fail post-alerts "HTTP $code"

# ---- first flush (the chat.postMessage text comes from tmpl/custom.tmpl, a path relative to
# the config file) ----
if wait_count '^/slack/T000/B000/XXXX$' 1 15; then t_ok slack-webhook-delivered; else t_fail slack-webhook-delivered "$(cat "$REQ")"; fi
same_as_capture slack-webhook-body-equals-alertmanager '^/slack/T000/B000/XXXX$' 1 0003.slack.json
v=$(hdr '^/slack/' 1 Content-Type)
[ "$v" = application/json ] && t_ok slack-content-type || t_fail slack-content-type "$v"
if wait_count '^/api/chat.postMessage$' 1 10; then t_ok slack-postmessage-delivered; else t_fail slack-postmessage-delivered "none"; fi
v=$(hdr '^/api/chat.postMessage$' 1 Authorization)
[ "$v" = "Bearer xoxb-test-token" ] && t_ok slack-postmessage-token || t_fail slack-postmessage-token "$v"
v=$(body '^/api/chat.postMessage$' 1 | jq -r '[.channel, .attachments[0].text, .attachments[0].color] | @tsv')
[ "$v" = "$(printf '#alerts\tDisk almost full on db1; Disk almost full on db2; \tdanger')" ] &&
    t_ok slack-postmessage-body || t_fail slack-postmessage-body "$v"

if wait_count '^/pagerduty/v2/enqueue$' 1 10; then t_ok pagerduty-delivered; else t_fail pagerduty-delivered "none"; fi
same_as_capture pagerduty-trigger-equals-alertmanager '^/pagerduty/' 1 0002.pagerduty.json
v=$(body '^/pagerduty/' 1 | jq -r '[.event_action, .dedup_key, .payload.severity] | @tsv')
[ "$v" = "$(printf 'trigger\t%s\terror' "$(printf '{}:{alertname="DiskFull"}' | sha256sum | cut -c1-64)")" ] &&
    t_ok pagerduty-dedup-key || t_fail pagerduty-dedup-key "$v"

TW='^/2010-04-01/Accounts/AC0001/Messages.json$'
if wait_count "$TW" 2 10; then t_ok twilio-two-recipients; else t_fail twilio-two-recipients "$(count "$TW") requests"; fi
v=$(hdr "$TW" 1 Authorization)
[ "$v" = "Basic $(printf 'AC0001:twtoken' | base64)" ] && t_ok twilio-basic-auth || t_fail twilio-basic-auth "$v"
v=$(hdr "$TW" 1 Content-Type)
[ "$v" = application/x-www-form-urlencoded ] && t_ok twilio-form || t_fail twilio-form "$v"
v=$(for i in 1 2; do body "$TW" $i; echo; done | python3 -c '
import sys, urllib.parse
for line in sys.stdin:
    if line.strip():
        q = urllib.parse.parse_qs(line.strip())
        print(q["To"][0], q["From"][0], q["Body"][0].splitlines()[0])' | sort)
want=$(printf '+15550000001 +15550000000 [FIRING:2] DiskFull (node critical)\n+15550000002 +15550000000 [FIRING:2] DiskFull (node critical)')
[ "$v" = "$want" ] && t_ok twilio-bodies || t_fail twilio-bodies "$v"
if wait_count '^/sms-gateway$' 1 10; then t_ok sms-gateway-delivered; else t_fail sms-gateway-delivered none; fi
v=$(hdr '^/sms-gateway$' 1 Authorization)
[ "$v" = "Bearer gw-token" ] && t_ok sms-gateway-bearer || t_fail sms-gateway-bearer "$v"
v=$(body '^/sms-gateway$' 1 | jq -r '.to + " " + (.message | split("\n")[0])')
[ "$v" = "+15550000003 [FIRING:2] DiskFull (node critical)" ] && t_ok sms-gateway-body || t_fail sms-gateway-body "$v"

if [ -z "$SMTP_PY" ]; then
    t_skip email-smtp "python3 aiosmtpd not installed"
elif wait_mail 1 15; then
    t_ok email-delivered
    m=$(find "$MAIL" -name '0001.eml')
    v=$(tr -d '\r' <"$m" | sed -n '1,3p' | tr '\n' '|')
    [ "$v" = "X-Envelope-From: tocsin@example.test|X-Envelope-To: oncall@example.test|X-Helo: tocsin-it|" ] &&
        t_ok email-envelope || t_fail email-envelope "$v"
    v=$(tr -d '\r' <"$m" | grep -E '^(Subject|To|From|MIME-Version):' | tr '\n' '|')
    [ "$v" = "Subject: [FIRING:2] DiskFull (node critical)|To: oncall@example.test|From: tocsin@example.test|MIME-Version: 1.0|" ] &&
        t_ok email-headers || t_fail email-headers "$v"
    if [ -d "$CAP" ]; then
        a=$(tr -d '\r' <"$m" | grep '^Subject:')
        b=$(tr -d '\r' <"$CAP/0001.eml" | grep '^Subject:')
        [ "$a" = "$b" ] && t_ok email-subject-equals-alertmanager || t_fail email-subject-equals-alertmanager "$a vs $b"
    fi
    v=$("${SMTP_PY}" - "$m" <<'PY'
import email, sys
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
parts = [p.get_content_type() for p in msg.iter_parts()]
html = msg.get_body(('html',)).get_content()
print(msg.get_content_type(), ','.join(parts), 'db1:9100' in html and 'db2:9100' in html,
      'Disk almost full on db2' in html, bool(msg['Message-Id']), bool(msg['Date']))
PY
)
    [ "$v" = "multipart/alternative text/html True True True True" ] && t_ok email-mime || t_fail email-mime "$v"
else
    t_fail email-delivered "$(tail -n 5 "$T_WORK/notifier.log")"
fi

# ---- db1 resolves: second flush ----
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
post "[$(alert db1 3 "$now")]" >/dev/null
if wait_count '^/pagerduty/' 2 15; then
    same_as_capture pagerduty-partial-resolve-equals-alertmanager '^/pagerduty/' 2 0006.pagerduty.json
else t_fail pagerduty-second-flush "none"; fi
if wait_count '^/slack/T000/B000/XXXX$' 2 10; then
    same_as_capture slack-partial-resolve-equals-alertmanager '^/slack/T000/B000/XXXX$' 2 0007.slack.json
else t_fail slack-second-flush "none"; fi

# ---- db2 resolves: everything resolved ----
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
post "[$(alert db2 1 "$now")]" >/dev/null
if wait_count '^/pagerduty/' 3 15; then
    same_as_capture pagerduty-resolve-equals-alertmanager '^/pagerduty/' 3 0011.pagerduty.json
else t_fail pagerduty-resolve "none"; fi
if wait_count '^/slack/T000/B000/XXXX$' 3 10; then
    same_as_capture slack-resolved-equals-alertmanager '^/slack/T000/B000/XXXX$' 3 0009.slack.json
else t_fail slack-resolve "none"; fi
if [ -n "$SMTP_PY" ]; then
    if wait_mail 3 10; then
        v=$(tr -d '\r' <"$MAIL/0003.eml" | grep '^Subject:')
        [ "$v" = "Subject: [RESOLVED] DiskFull (db2:9100 node critical)" ] && t_ok email-resolved ||
            t_fail email-resolved "$v"
    else t_fail email-resolved "$(find "$MAIL" -name '*.eml' | wc -l) messages"; fi
fi
# Twilio has send_resolved false: no message about resolved alerts
sleep 1
v=$(count "$TW")
[ "$v" = 2 ] && t_ok twilio-no-resolved-messages || t_fail twilio-no-resolved-messages "$v requests"

# ---- STARTTLS ----
if [ "$HAVE_TLS" = 1 ]; then
    post '[{"labels":{"alertname":"Secure"}},{"labels":{"alertname":"NoTLS"}}]' >/dev/null
    for ((i = 0; i < 100; i++)); do
        [ -f "$TMAIL/0001.eml" ] && break
        sleep 0.1
    done
    if [ -f "$TMAIL/0001.eml" ]; then
        t_ok email-starttls-delivered
        v=$("$SMTP_PY" - "$TMAIL/0001.eml" <<'PY'
import email, sys
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
print(','.join(p.get_content_type() for p in msg.iter_parts()),
      msg.get_body(('plain',)).get_content().strip())
PY
)
        [ "$v" = "text/plain,text/html plain text for Secure" ] && t_ok email-text-and-html-parts ||
            t_fail email-text-and-html-parts "$v"
    else
        t_fail email-starttls-delivered "$(grep -i 'starttls\|email' "$T_WORK/notifier.log" | tail -n 3)"
    fi
    # require_tls against a server without STARTTLS: never sent in clear text, retried
    for ((i = 0; i < 50; i++)); do
        grep -q 'receiver=tls-required-but-absent.*integration=0' "$T_WORK/notifier.log" && break
        sleep 0.1
    done
    if grep -q 'receiver=tls-required-but-absent' "$T_WORK/notifier.log" &&
        ! grep -rqs 'never@example.test' "$MAIL"; then
        t_ok email-require-tls-no-cleartext
    else t_fail email-require-tls-no-cleartext "$(grep tls-required "$T_WORK/notifier.log" | head -n 2)"; fi
else
    t_skip email-starttls "aiosmtpd or openssl missing"
fi

# ---- 429 Retry-After ----
post '[{"labels":{"alertname":"RateLimited"}}]' >/dev/null
RL='^/ratelimit/2/slack/T/B/RL$'
if wait_count "$RL" 3 20; then
    t_ok ratelimit-retried-until-delivered
    v=$(jq -r --arg re "$RL" 'select(.path | test($re)) | "\(.t) \(.status)"' "$REQ" |
        awk 'NR==1{t1=$1} NR==2{t2=$1} {s=s $2 " "} END{printf "%s%s", s, (t2-t1 >= 0.95 ? "waited" : "early")}')
    [ "$v" = "429 429 200 waited" ] && t_ok ratelimit-retry-after-honoured || t_fail ratelimit-retry-after-honoured "$v"
else t_fail ratelimit-retried-until-delivered "$(count "$RL") requests"; fi

t_done
