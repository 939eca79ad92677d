#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A loopback HTTP server standing in for webhook receivers: every request is appended as one
JSON line {t, method, path, headers, body} to OUT. Answers 200, or STATUS for paths that start
with /status/STATUS/.

usage: webhook_sink.py PORT OUT
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(n).decode('utf-8', 'replace')
        rec = {'t': time.time(), 'method': 'POST', 'path': self.path,
               'headers': dict(self.headers), 'body': body}
        with open(self.server.out, 'a') as f:
            f.write(json.dumps(rec) + '\n')
        status = 200
        if self.path.startswith('/status/'):
            status = int(self.path.split('/')[2])
        self.send_response(status)
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'{}')

    def log_message(self, *args):
        pass


def main():
    srv = ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Handler)
    srv.out = sys.argv[2]
    srv.serve_forever()


if __name__ == '__main__':
    main()
