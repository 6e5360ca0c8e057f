#!/usr/bin/env python3
"""IMAP to searchable archive, side by side in one run: `tradewind sync --once`
(into the archive: parsed, threaded, indexed, attachment text included) against
what users do today, `mbsync -a` (IMAP -> Maildir) followed by `mu index` or by
`notmuch new`, all pulling every rep's mailbox from the same local Dovecot.
Dovecot's indexes are built before the first timed run, the tools take turns in
every round, and the median round is printed. Then the new-mail latency of a
live `tradewind sync`: a message is delivered into a rep's INBOX (IDLE) or Sent
(polled) and timed until `tradewind search` finds it.

    bench/ingest_bench.py --tradewind BIN --corpus DIR [--rounds 3] [--rtt-ms 0] [--latency 40]
DIR holds one Maildir per rep (tradegen output); bench/ingest.sh runs this."""
import argparse
import imaplib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
sys.path.insert(0, os.path.dirname(__file__))
from dovecot_fixture import NOBODY, Dovecot  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--tradewind", required=True)
ap.add_argument("--corpus", required=True)
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--rtt-ms", type=int, default=0, help="emulate a WAN link with this round-trip time")
ap.add_argument("--latency", type=int, default=40, help="new-mail deliveries to time (0: none)")
ap.add_argument("--tradewind-only", action="store_true", help="time tradewind alone (when working on it)")
a = ap.parse_args()

reps = sorted(r for r in os.listdir(a.corpus) if os.path.isdir(os.path.join(a.corpus, r)))
files = sum(len(fs) for r in reps for _, _, fs in os.walk(os.path.join(a.corpus, r)) if fs and "/tmp" not in _)


def timed(cmd, env=None):
    t = tempfile.NamedTemporaryFile(delete=False)
    t.close()
    start = time.time()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name, *cmd], capture_output=True, env=env)
    secs = time.time() - start
    rss = int(open(t.name).read().split()[-1]) // 1024 if p.returncode == 0 else 0
    os.unlink(t.name)
    if p.returncode != 0:
        sys.exit("%s failed: %s" % (cmd[0], p.stderr.decode()[-2000:]))
    return secs, rss


with Dovecot({r: "pw" for r in reps}) as d, tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o755)
    for r in reps:
        dest = os.path.join(d.dir, "mail", r)
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(os.path.join(a.corpus, r), dest)
        for root, dirs, fs in os.walk(dest):
            os.chown(root, NOBODY, NOBODY)
            for f in fs:
                os.chown(os.path.join(root, f), NOBODY, NOBODY)
    # Warm-up: Dovecot indexes every folder once, so neither tool pays for it.
    for r in reps:
        m = imaplib.IMAP4("127.0.0.1", d.port)
        m.login(r, "pw")
        for line in m.list()[1]:
            name = line.decode().rsplit(' "/" ', 1)[-1]
            m.select(name, readonly=True)
            m.uid("fetch", "1:*", "(UID RFC822.SIZE)")
        m.logout()
    url, port = d.url, d.port
    if a.rtt_ms:
        from latency_proxy import LatencyProxy
        proxy = LatencyProxy(d.port, a.rtt_ms)
        url, port = "imap://127.0.0.1:%d" % proxy.port, proxy.port
    pw = os.path.join(tmp, "pw")
    with open(pw, "w") as f:
        f.write("pw\n")
    mbconf = os.path.join(tmp, "mbsyncrc")
    results = {"tradewind": [], "mbsync": [], "mu": [], "notmuch": [], "mbsync+mu": [], "mbsync+notmuch": []}
    for rnd in range(a.rounds):
        # tradewind: a fresh archive, every rep's account, one sync.
        data = os.path.join(tmp, "tw-%d" % rnd)
        for r in reps:
            subprocess.run([a.tradewind, "account", "add", "--data", data, "--address", r + "@acme-trading.example",
                            "--imap-url", url, "--user", r, "--password-file", pw, "--plaintext", "--no-test"],
                           check=True, capture_output=True)
        results["tradewind"].append(timed([a.tradewind, "sync", "--data", data, "--once"]))
        if a.tradewind_only:
            if rnd + 1 < a.rounds:
                shutil.rmtree(data, ignore_errors=True)
            continue
        # mbsync: a fresh Maildir tree, one channel per rep.
        near = os.path.join(tmp, "mb-%d" % rnd)
        for r in reps:
            os.makedirs(os.path.join(near, r))
        with open(mbconf, "w") as f:
            for r in reps:
                f.write("IMAPAccount %s\nHost 127.0.0.1\nPort %d\nUser %s\nPass pw\nSSLType None\nAuthMechs LOGIN\n\n"
                        "IMAPStore %s-far\nAccount %s\n\nMaildirStore %s-near\nPath %s/%s/\nInbox %s/%s/INBOX\n"
                        "SubFolders Verbatim\n\nChannel %s\nFar :%s-far:\nNear :%s-near:\nPatterns *\nCreate Near\n"
                        "Sync Pull\nExpunge None\nSyncState *\n\n"
                        % (r, port, r, r, r, r, near, r, near, r, r, r, r))
        results["mbsync"].append(timed(["mbsync", "-q", "-c", mbconf, "-a"]))
        # Then index the Maildir copy, each from an empty database.
        muhome = os.path.join(tmp, "mu-%d" % rnd)
        subprocess.run(["mu", "init", "--muhome=" + muhome, "--maildir=" + near], check=True, capture_output=True)
        results["mu"].append(timed(["mu", "index", "--muhome=" + muhome]))
        nmconf = os.path.join(tmp, "notmuch-config")
        nmdb = os.path.join(tmp, "notmuch-%d" % rnd)
        os.makedirs(nmdb)
        with open(nmconf, "w") as f:
            f.write("[database]\npath=%s\nmail_root=%s\n[new]\ntags=\n[user]\nname=bench\n"
                    "primary_email=bench@example.com\n" % (nmdb, near))
        results["notmuch"].append(timed(["notmuch", "new", "--quiet"], env=dict(os.environ, NOTMUCH_CONFIG=nmconf)))
        for peer in ("mu", "notmuch"):
            m, p = results["mbsync"][-1], results[peer][-1]
            results["mbsync+" + peer].append((m[0] + p[0], max(m[1], p[1])))
        shutil.rmtree(near, ignore_errors=True)
        shutil.rmtree(muhome, ignore_errors=True)
        shutil.rmtree(nmdb, ignore_errors=True)
        if rnd + 1 < a.rounds:
            shutil.rmtree(data, ignore_errors=True)
    size = sum(os.path.getsize(os.path.join(root, f)) for r in reps
               for root, _, fs in os.walk(os.path.join(a.corpus, r)) for f in fs)
    print("corpus: %d message files, %d MB, %d reps, local Dovecot%s, %d cores; median of %d rounds (tools in turn)"
          % (files, size >> 20, len(reps), " behind a %d ms round-trip proxy" % a.rtt_ms if a.rtt_ms else "",
             os.cpu_count(), a.rounds))
    tw_med = statistics.median(s for s, _ in results["tradewind"])
    print("%-42s %8s %13s %9s %12s %14s" % ("tool", "seconds", "(range)", "msgs/s", "peak RSS MB", "ratio (x/tw)"))
    for name, label in (("tradewind", "tradewind sync --once (IMAP->searchable)"),
                        ("mbsync+mu", "mbsync -a + mu index (end to end)"),
                        ("mbsync+notmuch", "mbsync -a + notmuch new (end to end)"),
                        ("mbsync", "  mbsync -a (IMAP->Maildir copy)"),
                        ("mu", "  mu index (Maildir->index)"),
                        ("notmuch", "  notmuch new (Maildir->index)")):
        if not results[name]:
            continue
        secs = sorted(s for s, _ in results[name])
        med = statistics.median(secs)
        rss = statistics.median(r for _, r in results[name])
        print("%-42s %8.1f %13s %9.0f %12d %14.2f" % (label, med, "%.1f-%.1f" % (secs[0], secs[-1]), files / med, rss,
                                                      med / tw_med))
    print("(ratio > 1: the peer took longer than tradewind; end to end = the two steps of the same round added)")
    truth = os.path.join(a.corpus, "truth.jsonl")
    if os.path.exists(truth):
        export = os.path.join(tmp, "export.jsonl")
        with open(export, "w") as f:
            subprocess.run([a.tradewind, "export", "--data", data], stdout=f, check=True)
        q = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "thread_quality.py"), export, truth],
                           capture_output=True, text=True)
        print("threads after IMAP sync vs truth: " + q.stdout.strip())

    # New-mail latency: a live daemon on the synced archive; one message at a
    # time into a rep's INBOX (IDLE) or Sent (STATUS polling every 2 s).
    if a.latency:
        import random
        rng = random.Random(7)
        log = open(os.path.join(tmp, "live.log"), "wb")
        live = subprocess.Popen([a.tradewind, "sync", "--data", data, "--poll", "2"], stdout=log, stderr=log)
        time.sleep(5)  # the first pass (nothing new)
        lat = {"INBOX": [], "Sent": []}
        for k in range(a.latency):
            rep = rng.choice(reps)
            folder = "Sent" if k % 4 == 3 else "INBOX"
            token = "latency%05dprobe" % k
            buyer, own = "buyer%d@probe.example" % k, rep + "@acme-trading.example"
            sender, to = (own, buyer) if folder == "Sent" else (buyer, own)
            raw = ("From: %s\r\nTo: %s\r\nSubject: Inquiry %s\r\nMessage-ID: <%s@probe.example>\r\n"
                   "Date: Mon, 05 Jan 2026 10:00:00 +0000\r\n\r\nPlease quote.\r\n" % (sender, to, token, token)).encode()
            t0 = time.time()
            d.deliver(rep, raw, folder)
            while time.time() - t0 < 60:
                p = subprocess.run([a.tradewind, "search", "--data", data, "--json", token], capture_output=True)
                if p.stdout.strip():
                    break
                time.sleep(0.05)
            lat[folder].append(time.time() - t0)
            time.sleep(rng.uniform(0.2, 1.0))
        live.terminate()
        live.wait()

        def pct(xs, q):
            xs = sorted(xs)
            return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]
        for folder, how in (("INBOX", "IDLE"), ("Sent", "polled every 2 s")):
            xs = lat[folder]
            if xs:
                print("new mail -> searchable, %s (%s), %d deliveries: p50 %.2f s, p95 %.2f s, max %.2f s"
                      % (folder, how, len(xs), pct(xs, 0.5), pct(xs, 0.95), max(xs)))
