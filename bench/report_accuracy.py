#!/usr/bin/env python3
"""The responses report against a tradegen --workflow corpus's truth (deals.jsonl: each customer-facing inbound
message's time and the next customer-facing reply in its deal, and the deal's rep). Per rep: received, replied and
unreplied counts, and the median and p90 first-response time in business minutes of the rep calendar in meta.json
(computed here from the truth times, by the same definitions: the median of an even count is the mean of the middle
two, p90 is the nearest rank). Prints the differences and whether each is within the target (counts exact, times
within 1 minute).
With FUNNEL.json (tradewind report funnel --json): the deals reaching each stage against the truth's stages (within
0.5% from quotation on; inquiry counts conversations, so threading splits show there) and the values against the
truth's amounts (each deal's latest quotation, or PI from the PI stage on, that was sent).
Usage: report_accuracy.py CORPUS RESPONSES.json [FUNNEL.json]"""
import datetime as dt
import json
import math
import statistics
import sys
from zoneinfo import ZoneInfo


def business_minutes(a, b, tz, start_h, end_h):
    """Open minutes in [a, b) of a Mon-Fri start_h-end_h calendar in zone tz."""
    if b <= a:
        return 0.0
    a, b = a.astimezone(tz), b.astimezone(tz)
    total, day = 0.0, a.date()
    while day <= b.date():
        if day.weekday() < 5:
            lo = dt.datetime.combine(day, dt.time(start_h), tz)
            hi = dt.datetime.combine(day, dt.time(end_h), tz)
            s, e = max(lo, a), min(hi, b)
            if e > s:
                total += (e - s).total_seconds() / 60
        day += dt.timedelta(days=1)
    return total


def p90(v):
    v = sorted(v)
    return v[max(1, math.ceil(0.9 * len(v))) - 1] if v else 0


def main(corpus, responses_path, funnel_path):
    meta = json.load(open(corpus + "/meta.json"))
    cal = meta["rep_calendar"]
    tz = ZoneInfo(cal["tz"])
    start_h, end_h = (int(x.split(":")[0]) for x in cal["hours"].split("-"))
    truth = {}
    for line in open(corpus + "/deals.jsonl"):
        for r in json.loads(line).get("responses", []):
            t = truth.setdefault(r["rep"], {"received": 0, "replied": 0, "minutes": []})
            t["received"] += 1
            if r["reply"]:
                t["replied"] += 1
                t["minutes"].append(business_minutes(dt.datetime.fromisoformat(r["inbound"]),
                                                     dt.datetime.fromisoformat(r["reply"]), tz, start_h, end_h))
    ours = {r["rep"]: r for r in json.load(open(responses_path))["reps"]}
    rows, ok = [], True
    for rep in sorted(truth):
        t, o = truth[rep], ours.get(rep, {})
        row = {"rep": rep, "received": [o.get("received"), t["received"]], "replied": [o.get("replied"), t["replied"]],
               "unreplied": [o.get("unreplied"), t["received"] - t["replied"]],
               "median_business_minutes": [o.get("median_business_minutes"), round(statistics.median(t["minutes"]), 1)],
               "p90_business_minutes": [o.get("p90_business_minutes"), round(p90(t["minutes"]), 1)]}
        row["counts_exact"] = all(row[k][0] == row[k][1] for k in ("received", "replied", "unreplied"))
        row["times_within_1_min"] = all(row[k][0] is not None and abs(row[k][0] - row[k][1]) <= 1
                                        for k in ("median_business_minutes", "p90_business_minutes"))
        ok = ok and row["counts_exact"] and row["times_within_1_min"]
        rows.append(row)
    out = {"reps": rows, "all_within_targets": ok}
    if funnel_path:
        counts, values, deals = {}, {}, 0
        for line in open(corpus + "/deals.jsonl"):
            d = json.loads(line)
            deals += 1
            sent = lambda t: [x for x in d["documents"] if x["type"] == t and x.get("sent")]  # noqa: E731
            latest = lambda xs: max(xs, key=lambda x: x["sent"])["amount"] if xs else 0  # noqa: E731
            for st in d["stages"]:
                counts[st] = counts.get(st, 0) + 1
                if st == "quotation":
                    values[st] = values.get(st, 0) + latest(sent("QT"))
                if st in ("pi", "po", "shipping", "invoice"):
                    values[st] = values.get(st, 0) + latest(sent("PI"))
        stages = []
        for x in json.load(open(funnel_path))["stages"]:
            t = counts.get(x["stage"], 0)
            stages.append({"stage": x["stage"], "deals": [x["deals"], t],
                           "off": round(abs(x["deals"] - t) / t, 4) if t else None,
                           "value": [x["value"], round(values.get(x["stage"], 0), 2)]})
        out["funnel"] = {"truth_deals": deals, "stages": stages,
                         "within_0.5%_from_quotation": all(s["off"] is not None and s["off"] <= 0.005
                                                           for s in stages if s["stage"] != "inquiry")}
    print(json.dumps(out, indent=1))


main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
