#!/usr/bin/env python3
"""A login attack: WORKERS threads send wrong passwords as fast as they can for SECONDS, each from its own loopback
address (127.0.1.N: the per-address limit does not save us, the worst case for memory and the hash queue), at one
known account and at unknown names; meanwhile a real user logs in with the right password from a clean address
every half second. Prints the attempts, how many were checked (401) or refused before any hash (429/503), the
server's peak RSS (VmHWM) and the real user's login times. With --before BIN, the same against an older tradewind
(no throttling, no token on the login form), side by side."""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
from common import login_from, write_file  # noqa: E402
from dovecot_fixture import free_port  # noqa: E402


def old_login(base, source, name, password):
    """The login of tradewind before roles: a plain form POST."""
    import http.client
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60, source_address=(source, 0))
    conn.request("POST", "/login", urllib.parse.urlencode({"name": name, "password": password}),
                 {"Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    r.read()
    conn.close()
    return r.status, {}, ""


def attack(tw, workers, seconds, new_login):
    tmp = tempfile.mkdtemp()
    data = os.path.join(tmp, "data")
    pw = write_file(tmp, "pw", "correct horse battery\n")
    for name in ("victim", "boss"):
        subprocess.run([tw, "user", "add", "--data", data, "--name", name, "--role", "manager", "--password-file", pw],
                       check=True, capture_output=True)
    port = free_port()
    p = subprocess.Popen([tw, "serve", "--data", data, "--listen", "127.0.0.1:%d" % port, "--no-sync"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = "http://127.0.0.1:%d" % port
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    do_login = login_from if new_login else old_login
    rss0 = int([l for l in open("/proc/%d/status" % p.pid) if l.startswith("VmRSS")][0].split()[1]) // 1024
    stop = time.time() + seconds
    codes, lock = {}, threading.Lock()

    def worker(k):
        n = 0
        while time.time() < stop:
            name = "victim" if n % 2 else "nobody%d-%d" % (k, n)
            try:
                st = do_login(base, "127.0.1.%d" % (k + 1), name, "wrong password %d" % n)[0]
            except Exception:  # noqa: BLE001
                st = "error"
            with lock:
                codes[st] = codes.get(st, 0) + 1
            n += 1
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(workers)]
    for t in threads:
        t.start()
    real = []
    time.sleep(0.5)
    while time.time() < stop - 0.5:
        t0 = time.time()
        st = do_login(base, "127.0.0.200", "boss", "correct horse battery")[0]
        real.append((time.time() - t0, st))
        time.sleep(0.5)
    for t in threads:
        t.join()
    hwm = int([l for l in open("/proc/%d/status" % p.pid) if l.startswith("VmHWM")][0].split()[1]) // 1024
    p.terminate()
    p.wait()
    times = sorted(x for x, _ in real)
    ok = sum(1 for _, st in real if st in (200, 303))
    return {"attempts": sum(codes.values()), "codes": {str(k): v for k, v in sorted(codes.items(), key=str)},
            "rss_start_mb": rss0, "peak_rss_mb": hwm, "real_logins": len(real), "real_ok": ok,
            "real_p50_s": round(statistics.median(times), 3) if times else None, "real_max_s": round(times[-1], 3) if times else None}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tradewind", required=True)
    ap.add_argument("--before")
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10)
    a = ap.parse_args()
    runs = [("tradewind", a.tradewind, True)] + ([("before (9b5b199)", a.before, False)] if a.before else [])
    print("login attack: %d parallel clients, each from its own address, wrong passwords for %.0f s; a real user logs in "
          "every 0.5 s from a clean address" % (a.workers, a.seconds))
    print("%-18s %9s %28s %10s %10s %12s %12s" % ("", "attempts", "answers", "RSS start", "peak RSS", "real ok", "real max s"))
    out = {}
    for label, tw, new in runs:
        r = attack(tw, a.workers, a.seconds, new)
        out[label] = r
        print("%-18s %9d %28s %8d MB %8d MB %6d/%-5d %12s" % (label, r["attempts"], json.dumps(r["codes"]), r["rss_start_mb"],
                                                          r["peak_rss_mb"], r["real_ok"], r["real_logins"], r["real_max_s"]))
    print(json.dumps(out))


main()
