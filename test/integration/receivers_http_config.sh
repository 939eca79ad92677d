#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# http_config applied by a real tocsin-notifier to its HTTP integrations, checked on the wire:
# a webhook to an HTTPS stand-in with a throwaway self-signed certificate is delivered with
# tls_config.ca_file and refused without it; basic_auth (password_file) and the global
# http_config's authorization arrive as Authorization headers; PagerDuty inherits the global
# TLS settings; proxy_url sends through a forward proxy; follow_redirects true/false.
. "$TOCSIN_ROOT/test/integration/lib.bash"
need_cmd curl python3 jq openssl base64
SP=$(free_port) # HTTPS stand-in
HP=$(free_port) # plain stand-in (also the forward proxy)
NP=$(free_port)
DEAD=$(free_port) # nothing listens here: only reachable through the proxy
REQ=$T_WORK/https.jsonl
PREQ=$T_WORK/plain.jsonl
touch "$REQ" "$PREQ"
if ! openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_WORK/key.pem" -out "$T_WORK/cert.pem" \
    -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >"$T_WORK/openssl.log" 2>&1; then
    t_skip receivers-http-config "openssl cannot make a certificate: $(tail -n 1 "$T_WORK/openssl.log")"
    exit 0
fi
printf 'pw-from-file\n' >"$T_WORK/password"

cat >"$T_WORK/am.yml" <<YAML
global:
  http_config:
    authorization: {credentials: global-token}
    tls_config: {ca_file: '$T_WORK/cert.pem'}
route:
  receiver: inherit
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - {receiver: inherit, matchers: ['alertname="Inherit"']}
    - {receiver: basic, matchers: ['alertname="Basic"']}
    - {receiver: noca, matchers: ['alertname="NoCA"']}
    - {receiver: proxied, matchers: ['alertname="Proxied"']}
    - {receiver: redirected, matchers: ['alertname="Redirected"']}
    - {receiver: noredirect, matchers: ['alertname="NoRedirect"']}
receivers:
  - name: inherit
    webhook_configs:
      - url: 'https://127.0.0.1:$SP/hook/inherit'
    pagerduty_configs:
      - routing_key: 'R0UT1NGKEY0000000000000000000000'
        url: 'https://127.0.0.1:$SP/pagerduty/v2/enqueue'
  - name: basic
    webhook_configs:
      - url: 'https://127.0.0.1:$SP/hook/basic'
        http_config:
          basic_auth: {username: alice, password_file: '$T_WORK/password'}
          tls_config: {ca_file: '$T_WORK/cert.pem'}
  - name: noca
    webhook_configs:
      - url: 'https://127.0.0.1:$SP/hook/noca'
        http_config: {basic_auth: {username: bob, password: x}}
  - name: proxied
    webhook_configs:
      - url: 'http://127.0.0.1:$DEAD/hook/proxied'
        http_config: {proxy_url: 'http://127.0.0.1:$HP'}
  - name: redirected
    webhook_configs:
      - url: 'http://127.0.0.1:$HP/redirect/hook/redirected'
        http_config: {}
  - name: noredirect
    webhook_configs:
      - url: 'http://127.0.0.1:$HP/redirect/hook/noredirect'
        http_config: {follow_redirects: false}
YAML

bg_start https python3 "$TOCSIN_ROOT/test/integration/stand_ins/http_stand_in.py" "$SP" "$REQ" \
    "$T_WORK/cert.pem" "$T_WORK/key.pem"
bg_start http python3 "$TOCSIN_ROOT/test/integration/stand_ins/http_stand_in.py" "$HP" "$PREQ"
bg_start notifier "$TOCSIN_BIN/tocsin-notifier" --config.file="$T_WORK/am.yml" \
    --web.listen-address=127.0.0.1:$NP --storage.path="$T_WORK/data"
if ! wait_http "http://127.0.0.1:$NP/-/ready" 20; then
    t_fail notifier-start "$(tail -n 5 "$T_WORK/notifier.log")"
    t_done
fi
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    "http://127.0.0.1:$NP/api/v2/alerts" -d '[{"labels":{"alertname":"Inherit"}},
    {"labels":{"alertname":"Basic"}},{"labels":{"alertname":"NoCA"}},
    {"labels":{"alertname":"Proxied"}},{"labels":{"alertname":"Redirected"}},
    {"labels":{"alertname":"NoRedirect"}}]')
[ "$code" = 200 ] && t_ok post-alerts || t_fail post-alerts "HTTP $code"

# count FILE PATH_REGEX
count() { jq -c --arg re "$2" 'select(.path | test($re))' "$1" | wc -l; }
# wait_count FILE PATH_REGEX N SECONDS
wait_count() {
    local i
    for ((i = 0; i < $4 * 10; i++)); do
        [ "$(count "$1" "$2")" -ge "$3" ] && return 0
        sleep 0.1
    done
    return 1
}
# hdr FILE PATH_REGEX HEADER: the header of the first matching request
hdr() { jq -r --arg re "$2" --arg h "$3" 'select(.path | test($re)) | .headers[$h]' "$1" | head -n 1; }

if wait_count "$REQ" '^/hook/basic$' 1 15; then t_ok https-with-ca-file-delivered; else
    t_fail https-with-ca-file-delivered "$(grep -i basic "$T_WORK/notifier.log" | tail -n 2)"; fi
v=$(hdr "$REQ" '^/hook/basic$' Authorization)
[ "$v" = "Basic $(printf 'alice:pw-from-file' | base64)" ] && t_ok basic-auth-password-file ||
    t_fail basic-auth-password-file "$v"
if wait_count "$REQ" '^/hook/inherit$' 1 10; then t_ok global-http-config-tls-inherited; else
    t_fail global-http-config-tls-inherited "$(grep -i inherit "$T_WORK/notifier.log" | tail -n 2)"; fi
v=$(hdr "$REQ" '^/hook/inherit$' Authorization)
[ "$v" = "Bearer global-token" ] && t_ok global-authorization-inherited ||
    t_fail global-authorization-inherited "$v"
if wait_count "$REQ" '^/pagerduty/v2/enqueue$' 1 10; then t_ok pagerduty-over-https; else
    t_fail pagerduty-over-https "$(grep -i pagerduty "$T_WORK/notifier.log" | tail -n 2)"; fi

if wait_count "$PREQ" "^http://127.0.0.1:$DEAD/hook/proxied\$" 1 10; then t_ok proxy-url-used; else
    t_fail proxy-url-used "$(cat "$PREQ")"; fi
if wait_count "$PREQ" '^/hook/redirected$' 1 10; then t_ok redirect-followed; else
    t_fail redirect-followed "$(cat "$PREQ")"; fi

# the certificate is not trusted without ca_file: the attempt fails (logged, retried), nothing
# reaches the handler; by now the other receivers were flushed in the same second
for ((i = 0; i < 50; i++)); do
    grep -q 'receiver=noca' "$T_WORK/notifier.log" && break
    sleep 0.1
done
sleep 1
if grep -q 'receiver=noca.*certificate' "$T_WORK/notifier.log" && [ "$(count "$REQ" '^/hook/noca$')" = 0 ]; then
    t_ok https-without-ca-file-refused
else
    t_fail https-without-ca-file-refused "$(count "$REQ" '^/hook/noca$') requests; $(grep noca "$T_WORK/notifier.log" | head -n 2)"
fi
v="$(count "$PREQ" '^/redirect/hook/noredirect$') $(count "$PREQ" '^/hook/noredirect$')"
[ "$v" = "1 0" ] && t_ok follow-redirects-false || t_fail follow-redirects-false "$v"

t_done
