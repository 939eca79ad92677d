#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make demo`: an alert escalates from Slack to PagerDuty to SMS (loopback stand-ins that print
# what they receive), stops on `tocsin ack`, and the incident timeline and report are printed.
# The stand-ins are webhook receivers named after the services they replace (the Slack,
# PagerDuty and SMS integrations are on the receivers branch; the escalation works the same
# through any receiver).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${TOCSIN_BIN:-$ROOT/build/rel/bin}
[ -x "$BIN/tocsin-notifier" ] || BIN=$ROOT/build/san/bin
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tocsin-demo.XXXXXX")
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
NP=$(port)
SP=$(port)
URL=http://127.0.0.1:$NP
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
sed -e "s/@SINK@/127.0.0.1:$SP/g" "$ROOT/examples/demo/notifier.yml" >"$WORK/notifier.yml"
python3 - "$SP" <<'PY' &
import json, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
T0 = time.time()
class H(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get('Content-Length') or 0)))
        a = body['alerts'][0]
        who = a['annotations'].get('tocsin_oncall_user')
        to = ' to %s (%s)' % (who, a['annotations'].get('tocsin_oncall_phone')) if who else ''
        print('  [%5.1fs] %-10s %s %s%s' % (time.time() - T0, self.path.strip('/').upper(),
              body['status'].upper(), a['labels'].get('alertname'), to), flush=True)
        if body['status'] == 'firing':
            print('             ack link: %s' % a['annotations'].get('tocsin_ack_url', '-')[:90] + '...', flush=True)
        self.send_response(200)
        self.send_header('Content-Length', '0')
        self.end_headers()
    def log_message(self, *a):
        pass
HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
PY
PIDS="$PIDS $!"
"$BIN/tocsin-notifier" --config.file="$WORK/notifier.yml" --web.listen-address=127.0.0.1:$NP \
    --storage.path="$WORK/data" --log.level=warn >"$WORK/notifier.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 100); do curl -sf -o /dev/null "$URL/-/ready" && break; sleep 0.1; done
echo "== tocsin-notifier on $URL; policy 'database-page': Slack, +3s PagerDuty, +6s SMS to the"
echo "   primary on call of schedule 'dba', +12s e-mail to the team lead"
"$BIN/tocsin" check config "$WORK/notifier.yml" | head -n 1
echo "== an alert fires (severity=page)"
curl -sf -o /dev/null -H 'Content-Type: application/json' "$URL/api/v2/alerts" \
    -d '[{"labels":{"alertname":"PostgresDown","severity":"page","instance":"db-1"},"annotations":{"summary":"db-1 is down"}}]'
sleep 7.5
ID=$("$BIN/tocsin" incident list --notifier.url=$URL -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
echo "== nobody acked for 7.5s; the on-call engineer runs: tocsin ack $ID --by=alice"
"$BIN/tocsin" ack "$ID" --by=alice --notifier.url=$URL
echo "== waiting past the e-mail step (+12s): it must not fire"
sleep 5.5
echo "== tocsin incident show $ID"
"$BIN/tocsin" incident show "$ID" --notifier.url=$URL
echo "== the alert resolves: everyone paged gets a resolved notification"
curl -sf -o /dev/null -H 'Content-Type: application/json' "$URL/api/v2/alerts" \
    -d "[{\"labels\":{\"alertname\":\"PostgresDown\",\"severity\":\"page\",\"instance\":\"db-1\"},\"endsAt\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}]"
sleep 2.5
echo "== tocsin incident report $ID (Markdown draft), first lines"
"$BIN/tocsin" incident report "$ID" --notifier.url=$URL | head -n 24
