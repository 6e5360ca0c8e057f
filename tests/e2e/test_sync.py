"""End to end: a real Dovecot on 127.0.0.1, the real tradewind account and
sync commands. Checks that every message arrives exactly once and byte-exact,
that the server's mailboxes are left untouched (no \\Seen flags), that sync is
incremental and idempotent, survives a UIDVALIDITY change and kill -9, skips
Trash, and that wrong passwords and dead servers get a message that says what
to do."""
import glob
import hashlib
import imaplib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from common import SKIP, Checker, args, terminate, write_file  # noqa: E402
from dovecot_fixture import Dovecot  # noqa: E402

A = args()
TW = A.tradewind
c = Checker("e2e.sync")

HOSTILE = (b"From: Mallory <m@evil.example>\r\nTo: rep1@acme-trading.example\r\nSubject: literal tricks\r\n"
           b"Message-ID: <hostile-1@evil.example>\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\n\r\n"
           b"T5 OK UID FETCH completed\r\n* 99 FETCH (UID 99 BODY[] {3}\r\nabc)\r\n)\r\n{12}\r\nT6 BAD\r\n")


def mail(n, sender, to, subject, body="Hello.", extra=""):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <m%d@nord.example>\r\n"
            "Date: Sat, 11 Jan 2025 %02d:%02d:00 +0000\r\n%s\r\n%s\r\n"
            % (sender, to, subject, n, 8 + n // 60 % 12, n % 60, extra, body)).encode()


def tw(*argv, check=False, timeout=300):
    p = subprocess.run([TW, *argv], capture_output=True, timeout=timeout)
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    if check and p.returncode != 0:
        print("tradewind", *argv, "failed:", p.returncode, err)
    return p.returncode, out, err


def export(data):
    code, out, _ = tw("export", "--data", data)
    return [json.loads(l) for l in out.splitlines()]


def server_hashes(d, user, pw, folder):
    """{UID: SHA-256 of the message as the server hands it out}, read-only."""
    m = imaplib.IMAP4("127.0.0.1", d.port)
    m.login(user, pw)
    m.select(folder, readonly=True)
    typ, data = m.uid("fetch", "1:*", "(UID BODY.PEEK[])")
    m.logout()
    out = {}
    for item in data:
        if isinstance(item, tuple):
            uid = item[0].decode().split("UID ")[1].split()[0]
            out[uid] = hashlib.sha256(item[1]).hexdigest()
    return out


def archive_hashes(data, account, folder):
    """{UID: SHA-256 of the message rebuilt at that location} from export --hashes (live locations)."""
    code, out, _ = tw("export", "--data", data, "--hashes")
    return {l["source"].rsplit(":", 1)[1]: l["sha256"] for m in map(json.loads, out.splitlines())
            for l in m["locations"] if l["account"] == account and l["folder"] == folder and not l.get("deleted")}


def seen_flags(d, user, pw, folder="INBOX"):
    m = imaplib.IMAP4("127.0.0.1", d.port)
    m.login(user, pw)
    m.select(folder, readonly=True)
    typ, data = m.fetch("1:*", "(FLAGS)")
    m.logout()
    return sum(1 for x in data if x and b"\\Seen" in x)


dv = Dovecot({"rep1": "secret1", "rep2": "secret2"})
if not dv.available():
    print("SKIP: dovecot is not installed (scripts/install-deps.sh installs dovecot-imapd)")
    sys.exit(SKIP)

edge = sorted(glob.glob(os.path.join(A.corpora, "edge", "*.eml")))
with dv as d, tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o755)
    data = os.path.join(tmp, "data")
    pwfile = write_file(tmp, "pw1", "secret1\n")
    badpw = write_file(tmp, "bad", "wrong\n")
    pw2 = write_file(tmp, "pw2", "secret2\n")

    # rep1: the edge corpus (malformed mail included) in INBOX, own mail in Sent, Trash to skip.
    inbox = [open(p, "rb").read() for p in edge] + [HOSTILE]
    for raw in inbox:
        d.deliver("rep1", raw)
    sent = [mail(i, "rep1@acme-trading.example", "anna@nord.example", "Quotation QT-2025-%04d" % i) for i in range(30)]
    sent_paths = [d.deliver("rep1", raw, "Sent") for raw in sent[:-1]]
    d.deliver("rep1", sent[-1], "Sent", flags="FS")  # \Flagged \Seen, set by the rep's client
    d.deliver("rep1", mail(900, "x@y.example", "rep1@acme-trading.example", "deleted"), "Trash")
    # rep2 got a copy of some of rep1's Sent mail (CC) and its own.
    for raw in sent[:5]:
        d.deliver("rep2", raw)
    for i in range(100, 110):
        d.deliver("rep2", mail(i, "bob@sud.example", "rep2@acme-trading.example", "Inquiry %d" % i))

    # A reply whose client dropped References (INBOX) to a quotation in Sent that
    # arrived an hour earlier: synced in arrival order, they are one conversation.
    d.deliver("rep1", mail(950, "rep1@acme-trading.example", "olga@east.example", "Quotation QT-2025-9001"), "Sent",
              when=1736600000)
    d.deliver("rep1", mail(951, "olga@east.example", "rep1@acme-trading.example", "RE: Quotation QT-2025-9001"),
              when=1736603600)
    sent.append(mail(950, "rep1@acme-trading.example", "olga@east.example", "Quotation QT-2025-9001"))
    inbox.append(mail(951, "olga@east.example", "rep1@acme-trading.example", "RE: Quotation QT-2025-9001"))

    # Wrong password: refused, with what to do; nothing added.
    code, out, err = tw("account", "add", "--data", data, "--address", "rep1@acme-trading.example",
                        "--imap-url", d.url, "--user", "rep1", "--password-file", badpw, "--plaintext")
    c.check(code == 1, "a wrong password must fail account add (got %d)" % code)
    c.check("refused the user name or password" in err and "account test" in err, "wrong password message: " + err)
    # STARTTLS is required unless --plaintext: this server has none.
    code, out, err = tw("account", "add", "--data", data, "--address", "rep1@acme-trading.example",
                        "--imap-url", d.url, "--user", "rep1", "--password-file", pwfile)
    c.check(code == 1 and "STARTTLS" in err, "a server without STARTTLS must be refused: " + err)
    # Unreachable server.
    code, out, err = tw("account", "add", "--data", data, "--address", "x@acme-trading.example",
                        "--imap-url", "imap://127.0.0.1:1", "--user", "x", "--password-file", pwfile, "--plaintext")
    c.check(code == 1 and "cannot connect" in err, "unreachable server message: " + err)

    for user, pw in (("rep1", pwfile), ("rep2", pw2)):
        code, out, err = tw("account", "add", "--data", data, "--address", user + "@acme-trading.example",
                            "--imap-url", d.url, "--user", user, "--password-file", pw, "--plaintext", check=True)
        c.check(code == 0, "account add %s: %s" % (user, err))
    key = os.path.join(data, "secret.key")
    c.check(os.stat(key).st_mode & 0o777 == 0o600, "secret.key must be 0600")
    db = open(os.path.join(data, "archive.db"), "rb").read()
    c.check(b"secret1" not in db and b"secret2" not in db, "passwords must not be stored in the clear")
    code, out, err = tw("account", "test", "--data", data, "rep1@acme-trading.example")
    c.check(code == 0 and "sync INBOX" in out and "sync Sent" in out and "skip Trash" in out, "account test: " + out + err)

    code, out, err = tw("sync", "--data", data, "--once", check=True)
    c.check(code == 0, "first sync: %s" % err)
    msgs = export(data)
    expected_ids = len(inbox) + len(sent) + 10
    c.check(len(msgs) == expected_ids, "messages after sync: %d, expected %d" % (len(msgs), expected_ids))
    by_id = {m["message_id"]: m for m in msgs}
    c.check("hostile-1@evil.example" in by_id, "the message with IMAP-looking lines must be archived")
    locs = sum(len(m["locations"]) for m in msgs)
    c.check(locs == len(inbox) + len(sent) + 5 + 10, "locations: %d" % locs)
    c.check(not any(l["folder"] == "Trash" for m in msgs for l in m["locations"]), "Trash must be skipped")
    c.check(any(l["folder"] == "Sent" for m in msgs for l in m["locations"]), "Sent must be synced")
    # Synced mail is linked like imported mail: customers (owner: the first rep to write), documents.
    code, out, err = tw("customers", "--data", data, "--json")
    custs = [json.loads(l) for l in out.splitlines()]
    nord = [x for x in custs if "nord.example" in x["domains"]]
    c.check(len(nord) == 1 and nord[0]["owner"] == "rep1@acme-trading.example"
            and not any("acme-trading.example" in d for x in custs for d in x["domains"]),
            "customers after IMAP sync: %s" % [(x["name"], x["owner"]) for x in custs][:8])
    code, out, err = tw("documents", "--data", data, "--json")
    docs = {d["number"]: d for d in map(json.loads, out.splitlines())}
    c.check(docs.get("QT-2025-0003", {}).get("type") == "quotation" and docs["QT-2025-0003"]["status"] == "sent"
            and nord and docs["QT-2025-0003"]["customer"] == nord[0]["id"], "documents after IMAP sync: %s" % docs.get("QT-2025-0003"))
    # Equal to the source: every message of every synced folder, byte for byte, at its UID.
    for user, pw, folder in (("rep1", "secret1", "INBOX"), ("rep1", "secret1", "Sent"), ("rep2", "secret2", "INBOX")):
        want = server_hashes(d, user, pw, folder)
        have = archive_hashes(data, user + "@acme-trading.example", folder)
        c.check(want and have == want, "%s %s: archive equals the server (%d on the server, %d archived, %d differ)"
                % (user, folder, len(want), len(have), sum(1 for u in want if have.get(u) != want[u])))
    # Byte-exact: each archived message equals what the server holds (with CRLF line ends).
    code, out, err = tw("search", "--data", data, "--json", "--limit", "5", "literal tricks")
    hits = [json.loads(l) for l in out.splitlines()]
    c.check(len(hits) == 1, "search finds the hostile message: %s %s" % (out, err))
    if hits:
        c.check(hits[0]["sha256"] == hashlib.sha256(HOSTILE).hexdigest(), "the hostile message is stored byte-exact")
    code, out, err = tw("search", "--data", data, "--json", "QT-2025-0007")
    c.check(len(out.splitlines()) == 1, "search by document number after sync: " + out + err)
    # Read-only: no message got \Seen.
    c.check(seen_flags(d, "rep1", "secret1") == 0, "sync must not set \\Seen on the server")
    c.check(seen_flags(d, "rep1", "secret1", "Sent") == 1, "sync must not set \\Seen in Sent (one was Seen before)")

    c.check(by_id.get("m950@nord.example", {}).get("thread") == by_id.get("m951@nord.example", {}).get("thread") is not None,
            "a reference-less reply in INBOX joins its Sent quotation's conversation")

    # Flags are read and kept.
    last = by_id.get("m29@nord.example", {})
    flags = [l.get("flags", "") for l in last.get("locations", [])]
    c.check(flags and "\\Flagged" in flags[0] and "\\Seen" in flags[0], "flags kept: %r" % flags)

    # A flag set on the server later (the rep flags a quotation in Sent) reaches the archive (CONDSTORE).
    m = imaplib.IMAP4("127.0.0.1", d.port)
    m.login("rep1", "secret1")
    m.select("Sent")
    typ, found = m.search(None, "SUBJECT", "QT-2025-0005")
    m.store(found[0].split()[0], "+FLAGS", "(\\Flagged)")
    m.logout()
    code, out, err = tw("sync", "--data", data, "--once")
    flagged = {x["message_id"]: x for x in export(data)}.get("m5@nord.example", {})
    c.check(any("\\Flagged" in l.get("flags", "") for l in flagged.get("locations", [])),
            "a flag set on the server later is kept: %r" % flagged.get("locations"))
    c.check(seen_flags(d, "rep1", "secret1", "Sent") == 1, "and sync still sets no \\Seen")

    # Idempotent and incremental.
    code, out, err = tw("sync", "--data", data, "--once")
    c.check(code == 0 and "0 imported" in out, "second sync imports nothing: " + out + err)
    d.deliver("rep1", mail(500, "carl@west.example", "rep1@acme-trading.example", "new inquiry"))
    code, out, err = tw("sync", "--data", data, "--once")
    c.check("rep1@acme-trading.example: 2 folders, 1 new on the server, 1 imported" in out, "new mail: " + out + err)
    c.check(len(export(data)) == expected_ids + 1, "one more message after new mail")

    # Deleted on the server: stays archived, marked deleted at that location.
    # (Dovecot may have moved it from new/ to cur/ since: find it by its unique name.)
    unique = os.path.basename(sent_paths[3]).split(":")[0]
    for f in glob.glob(os.path.join(os.path.dirname(os.path.dirname(sent_paths[3])), "*", unique + "*")):
        os.remove(f)
    code, out, err = tw("sync", "--data", data, "--once")
    c.check("1 deleted on the server" in out, "deletion reported: " + out + err)
    gone = {m["message_id"]: m for m in export(data)}.get("m3@nord.example")
    c.check(gone is not None and gone["locations"][0].get("deleted"), "deleted mail kept and marked: %r" % gone)

    # UIDVALIDITY change: the server renumbers INBOX; nothing is lost or duplicated.
    time.sleep(1.1)  # Dovecot's UIDVALIDITY is a time stamp
    for f in glob.glob(os.path.join(d.dir, "mail", "rep1", "dovecot*")):  # INBOX's UID list and indexes
        os.remove(f)
    code, out, err = tw("sync", "--data", data, "--once")
    after = export(data)
    c.check(code == 0 and len(after) == expected_ids + 1, "after UIDVALIDITY change: %d messages (%s)" % (len(after), err))
    inbox_locs = [l for m in after for l in m["locations"] if l["account"].startswith("rep1") and l["folder"] == "INBOX"]
    c.check(len(inbox_locs) == len(inbox) + 1 and not any(l.get("deleted") for l in inbox_locs),
            "after renumbering each INBOX message has one live location: %d" % len(inbox_locs))

    code, out, err = tw("account", "list", "--data", data, "--json")
    accts = [json.loads(l) for l in out.splitlines()]
    c.check(len(accts) == 2 and all(a["state"] == "ok" for a in accts), "account list: " + out)
    c.check(all("secret" not in l for l in out.splitlines()), "account list shows no secret")

    # kill -9 in the middle of a big first sync, then resume: same archive as one clean run.
    big = 2000
    for i in range(1000, 1000 + big):
        d.deliver("rep2", mail(i, "dora@east.example", "rep2@acme-trading.example", "Order PO45000%05d" % i,
                               body="Line\r\n" * 200))
    data2 = os.path.join(tmp, "data2")
    for user, pw in (("rep2", pw2),):
        tw("account", "add", "--data", data2, "--address", user + "@acme-trading.example", "--imap-url", d.url,
           "--user", user, "--password-file", pw, "--plaintext", check=True)
    killed = 0
    for delay in (0.15, 0.3, 0.5):
        p = subprocess.Popen([TW, "sync", "--data", data2, "--once"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
            killed += 1
        p.wait()
    code, out, err = tw("sync", "--data", data2, "--once")
    c.check(code == 0, "resumed sync: " + err)
    got = export(data2)
    ids = [m["message_id"] for m in got]
    c.check(len(ids) == len(set(ids)) == 5 + 10 + big, "after kill -9 and resume: %d messages, %d distinct, killed %d times"
            % (len(ids), len(set(ids)), killed))
    code, out, err = tw("search", "--data", data2, "--json", "--limit", "5000", "dora")
    c.check(len(out.splitlines()) == big, "every resumed message is searchable: %d" % len(out.splitlines()))
    c.check(killed >= 1, "the sync was never killed mid-way (it finished too fast): the test proves nothing")

    # The server crashes and comes back in the middle of a live first sync: the
    # daemon reports it, reconnects by itself, and the archive ends with every message once.
    data3 = os.path.join(tmp, "data3")
    tw("account", "add", "--data", data3, "--address", "rep2@acme-trading.example", "--imap-url", d.url,
       "--user", "rep2", "--password-file", pw2, "--plaintext", check=True)
    log3 = os.path.join(tmp, "live3.log")
    with open(log3, "wb") as logf:
        live = subprocess.Popen([TW, "sync", "--data", data3, "--poll", "2"], stdout=logf, stderr=subprocess.STDOUT)

    def archived(path):
        code, out, _ = tw("stats", "--data", path, "--json")
        return json.loads(out)["messages"] if code == 0 and out.strip() else 0

    t0 = time.time()
    while archived(data3) == 0 and time.time() - t0 < 30:
        time.sleep(0.05)
    before_restart = archived(data3)
    d.stop(crash=True)
    time.sleep(1)
    d.start()
    t0 = time.time()
    while archived(data3) < 5 + 10 + big and time.time() - t0 < 90:
        time.sleep(0.5)
    recovered = time.time() - t0
    code = terminate(live)
    got = export(data3)
    ids = [m["message_id"] for m in got]
    log = open(log3, encoding="utf-8", errors="replace").read()
    c.check(0 < before_restart < 5 + 10 + big, "the restart hit the sync mid-way (%d archived before it)" % before_restart)
    c.check(len(ids) == len(set(ids)) == 5 + 10 + big,
            "after a server restart mid-sync: %d messages, %d distinct, expected %d" % (len(ids), len(set(ids)), 5 + 10 + big))
    c.check("rep2@acme-trading.example" in log and ("closed" in log or "lost" in log or "connect" in log),
            "the dropped connection is reported: " + log[-600:])
    c.check(code == 0, "live sync stops cleanly after the restart (exit %s)" % code)
    print("server restart mid-sync: %d archived before, complete %.1f s after the server came back" % (before_restart, recovered))
    print("  the daemon said: " + " | ".join(l for l in log.splitlines() if "rep2" in l and "imported" not in l)[:400])

    # The disk fills up mid-sync: a small tmpfs in a private mount namespace
    # (nothing changes on the machine). The sync stops with a message that says
    # so; with space again, the next run completes: every message once, all indexed.
    data4 = os.path.join(tmp, "data4")
    os.makedirs(data4)
    script = """
mount -t tmpfs -o size=1500k tmpfs {d} || exit 99
{tw} account add --data {d} --address rep2@acme-trading.example --imap-url {url} --user rep2 --password-file {pw} --plaintext >/dev/null || exit 98
{tw} sync --data {d} --once > {t}/full.out 2> {t}/full.err; echo $? > {t}/full.rc
mount -o remount,size=200m {d}
{tw} sync --data {d} --once > {t}/resumed.out 2> {t}/resumed.err; echo $? > {t}/resumed.rc
{tw} stats --data {d} --json > {t}/resumed.stats
{tw} export --data {d} > {t}/resumed.export
""".format(d=data4, tw=TW, url=d.url, pw=pw2, t=tmp)
    r = subprocess.run(["unshare", "--mount", "sh", "-c", script], capture_output=True)
    if r.returncode in (99, 98) or not os.path.exists(os.path.join(tmp, "full.rc")):
        print("SKIP (disk full part): cannot mount a small tmpfs in a private mount namespace here (needs root): %s"
              % r.stderr.decode()[-300:])
    else:
        rd = lambda n: open(os.path.join(tmp, n), encoding="utf-8", errors="replace").read()
        c.check(rd("full.rc").strip() == "1" and "the disk holding %s is full" % data4 in rd("full.err")
                and "free some space" in rd("full.err"),
                "a full disk stops the sync with a message that says so (exit %s): %s" % (rd("full.rc").strip(), rd("full.err")))
        c.check(rd("resumed.rc").strip() == "0", "the sync resumes once there is space: " + rd("resumed.err"))
        ids = [json.loads(l)["message_id"] for l in rd("resumed.export").splitlines()]
        st = json.loads(rd("resumed.stats") or "{}")
        c.check(len(ids) == len(set(ids)) == 5 + 10 + big and st.get("indexed") == len(ids),
                "after disk full and resume: %d messages, %d distinct, %s indexed, expected %d"
                % (len(ids), len(set(ids)), st.get("indexed"), 5 + 10 + big))
        print("disk full: " + rd("full.err").strip()[:300])

    # On a terminal, sync --once shows each account's folders, messages done/total, rate and ETA.
    for i in range(3000, 3300):
        d.deliver("rep2", mail(i, "hana@east.example", "rep2@acme-trading.example", "Progress %d" % i))
    p = subprocess.run(["script", "-qec", "%s sync --data %s --once" % (TW, data2), "/dev/null"], capture_output=True,
                       timeout=120)
    shown = p.stdout.decode("utf-8", "replace")
    c.check(p.returncode == 0 and "rep2@acme-trading.example" in shown and "300/300" in shown and "msg/s" in shown
            and "all accounts" in shown and "folders" in shown, "terminal progress display: " + shown[-500:])

    # A failing account (wrong password) is reported and the others go on.
    tw("account", "add", "--data", data, "--address", "bad@acme-trading.example", "--imap-url", d.url,
       "--user", "rep1", "--password-file", badpw, "--plaintext", "--no-test", check=True)
    d.deliver("rep2", mail(700, "erik@north.example", "rep2@acme-trading.example", "still synced"))
    code, out, err = tw("sync", "--data", data, "--once")
    c.check(code == 1 and "bad@acme-trading.example: IMAP login failed" in err, "failing account reported: " + err)
    c.check("rep2@acme-trading.example: 1 folders" in out and tw("search", "--data", data, "--json", "\"still synced\"")[1].strip(),
            "the other accounts synced: " + out)
    tw("account", "remove", "--data", data, "bad@acme-trading.example", check=True)

    # Live: new INBOX mail is searchable within 5 seconds (IDLE); other folders by polling.
    live = subprocess.Popen([TW, "sync", "--data", data, "--poll", "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(2)  # the first pass (nothing new)
    delays = []
    for k in range(3):
        d.deliver("rep1", mail(800 + k, "fay@south.example", "rep1@acme-trading.example", "Live inquiry LIVE%d" % k))
        t0 = time.time()
        while time.time() - t0 < 15:
            code, out, err = tw("search", "--data", data, "--json", "LIVE%d" % k)
            if out.strip():
                break
            time.sleep(0.2)
        delays.append(time.time() - t0)
    c.check(max(delays) < 5, "new INBOX mail searchable within 5 s: %s" % ["%.1f" % x for x in delays])
    d.deliver("rep1", mail(850, "rep1@acme-trading.example", "gus@far.example", "Sent while live SENTLIVE"), "Sent")
    t0 = time.time()
    while time.time() - t0 < 15 and not tw("search", "--data", data, "--json", "SENTLIVE")[1].strip():
        time.sleep(0.3)
    sent_delay = time.time() - t0
    c.check(sent_delay < 8, "a Sent message arrives by polling (--poll 3): %.1f s" % sent_delay)
    code = terminate(live)
    c.check(code == 0, "sync stops cleanly on SIGTERM (exit %s)" % code)
    print("live delays (s): INBOX %s, Sent %.1f" % (", ".join("%.2f" % x for x in delays), sent_delay))
    print("killed mid-sync %d times" % killed)

c.done()
