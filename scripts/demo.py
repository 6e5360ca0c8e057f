#!/usr/bin/env python3
"""The demo: the project's sample mailboxes (scripts/demo_mail.py) served by a
real Dovecot on 127.0.0.1, one Tradewind account per rep, a web user, the
first sync, a few searches, and then `tradewind serve` until Ctrl-C (or for
TRADEWIND_DEMO_SECONDS seconds). Prints the URL and the login.

    scripts/demo.py --tradewind BIN --data DIR [--listen 127.0.0.1:8080]
"""
import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import demo_mail  # noqa: E402
from dovecot_fixture import NOBODY, Dovecot  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--tradewind", required=True)
ap.add_argument("--data", required=True)
ap.add_argument("--listen", default="127.0.0.1:8080")
a = ap.parse_args()
tw = a.tradewind


def run(*argv, show=True):
    p = subprocess.run([tw, *argv], capture_output=True, text=True)
    if show:
        sys.stdout.write(p.stdout)
    if p.returncode not in (0,):
        sys.stderr.write(p.stderr)
        sys.exit("tradewind %s failed" % argv[0])
    return p.stdout


# However the demo is stopped (Ctrl-C, a signal to it or its process group), the with-blocks below run:
# Dovecot and serve stop, and the temporary folders with the demo's passwords go.
def stop_cleanly(signum, frame):
    raise KeyboardInterrupt


for sig in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(sig, stop_cleanly)

host, port = a.listen.rsplit(":", 1)
with socket.socket() as s:
    if s.connect_ex((host, int(port))) == 0:
        sys.exit("%s is already in use: run with --listen 127.0.0.1:PORT" % a.listen)

shutil.rmtree(a.data, ignore_errors=True)
with Dovecot({rep: "demo-" + rep for rep in demo_mail.REPS}) as d, tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o755)
    mail = os.path.join(tmp, "mail")
    count = demo_mail.main(mail)
    for rep in demo_mail.REPS:
        dest = os.path.join(d.dir, "mail", rep)
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(os.path.join(mail, rep), dest)
        for root, dirs, files in os.walk(dest):
            os.chown(root, NOBODY, NOBODY)
            for f in files:
                os.chown(os.path.join(root, f), NOBODY, NOBODY)
    print("== Dovecot on %s serves %d demo messages for %s" % (d.url, count, ", ".join(demo_mail.REPS)))
    for rep in demo_mail.REPS:
        pw = os.path.join(tmp, rep)
        with open(pw, "w") as f:
            f.write("demo-%s\n" % rep)
        run("account", "add", "--data", a.data, "--address", "%s@%s" % (rep, demo_mail.FIRM), "--imap-url", d.url,
            "--user", rep, "--password-file", pw, "--plaintext", show=False)
    password = secrets.token_urlsafe(9)
    upw = os.path.join(tmp, "web")
    with open(upw, "w") as f:
        f.write(password + "\n")
    # The manager leads the team of every rep; each rep sees their own mailbox and customers only.
    run("user", "add", "--data", a.data, "--name", "demo", "--role", "manager", "--password-file", upw)
    run("team", "add", "--data", a.data, "sales", "--manager", "demo")
    for rep in demo_mail.REPS:
        run("user", "add", "--data", a.data, "--name", rep, "--role", "rep", "--team", "sales", "--password-file", upw,
            "--mailbox", "%s@%s" % (rep, demo_mail.FIRM), show=False)
    run("user", "add", "--data", a.data, "--name", "admin", "--role", "admin", "--password-file", upw, show=False)
    run("user", "add", "--data", a.data, "--name", "auditor", "--role", "auditor", "--password-file", upw, show=False)
    rep_user = next(iter(demo_mail.REPS))
    print("== tradewind sync --once")
    run("sync", "--data", a.data, "--once")
    for q in ("询价", demo_mail.PI_SHOWN, "attachment:" + demo_mail.QT_SHOWN, "from:anna.schmidt@nordhandel.example"):
        print("== tradewind search --threads %s" % q)
        run("search", "--data", a.data, "--threads", q)
    print("== tradewind customers   (found in the mail; freemail senders stay one customer per contact)")
    run("customers", "--data", a.data)
    print("== tradewind documents   (quotations, PIs, POs ... recognised in subjects, bodies and attachments)")
    run("documents", "--data", a.data)
    print("== tradewind search doc:%s" % demo_mail.PI_SHOWN)
    run("search", "--data", a.data, "doc:" + demo_mail.PI_SHOWN)
    print("== tradewind followups --all   (what each conversation waits for, due in the reps' business hours)")
    run("followups", "--data", a.data, "--all")
    print("== tradewind stats")
    run("stats", "--data", a.data)
    serve = subprocess.Popen([tw, "serve", "--data", a.data, "--listen", a.listen, "--poll", "10"])
    time.sleep(1)
    print("\n== Tradewind is running: open http://%s/  and log in as  demo / %s  (a manager)" % (a.listen, password))
    print("   or as  %s / %s  (a rep: sees only their own mail and customers, claims from the pool as %s@%s)"
          % (rep_user, password, rep_user, demo_mail.FIRM))
    print("   Every user has that password: the other reps (%s), admin (users and teams), auditor (reads all; /audit)."
          % ", ".join(list(demo_mail.REPS)[1:]))
    print("   New mail delivered to the demo Dovecot (%s, users %s, passwords demo-<user>) shows up within seconds."
          % (d.url, ", ".join(demo_mail.REPS)))
    print("   Ctrl-C stops the demo.", flush=True)
    stop_after = float(os.environ.get("TRADEWIND_DEMO_SECONDS", "0"))
    try:
        t0 = time.time()
        while serve.poll() is None and (not stop_after or time.time() - t0 < stop_after):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    if serve.poll() is None:
        serve.send_signal(signal.SIGTERM)
        serve.wait(20)
    print("== demo stopped (the archive stays in %s)" % a.data)
