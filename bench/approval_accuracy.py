#!/usr/bin/env python3
"""Approvals against a tradegen --workflow corpus's truth (deals.jsonl: per QT/PI its amount, needs_approval and the
approval's outcome and sent_before_approval). Compares, over the documents the archive knows:
  needs_approval (a record exists) exact; the outcome (approved, rejected, pending: no answer) exact for the documents
  that needed approval; violations (sent before approval) precision and recall; amounts equal to the stated totals.
Usage: approval_accuracy.py CORPUS APPROVALS.jsonl VIOLATIONS.jsonl DOCUMENTS.jsonl
  (tradewind approvals --json, approvals violations --json, documents --json)"""
import json
import sys


def main(corpus, approvals_path, violations_path, documents_path):
    truth = {}
    for line in open(corpus + "/deals.jsonl"):
        for d in json.loads(line).get("documents", []):
            if d.get("type") in ("QT", "PI"):
                truth[d["number"]] = d
    known = {json.loads(l)["number"]: json.loads(l) for l in open(documents_path)}
    ours = {json.loads(l)["document"]: json.loads(l) for l in open(approvals_path)}
    violations = [json.loads(l) for l in open(violations_path)]
    flagged = {v["document"] for v in violations if v["kind"] != "changed_after_approval"}
    kinds = {}
    for v in violations:
        kinds[v["kind"]] = kinds.get(v["kind"], 0) + 1
    docs = [n for n in truth if n in known]
    needs_ok = sum(1 for n in docs if (n in ours) == bool(truth[n]["needs_approval"]))
    needing = [n for n in docs if truth[n]["needs_approval"]]
    want = lambda n: (truth[n]["approval"] or {}).get("outcome") or "pending"  # noqa: E731
    def got(n):  # a superseded record keeps the decision it had (a rejection, then a revised document)
        if n not in ours:
            return "none"
        return (ours[n].get("outcome") or "pending") if ours[n]["state"] == "superseded" else ours[n]["state"]
    outcome_ok = sum(1 for n in needing if want(n) == got(n))
    early = {n for n in needing if (truth[n]["approval"] or {}).get("sent_before_approval") and truth[n].get("sent")}
    hit = early & flagged
    amounts_ok = sum(1 for n in needing if known[n].get("amount") and abs(float(known[n]["amount"]) - truth[n]["amount"]) < 0.005)
    wrong = [(n, want(n), got(n)) for n in needing if want(n) != got(n)][:8]
    out = {"documents": len(docs), "of_truth": len(truth), "needing": len(needing),
           "needs_approval_exact": round(needs_ok / len(docs), 4) if docs else 1.0,
           "outcome_exact": round(outcome_ok / len(needing), 4) if needing else 1.0,
           "states": {s: sum(1 for x in ours.values() if x["state"] == s) for s in sorted({x["state"] for x in ours.values()})},
           "violations": {"kinds": kinds, "found": len(flagged), "truth": len(early),
                          "precision": round(len(hit) / len(flagged), 4) if flagged else 1.0,
                          "recall": round(len(hit) / len(early), 4) if early else 1.0,
                          "extra": sorted(flagged - early)[:8], "missing": sorted(early - flagged)[:8]},
           "amounts_exact": round(amounts_ok / len(needing), 4) if needing else 1.0,
           "outcome_misses": wrong}
    print(json.dumps(out, indent=1, ensure_ascii=False))


main(*sys.argv[1:5])
