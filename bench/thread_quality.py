#!/usr/bin/env python3
"""Pairwise threading precision/recall/F1 of an archive against tradegen truth.

  thread_quality.py EXPORT.jsonl TRUTH.jsonl

EXPORT is `tradewind export` output. Counted, as the issue defines it: messages
that have a Message-ID, leaving out the approval forwards; truth deal = conversation."""
import json
import sys
from collections import Counter, defaultdict


def pairs(counter):
    return sum(n * (n - 1) // 2 for n in counter.values())


def main():
    export, truth = sys.argv[1], sys.argv[2]
    deal = {}
    for line in open(truth, encoding="utf-8"):
        t = json.loads(line)
        if t["message_id"] and t["stage"] != "approval":
            deal[t["message_id"]] = t["deal"]
    thread = {}
    for line in open(export, encoding="utf-8"):
        e = json.loads(line)
        if e["message_id"] in deal:
            thread[e["message_id"]] = e["thread"]
    ids = [i for i in deal if i in thread]
    both = Counter((deal[i], thread[i]) for i in ids)
    tp = pairs(both)
    predicted = pairs(Counter(thread[i] for i in ids))
    actual = pairs(Counter(deal[i] for i in ids))
    p = tp / predicted if predicted else 1.0
    r = tp / actual if actual else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    missing = len(deal) - len(ids)
    print(json.dumps({"messages": len(ids), "missing": missing, "precision": round(p, 4), "recall": round(r, 4),
                      "f1": round(f1, 4)}))


if __name__ == "__main__":
    main()
