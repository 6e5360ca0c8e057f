"""End to end: sync memory stays bounded by the fetch chunk's bytes, not by
the mailbox: 60 messages of 4 MB (a 240 MB folder, attachments that do not
compress) are synced from a real Dovecot by a `sync --once` whose peak RSS
must stay well under the folder's size (chunks of at most --chunk-mb, 16 by
default; count-only chunks of 200 held the whole folder, ~550 MB). Every
message arrives once and is searchable. Then `serve` takes 40 more, and its
status page (JSON) shows the pass under way: done of total, rate, time left."""
import base64
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from common import SKIP, Checker, args, login, write_file  # noqa: E402
from dovecot_fixture import Dovecot, free_port  # noqa: E402

A = args()
TW = A.tradewind
c = Checker("e2e.sync_memory")
N, MB = 60, 3  # 3 MB of random bytes: 4 MB in base64


def deliver_big(d, i, text):
    """Delivers message i with MB of random bytes attached; returns its attachment's size in base64."""
    att = base64.encodebytes(os.urandom(MB << 20)).replace(b"\n", b"\r\n")
    d.deliver("rep1", b"From: Big <big@bulk.example>\r\nTo: rep1@acme-trading.example\r\nSubject: drawings BIGSET%d\r\n"
                      b"Message-ID: <big-%d@bulk.example>\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                      b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\n%s\r\n"
                      b"--x\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
                      b"Content-Disposition: attachment; filename=drawing.bin\r\n\r\n" % (i, i, text) + att + b"--x--\r\n")
    return len(att)


dv = Dovecot({"rep1": "secret1"})
if not dv.available():
    print("SKIP: dovecot is not installed (scripts/install-deps.sh installs dovecot-imapd)")
    sys.exit(SKIP)

with dv as d, tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o755)
    folder_mb = sum(deliver_big(d, i, b"see the drawings") for i in range(N)) >> 20
    pw = write_file(tmp, "pw", "secret1\n")
    data = os.path.join(tmp, "data")
    subprocess.run([TW, "account", "add", "--data", data, "--address", "rep1@acme-trading.example", "--imap-url", d.url,
                    "--user", "rep1", "--password-file", pw, "--plaintext"], check=True, capture_output=True)
    r = subprocess.run([TW, "sync", "--data", data, "--once"], capture_output=True, text=True)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss >> 10  # the largest child so far: this sync
    print("folder %d MB, peak RSS %d MB" % (folder_mb, peak_mb))
    c.check(r.returncode == 0 and "60 imported" in r.stdout, "the sync takes all 60: " + r.stdout + r.stderr[-300:])
    c.check(peak_mb < folder_mb * 0.75, "peak memory %d MB stays well under the %d MB folder" % (peak_mb, folder_mb))
    out = subprocess.run([TW, "search", "--data", data, "--json", "--limit", "100", "drawings"], capture_output=True, text=True).stdout
    c.check(len(out.strip().splitlines()) == N, "every message is searchable once: %d" % len(out.strip().splitlines()))

    # serve: while a pass takes big mail, the status page says how far it is (done/total, rate, time left).
    upw = write_file(tmp, "upw", "correct horse battery\n")
    subprocess.run([TW, "user", "add", "--data", data, "--name", "mona", "--role", "admin", "--password-file", upw],
                   check=True, capture_output=True)
    for i in range(N, N + 40):
        deliver_big(d, i, b"more")
    port = free_port()
    serve = subprocess.Popen([TW, "serve", "--data", data, "--listen", "127.0.0.1:%d" % port, "--poll", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = "http://127.0.0.1:%d" % port
    auth = {}
    for _ in range(100):
        try:
            _, _, _, auth = login(base, "mona", "correct horse battery")
            break
        except OSError:
            time.sleep(0.1)
    seen, t0 = [], time.time()
    while time.time() - t0 < 30:
        body = urllib.request.urlopen(urllib.request.Request(base + "/api/v1/status", headers=auth),
                                      timeout=5).read()
        acct = json.loads(body)["accounts"][0]
        if "syncing" in acct:
            seen.append(acct["syncing"])
        elif seen:
            break  # the pass is over
        time.sleep(0.05)
    c.check(seen and all(0 <= x["done"] < x["total"] for x in seen) and seen[-1]["total"] >= 38,
            "the status page shows the pass under way: %s" % (seen[:1] + seen[-1:]))
    c.check(any(x["done"] > 0 and x["rate"] > 0 and x["eta_seconds"] > 0 for x in seen),
            "with a rate and the time left once mail has come in: %s" % seen[-1:])
    serve.terminate()
    serve.wait(20)
c.done()
