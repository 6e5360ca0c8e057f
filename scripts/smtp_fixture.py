#!/usr/bin/python3
"""A real SMTP server on loopback for tests (Debian python3-aiosmtpd): every message it accepts is appended to
OUT as one JSON line {"from", "to", "data"}. --fail-first N answers the first N messages' DATA with 451 (a
temporary refusal), to test retries. Prints "ready PORT" once it listens; runs until killed."""
import argparse
import json
import sys
import time

from aiosmtpd.controller import Controller

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, required=True)
p.add_argument("--out", required=True)
p.add_argument("--fail-first", type=int, default=0)
a = p.parse_args()


class Handler:
    refused = 0

    async def handle_DATA(self, server, session, envelope):
        if Handler.refused < a.fail_first:
            Handler.refused += 1
            return "451 4.3.0 try again later"
        with open(a.out, "a") as f:
            f.write(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                                "data": envelope.content.decode("utf-8", "replace")}) + "\n")
        return "250 OK"


c = Controller(Handler(), hostname="127.0.0.1", port=a.port)
c.start()
print("ready", a.port, flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    c.stop()
    sys.exit(0)
