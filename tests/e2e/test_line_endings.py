#!/usr/bin/env python3
"""The same mail with LF, CRLF and bare-CR line endings parses the same:
Maildir stores LF, IMAP sends CRLF, old Mac clients wrote CR. Checked over the
edge corpus and, when ../shared is there, the sisimai bounce set."""
import glob
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checker, args, run_parse  # noqa: E402

FIELDS = ("subject", "message_id", "synthetic_id", "date", "date_source", "in_reply_to", "references")


def summary(o):
    return {
        **{k: o[k] for k in FIELDS},
        "from": [x["normalized"] for x in o["from"]],
        "to": [x["normalized"] for x in o["to"]],
        "attachments": [(x["filename"], x["content_type"]) for x in o["attachments"]],
        "words": o["text"].split(),
    }


def main():
    a = args()
    c = Checker("line_endings")
    sources = sorted(glob.glob(os.path.join(a.corpora, "edge", "*.eml")))
    sisimai = os.path.join(a.shared, "corpora", "sisimai-bounces-ja", "lf")
    if os.path.isdir(sisimai):
        sources += sorted(glob.glob(os.path.join(sisimai, "*.eml")))
    else:
        print("note: %s is absent; checking the edge corpus only" % sisimai)
    with tempfile.TemporaryDirectory() as tmp:
        variants = {"lf": [], "crlf": [], "cr": []}
        for i, src in enumerate(sources):
            data = open(src, "rb").read().replace(b"\r\n", b"\n")
            for kind, nl in (("lf", b"\n"), ("crlf", b"\r\n"), ("cr", b"\r")):
                path = os.path.join(tmp, "%s-%04d.eml" % (kind, i))
                with open(path, "wb") as fh:
                    fh.write(data.replace(b"\n", nl))
                os.utime(path, (1736600000, 1736600000))  # same arrival time for all
                variants[kind].append(path)
        results = {}
        for kind, paths in variants.items():
            rc, out, err = run_parse(a.tradewind, paths)
            c.check(rc == 0 and len(out) == len(paths), "%s: exit %d, %d lines (%s)" % (kind, rc, len(out), err[:200]))
            results[kind] = [summary(o) for o in out]
        for kind in ("crlf", "cr"):
            for src, base, other in zip(sources, results["lf"], results[kind]):
                for key in base:
                    c.check(base[key] == other[key], "%s (%s): %s is %r with LF, %r with %s"
                            % (os.path.basename(src), kind, key, str(base[key])[:80], str(other[key])[:80], kind))
    print("messages: %d, each in 3 line-ending variants" % len(sources))
    c.done()


if __name__ == "__main__":
    main()
