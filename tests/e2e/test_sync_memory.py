"""End to end: sync memory stays bounded by the fetch chunk's bytes, not by
the mailbox: 60 messages of 4 MB (a 240 MB folder, attachments that do not
compress) are synced from a real Dovecot by a `sync --once` whose peak RSS
must stay well under the folder's size (chunks of at most --chunk-mb, 16 by
default; count-only chunks of 200 held the whole folder, ~550 MB). Every
message arrives once and is searchable."""
import base64
import os
import resource
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from common import SKIP, Checker, args, write_file  # noqa: E402
from dovecot_fixture import Dovecot  # noqa: E402

A = args()
TW = A.tradewind
c = Checker("e2e.sync_memory")
N, MB = 60, 3  # 3 MB of random bytes: 4 MB in base64
dv = Dovecot({"rep1": "secret1"})
if not dv.available():
    print("SKIP: dovecot is not installed (scripts/install-deps.sh installs dovecot-imapd)")
    sys.exit(SKIP)

with dv as d, tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o755)
    for i in range(N):
        att = base64.encodebytes(os.urandom(MB << 20)).replace(b"\n", b"\r\n")
        d.deliver("rep1", b"From: Big <big@bulk.example>\r\nTo: rep1@acme-trading.example\r\nSubject: drawings BIGSET%d\r\n"
                          b"Message-ID: <big-%d@bulk.example>\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                          b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nsee the drawings\r\n"
                          b"--x\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
                          b"Content-Disposition: attachment; filename=drawing.bin\r\n\r\n" % (i, i) + att + b"--x--\r\n")
    folder_mb = N * len(att) >> 20
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
c.done()
