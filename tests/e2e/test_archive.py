#!/usr/bin/env python3
"""The archive end to end: tradewind import of a generated corpus (one account
per rep), then export, stats and search, checked against the generator's truth;
re-import adds nothing; kill -9 during an import, then re-running it, gives the
same archive as an uninterrupted import."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checker, args, shared_or_skip  # noqa: E402


def tw(binary, *argv, check=True):
    p = subprocess.run([binary, *argv], capture_output=True, timeout=600)
    if check and p.returncode != 0:
        raise SystemExit("tradewind %s failed (%d): %s" % (" ".join(argv), p.returncode, p.stderr.decode()))
    return p.stdout.decode("utf-8")


def import_all(binary, data, corpus, reps, extra=()):
    out = []
    for rep in reps:
        out.append(tw(binary, "import", "--data", data, "--account", rep + "@acme-trading.example", *extra,
                      os.path.join(corpus, rep)))
    return out


def export(binary, data):
    return sorted(tw(binary, "export", "--data", data).splitlines())


def pairs(counter):
    return sum(n * (n - 1) // 2 for n in counter.values())


def main():
    a = args()
    gen = os.path.join(shared_or_skip(a.shared, "corpus"), "tradegen.py")
    c = Checker("archive")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus")
        subprocess.run([sys.executable, gen, "--out", corpus, "--messages", "700", "--reps", "4", "--customers", "30",
                        "--seed", "5", "--small-attachments"], check=True, capture_output=True)
        truth = [json.loads(l) for l in open(os.path.join(corpus, "truth.jsonl"), encoding="utf-8")]
        reps = sorted(d for d in os.listdir(corpus) if os.path.isdir(os.path.join(corpus, d)))
        data = os.path.join(tmp, "data")
        summaries = import_all(a.tradewind, data, corpus, reps)
        c.check(all("imported" in s for s in summaries), "import prints a summary")

        # counts: every file is a location; copies of one mail are one message
        rows = [json.loads(l) for l in export(a.tradewind, data)]
        stats = json.loads(tw(a.tradewind, "stats", "--data", data, "--json"))
        c.check(stats["locations"] == len(truth), "locations %d, files %d" % (stats["locations"], len(truth)))
        distinct = len(truth) - sum(1 for t in truth if t["copy"])
        c.check(stats["messages"] == distinct, "messages %d, distinct mails %d" % (stats["messages"], distinct))
        c.check(stats["indexed"] == stats["messages"], "indexed %d of %d" % (stats["indexed"], stats["messages"]))
        by_id = {r["message_id"]: r for r in rows}
        for t in truth:
            if t["message_id"]:
                r = by_id.get(t["message_id"])
                c.check(r is not None, "%s: message %s not in the export" % (t["file"], t["message_id"]))
                if r:
                    c.check({"account": t["rep"], "folder": t["folder"]} in r["locations"],
                            "%s: location %s/%s missing" % (t["file"], t["rep"], t["folder"]))

        # threads against the truth (deal = conversation)
        deal = {t["message_id"]: t["deal"] for t in truth if t["message_id"] and t["stage"] != "approval"}
        ids = [i for i in deal if i in by_id]
        tp = pairs(Counter((deal[i], by_id[i]["thread"]) for i in ids))
        pp = pairs(Counter(by_id[i]["thread"] for i in ids))
        ap = pairs(Counter(deal[i] for i in ids))
        precision, recall = tp / pp, tp / ap
        print("threads: precision %.4f recall %.4f over %d messages" % (precision, recall, len(ids)))
        c.check(precision >= 0.998, "thread precision %.4f < 0.998" % precision)
        c.check(recall >= 0.98, "thread recall %.4f < 0.98" % recall)

        # search: CJK subjects, prefixes, JSON fields
        hits = [json.loads(l) for l in tw(a.tradewind, "search", "--data", data, "--json", "--limit", "10000", "询价").splitlines()]
        want = {r["message_id"] for r in rows if "询价" in r["subject"]}
        got = {h["message_id"] for h in hits}
        c.check(want and want <= got, "询价: %d subjects have it, %d of them found" % (len(want), len(want & got)))
        for key in ("message_id", "sha256", "thread", "subject", "from", "date", "snippet", "score"):
            c.check(all(key in h for h in hits), "search --json lacks %s" % key)
        sent = tw(a.tradewind, "search", "--data", data, "--json", "--limit", "10000", "folder:Sent").splitlines()
        want_sent = sum(1 for r in rows if any(l["folder"] == "Sent" for l in r["locations"]))
        c.check(len(sent) == want_sent, "folder:Sent: %d hits, %d messages in Sent" % (len(sent), want_sent))
        threads = tw(a.tradewind, "search", "--data", data, "--json", "--threads", "--limit", "10000", "").splitlines()
        c.check(len(threads) == len({r["thread"] for r in rows}), "--threads gives one hit per conversation")

        # reindex rebuilds the same index from the archive
        q = ["search", "--data", data, "--json", "--limit", "10000"]
        before_reindex = [tw(a.tradewind, *q, term) for term in ("询价", "folder:Sent", "has:attachment", "quot*")]
        tw(a.tradewind, "reindex", "--data", data)
        after_reindex = [tw(a.tradewind, *q, term) for term in ("询价", "folder:Sent", "has:attachment", "quot*")]
        c.check(before_reindex == after_reindex, "reindex changed search results")

        # re-import adds nothing
        again = import_all(a.tradewind, data, corpus, reps)
        c.check(all(" 0 imported, 0 duplicates" in s for s in again), "re-import added something: %s" % again)
        before = export(a.tradewind, data)
        c.check(len(before) == len(rows), "re-import changed the number of messages")

        # kill -9 in the middle of an import, then import everything again
        crashed = os.path.join(tmp, "crashed")
        import_all(a.tradewind, crashed, corpus, reps[:1])
        big = max(reps[1:], key=lambda r: len(os.listdir(os.path.join(corpus, r, "cur"))))
        kills = 0
        for delay in (0.05, 0.15, 0.3):
            p = subprocess.Popen([a.tradewind, "import", "--data", crashed, "--batch", "20", "--account",
                                  big + "@acme-trading.example", os.path.join(corpus, big)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
                kills += 1
            p.wait()
        import_all(a.tradewind, crashed, corpus, reps)
        after = export(a.tradewind, crashed)
        c.check(kills > 0, "no import was killed: the test did not test anything")
        c.check(after == before, "after kill -9 and re-import the archive differs: %d vs %d lines, first difference %s"
                % (len(after), len(before), next((x for x, y in zip(after, before) if x != y), "-")[:200]))
        st2 = json.loads(tw(a.tradewind, "stats", "--data", crashed, "--json"))
        c.check(st2["indexed"] == st2["messages"], "index caught up after the crash: %d of %d" % (st2["indexed"], st2["messages"]))
        # the index agrees with the archive on conversations (merges after a crash included)
        sizes = Counter(json.loads(r)["thread"] for r in after)
        for thread, n in sizes.most_common(15):
            hits = tw(a.tradewind, "search", "--data", crashed, "--json", "--limit", "10000", "thread:%d" % thread)
            c.check(len(hits.splitlines()) == n, "thread:%d finds %d, the archive has %d" % (thread, len(hits.splitlines()), n))
        print("killed %d imports" % kills)

        # mbox files and single .eml files (the checked-in edge corpus)
        edge = sorted(os.path.join(a.corpora, "edge", f) for f in os.listdir(os.path.join(a.corpora, "edge"))
                      if f.endswith(".eml"))
        mbox = os.path.join(tmp, "archive.mbox")
        with open(mbox, "wb") as fh:
            for f in edge:
                body = open(f, "rb").read().replace(b"\r\n", b"\n")
                if body.startswith(b"From "):
                    body = body.split(b"\n", 1)[1]
                body = body.replace(b"\nFrom ", b"\n>From ")
                fh.write(b"From sender@example.com Sat Jan 11 10:00:00 2025\n" + body.rstrip(b"\n") + b"\n\n")
        mdata = os.path.join(tmp, "mbox-data")
        out = tw(a.tradewind, "import", "--data", mdata, "--account", "lily.zhou@acme-trading.example", mbox)
        c.check(("%d found, %d imported" % (len(edge), len(edge))) in out, "mbox import: %s" % out.strip())
        folders = {l["folder"] for r in export(a.tradewind, mdata) for l in json.loads(r)["locations"]}
        c.check(folders == {"archive"}, "mbox messages are in folder 'archive': %s" % folders)
        edata = os.path.join(tmp, "eml-data")
        out = tw(a.tradewind, "import", "--data", edata, "--account", "lily.zhou@acme-trading.example", *edge)
        c.check(("%d found, %d imported" % (len(edge), len(edge))) in out, ".eml import: %s" % out.strip())
        out = tw(a.tradewind, "import", "--data", edata, "--account", "lily.zhou@acme-trading.example", *edge)
        c.check(("%d already in the archive" % len(edge)) in out, ".eml re-import: %s" % out.strip())
        bad = subprocess.run([a.tradewind, "import", "--data", edata, "--account", "x@y", os.path.join(tmp, "nope")],
                             capture_output=True)
        c.check(bad.returncode == 1 and b"no such file" in bad.stderr, "a missing path gives a clear error")
        nothing = subprocess.run([a.tradewind, "search", "--data", os.path.join(tmp, "none"), "x"], capture_output=True)
        c.check(nothing.returncode == 1 and b"import mail first" in nothing.stderr, "search without an archive says what to do")
        c.check(not os.path.exists(os.path.join(tmp, "none")), "search without an archive created one")
    c.done()


if __name__ == "__main__":
    main()
