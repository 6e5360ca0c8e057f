"""Helpers shared by the end-to-end tests (they run the real tradewind binary)."""
import argparse
import json
import os
import subprocess
import sys

SKIP = 77  # CTest SKIP_RETURN_CODE

CONTRACT = {
    "file": str, "message_id": str, "synthetic_id": bool, "subject": str, "from": list, "to": list, "cc": list,
    "date": str, "date_source": str, "in_reply_to": str, "references": list, "text": str, "has_html": bool,
    "attachments": list, "problems": list,
}
ATTACHMENT = {"filename": str, "content_type": str, "size": int, "sha256": str, "text": str}


def args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tradewind", required=True)
    ap.add_argument("--corpora", required=True)
    ap.add_argument("--shared", required=True)
    return ap.parse_args()


class Checker:
    def __init__(self, name):
        self.name, self.failures, self.checks = name, [], 0

    def check(self, cond, what):
        self.checks += 1
        if not cond:
            self.failures.append(what)

    def done(self):
        for f in self.failures[:50]:
            print("FAIL:", f)
        if len(self.failures) > 50:
            print("... and %d more failures" % (len(self.failures) - 50))
        print("%s: %d checks, %d failed" % (self.name, self.checks, len(self.failures)))
        sys.exit(1 if self.failures else 0)


def run_parse(tw, files, extra=(), stdin=None):
    """Runs tradewind parse; returns (exit code, list of parsed JSON lines, stderr)."""
    p = subprocess.run([tw, "parse", "--json", *extra, *files], input=stdin, capture_output=True, timeout=900)
    lines = p.stdout.decode("utf-8").splitlines()
    return p.returncode, [json.loads(l) for l in lines], p.stderr.decode("utf-8", "replace")


def check_contract(c, obj):
    for key, typ in CONTRACT.items():
        c.check(isinstance(obj.get(key), typ), "%s: field %s missing or not %s" % (obj.get("file"), key, typ.__name__))
    for a in obj.get("attachments", []):
        for key, typ in ATTACHMENT.items():
            c.check(isinstance(a.get(key), typ), "%s: attachment field %s missing" % (obj.get("file"), key))
    for who in ("from", "to", "cc"):
        for a in obj.get(who, []):
            c.check(isinstance(a.get("name"), str) and isinstance(a.get("address"), str),
                    "%s: %s entry lacks name/address" % (obj.get("file"), who))


def shared_or_skip(shared, sub):
    path = os.path.join(shared, sub)
    if not os.path.exists(path):
        print("SKIP: %s is absent; this test needs ../shared beside the checkout" % path)
        sys.exit(SKIP)
    return path


def terminate(proc, timeout=15):
    """Sends SIGTERM and waits; returns the exit code, or -1 if it had to be killed."""
    import signal
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return -1


def write_file(directory, name, text):
    """Writes text to directory/name (a password file, say); returns the path."""
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


class NoRedirect(__import__("urllib.request").request.HTTPRedirectHandler):
    """Keeps a 303 as the answer (the tests check where it points)."""
    def redirect_request(self, *a, **k):
        return None


def request(opener, url, data=None, headers=None):
    """An HTTP request through opener (a form POST when data is given, with the Origin a browser sends, unless
    headers give one); returns (status, headers, body)."""
    import urllib.error
    import urllib.parse
    import urllib.request
    headers = dict(headers or {})
    if data is not None and "Origin" not in headers and "Referer" not in headers:
        u = urllib.parse.urlsplit(url)
        headers["Origin"] = "%s://%s" % (u.scheme, u.netloc)
    if "Origin" in headers and headers["Origin"] is None:
        headers.pop("Origin")  # a test of a POST without one
    req = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode() if data is not None else None, headers=headers)
    try:
        r = opener.open(req, timeout=20)
        return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")


def cookie_of(headers, name):
    """The value a Set-Cookie header gives cookie `name` ("" if none)."""
    import re
    m = re.search(r"(?:^|[,\s])%s=([^;,]*)" % re.escape(name), headers.get("Set-Cookie", "") or "")
    return m.group(1) if m else ""


def login(base, name, password, headers=None):
    """Logs in as a browser does: GET /login (its form token and cookie), then POST the form.
    Returns (status, headers, body, auth): auth holds the session cookie and the form token (X-CSRF-Token) to send
    with later requests ({} when the login failed)."""
    import urllib.request
    op = urllib.request.build_opener(NoRedirect)
    st, hd, body = request(op, base + "/api/v1/login", headers={"Accept": "application/json"})
    token = json.loads(body).get("csrf", "")
    h = {"Cookie": "tw_login=" + cookie_of(hd, "tw_login")}
    h.update(headers or {})
    st, hd, body = request(op, base + "/login", {"name": name, "password": password, "csrf": token}, h)
    session = cookie_of(hd, "tw_session")
    if not session:
        return st, hd, body, {}
    auth = {"Cookie": "tw_session=" + session}
    _, _, me = request(op, base + "/api/v1/me", headers=dict(auth, Accept="application/json"))
    auth["X-CSRF-Token"] = json.loads(me)["csrf"]
    return st, hd, body, auth


def login_from(base, source, name, password):
    """login() from another client address on the loopback (source: 127.0.0.2 ...): returns (status, headers, body)."""
    import http.client
    import urllib.parse
    u = urllib.parse.urlsplit(base)

    def call(method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30, source_address=(source, 0))
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        out = (r.status, {k: v for k, v in r.getheaders()}, r.read().decode("utf-8", "replace"))
        conn.close()
        return out
    st, hd, body = call("GET", "/api/v1/login", headers={"Accept": "application/json"})
    form = urllib.parse.urlencode({"name": name, "password": password, "csrf": json.loads(body)["csrf"]})
    return call("POST", "/login", form, {"Cookie": "tw_login=" + cookie_of(hd, "tw_login"), "Origin": base,
                                          "Content-Type": "application/x-www-form-urlencoded"})


def start_serve(tradewind, data, *extra, port=None, stderr=subprocess.PIPE):
    """`tradewind serve --no-sync` on a loopback port (a free one unless given), once it accepts connections:
    (process, base URL)."""
    import socket
    import time
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
    from dovecot_fixture import free_port
    port = port or free_port()
    proc = subprocess.Popen([tradewind, "serve", "--data", data, "--listen", "127.0.0.1:%d" % port, "--no-sync", *extra],
                            stdout=subprocess.DEVNULL, stderr=stderr)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    return proc, "http://127.0.0.1:%d" % port


def pool_on_since_always(data):
    """As if the firm had switched the public pool on before the test's mail of January 2025 (a new archive counts
    idle time from its creation, so that imported history keeps its owners)."""
    import sqlite3
    with sqlite3.connect(os.path.join(data, "archive.db")) as db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'pool_since'")


def pdf(lines):
    """A small real PDF: one page with these lines of text (Helvetica), offsets computed."""
    import zlib
    text = "BT /F1 14 Tf 50 780 Td 18 TL " + " ".join("(%s) '" % l for l in lines) + " ET"
    stream = zlib.compress(text.encode())
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % x for x in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
