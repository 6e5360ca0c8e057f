#!/usr/bin/env python3
"""tradewind parse over Stalwart mail-parser's test messages
(../shared/corpora/mime-edge-expected/stalwart-*), compared with Stalwart's
own expected parse: subject, From, Message-ID, Date and attachment names.
Deliberate differences are listed in KNOWN with the reason."""
import glob
import json
import os
import sys
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checker, args, run_parse, shared_or_skip  # noqa: E402

KNOWN = {
    # (file, field): why Tradewind differs
}


def header(exp, name):
    for h in exp["parts"][0]["headers"]:
        if h["name"] == name:
            return h["value"]
    return None


def utc(dt):
    off = timedelta(hours=dt["tz_hour"], minutes=dt["tz_minute"])
    if dt["tz_before_gmt"]:
        off = -off
    t = datetime(dt["year"], dt["month"], dt["day"], dt["hour"], dt["minute"], dt["second"], tzinfo=timezone(off))
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def part_filename(part):
    for h in part["headers"]:
        if h["name"] in ("content_disposition", "content_type") and isinstance(h["value"], dict):
            for a in h["value"]["ContentType"].get("attributes") or []:
                if a["name"] in ("filename", "name") and a["value"]:
                    return a["value"]
    return None


def main():
    a = args()
    root = shared_or_skip(a.shared, "corpora/mime-edge-expected")
    c = Checker("stalwart_expected")
    files = sorted(glob.glob(os.path.join(root, "stalwart-*", "*.eml")))
    c.check(len(files) >= 50, "found %d Stalwart messages" % len(files))
    rc, out, err = run_parse(a.tradewind, files)
    c.check(rc == 0, "exit code %d (%s)" % (rc, err[:200]))
    compared = 0
    for f, o in zip(files, out):
        exp_path = os.path.join(os.path.dirname(f), "expected", os.path.basename(f)[:-4] + ".json")
        if not os.path.exists(exp_path):
            continue
        exp = json.load(open(exp_path, encoding="utf-8"))
        name = os.path.relpath(f, root)

        def check(field, got, want):
            if (name, field) in KNOWN:
                return
            c.check(got == want, "%s: %s is %r, Stalwart says %r" % (name, field, got, want))

        subj = header(exp, "subject")
        if isinstance(subj, dict) and "Text" in subj:
            check("subject", o["subject"], subj["Text"].strip())
            compared += 1
        mid = header(exp, "message_id")
        if isinstance(mid, dict) and "Text" in mid:
            check("message_id", o["message_id"], mid["Text"])
        date = header(exp, "date")
        if isinstance(date, dict) and "DateTime" in date:
            check("date", o["date"], utc(date["DateTime"]))
        frm = header(exp, "from")
        if isinstance(frm, dict) and "Address" in frm and "List" in frm["Address"]:
            want = [(x["address"] or "").lower() for x in frm["Address"]["List"] if x["address"]]
            check("from", [x["normalized"] for x in o["from"] if x["address"]], want)
        names = sorted(n for n in (part_filename(exp["parts"][i]) for i in exp["attachments"]) if n)
        ours = sorted(x["filename"] for x in o["attachments"])
        for n in names:
            check("attachment " + n, n in ours, True)
    c.check(compared >= 20, "only %d subjects compared" % compared)
    print("messages: %d, subjects compared: %d" % (len(out), compared))
    c.done()


if __name__ == "__main__":
    main()
