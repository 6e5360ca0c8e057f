#!/usr/bin/env python3
"""End to end: a tradegen corpus imported from Maildir, every message linked
to its customer and documents (checked against truth.jsonl and customers.json
with bench/crm_accuracy.py), the customer: and doc: searches, relink, the
conflicts and pool commands."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checker, args, shared_or_skip  # noqa: E402

A = args()
TW = A.tradewind
ACCURACY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "crm_accuracy.py")
c = Checker("e2e.crm")


def tw(*argv):
    p = subprocess.run([TW, *argv], capture_output=True, timeout=600)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def lines(out):
    return [json.loads(l) for l in out.splitlines() if l.strip()]


gen = os.path.join(shared_or_skip(A.shared, "corpus"), "tradegen.py")
with tempfile.TemporaryDirectory() as tmp:
    corpus = os.path.join(tmp, "corpus")
    subprocess.run([sys.executable, gen, "--out", corpus, "--messages", "1500", "--reps", "4", "--customers", "60",
                    "--seed", "5", "--small-attachments"], check=True, capture_output=True)
    data = os.path.join(tmp, "data")
    for rep in sorted(os.listdir(corpus)):
        if os.path.isdir(os.path.join(corpus, rep)):
            code, out, err = tw("import", "--data", data, "--account", rep + "@acme-trading.example", os.path.join(corpus, rep))
            c.check(code == 0, "import %s: %s" % (rep, err))

    def accuracy(tag):
        export, customers = os.path.join(tmp, tag + ".jsonl"), os.path.join(tmp, tag + "-customers.jsonl")
        with open(export, "w") as f:
            subprocess.run([TW, "export", "--data", data], stdout=f, check=True)
        with open(customers, "w") as f:
            subprocess.run([TW, "customers", "--data", data, "--json"], stdout=f, check=True)
        p = subprocess.run([sys.executable, ACCURACY, export, os.path.join(corpus, "truth.jsonl"), customers],
                           capture_output=True, text=True)
        return json.loads(p.stdout)

    acc = accuracy("import")
    print("after import:", json.dumps(acc, ensure_ascii=False))
    c.check(acc["missing"] == 0 and acc["messages"] > 1000, "messages: %s" % acc)
    c.check(acc["customer_accuracy"] == 1.0, "every message linked to exactly its customer: %s" % acc["examples_wrong"])
    c.check(acc["impure_customers"] == 0, "no customer mixes two companies or freemail contacts")
    c.check(acc["split_companies"] == 0, "no company split in two")
    c.check(acc["owner_accuracy"] == 1.0, "owners are the first reps to correspond: %s" % acc["owner_accuracy"])
    c.check(acc["doc_precision"] >= 0.99 and acc["doc_recall"] >= 0.99, "documents P %.4f R %.4f"
            % (acc["doc_precision"], acc["doc_recall"]))

    # Freemail contacts are never joined by their domain.
    code, out, err = tw("customers", "--data", data, "--json")
    customers = lines(out)
    free = [x for x in customers if x["kind"] == "freemail"]
    c.check(free and all(len(x["contacts"]) == 1 and not x["domains"] for x in free),
            "freemail customers: one contact each, no domain (%d)" % len(free))
    c.check(not any(d.endswith("acme-trading.example") for x in customers for d in x["domains"]),
            "the firm's own domain is no customer")

    # customer: finds exactly that customer's messages; doc: every message about a document.
    biggest = max(customers, key=lambda x: x["messages"])
    code, out, err = tw("search", "--data", data, "--json", "--limit", "100000", "customer:" + biggest["id"])
    c.check(len(lines(out)) == biggest["messages"], "customer:%s finds %d of %d" % (biggest["id"], len(lines(out)),
                                                                                   biggest["messages"]))
    truth = {}
    for l in open(os.path.join(corpus, "truth.jsonl"), encoding="utf-8"):
        t = json.loads(l)
        truth.setdefault(t["message_id"], t)
    pis = sorted({d for t in truth.values() for d in t["docs"] if d.startswith("PI-")})
    pi = pis[len(pis) // 2]
    want = {mid for mid, t in truth.items() if pi in t["docs"]}
    code, out, err = tw("search", "--data", data, "--json", "--limit", "1000", "doc:" + pi)
    got = {h["message_id"] for h in lines(out)}
    c.check(got == want, "doc:%s finds its messages, attachments included: %d found, %d expected" % (pi, len(got), len(want)))
    code, out, err = tw("documents", "--data", data, "--json")
    docs = {d["number"]: d for d in lines(out)}
    c.check(docs.get(pi, {}).get("type") == "proforma_invoice" and docs[pi]["customer"], "document record: %s" % docs.get(pi))
    types = {d["type"] for d in docs.values()}
    c.check({"quotation", "proforma_invoice", "purchase_order", "bill_of_lading"} <= types, "document types: %s" % types)

    # relink: same links, same customer ids, seconds.
    ids = sorted(x["id"] for x in customers)
    code, out, err = tw("relink", "--data", data)
    c.check(code == 0 and "relinked" in out, "relink: " + out + err)
    acc2 = accuracy("relink")
    c.check(acc2["customer_accuracy"] == 1.0 and acc2["doc_recall"] == acc["doc_recall"], "after relink: %s" % acc2)
    code, out, err = tw("customers", "--data", data, "--json")
    c.check(sorted(x["id"] for x in lines(out)) == ids, "relink keeps customer ids")
    code, out, err = tw("search", "--data", data, "--json", "--limit", "100000", "customer:" + biggest["id"])
    c.check(len(lines(out)) == biggest["messages"], "customer: search after relink")

    # Internal domains: declaring a customer's domain internal removes it on relink.
    dom = next(x for x in customers if x["kind"] == "company")["domains"][0]
    tw("settings", "--data", data, "set", "internal_domains", dom)
    tw("relink", "--data", data)
    code, out, err = tw("customers", "--data", data, "--json")
    c.check(not any(dom in x["domains"] for x in lines(out)), "a domain made internal is no customer after relink")
    tw("settings", "--data", data, "set", "internal_domains", "")
    tw("relink", "--data", data)

    # Users' decisions survive relinking: merge two freemail contacts, rename, split a contact off,
    # correct a document.
    def customers_now():
        return {x["id"]: x for x in lines(tw("customers", "--data", data, "--json")[1])}
    now = customers_now()
    free = sorted((x for x in now.values() if x["kind"] == "freemail"), key=lambda x: int(x["id"]))
    company = next(x for x in sorted(now.values(), key=lambda x: -x["messages"]) if x["kind"] == "company" and len(x["contacts"]) > 1)
    if len(free) >= 2:
        a_, b_ = free[0], free[1]
        code, out, err = tw("customers", "--data", data, "merge", b_["id"], a_["id"])
        c.check(code == 0, "merge: " + out + err)
        code, out, err = tw("customers", "--data", data, "rename", a_["id"], "Two buyers, one firm")
        tw("relink", "--data", data)
        after = customers_now()
        c.check(b_["id"] not in after and after.get(a_["id"], {}).get("messages") == a_["messages"] + b_["messages"],
                "merged customer holds both contacts' mail after relink: %s" % after.get(a_["id"]))
        c.check(after.get(a_["id"], {}).get("name") == "Two buyers, one firm", "the user's name survives relink")
    moved = company["contacts"][-1]["address"]
    code, out, err = tw("customers", "--data", data, "split", "Branch office", moved)
    c.check(code == 0 and "new customer" in out, "split: " + out + err)
    tw("relink", "--data", data)
    after = customers_now()
    branch = [x for x in after.values() if x["name"] == "Branch office"]
    c.check(len(branch) == 1 and [k["address"] for k in branch[0]["contacts"]] == [moved] and branch[0]["messages"] > 0
            and moved not in [k["address"] for k in after[company["id"]]["contacts"]],
            "a split-off contact keeps its own customer after relink: %s" % branch)
    code, out, err = tw("documents", "--data", data, "set", pi, "status", "confirmed")
    tw("relink", "--data", data)
    docs = {d["number"]: d for d in lines(tw("documents", "--data", data, "--json")[1])}
    c.check(code == 0 and docs[pi]["status"] == "confirmed", "a document correction survives: %s" % docs.get(pi))
    code, out, err = tw("documents", "--data", data, "set", pi, "currency", "dollars")
    c.check(code == 1 and "ISO 4217" in err, "a bad value is refused with the reason: " + err)
    code, out, err = tw("documents", "--data", data, "show", pi, "--json")
    shown = lines(out)
    c.check(code == 0 and shown and {m["place"] for m in shown} <= {"subject", "body", "filename", "attachment"}
            and len({m["row"] for m in shown}) == docs[pi]["messages"], "documents show lists every mention: %s" % shown[:3])
    code, out, err = tw("documents", "--data", data, "add", "SC-2026-0001", "contract", "--customer", company["id"],
                        "--status", "confirmed")
    docs = {d["number"]: d for d in lines(tw("documents", "--data", data, "--json")[1])}
    c.check(code == 0 and docs.get("SC-2026-0001", {}).get("customer") == company["id"]
            and docs["SC-2026-0001"]["status"] == "confirmed", "a document recorded by hand: %s" % docs.get("SC-2026-0001"))
    code, out, err = tw("documents", "--data", data, "add", "SC-2026-0001", "contract")
    c.check(code == 1 and "exists already" in err, "the same number twice is refused: " + err)
    code, out, err = tw("customers", "--data", data, "lookup", company["domains"][0])
    c.check("taken by " + company["owner"] in out, "lookup says who owns a company: " + out)
    code, out, err = tw("customers", "--data", data, "lookup", "nobody@new-buyer.example")
    c.check("not a customer yet" in out, "lookup of an unknown address: " + out)

    # The firm's own numbering: refused when malformed, applied to mail stored from then on,
    # and to archived mail by a reindex.
    old = os.path.join(tmp, "best-old.eml")
    with open(old, "wb") as f:
        f.write(b"From: Buyer <buyer@best-buy.example>\r\nTo: lily.zhou@acme-trading.example\r\nSubject: an older order\r\n"
                b"Message-ID: <best-0@best-buy.example>\r\nDate: Fri, 02 Jan 2026 10:00:00 +0000\r\n\r\n"
                b"Order BEST-40016, total USD 4,500.00.\r\n")
    tw("import", "--data", data, "--account", "lily.zhou@acme-trading.example", old)
    before_patterns = {d["number"]: d for d in lines(tw("documents", "--data", data, "--json")[1])}
    code, out, err = tw("settings", "--data", data, "set", "doc_patterns", '{"purchase_order": ["BEST-\\\\d{5}("]}')
    c.check(code == 1 and "bad pattern" in err, "a malformed pattern is refused: " + out + err)
    code, out, err = tw("settings", "--data", data, "set", "doc_patterns", '{"purchase_order": ["BEST-\\\\d{5}"]}')
    c.check(code == 0, "doc_patterns set: " + out + err)
    eml = os.path.join(tmp, "best.eml")
    with open(eml, "wb") as f:
        f.write(b"From: Buyer <buyer@best-buy.example>\r\nTo: lily.zhou@acme-trading.example\r\nSubject: our order\r\n"
                b"Message-ID: <best-1@best-buy.example>\r\nDate: Mon, 05 Jan 2026 10:00:00 +0000\r\n\r\n"
                b"Please confirm order BEST-40017.\r\n")
    tw("import", "--data", data, "--account", "lily.zhou@acme-trading.example", eml)
    docs = {d["number"]: d for d in lines(tw("documents", "--data", data, "--json")[1])}
    c.check(docs.get("BEST-40017", {}).get("type") == "purchase_order", "a firm's own pattern: %s" % docs.get("BEST-40017"))
    code, out, err = tw("search", "--data", data, "--json", "doc:BEST-40017")
    c.check(len(lines(out)) == 1, "doc: finds it")
    c.check("BEST-40016" not in docs, "mail archived before the pattern is not rescanned by itself")
    code, out, err = tw("reindex", "--data", data)
    docs = {d["number"]: d for d in lines(tw("documents", "--data", data, "--json")[1])}
    code2, out2, err2 = tw("search", "--data", data, "--json", "doc:BEST-40016")
    c.check(code == 0 and docs.get("BEST-40016", {}).get("type") == "purchase_order"
            and (docs["BEST-40016"]["amount"], docs["BEST-40016"]["currency"]) == ("4500.00", "USD") and len(lines(out2)) == 1,
            "reindex recognises archived mail by the new pattern, with its stated total: %s %s" % (docs.get("BEST-40016"), err))
    c.check(docs[pi]["status"] == "confirmed" and set(before_patterns) <= set(docs)
            and len(docs) == len(before_patterns) + 2, "reindex keeps every other document and the user's correction (%d, %d)"
            % (len(before_patterns), len(docs)))

    # Conflicts and the pool run over the archive; the pool follows the injected clock.
    code, out, err = tw("conflicts", "--data", data, "--json")
    c.check(code == 0, "conflicts: " + err)
    found = lines(out)
    if found:
        first = found[0]["id"]
        code, out, err = tw("conflicts", "--data", data, "close", str(first))
        now = {x["id"]: x["status"] for x in lines(tw("conflicts", "--data", data, "--json")[1])}
        c.check(code == 0 and now.get(first) == "closed", "a conflict is closed and stays closed after a rescan: %s" % now.get(first))
    code, out, err = tw("conflicts", "--data", data, "close", "999999")
    c.check(code == 1 and "no conflict" in err, "closing an unknown conflict says so: " + err)
    code, out, err = tw("pool", "--data", data, "--json", "--now", "2020-01-01")
    c.check(code == 0 and lines(out) == [], "nothing is idle before the mail began: " + out[:200] + err)
    code, out, err = tw("pool", "--data", data, "--json", "--now", "2035-01-01")
    pool = lines(out)
    c.check(len(pool) == len(customers_now()), "everyone is idle ten years on: %d of %d" % (len(pool), len(customers_now())))
    code, out, err = tw("pool", "--data", data, "claim", pool[0]["id"], "--rep", "kevin.li@acme-trading.example")
    c.check(code == 0, "claim: " + out + err)
    code, out, err = tw("pool", "--data", data, "claim", pool[0]["id"], "--rep", "lily.zhou@acme-trading.example")
    c.check(code == 1 and "not in the pool" in err, "a claimed customer cannot be claimed again: " + err)
c.done()
