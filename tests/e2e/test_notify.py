"""End to end: digests and escalations by mail, through a real SMTP server on loopback (aiosmtpd, started here):
the recipients are the reps (their own items) and the team's manager (escalations); a second run sends nothing new;
a server that answers 451 gets the mail again later (and the status page shows it); a server that is away is retried;
a run killed just after the server took a mail does not send it again, and one killed before the end of the message
sends it on the next run: exactly one copy arrives either way; smtp test reports what the server said."""
import base64
import datetime as dt
import email
import email.utils
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from common import Checker, args, terminate, write_file  # noqa: E402
from dovecot_fixture import free_port  # noqa: E402

A = args()
TW = A.tradewind
c = Checker("e2e.notify")
FIRM = "acme-trading.example"
FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "smtp_fixture.py")
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
if subprocess.run([PY, "-c", "import aiosmtpd"], capture_output=True).returncode != 0:
    print("SKIP: python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd)")
    sys.exit(77)
NOW = dt.datetime.now(dt.timezone.utc)


def mail(mid, frm, to, subject, ago):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain\r\n\r\nPlease quote.\r\n" % (frm, to, subject, mid, email.utils.format_datetime(NOW - ago)))


def tw(*argv, env=None):
    p = subprocess.run([TW, *argv], capture_output=True, text=True, timeout=120, env=dict(os.environ, **(env or {})))
    return p.returncode, p.stdout, p.stderr


def smtp_server(out, fail_first=0, port=None):
    port = port or free_port()
    proc = subprocess.Popen([PY, FIXTURE, "--port", str(port), "--out", out, "--fail-first", str(fail_first)],
                            stdout=subprocess.PIPE, text=True)
    c.check(proc.stdout.readline().startswith("ready"), "the SMTP server starts")
    return proc, port


def received(out):
    if not os.path.exists(out):
        return []
    msgs = []
    for line in open(out):
        j = json.loads(line)
        m = email.message_from_string(j["data"])
        text = ""
        for part in m.walk():
            if part.get_content_type() == "text/plain":
                text = part.get_payload(decode=True).decode("utf-8")
        msgs.append({"to": j["to"], "subject": str(email.header.make_header(email.header.decode_header(m["Subject"]))),
                     "text": text, "message_id": m["Message-ID"], "kind": m["X-Tradewind-Notification"]})
    return msgs


with tempfile.TemporaryDirectory() as tmp:
    data = os.path.join(tmp, "data")
    for k, (acct, mid, frm, to, subject, ago) in enumerate([
            ("rita", "q1@nord.example", "anna@nord.example", "rita@" + FIRM, "Inquiry: LED panels", dt.timedelta(days=3)),
            ("rita", "q2@sud.example", "bruno@sud.example", "rita@" + FIRM, "询价：太阳能板", dt.timedelta(hours=9)),
            ("tom", "q3@west.example", "wendy@west.example", "tom@" + FIRM, "Inquiry: cables", dt.timedelta(days=2))]):
        f = write_file(tmp, "%d.eml" % k, mail(mid, frm, to, subject, ago))
        tw("import", "--data", data, "--account", "%s@%s" % (acct, FIRM), f)
    tw("calendar", "set", "--data", data, "--tz", "Asia/Shanghai", "--hours", "Mon-Sun 00:00-24:00")
    tw("settings", "set", "--data", data, "digest_at", "00:00")
    pw = write_file(tmp, "pw", "correct horse battery\n")
    for argv in (["user", "add", "--name", "mona", "--role", "manager", "--mailbox", "mona@" + FIRM],
                 ["team", "add", "east", "--manager", "mona"],
                 ["user", "add", "--name", "rita", "--team", "east", "--mailbox", "rita@" + FIRM],
                 ["user", "add", "--name", "tom", "--team", "east", "--mailbox", "tom@" + FIRM]):
        subprocess.run([TW, *argv, "--data", data] + (["--password-file", pw] if argv[0] == "user" else []), check=True,
                       capture_output=True)

    # No server yet: the digests wait, and say what to do.
    code, out, err = tw("notify", "--once", "--data", data)
    c.check(code == 1 and "smtp set" in err, "without a server, notify says to set one: %s %s" % (out, err))
    outbox = os.path.join(tmp, "smtp.jsonl")
    server, port = smtp_server(outbox, fail_first=1)
    code, out, err = tw("smtp", "set", "--data", data, "--url", "smtp://127.0.0.1:%d" % port, "--from",
                        "Tradewind <crm@%s>" % FIRM, "--plaintext")
    c.check(code == 0, "smtp set: %s" % err)
    # The server refuses the first message with 451: it is retried later, and says so.
    code, out, err = tw("notify", "--once", "--data", data)
    c.check(code == 1 and "451" in err, "a 451 is reported: %s %s" % (out, err))
    code, out, err = tw("notify", "--once", "--data", data)
    c.check("0 sent" in out, "a retry waits for its backoff: %s" % out)
    later = (NOW + dt.timedelta(minutes=2)).isoformat()
    code, out, err = tw("notify", "--once", "--data", data, "--now", later)
    c.check(code == 0, "after the backoff it goes: %s %s" % (out, err))
    got = received(outbox)
    by_to = {}
    for m in got:
        by_to.setdefault(m["to"][0], []).append(m)
    c.check(sorted(by_to) == ["mona@" + FIRM, "rita@" + FIRM, "tom@" + FIRM], "rita, tom and mona get mail: %s" % sorted(by_to))
    rita = by_to.get("rita@" + FIRM, [])
    c.check(len(rita) == 1 and "Inquiry: LED panels" in rita[0]["text"] and "询价：太阳能板" in rita[0]["text"]
            and "Inquiry: cables" not in rita[0]["text"], "rita's digest holds her two items only: %s" % rita)
    mona = by_to.get("mona@" + FIRM, [])
    c.check(len(mona) == 1 and mona[0]["kind"] == "escalation" and "Inquiry: LED panels" in mona[0]["text"]
            and "Inquiry: cables" in mona[0]["text"] and "太阳能板" not in mona[0]["text"],
            "mona's escalation names the two items overdue for long: %s" % mona)
    # A second run sends nothing new.
    code, out, err = tw("notify", "--once", "--data", data, "--now", (NOW + dt.timedelta(minutes=3)).isoformat())
    c.check(code == 0 and len(received(outbox)) == len(got), "a second run sends nothing: %s" % out)

    # A new inquiry for rita: killed right after the server took the digest, the next run does not send it again.
    f = write_file(tmp, "n.eml", mail("q4@nord.example", "anna@nord.example", "rita@" + FIRM, "Second inquiry", dt.timedelta(hours=1)))
    tw("import", "--data", data, "--account", "rita@" + FIRM, f)
    tomorrow = (NOW + dt.timedelta(days=1)).isoformat()
    def copies(words):
        return [m for m in received(outbox) if m["to"] == ["rita@" + FIRM] and words in m["text"]]

    for _ in range(3):  # each run killed after the server took its first mail
        code, out, err = tw("notify", "--once", "--data", data, "--now", tomorrow, env={"TW_NOTIFY_DIE": "after_send"})
    code, out, err = tw("notify", "--once", "--data", data, "--now", tomorrow)
    c.check(len(copies("Second inquiry")) == 1, "the digest the server took is not sent again after the kill: %d copies"
            % len(copies("Second inquiry")))
    # Killed before the end of the message: the server dropped it, and the next run sends it once.
    f = write_file(tmp, "m.eml", mail("q5@nord.example", "anna@nord.example", "rita@" + FIRM, "Third inquiry", dt.timedelta(hours=1)))
    tw("import", "--data", data, "--account", "rita@" + FIRM, f)
    after = (NOW + dt.timedelta(days=2)).isoformat()
    code, out, err = tw("notify", "--once", "--data", data, "--now", after, env={"TW_NOTIFY_DIE": "before_end"})
    time.sleep(0.5)
    c.check(code != 0 and len(copies("Third inquiry")) == 0, "nothing arrived from the run killed before the end of its mail")
    code, out, err = tw("notify", "--once", "--data", data, "--now", after)
    c.check(code == 0 and len(copies("Third inquiry")) == 1, "the next run sends it, once: %d %s %s"
            % (len(copies("Third inquiry")), out, err))

    # The server goes away: the failure says what to do and is retried.
    terminate(server)
    code, out, err = tw("smtp", "test", "--data", data, "--to", "rita@" + FIRM)
    c.check(code == 1 and "cannot reach" in err, "smtp test against no server says so: %s" % err)
    server, _ = smtp_server(outbox, port=port)
    code, out, err = tw("smtp", "test", "--data", data, "--to", "rita@" + FIRM)
    c.check(code == 0 and any(m["kind"] == "test" for m in received(outbox)), "smtp test sends: %s %s" % (out, err))
    code, out, err = tw("notify", "--once", "--data", data, "--now", (NOW + dt.timedelta(days=2, hours=2)).isoformat())
    c.check(code == 0, "the test mail that failed is sent on a later run: %s %s" % (out, err))
    tests = [m for m in received(outbox) if m["kind"] == "test"]
    c.check(len(tests) == 2, "both test mails arrived, once each: %d" % len(tests))
    ids = [m["message_id"] for m in received(outbox)]
    c.check(len(ids) == len(set(ids)), "no Message-ID arrived twice")
    terminate(server)
sys.exit(c.done())
