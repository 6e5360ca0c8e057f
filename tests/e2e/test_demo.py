"""End to end: the README's main job (scripts/demo.py) runs through on the
built tradewind: Dovecot with the project's demo mailboxes, sync, the
searches and listings it shows, serve with a manager and a rep login, and a
clean stop; the two logins it prints work."""
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from common import SKIP, Checker, args, login  # noqa: E402
from dovecot_fixture import Dovecot, free_port  # noqa: E402

A = args()
c = Checker("e2e.demo")
if not Dovecot({"x": "y"}).available():
    print("SKIP: dovecot is not installed (scripts/install-deps.sh installs dovecot-imapd)")
    sys.exit(SKIP)

demo = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "demo.py")
with tempfile.TemporaryDirectory() as tmp:
    port = free_port()
    env = dict(os.environ, TRADEWIND_DEMO_SECONDS="120")  # stopped by SIGTERM below
    p = subprocess.Popen([sys.executable, demo, "--tradewind", A.tradewind, "--data", os.path.join(tmp, "demo"),
                          "--listen", "127.0.0.1:%d" % port], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(p.stdout), daemon=True)
    reader.start()
    logins = []
    t0 = time.time()
    while time.time() - t0 < 180 and not logins:
        text = "".join(lines)
        logins = re.findall(r"as  (\S+) / (\S+)  \(", text)
        time.sleep(0.3)
    text = "".join(lines)
    c.check(len(logins) == 2, "the demo prints a manager and a rep login: %s" % text[-800:])
    for name, password in logins:
        try:
            status, _, _, auth = login("http://127.0.0.1:%d" % port, name, password)
        except Exception as e:  # noqa: BLE001
            status, auth = str(e), {}
        c.check(status == 303 and auth, "the printed login %s works: %s" % (name, status))
    # Stopped by a signal (as a service manager or `kill` would): it still stops Dovecot and removes its secrets.
    import re as _re
    import signal as _signal
    import socket as _socket
    m = _re.search(r"Dovecot on imap://127\.0\.0\.1:(\d+)", "".join(lines))
    p.send_signal(_signal.SIGTERM)
    code = p.wait(120)
    reader.join(5)
    text = "".join(lines)
    c.check(code == 0, "the demo ends cleanly on SIGTERM (%s): %s" % (code, text[-500:]))
    c.check("demo stopped" in text, "and says so")
    if m:
        with _socket.socket() as s:
            c.check(s.connect_ex(("127.0.0.1", int(m.group(1)))) != 0, "its Dovecot is stopped")
    c.check("demo-build" not in text and "warning:" not in text, "no compiler output in the demo's text")
    year = time.gmtime().tm_year
    c.check("PI-%d-0034" % year in text and "customers" in text, "it shows searches, customers and documents")
    for company in ("Nordhandel GmbH", "宁波宏达贸易有限公司", "Carter Supply Inc.", "大和商事株式会社", "Rossi Import S.r.l."):
        c.check(company in text, "the customers are named by their company: %s" % company)
    c.check("reply_due" in text and "customer_silent" in text, "and the follow-ups the dated mail opens")
c.done()
