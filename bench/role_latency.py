#!/usr/bin/env python3
"""Search latency through the web API as each role sees it: the same queries (bench/queries.txt) as a rep (one
mailbox and the customers it owns: the visible set is a filter inside the Xapian query), a manager (of a team of half the
reps: a filter of their mailboxes and customers; and of every rep: no filter is needed), an auditor and an admin (no filter). Side by side in one run, with the ratio of each to the admin; with
--before BIN --before-data DIR, the same queries against an older tradewind serving its own import of the corpus
(no roles: everyone saw everything). Prints p50/p95/max in ms per role, and the hits and totals it found."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
from common import login, start_serve, write_file  # noqa: E402

FIRM = "acme-trading.example"


def serve(tw, data):
    return start_serve(tw, data, stderr=subprocess.DEVNULL)


def run_queries(base, auth, queries, repeat, limit):
    ms, hits, totals = [], 0, 0
    op = urllib.request.build_opener()
    for _ in range(repeat):
        for q in queries:
            url = base + "/api/v1/search?" + urllib.parse.urlencode({"q": q, "limit": limit})
            req = urllib.request.Request(url, headers=dict(auth, Accept="application/json"))
            t0 = time.perf_counter()
            body = json.loads(op.open(req, timeout=30).read())
            ms.append((time.perf_counter() - t0) * 1000)
            hits += len(body.get("hits", []))
            totals += body.get("total", len(body.get("hits", [])))
    ms.sort()
    return {"p50": statistics.median(ms), "p95": ms[int(0.95 * (len(ms) - 1))], "max": ms[-1], "hits": hits,
            "total": totals // repeat}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tradewind", required=True)
    ap.add_argument("--data", required=True, help="an archive of the corpus (imported by the caller)")
    ap.add_argument("--queries", default=os.path.join(HERE, "queries.txt"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--before")
    ap.add_argument("--before-data")
    a = ap.parse_args()
    queries = [q.strip() for q in open(a.queries) if q.strip()]
    tmp = tempfile.mkdtemp()
    pw = write_file(tmp, "pw", "correct horse battery\n")
    accounts = sorted({l["account"] for m in map(json.loads, subprocess.run(
        [a.tradewind, "export", "--data", a.data], capture_output=True, text=True, check=True).stdout.splitlines())
        for l in m["locations"]})
    reps = [x.split("@")[0] for x in accounts]
    users = subprocess.run([a.tradewind, "user", "list", "--data", a.data], capture_output=True, text=True).stdout
    if "bench-admin" not in users:
        def tw(*argv):
            subprocess.run([a.tradewind, *argv, "--data", a.data], check=True, capture_output=True)
        # bench-manager leads both teams (every rep), bench-half-manager the first team (half of them).
        tw("user", "add", "--name", "bench-manager", "--role", "manager", "--password-file", pw)
        tw("user", "add", "--name", "bench-half-manager", "--role", "manager", "--password-file", pw)
        tw("team", "add", "bench", "--manager", "bench-half-manager")
        tw("team", "set", "bench", "--manager", "bench-manager")
        tw("team", "add", "bench2", "--manager", "bench-manager")
        for k, (r, addr) in enumerate(zip(reps, accounts)):
            tw("user", "add", "--name", "bench-" + r, "--role", "rep", "--team", "bench" if k < len(reps) // 2 else "bench2",
               "--mailbox", addr, "--password-file", pw)
        tw("user", "add", "--name", "bench-auditor", "--role", "auditor", "--password-file", pw)
        tw("user", "add", "--name", "bench-admin", "--role", "admin", "--password-file", pw)
    results = {}
    p, base = serve(a.tradewind, a.data)
    try:
        for role, name in (("admin", "bench-admin"), ("auditor", "bench-auditor"), ("manager (all reps)", "bench-manager"),
                           ("manager (half)", "bench-half-manager"), ("rep", "bench-" + reps[0])):
            _, _, _, auth = login(base, name, "correct horse battery")
            run_queries(base, auth, queries[:5], 1, a.limit)  # warm
            results[role] = run_queries(base, auth, queries, a.repeat, a.limit)
    finally:
        p.terminate()
        p.wait()
    if a.before and a.before_data:
        subprocess.run([a.before, "user", "add", "--data", a.before_data, "--name", "bench", "--role", "manager",
                        "--password-file", pw], capture_output=True)
        p, base = serve(a.before, a.before_data)
        try:
            op = urllib.request.build_opener()
            req = urllib.request.Request(base + "/login", headers={"Accept": "application/json"},
                                         data=urllib.parse.urlencode({"name": "bench", "password": "correct horse battery"}).encode())
            r = op.open(req, timeout=30)
            auth = {"Cookie": r.headers["Set-Cookie"].split(";")[0]}
            run_queries(base, auth, queries[:5], 1, a.limit)
            results["before (no roles)"] = run_queries(base, auth, queries, a.repeat, a.limit)
        finally:
            p.terminate()
            p.wait()
    docs = len(subprocess.run([a.tradewind, "export", "--data", a.data], capture_output=True, text=True).stdout.splitlines())
    print("search latency through /api/v1/search, %d queries x %d, limit %d, %d messages, %d rep mailboxes"
          % (len(queries), a.repeat, a.limit, docs, len(reps)))
    print("%-20s %9s %9s %9s %10s %12s %14s" % ("as", "p50 ms", "p95 ms", "max ms", "hits", "sum(total)", "p95 / admin"))
    for role, x in results.items():
        print("%-20s %9.2f %9.2f %9.2f %10d %12d %14.2f" % (role, x["p50"], x["p95"], x["max"], x["hits"], x["total"],
                                                           x["p95"] / results["admin"]["p95"]))
    print(json.dumps(results))


main()
