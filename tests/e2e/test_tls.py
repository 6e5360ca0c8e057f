"""End to end: TLS to the mail server against a real Dovecot with a self-signed certificate for 127.0.0.1
(the firm's own CA, in effect): imaps and STARTTLS are refused without trust, with a message that names
--ca-file; accepted through --ca-file (and SSL_CERT_FILE), and the mail syncs; a wrong host name is refused
even with the CA; --insecure still works."""
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
c = Checker("e2e.tls")
MAIL = (b"From: Anna <anna@nord.example>\r\nTo: rep1@acme-trading.example\r\nSubject: Inquiry over TLS\r\n"
        b"Message-ID: <tls-1@nord.example>\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\n\r\nPlease quote.\r\n")

d = Dovecot({"rep1": "secret1"}, tls=True)
if not d.available():
    print("SKIP: dovecot is not installed (scripts/install-deps.sh installs dovecot-imapd)")
    sys.exit(SKIP)
with d, tempfile.TemporaryDirectory() as tmp:
    d.deliver("rep1", MAIL)
    pw = write_file(tmp, "pw", "secret1\n")
    port = d.imaps_port

    def add(name, url, *extra, env=None):
        data = os.path.join(tmp, name)
        p = subprocess.run([TW, "account", "add", "--data", data, "--address", "rep1@acme-trading.example", "--imap-url", url,
                            "--user", "rep1", "--password-file", pw, *extra], capture_output=True, text=True,
                           env=dict(os.environ, **(env or {})), timeout=60)
        return data, p

    cases = [
        # name, url, options, env, accepted, what the refusal says
        ("imaps-untrusted", d.imaps_url, [], None, False, "--ca-file"),
        ("starttls-untrusted", d.url, [], None, False, "--ca-file"),
        ("imaps-ca", d.imaps_url, ["--ca-file", d.cert], None, True, ""),
        ("starttls-ca", d.url, ["--ca-file", d.cert], None, True, ""),
        ("imaps-env", d.imaps_url, [], {"SSL_CERT_FILE": d.cert}, True, ""),
        ("wrong-host", "imaps://localhost:%d" % port, ["--ca-file", d.cert], None, False, "another host name"),
        ("imaps-insecure", d.imaps_url, ["--insecure"], None, True, ""),
        ("bad-ca-file", d.imaps_url, ["--ca-file", os.path.join(tmp, "nope.pem")], None, False, "not a readable file"),
    ]
    for name, url, extra, env, accepted, says in cases:
        data, p = add(name, url, *extra, env=env)
        out = p.stdout + p.stderr
        if accepted:
            c.check(p.returncode == 0 and "logged in" in out, "%s: accepted: %s" % (name, out[-300:]))
        else:
            c.check(p.returncode != 0 and says in out and "not trusted" in out if says == "--ca-file" else
                    p.returncode != 0 and says in out, "%s: refused, saying %r: %s" % (name, says, out[-300:]))
    # The trusted accounts sync the mail over TLS, and their CA is kept with the account.
    for name in ("imaps-ca", "starttls-ca"):
        data = os.path.join(tmp, name)
        p = subprocess.run([TW, "sync", "--data", data, "--once"], capture_output=True, text=True, timeout=120)
        s = subprocess.run([TW, "search", "--data", data, "--json", "Inquiry"], capture_output=True, text=True)
        c.check(p.returncode == 0 and "tls-1@nord.example" in s.stdout, "%s: the mail syncs over TLS: %s %s"
                % (name, p.stderr[-300:], s.stdout[:200]))
    # STARTTLS cannot be stripped: a plaintext-only server is refused unless --plaintext (tested in e2e.sync);
    # the CA file is stored with the account, as an absolute path.
    lst = subprocess.run([TW, "account", "list", "--data", os.path.join(tmp, "imaps-ca"), "--json"], capture_output=True,
                         text=True)
    c.check(d.cert in lst.stdout, "account list shows the CA file: %s" % lst.stdout[:300])
c.done()
