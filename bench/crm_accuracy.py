#!/usr/bin/env python3
"""Customer and document linking against tradegen's truth.

    bench/crm_accuracy.py EXPORT.jsonl TRUTH.jsonl [CUSTOMERS.jsonl]

EXPORT is `tradewind export` output. Each archived customer is matched to the
truth customer it shares the most messages with; a message is linked right
when its customers, so matched, are exactly its truth customer. Reported:
customer accuracy (messages linked right / messages of known customers),
purity (no archived customer spans two truth customers: freemail contacts are
never merged), split companies (a business customer that became several
archived ones; freemail customers with several contacts are kept one per
contact by design and counted apart), and
document precision/recall over (message, number) pairs against truth `docs`."""
import collections
import json
import os
import sys

export_path, truth_path = sys.argv[1], sys.argv[2]
truth = {}
for line in open(truth_path, encoding="utf-8"):
    t = json.loads(line)
    if t.get("message_id"):
        truth.setdefault(t["message_id"], t)
got = {}
for line in open(export_path, encoding="utf-8"):
    m = json.loads(line)
    got[m["message_id"]] = m

overlap = collections.defaultdict(collections.Counter)  # archived customer -> truth customer -> messages
for mid, t in truth.items():
    m = got.get(mid)
    if m and t.get("customer"):
        for c in m.get("customers", []):
            overlap[c][t["customer"]] += 1
match = {c: cnt.most_common(1)[0][0] for c, cnt in overlap.items()}
impure = sorted(c for c, cnt in overlap.items() if len(cnt) > 1)
per_truth = collections.defaultdict(set)
for c, tc in match.items():
    per_truth[tc].add(c)
split = sorted(tc for tc, cs in per_truth.items() if len(cs) > 1)
# Freemail customers with several contacts are several customers by design
# (until a user merges them); a split company is an error.
freemail = set()
customers_json = os.path.join(os.path.dirname(truth_path), "customers.json")
truth_owner = {}
if os.path.exists(customers_json):
    for c in json.load(open(customers_json, encoding="utf-8")):
        truth_owner[c["id"]] = c.get("owner")
        if c.get("freemail"):
            freemail.add(c["id"])

known = right = missing = 0
wrong = []
for mid, t in truth.items():
    if not t.get("customer"):
        continue
    m = got.get(mid)
    if m is None:
        missing += 1
        continue
    known += 1
    linked = {match.get(c, "?" + c) for c in m.get("customers", [])}
    if linked == {t["customer"]}:
        right += 1
    elif len(wrong) < 5:
        wrong.append((mid, t["customer"], sorted(linked)))

# Owners: an archived customer's owner (`tradewind customers --json`, optional
# third argument) against its truth customer's.
owners_right = owners = 0
if len(sys.argv) > 3 and sys.argv[3] != "--json":
    for line in open(sys.argv[3], encoding="utf-8"):
        c = json.loads(line)
        tc = match.get(c["id"])
        if tc and truth_owner.get(tc):
            owners += 1
            owners_right += c.get("owner") == truth_owner[tc]

tp = fp = fn = 0
for mid, t in truth.items():
    m = got.get(mid)
    if m is None:
        continue
    want, have = set(t.get("docs", [])), set(m.get("documents", []))
    tp += len(want & have)
    fp += len(have - want)
    fn += len(want - have)
out = {
    "messages": known, "missing": missing,
    "customer_accuracy": round(right / known, 4) if known else 0.0,
    "impure_customers": len(impure),
    "split_companies": sum(1 for tc in split if tc not in freemail),
    "freemail_customers_kept_per_contact": sum(1 for tc in split if tc in freemail),
    "owner_accuracy": round(owners_right / owners, 4) if owners else None,
    "doc_precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
    "doc_recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
    "examples_wrong": wrong,
}
print(json.dumps(out, ensure_ascii=False))
