#!/usr/bin/env python3
"""Follow-ups against a tradegen --workflow corpus's truth: reply_due conversations against the deals awaiting
"us", customer_silent against those awaiting "customer", and each due time against the deadline computed here,
independently, from meta.json's calendar (Mon-Fri 09:00-18:00 in a zone without DST): 8 business hours after a
customer's mail, 3 business days after the firm's. Usage:
  followup_accuracy.py CORPUS FOLLOWUPS.jsonl EXPORT.jsonl   (EXPORT: tradewind export --hashes)"""
import datetime as dt
import json
import sys
from zoneinfo import ZoneInfo


def main(corpus, followups_path, export_path):
    meta = json.load(open(corpus + "/meta.json"))
    cal = meta["rep_calendar"]
    assert cal["days"] == "Mon-Fri", cal
    zone = ZoneInfo(cal["tz"])
    o, c = [int(x) for x in cal["hours"].split("-")[0].split(":")], [int(x) for x in cal["hours"].split("-")[1].split(":")]
    opening, closing = dt.time(o[0], o[1]), dt.time(c[0], c[1])

    def snap(t):
        t = t.astimezone(zone)
        while True:
            if t.weekday() < 5 and t.time() < closing:
                return max(t, t.replace(hour=opening.hour, minute=opening.minute, second=0))
            t = (t + dt.timedelta(days=1)).replace(hour=opening.hour, minute=opening.minute, second=0)

    def add_hours(t, hours):
        left, t = dt.timedelta(hours=hours), snap(t)
        while True:
            room = t.replace(hour=closing.hour, minute=closing.minute, second=0) - t
            if left <= room:
                return t + left
            left -= room
            t = snap(t.replace(hour=closing.hour, minute=closing.minute) + dt.timedelta(minutes=1))

    def add_days(t, days):
        t = snap(t)
        d = t
        while days:
            d += dt.timedelta(days=1)
            if d.weekday() < 5:
                days -= 1
        return snap(d)

    # Each corpus file's conversation in the archive, by its Maildir name (export --hashes gives every
    # location's source), so mail without a Message-ID is placed too.
    thread_of = {}
    for line in open(export_path):
        m = json.loads(line)
        for loc in m["locations"]:
            if "source" in loc:
                thread_of[(loc["account"].split("@")[0], loc["source"])] = m["thread"]
    deal_thread = {}
    for line in open(corpus + "/truth.jsonl"):
        t = json.loads(line)
        key = (t["file"].split("/")[0], t["file"].split("/")[-1].split(":")[0])
        if key in thread_of and t.get("direction") in ("inbound", "outbound"):
            deal_thread.setdefault(t["deal"], thread_of[key])
    want = {"reply_due": {}, "customer_silent": {}}
    for line in open(corpus + "/deals.jsonl"):
        d = json.loads(line)
        if d["awaiting"] and d["deal"] in deal_thread:
            since = dt.datetime.fromisoformat(d["awaiting_since"])
            kind = "reply_due" if d["awaiting"] == "us" else "customer_silent"
            want[kind][deal_thread[d["deal"]]] = add_hours(since, 8) if kind == "reply_due" else add_days(since, 3)
    got = {"reply_due": {}, "customer_silent": {}}
    for line in open(followups_path):
        f = json.loads(line)
        if f["kind"] in got:
            got[f["kind"]][f["thread"]] = dt.datetime.fromisoformat(f["due"].replace("Z", "+00:00"))
    out = {}
    for kind in got:
        g, w = set(got[kind]), set(want[kind])
        both = g & w
        exact = sum(1 for t in both if abs((got[kind][t] - want[kind][t]).total_seconds()) < 60)
        out[kind] = {"found": len(g), "truth": len(w), "precision": round(len(both) / len(g), 4) if g else 1.0,
                     "recall": round(len(both) / len(w), 4) if w else 1.0, "due_exact": round(exact / len(both), 4) if both else 1.0,
                     "examples_missing": sorted(w - g)[:5], "examples_extra": sorted(g - w)[:5],
                     "examples_due": [(t, got[kind][t].isoformat(), want[kind][t].isoformat()) for t in sorted(both)
                                      if abs((got[kind][t] - want[kind][t]).total_seconds()) >= 60][:3]}
    print(json.dumps(out, indent=1))


main(*sys.argv[1:4])
