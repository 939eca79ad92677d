# SPDX-License-Identifier: Apache-2.0
"""aiosmtpd handler for the receivers integration test: every accepted message is saved as
NNNN.eml in DIR, preceded by X-Envelope-From / X-Envelope-To / X-Helo lines.

usage: python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Saver DIR   (PYTHONPATH=stand_ins)
"""
import os
import threading


class Saver:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.lock = threading.Lock()
        self.n = 0

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error('Saver needs the output directory')
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            name = os.path.join(self.out_dir, '%04d.eml' % self.n)
        head = 'X-Envelope-From: %s\r\nX-Envelope-To: %s\r\nX-Helo: %s\r\n' % (
            envelope.mail_from, ','.join(envelope.rcpt_tos), session.host_name)
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode()
        tmp = name + '.tmp'
        with open(tmp, 'wb') as f:
            f.write(head.encode() + data)
        os.rename(tmp, name)
        return '250 Message accepted for delivery'
