#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Loopback stand-ins for the HTTP services the notifier posts to. Every request is appended as
one JSON line {t, method, path, headers, body} to OUT, then answered like the real service:

  /slack/...                               Slack incoming webhook: 200 "ok"
  /api/chat.postMessage                    Slack Web API: 200 {"ok":true,...}
  /pagerduty/v2/enqueue                    PagerDuty Events API v2: 202 {"status":"success",...}
  /2010-04-01/Accounts/SID/Messages.json   Twilio Messages API: 201 message resource
  /sms-gateway                             generic SMS gateway: 200 {}
  /hook/...                                generic webhook: 200 "ok"
  /opsgenie*/v2/alerts...                  Opsgenie Alert API v2 (POST and PUT): 202
  /redirect/...                            307 to the rest of the path
  /ratelimit/N/...                         429 with Retry-After: 1 for the first N requests to
                                           this path, then as the rest of the path says
  anything else                            404

A request line with an absolute URL (the stand-in used as a forward proxy) is answered by its
path; the record keeps the absolute URL. With CERT and KEY (PEM) it serves HTTPS.

usage: http_stand_in.py PORT OUT [CERT KEY]
"""
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LOCK = threading.Lock()
SEEN = {}


def answer(path):
    if path.startswith('/slack/'):
        return 200, 'text/plain', 'ok'
    if path == '/api/chat.postMessage':
        return 200, 'application/json', '{"ok":true,"channel":"C1","ts":"1700000000.000100"}'
    if path == '/pagerduty/v2/enqueue':
        return 202, 'application/json', \
            '{"status":"success","message":"Event processed","dedup_key":"x"}'
    if path.startswith('/2010-04-01/Accounts/') and path.endswith('/Messages.json'):
        return 201, 'application/json', '{"sid":"SM1","status":"queued"}'
    if path == '/sms-gateway':
        return 200, 'application/json', '{}'
    if path.startswith('/hook/'):
        return 200, 'text/plain', 'ok'
    if path.startswith('/opsgenie') and '/v2/alerts' in path:
        return 202, 'application/json', \
            '{"result":"Request will be processed","took":0.1,"requestId":"r1"}'
    return 404, 'text/plain', 'not found'


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def do_POST(self):
        n = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(n).decode('utf-8', 'replace')
        path = self.path
        local = urlsplit(path).path if path.startswith('http') else path
        extra = {}
        if local.startswith('/redirect/'):
            status, ctype, text = 307, 'text/plain', 'moved'
            extra['Location'] = local[len('/redirect'):]
        elif path.startswith('/ratelimit/'):
            parts = path.split('/')
            limit = int(parts[2])
            rest = '/' + '/'.join(parts[3:])
            with LOCK:
                SEEN[path] = SEEN.get(path, 0) + 1
                count = SEEN[path]
            if count <= limit:
                status, ctype, text = 429, 'text/plain', 'slow down'
                extra['Retry-After'] = '1'
            else:
                status, ctype, text = answer(rest)
        else:
            status, ctype, text = answer(local)
        rec = {'t': time.time(), 'method': self.command, 'path': path, 'headers': dict(self.headers),
               'body': body, 'status': status}
        with LOCK:
            with open(self.server.out, 'a') as f:
                f.write(json.dumps(rec) + '\n')
        data = text.encode()
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    do_PUT = do_POST

    def log_message(self, *args):
        pass


def main():
    srv = ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Handler)
    srv.out = sys.argv[2]
    if len(sys.argv) > 4:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


if __name__ == '__main__':
    main()
