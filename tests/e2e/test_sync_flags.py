"""End to end: a server without CONDSTORE (as Exchange's IMAP) still gets
flag changes on archived mail into the archive: sync reads the folder's
flags whole (at most every 10 minutes per folder in the live loop, on every
`sync --once`), compares them with what the archive holds, and writes only
what changed; it never sets \\Seen."""
import imaplib
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from common import SKIP, Checker, args, write_file  # noqa: E402
from dovecot_fixture import Dovecot  # noqa: E402

A = args()
TW = A.tradewind
c = Checker("e2e.sync_flags")
# Dovecot's own list without CONDSTORE and QRESYNC.
NO_CONDSTORE = ("imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY "
                "THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT "
                "CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH "
                "LIST-STATUS BINARY MOVE SPECIAL-USE\n")
dv = Dovecot({"rep1": "secret1"}, extra=NO_CONDSTORE)
if not dv.available():
    print("SKIP: dovecot is not installed (scripts/install-deps.sh installs dovecot-imapd)")
    sys.exit(SKIP)


def tw(*a):
    r = subprocess.run([TW] + list(a), capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def flags_of(data, message_id):
    out = tw("export", "--data", data)[1]
    for m in map(json.loads, out.splitlines()):
        if m["message_id"] == message_id:
            return sorted(l.get("flags", "") for l in m["locations"])
    return None


with dv as d, tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o755)
    for i in range(3):
        d.deliver("rep1", b"From: Anna <anna@nord.example>\r\nTo: rep1@acme-trading.example\r\nSubject: inquiry %d\r\n"
                          b"Message-ID: <f%d@nord.example>\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\n\r\nhello\r\n" % (i, i))
    m = imaplib.IMAP4("127.0.0.1", d.port)
    m.login("rep1", "secret1")
    caps = m.capability()[1][0].decode().split()  # after login: what a logged-in client is offered
    c.check("CONDSTORE" not in caps and "IDLE" in caps, "the server has no CONDSTORE: %s" % caps)
    m.logout()
    pw = write_file(tmp, "pw", "secret1\n")
    data = os.path.join(tmp, "data")
    tw("account", "add", "--data", data, "--address", "rep1@acme-trading.example", "--imap-url", d.url,
       "--user", "rep1", "--password-file", pw, "--plaintext")
    code, out, err = tw("sync", "--data", data, "--once")
    c.check(code == 0 and "3 imported" in out, "first sync: " + out + err)
    c.check(flags_of(data, "f1@nord.example") == [""], "no flags yet: %s" % flags_of(data, "f1@nord.example"))

    # The rep answers and flags one inquiry in their mail client.
    m = imaplib.IMAP4("127.0.0.1", d.port)
    m.login("rep1", "secret1")
    m.select("INBOX")
    typ, found = m.search(None, "SUBJECT", '"inquiry 1"')
    m.store(found[0].split()[0], "+FLAGS", "(\\Flagged \\Answered)")
    m.logout()
    code, out, err = tw("sync", "--data", data, "--once")
    c.check(code == 0 and "1 flag changes" in out, "the next sync finds one change: " + out + err)
    c.check(flags_of(data, "f1@nord.example") == ["\\Answered \\Flagged"],
            "the flags reach the archive: %s" % flags_of(data, "f1@nord.example"))
    c.check(flags_of(data, "f0@nord.example") == [""], "the others are untouched")
    code, out, err = tw("sync", "--data", data, "--once")
    c.check(code == 0 and "0 flag changes" in out, "nothing changed, nothing written: " + out)
    m = imaplib.IMAP4("127.0.0.1", d.port)
    m.login("rep1", "secret1")
    m.select("INBOX", readonly=True)
    typ, got = m.fetch("1:*", "(FLAGS)")
    m.logout()
    c.check(not any(b"\\Seen" in x for x in got if x), "sync set no \\Seen: %s" % got)
c.done()
