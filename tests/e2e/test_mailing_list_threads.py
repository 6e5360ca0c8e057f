#!/usr/bin/env python3
"""Real mailing-list threads (../shared/corpora/notmuch-edge: LKML, the notmuch
list, ghost roots, References/In-Reply-To conflicts, duplicate ids): the
archive's conversations must be exactly the groups that Message-ID, In-Reply-To
and References connect. The subject fallback must not merge conversations that
the references keep apart, and must not split any."""
import glob
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checker, args, run_parse, shared_or_skip  # noqa: E402


def main():
    a = args()
    root = shared_or_skip(a.shared, "corpora/notmuch-edge")
    c = Checker("mailing_list_threads")
    files = sorted(f for f in glob.glob(os.path.join(root, "**", "*.eml"), recursive=True))
    c.check(len(files) > 40, "found %d messages" % len(files))
    rc, parsed, _ = run_parse(a.tradewind, files)
    # The oracle: union-find over every id a message names.
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for o in parsed:
        ids = [o["message_id"]] + o["references"] + ([o["in_reply_to"]] if o["in_reply_to"] else [])
        for i in ids[1:]:
            parent[find(i)] = find(ids[0])
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run([a.tradewind, "import", "--data", tmp, "--account", "archive@notmuchmail.org", *files],
                           capture_output=True, timeout=600)
        c.check(p.returncode == 0, "import failed: %s" % p.stderr.decode()[:300])
        rows = [json.loads(l) for l in subprocess.run([a.tradewind, "export", "--data", tmp], capture_output=True,
                                                        check=True).stdout.decode().splitlines()]
    ours = {r["message_id"]: r["thread"] for r in rows}
    truth = {mid: find(mid) for mid in ours}
    both = Counter((truth[m], ours[m]) for m in ours)
    def pairs(cnt):
        return sum(n * (n - 1) // 2 for n in cnt.values())
    tp, pp, ap = pairs(both), pairs(Counter(ours.values())), pairs(Counter(truth.values()))
    precision = tp / pp if pp else 1.0
    recall = tp / ap if ap else 1.0
    print("messages %d, conversations %d (references say %d), precision %.4f, recall %.4f"
          % (len(ours), len(set(ours.values())), len(set(truth.values())), precision, recall))
    c.check(precision == 1.0, "the fallback merged conversations the references keep apart")
    c.check(recall == 1.0, "conversations the references join were split")
    c.done()


if __name__ == "__main__":
    main()
