#!/usr/bin/env python3
"""End to end over a tradegen corpus (with --workflow: the manager wei.chen has a mailbox of his own): what each
user finds through the search API equals the visibility rule computed from the corpus (which rep's Maildir
each message is in, truth.jsonl) and the owners (`customers --json`, with export's links); paging with
limit/offset is exact; after a manager reassigns a customer, its whole history moves to the new owner; and an
auditor's reads are in the audit trail."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from common import start_serve, Checker, NoRedirect, args, login, request, shared_or_skip, terminate, write_file  # noqa: E402
from dovecot_fixture import free_port  # noqa: E402

A = args()
TW = A.tradewind
c = Checker("e2e.visibility")
FIRM = "acme-trading.example"
OP = urllib.request.build_opener(NoRedirect)
ALL = "date:1970-01-01..2100-12-31"  # every message


def run(*argv):
    return subprocess.run([TW, *argv], check=True, capture_output=True, text=True, timeout=600).stdout


def found(base, auth, query, limit=1000):
    """Every hit of query for this user, paging through the API; and the totals each page reported."""
    ids, totals, offset = [], set(), 0
    while True:
        st, _, body = request(OP, base + "/api/v1/search?" + urllib.parse.urlencode({"q": query, "limit": limit, "offset": offset}),
                              headers=dict(auth, Accept="application/json"))
        if st != 200:
            c.check(False, "search %s: %s %s" % (query, st, body[:200]))
            return ids, totals
        page = json.loads(body)
        totals.add(page["total"])
        ids += [h["sha256"] for h in page["hits"]]
        offset += len(page["hits"])
        if not page["hits"] or offset >= page["total"]:
            return ids, totals


gen = os.path.join(shared_or_skip(A.shared, "corpus"), "tradegen.py")
with tempfile.TemporaryDirectory() as tmp:
    corpus = os.path.join(tmp, "corpus")
    subprocess.run([sys.executable, gen, "--out", corpus, "--messages", "1200", "--reps", "4", "--customers", "40", "--seed", "12",
                    "--small-attachments", "--workflow"], check=True, capture_output=True)
    data = os.path.join(tmp, "data")
    boxes = sorted(d for d in os.listdir(corpus) if os.path.isdir(os.path.join(corpus, d)))
    for box in boxes:
        run("import", "--data", data, "--account", "%s@%s" % (box, FIRM), os.path.join(corpus, box))
    reps = [b for b in boxes if b != "wei.chen"]
    c.check("wei.chen" in boxes and len(reps) == 4, "four reps and the manager's own mailbox: %s" % boxes)
    pw = write_file(tmp, "pw", "correct horse battery\n")
    subprocess.run([TW, "user", "add", "--data", data, "--name", "wei", "--role", "manager", "--password-file", pw,
                    "--mailbox", "wei.chen@" + FIRM], check=True)
    subprocess.run([TW, "team", "add", "--data", data, "north", "--manager", "wei"], check=True, capture_output=True)
    subprocess.run([TW, "user", "add", "--data", data, "--name", "aud", "--role", "auditor", "--password-file", pw], check=True)
    # Two reps in wei's team, two in no team.
    for k, rep in enumerate(reps):
        subprocess.run([TW, "user", "add", "--data", data, "--name", rep, "--password-file", pw, "--mailbox", "%s@%s" % (rep, FIRM)]
                       + (["--team", "north"] if k < 2 else []), check=True, capture_output=True)

    # The rule, from the corpus: which mailboxes each message is in (truth.jsonl's file paths, by Message-ID;
    # export's locations for the few whose id the generator broke), and which customers it is linked to.
    truth = [json.loads(l) for l in open(os.path.join(corpus, "truth.jsonl"))]
    box_of_id = {}
    for t in truth:
        if t.get("message_id"):
            box_of_id.setdefault(t["message_id"], set()).add(t["file"].split("/")[0] + "@" + FIRM)
    export = [json.loads(l) for l in run("export", "--data", data).splitlines()]
    customers = [json.loads(l) for l in run("customers", "--data", data, "--json").splitlines()]

    def expected(mailboxes):
        owned = {str(x["id"]) for x in customers if x["owner"] in mailboxes and not x["in_pool"]}
        out = set()
        for m in export:
            where = box_of_id.get(m["message_id"]) or {l["account"] for l in m["locations"]}
            if where & mailboxes or owned & set(m["customers"]):
                out.add(m["sha256"])
        return out
    agree = sum(1 for m in export if m["message_id"] in box_of_id
                and box_of_id[m["message_id"]] == {l["account"] for l in m["locations"]})
    c.check(agree >= 0.97 * len(export), "the archive's locations agree with the corpus for %d of %d" % (agree, len(export)))

    serve, base = start_serve(TW, data)
    port = int(base.rsplit(":", 1)[1])
    try:
        auth = {}
        for name in reps + ["wei", "aud"]:
            _, _, _, auth[name] = login(base, name, "correct horse battery")
        want = {rep: expected({"%s@%s" % (rep, FIRM)}) for rep in reps}
        want["wei"] = expected({"wei.chen@" + FIRM} | {"%s@%s" % (r, FIRM) for r in reps[:2]})
        want["aud"] = {m["sha256"] for m in export}
        for name, w in want.items():
            ids, totals = found(base, auth[name], ALL)
            c.check(set(ids) == w and len(ids) == len(set(ids)),
                    "%s finds exactly the mail the rule gives: %d found, %d wanted, %d missing, %d extra"
                    % (name, len(ids), len(w), len(w - set(ids)), len(set(ids) - w)))
            c.check(totals == {len(w)}, "%s: every page's total is the exact count %d: %s" % (name, len(w), totals))
            print("%s sees %d of %d messages" % (name, len(w), len(export)))
        c.check(len({frozenset(want[r]) for r in reps}) == len(reps) and all(want[r] < want["aud"] for r in reps),
                "the reps see different, partial sets")
        ids, _ = found(base, auth[reps[0]], ALL, limit=7)
        c.check(set(ids) == want[reps[0]] and len(ids) == len(want[reps[0]]), "pages of 7 cover the same set, once each")

        # A manager reassigns a customer of reps[0] to reps[1]: its whole history moves with it.
        a, b = reps[0], reps[1]
        theirs = [x for x in customers if x["owner"] == "%s@%s" % (a, FIRM) and not x["in_pool"]]
        cust = max(theirs, key=lambda x: x["messages"])
        history = {m["sha256"] for m in export if str(cust["id"]) in m["customers"]}
        c.check(not history <= want[b], "before: %s does not see all of %s's mail with %s" % (b, a, cust["name"]))
        st, _, body = request(OP, base + "/api/v1/customers/%s/assign" % cust["id"], {"rep": "%s@%s" % (b, FIRM)},
                              dict(auth["wei"], Accept="application/json"))
        c.check(st == 200, "wei assigns %s to %s: %s %s" % (cust["name"], b, st, body[:200]))
        ids, _ = found(base, auth[b], ALL)
        c.check(history <= set(ids), "after: %s sees its whole history (%d messages)" % (b, len(history)))
        got, _ = found(base, auth[b], "customer:%s" % cust["id"])
        c.check(set(got) == history, "customer:%s as %s: all %d" % (cust["id"], b, len(history)))
        ids, _ = found(base, auth[a], ALL)
        in_a_box = {m["sha256"] for m in export if "%s@%s" % (a, FIRM) in {l["account"] for l in m["locations"]}}
        c.check(not (history - in_a_box) & set(ids), "and %s keeps only what is in her own mailbox" % a)

        # The auditor reads a conversation of reps[2]'s; the trail says so, with the mailbox.
        other = next(m for m in export if m["locations"] and m["locations"][0]["account"] == "%s@%s" % (reps[2], FIRM))
        st, _, _ = request(OP, base + "/conversation/%d" % other["thread"], headers=auth["aud"])
        c.check(st == 200, "the auditor opens %s's conversation: %s" % (reps[2], st))
        st, _, body = request(OP, base + "/audit?actor=aud&action=view_message", headers=auth["aud"])
        c.check(st == 200 and reps[2] + "@" + FIRM in body and "Read a message" in body, "/audit shows the auditor's read")
        st, _, body = request(OP, base + "/api/v1/audit?actor=aud&action=search", headers=dict(auth["aud"], Accept="application/json"))
        c.check(st == 200 and json.loads(body)["total"] >= 1, "and the auditor's searches, with their query: %s" % body[:200])
        st, _, body = request(OP, base + "/api/v1/audit?actor=wei&action=assign", headers=dict(auth["aud"], Accept="application/json"))
        rows = json.loads(body)["rows"] if st == 200 else []
        c.check(len(rows) == 1 and rows[0]["target"] == str(cust["id"]) and b in rows[0]["detail"], "and wei's assignment: %s" % rows)
    finally:
        code = terminate(serve)
        c.check(code == 0, "serve stops cleanly: %s" % serve.stderr.read().decode()[-300:])
c.done()
