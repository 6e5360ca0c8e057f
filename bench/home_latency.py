#!/usr/bin/env python3
"""How fast "My day" (/) renders on an archive (the issue's target: < 100 ms on 20k messages), as a rep (their own
follow-ups) and as a manager of a team of every rep (all of them, grouped, with escalations), side by side in one
run with the page a user opened before it existed: the search page (/search, no query), and /api/v1/home (the same
model as JSON). Prints p50/p95/max in ms and the open items each sees.

    bench/home_latency.py --tradewind BIN --data DIR [--repeat 30]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
from common import login, start_serve, terminate, write_file  # noqa: E402


def timed(base, auth, path, repeat):
    op = urllib.request.build_opener()
    ms = []
    body = b""
    for _ in range(repeat):
        req = urllib.request.Request(base + path, headers={"Cookie": auth["Cookie"]})
        t0 = time.perf_counter()
        body = op.open(req, timeout=60).read()
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    return {"p50": statistics.median(ms), "p95": ms[int(0.95 * (len(ms) - 1))], "max": ms[-1]}, body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tradewind", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--repeat", type=int, default=30)
    a = ap.parse_args()
    tw = a.tradewind
    tmp = tempfile.mkdtemp()
    pw = write_file(tmp, "pw", "correct horse battery\n")
    import sqlite3
    with sqlite3.connect(os.path.join(a.data, "archive.db")) as db:
        accounts = [r[0] for r in db.execute("SELECT DISTINCT account FROM locations ORDER BY account")]
    if not accounts:
        sys.exit("no accounts in %s" % a.data)
    run = lambda *argv: subprocess.run([tw, *argv, "--data", a.data], capture_output=True, text=True)  # noqa: E731
    run("user", "add", "--name", "bench-boss", "--role", "manager", "--password-file", pw)
    run("team", "add", "bench", "--manager", "bench-boss")
    for k, acct in enumerate(accounts):
        run("user", "add", "--name", "bench-rep%d" % k, "--team", "bench", "--mailbox", acct, "--password-file", pw)
    proc, base = start_serve(tw, a.data, stderr=subprocess.DEVNULL)
    try:
        rows = []
        for who in ("bench-rep0", "bench-boss"):
            auth = login(base, who, "correct horse battery")[3]
            _, model = timed(base, auth, "/api/v1/home", 1)
            items = sum(g["open"] for g in json.loads(model)["groups"])
            home, _ = timed(base, auth, "/", a.repeat)
            api, _ = timed(base, auth, "/api/v1/home", a.repeat)
            search, _ = timed(base, auth, "/search", a.repeat)
            rows.append((who, items, home, api, search))
        print("%-12s %6s  %-22s %-22s %-22s %s" % ("user", "items", "/ p50/p95/max ms", "/api/v1/home", "/search (before)",
                                                   "ratio p50 / to /search"))
        for who, items, home, api, search in rows:
            f = lambda x: "%.1f/%.1f/%.1f" % (x["p50"], x["p95"], x["max"])  # noqa: E731
            print("%-12s %6d  %-22s %-22s %-22s %.2f" % (who, items, f(home), f(api), f(search), home["p50"] / search["p50"]))
    finally:
        terminate(proc)


if __name__ == "__main__":
    main()
