#!/usr/bin/env python3
"""tradewind parse over a generated trade-mail corpus, checked against the
generator's ground truth (../shared/corpus/tradegen.py, truth.jsonl)."""
import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checker, args, check_contract, run_parse, shared_or_skip  # noqa: E402

ENCODED_WORD = re.compile(r"=\?[\w.:-]+\?[bBqQ]\?[^?\s]*\?=")
# How tradegen names trade-document attachments; {} is a document number from truth.
ATTACHMENT_NAMES = ["报价单{}.pdf", "Quotation {}.pdf", "{}.pdf", "B_L {}.pdf", "Packing List {}.xlsx",
                    "Commercial Invoice {}.pdf", "LC {} draft.pdf"]


def utc(iso):
    return datetime.fromisoformat(iso).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    a = args()
    gen = os.path.join(shared_or_skip(a.shared, "corpus"), "tradegen.py")
    c = Checker("tradegen_corpus")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, gen, "--out", tmp, "--messages", "800", "--reps", "5", "--seed", "11",
                        "--flaws", "3", "--small-attachments"], check=True, capture_output=True)
        truth = [json.loads(l) for l in open(os.path.join(tmp, "truth.jsonl"), encoding="utf-8")]
        country = {x["id"]: x["country"] for x in json.load(open(os.path.join(tmp, "customers.json"), encoding="utf-8"))}
        cjk_subjects = named_attachments = 0
        files = [os.path.join(tmp, t["file"]) for t in truth]
        rc, out, err = run_parse(a.tradewind, files)
        c.check(rc == 0, "exit code %d (stderr: %s)" % (rc, err[:300]))
        c.check(len(out) == len(files), "%d lines for %d files" % (len(out), len(files)))
        c.check([o["file"] for o in out] == files, "lines in input order")
        flawed = {k: 0 for k in ("no_msgid", "bad_date", "broken_boundary", "bad_base64", "truncate", "raw8bit_subject")}
        for t, o in zip(truth, out):
            f = t["file"]
            flaws = set(t["flaws"])
            for k in flaws & set(flawed):
                flawed[k] += 1
            check_contract(c, o)
            # identity
            if t["message_id"]:
                c.check(o["message_id"] == t["message_id"] and not o["synthetic_id"],
                        "%s: message_id %r, want %r" % (f, o["message_id"], t["message_id"]))
            else:
                c.check(o["synthetic_id"] and "no Message-ID" in o["problems"], "%s: synthetic id expected" % f)
            # date
            if "bad_date" not in flaws and "truncate" not in flaws:
                c.check(o["date"] == utc(t["date"]) and o["date_source"] == "header",
                        "%s: date %s (%s), want %s" % (f, o["date"], o["date_source"], utc(t["date"])))
            elif "bad_date" in flaws:
                c.check(any("Date" in p for p in o["problems"]), "%s: bad Date not reported" % f)
            # the rep is a participant
            people = [x["normalized"] for k in ("from", "to", "cc") for x in o[k]]
            if "truncate" not in flaws:
                c.check(t["rep"] in people, "%s: rep %s not among %s" % (f, t["rep"], people))
            # clean UTF-8 text, no leftover encoded words
            names = [o["subject"]] + [x["name"] for k in ("from", "to", "cc") for x in o[k]] + \
                    [x["filename"] for x in o["attachments"]]
            for n in names:
                c.check(not ENCODED_WORD.search(n), "%s: undecoded encoded word in %r" % (f, n))
                c.check("\ufffd" not in n, "%s: replacement character in %r" % (f, n))
            # Chinese and Taiwanese customers' deals have Chinese subjects (GBK, Big5, encoded or raw)
            if country[t["customer"]] in ("CN", "TW") and "truncate" not in flaws:
                s = o["subject"]
                ok = "询价" in s or s.startswith("PI ") or s.startswith("FW: PI ")
                if "raw8bit_subject" in flaws:  # tradegen wrote it with errors="replace": some '?' are in the bytes
                    ok = bool(re.search(r"[\u4e00-\u9fff]", s))
                c.check(ok, "%s: subject %r of a Chinese deal lost its Chinese" % (f, s))
                cjk_subjects += 1
            # attachment names are exactly what the sender wrote
            if not flaws & {"truncate", "broken_boundary"}:
                for x in o["attachments"]:
                    if x["filename"].endswith((".pdf", ".xlsx")):
                        named_attachments += 1
                        want = {p.format(d) for d in t["docs"] for p in ATTACHMENT_NAMES}
                        c.check(x["filename"] in want, "%s: attachment name %r not one of %s" % (f, x["filename"], sorted(want)[:6]))
            # every trade document the message mentions is findable
            if not flaws & {"truncate", "bad_base64", "broken_boundary"}:
                hay = "\n".join([o["subject"], o["text"]] + [x["filename"] + "\n" + x["text"] for x in o["attachments"]])
                for d in t["docs"]:
                    c.check(d in hay, "%s: document %s not found in subject, text or attachments" % (f, d))
            # malformed mail is flagged (a flaw only shows where the message has what it breaks)
            raw = open(os.path.join(tmp, f), "rb").read()
            multipart = b"multipart/mixed" in raw
            if "broken_boundary" in flaws and multipart:
                c.check(any("never closed" in p for p in o["problems"]), "%s: broken boundary not reported" % f)
            if "bad_base64" in flaws and b"@@@@!!!!" in raw:
                c.check(any("bad base64" in p for p in o["problems"]), "%s: bad base64 not reported" % f)
            if "truncate" in flaws and multipart:
                c.check(o["problems"] != [], "%s: truncated message has no problems" % f)
            if not flaws - {"drop_refs", "long_line", "raw8bit_subject"}:
                c.check(o["problems"] in ([], ["raw 8-bit header text that is not UTF-8 (charset guessed)"]),
                        "%s: unexpected problems %s" % (f, o["problems"]))
        c.check(cjk_subjects > 50, "only %d Chinese-deal subjects checked" % cjk_subjects)
        c.check(named_attachments > 200, "only %d attachment names checked" % named_attachments)
        for k, n in flawed.items():
            c.check(n > 0, "the corpus has no %s message: the flaw checks did not run" % k)
        # the same message in several mailboxes has the same id
        by_id = {}
        for t, o in zip(truth, out):
            if t["message_id"]:
                by_id.setdefault(t["message_id"], set()).add(o["message_id"])
        c.check(all(len(v) == 1 for v in by_id.values()), "copies of one message got different ids")
        print("messages: %d, Chinese subjects: %d, attachment names: %d, flawed: %s"
              % (len(out), cjk_subjects, named_attachments, flawed))
    c.done()


if __name__ == "__main__":
    main()
