#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make demo`: tocsin-evaluator receives a sample by remote_write, its rule fires and the alert
# goes to tocsin-notifier, where it escalates from Slack to PagerDuty to SMS (loopback stand-ins
# that print what they receive) and stops on `tocsin ack`; the incident timeline and report are
# printed, and when the sample recovers everyone paged gets a resolved notification.
# Real slack_configs, pagerduty_configs and sms_configs integrations post to one loopback
# stand-in that prints what each service would receive.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${TOCSIN_BIN:-$ROOT/build/rel/bin}
[ -x "$BIN/tocsin-notifier" ] || BIN=$ROOT/build/san/bin
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tocsin-demo.XXXXXX")
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
NP=$(port)
SP=$(port)
EP=$(port)
URL=http://127.0.0.1:$NP
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
sed -e "s/@SINK@/127.0.0.1:$SP/g" "$ROOT/examples/demo/notifier.yml" >"$WORK/notifier.yml"
sed -e "s/@NOTIFIER@/127.0.0.1:$NP/g" "$ROOT/examples/demo/evaluator.yml" >"$WORK/evaluator.yml"
cp "$ROOT/examples/demo/rules.yml" "$WORK/rules.yml"
RW_ENCODE=${RW_ENCODE:-$ROOT/build/rel/test/tools/rw_encode}
# push VALUE: one remote_write sample pg_up{instance="db-1"} = VALUE, timestamped now
push() {
    echo "pg_up{instance=\"db-1\",job=\"postgres\"} $1" | "$RW_ENCODE" >"$WORK/body.bin"
    curl -sf -o /dev/null -H 'Content-Type: application/x-protobuf' -H 'Content-Encoding: snappy' \
        --data-binary @"$WORK/body.bin" "http://127.0.0.1:$EP/api/v1/write"
}
python3 - "$SP" <<'PY' &
import json, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
T0 = time.time()
class H(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get('Content-Length') or 0)) or b'{}')
        t = '  [%5.1fs]' % (time.time() - T0)
        if self.path.startswith('/slack/'):
            print(t, 'SLACK     ', body['attachments'][0]['title'], flush=True)
            print('             ', body['attachments'][0]['text'][:110] + '...', flush=True)
        elif self.path.startswith('/pagerduty/'):
            print(t, 'PAGERDUTY ', body['event_action'], 'routing_key=' + body['routing_key'],
                  body['payload']['summary'], flush=True)
        elif self.path.startswith('/sms-gateway'):
            print(t, 'SMS       ', 'to', body['to'] + ':', body['message'].splitlines()[0], flush=True)
        else:
            print(t, 'E-MAIL    ', body.get('status'), flush=True)
        self.send_response(202 if 'pagerduty' in self.path else 200)
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'{}')
    def log_message(self, *a):
        pass
HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
PY
PIDS="$PIDS $!"
"$BIN/tocsin-notifier" --config.file="$WORK/notifier.yml" --web.listen-address=127.0.0.1:$NP \
    --storage.path="$WORK/data" --log.level=warn >"$WORK/notifier.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 100); do curl -sf -o /dev/null "$URL/-/ready" && break; sleep 0.1; done
echo "== tocsin-notifier on $URL; policy 'database-page': Slack, +3s PagerDuty to the primary"
echo "   on call of schedule 'dba' (their routing key), +6s SMS to their phone, +12s the team lead"
"$BIN/tocsin" check config "$WORK/notifier.yml" | head -n 1
"$BIN/tocsin-evaluator" --config.file="$WORK/evaluator.yml" --web.listen-address=127.0.0.1:$EP \
    --storage.path="$WORK/evaluator-data" --log.level=warn >"$WORK/evaluator.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$EP/-/ready" && break; sleep 0.1; done
echo "== tocsin-evaluator on http://127.0.0.1:$EP evaluates 'PostgresDown: pg_up == 0' every second"
echo "== Prometheus remote_writes pg_up{instance=\"db-1\"} = 0 to the evaluator"
push 0
"$BIN/tocsin" query instant "http://127.0.0.1:$EP" 'pg_up'
for _ in $(seq 100); do
    [ "$("$BIN/tocsin" incident list --notifier.url=$URL -o json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null)" = 1 ] && break
    sleep 0.1
done
echo "== the rule fired; the notifier opened an incident and paged Slack (step 0)"
sleep 7.5
ID=$("$BIN/tocsin" incident list --notifier.url=$URL -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
echo "== nobody acked for 7.5s; the on-call engineer runs: tocsin ack $ID --by=alice"
"$BIN/tocsin" ack "$ID" --by=alice --notifier.url=$URL
echo "== waiting past the team-lead step (+12s): it must not fire"
sleep 5.5
echo "== tocsin incident show $ID"
"$BIN/tocsin" incident show "$ID" --notifier.url=$URL
echo "== db-1 is back: pg_up = 1; the rule resolves and everyone paged gets a resolved notification"
push 1
sleep 4
echo "== tocsin incident report $ID (Markdown draft), first lines"
"$BIN/tocsin" incident report "$ID" --notifier.url=$URL | head -n 24
