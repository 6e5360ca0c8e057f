"""End to end: "My day" at / and the follow-up actions on the pages, over mail dated relative to now (the project's
own fixture, no ../shared): a rep sees their overdue items first, with customer, subject, documents, business hours
waited and the due time in their zone, labelled; a manager sees the team by rep, and the escalations; the actions
(snooze 1 h, tomorrow, a date, done, dismiss with a reason, open again, remind me) change what the home shows; bad
parameters are a 400 or 404 that says why; the pages speak English and 简体中文 (Accept-Language, then the user's
choice), never a raw enum name; and they fit a phone (375 px) in headless Chromium."""
import datetime as dt
import email.utils
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checker, NoRedirect, args, login, request, start_serve, terminate, write_file  # noqa: E402
from browser import check_pages  # noqa: E402

A = args()
TW = A.tradewind
c = Checker("e2e.home")
FIRM = "acme-trading.example"
NOW = dt.datetime.now(dt.timezone.utc)


def mail(mid, frm, to, subject, ago, body, in_reply_to=None):
    date = email.utils.format_datetime(NOW - ago)
    extra = "In-Reply-To: <%s>\r\nReferences: <%s>\r\n" % (in_reply_to, in_reply_to) if in_reply_to else ""
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\n%sMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n" % (frm, to, subject, mid, date, extra, body))


# (account, message id, from, to, subject, how long ago, body, in reply to)
MAILS = [
    # rita: an inquiry unanswered for three days (overdue, escalated), a fresh one, a quotation nobody answered.
    ("rita", "q1@nord.example", "Anna Berg <anna@nord.example>", "rita@" + FIRM, "Inquiry: 500 pcs LED panels",
     dt.timedelta(days=3), "Please quote 500 pcs, our ref PO-NORD-1."),
    ("rita", "q2@sud.example", "Bruno <bruno@sud.example>", "rita@" + FIRM, "询价：太阳能板", dt.timedelta(minutes=5),
     "请报价 200 套。"),
    ("rita", "qt@" + FIRM, "rita@" + FIRM, "Olga <olga@ost.example>", "Quotation QT-2026-0042", dt.timedelta(days=10),
     "Please find our quotation QT-2026-0042, total USD 12,400.00."),
    # tom: an inquiry unanswered for two days.
    ("tom", "q3@west.example", "Wendy <wendy@west.example>", "tom@" + FIRM, "Inquiry: cables", dt.timedelta(days=2),
     "Price for 1,000 m of cable?"),
]


def run(*argv):
    p = subprocess.run([TW, *argv], capture_output=True, text=True, timeout=300)
    c.check(p.returncode == 0, "%s: %s" % (" ".join(argv[:2]), p.stderr))
    return p.stdout


def home(base, auth, lang="en"):
    op = urllib.request.build_opener(NoRedirect)
    st, _, body = request(op, base + "/api/v1/home", headers=dict(auth, **{"Accept-Language": lang}))
    return st, json.loads(body)


def items_of(model, section):
    return [x for g in model["groups"] for x in g[section]["items"]]


def page(base, auth, path, lang="en"):
    op = urllib.request.build_opener(NoRedirect)
    headers = {"Cookie": auth["Cookie"], "Accept-Language": lang}
    return request(op, base + path, headers=headers)


def post(base, auth, path, data):
    op = urllib.request.build_opener(NoRedirect)
    return request(op, base + path, dict(data, csrf=auth["X-CSRF-Token"]), {"Cookie": auth["Cookie"]})


def text_of(html):
    html = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


with tempfile.TemporaryDirectory() as tmp:
    data = os.path.join(tmp, "data")
    for k, (acct, mid, frm, to, subject, ago, body) in enumerate(MAILS):
        f = write_file(tmp, "%d.eml" % k, mail(mid, frm, to, subject, ago, body))
        run("import", "--data", data, "--account", "%s@%s" % (acct, FIRM), f)
    # Open around the clock, so each deadline is its mail's date + 8 h, whatever the hour the test runs at.
    run("calendar", "set", "--data", data, "--tz", "Asia/Shanghai", "--hours", "Mon-Sun 00:00-24:00")
    pw = write_file(tmp, "pw", "correct horse battery\n")
    for argv in (["user", "add", "--name", "mona", "--role", "manager", "--mailbox", "mona@" + FIRM],
                 ["team", "add", "east", "--manager", "mona"],
                 ["user", "add", "--name", "rita", "--team", "east", "--mailbox", "rita@" + FIRM],
                 ["user", "add", "--name", "tom", "--team", "east", "--mailbox", "tom@" + FIRM],
                 ["user", "add", "--name", "aud", "--role", "auditor"]):
        subprocess.run([TW, *argv, "--data", data] + (["--password-file", pw] if argv[0] == "user" else []), check=True,
                       capture_output=True)
    proc, base = start_serve(TW, data)
    try:
        auth = {n: login(base, n, "correct horse battery")[3] for n in ("rita", "tom", "mona", "aud")}
        c.check(all(auth.values()), "everyone logs in")

        # ---- rita's day: her own items, overdue first.
        st, m = home(base, auth["rita"])
        c.check(st == 200 and len(m["groups"]) == 1 and m["groups"][0]["rep"] == "rita@" + FIRM, "rita sees her own: %s" % m)
        overdue = items_of(m, "overdue")
        kinds = sorted((x["kind"], x["customer_name"]) for x in overdue)
        c.check([k for k, _ in kinds] == ["customer_silent", "reply_due"], "her overdue: a silent customer and an inquiry: %s" % kinds)
        later = items_of(m, "today") + items_of(m, "later")
        c.check(len(later) == 1 and later[0]["subject"] == "询价：太阳能板", "the fresh inquiry is not overdue yet: %s" % later)
        inquiry = next(x for x in overdue if x["kind"] == "reply_due")
        c.check(float(inquiry["waited_business_hours"]) > 70, "it has waited three days, round the clock: %s" % inquiry)
        c.check(inquiry["due_local"].endswith("CST"), "its due time is in her zone, labelled: %s" % inquiry["due_local"])
        c.check("west" not in json.dumps(m), "tom's customer is not on rita's page")
        st, html, = page(base, auth["rita"], "/")[0::2]
        t = text_of(html)
        c.check(st == 200 and "My day" in t and "Reply due" in t and "Customer silent" in t and "QT-2026-0042" in t,
                "her home page shows kinds as words and the quotation: %s" % t[:600])
        for raw in ("reply_due", "customer_silent", "proforma_invoice"):
            c.check(raw not in t, "no raw %s on the page" % raw)
        c.check("Times in Asia/Shanghai" in t, "the page says which zone its times are in")

        # ---- mona: the team by rep, with escalations (overdue by more than 8 business hours).
        st, m = home(base, auth["mona"])
        reps = [g["rep"] for g in m["groups"]]
        c.check(reps == ["rita@" + FIRM, "tom@" + FIRM], "mona sees rita and tom: %s" % reps)
        esc = sorted(x["customer_name"] for x in m.get("escalations", []))
        c.check(len(esc) == 3, "three items are overdue by more than 8 h: %s" % esc)
        st, html = page(base, auth["mona"], "/")[0::2]
        t = text_of(html)
        c.check("Team follow-ups" in t and "Escalations" in t and "rita" in t and "tom" in t, "her page groups by rep: %s" % t[:500])
        st, m = home(base, auth["aud"])
        c.check(st == 200 and sum(g["open"] for g in m["groups"]) == 4, "the auditor sees every item")
        st, html = page(base, auth["aud"], "/")[0::2]
        c.check("/followups/" not in html, "but is offered no action on them")

        # ---- the actions, as the forms send them.
        st, hd, _ = post(base, auth["rita"], "/followups/%d/snooze" % inquiry["id"], {"for": "1h", "back": "/"})
        c.check(st == 303 and hd.get("Location") == "/", "snooze 1 h goes back home: %s %s" % (st, hd.get("Location")))
        st, m = home(base, auth["rita"])
        c.check(inquiry["id"] not in [x["id"] for x in items_of(m, "overdue")], "the snoozed inquiry leaves her day")
        st, body = post(base, auth["rita"], "/followups/%d/open" % inquiry["id"], {})[0::2]
        st, hd, _ = post(base, auth["rita"], "/followups/%d/snooze" % inquiry["id"], {"for": "tomorrow"})
        st2, one = page(base, auth["rita"], "/api/v1/followups?closed=1")[0::2]
        f = next(x for x in json.loads(one)["followups"] if x["id"] == inquiry["id"])
        c.check(f["state"] == "snoozed" and "00:00" in f["until_local"],
                "tomorrow morning is the next opening (midnight, for this calendar): %s" % f["until_local"])
        st, _, body = post(base, auth["rita"], "/followups/%d/snooze" % inquiry["id"], {"for": "date", "date": "soon"})
        c.check(st == 400 and "soon" in body, "a bad date is a 400 that quotes it: %s" % text_of(body)[:200])
        silent = next(x for x in overdue if x["kind"] == "customer_silent")
        st, _, body = post(base, auth["rita"], "/followups/%d/dismiss" % silent["id"], {"reason": ""})
        c.check(st == 400 and "why" in text_of(body), "dismissing needs a reason: %s %s" % (st, text_of(body)[:200]))
        st, _, _ = post(base, auth["rita"], "/followups/%d/done" % silent["id"], {})
        st, m = home(base, auth["rita"])
        c.check(silent["id"] not in [x["id"] for x in items_of(m, "overdue")], "done leaves her day")
        st, _, body = post(base, auth["tom"], "/followups/%d/done" % inquiry["id"], {})
        c.check(st == 404, "tom cannot touch rita's item (he does not see it): %s" % st)
        st, _, _ = post(base, auth["rita"], "/conversation/%d/remind" % inquiry["thread"], {"date": "2099-01-05", "note": "call Anna"})
        st2, one = page(base, auth["rita"], "/api/v1/followups?when=later")[0::2]
        c.check(any(x["kind"] == "manual" and x["note"] == "call Anna" for x in json.loads(one)["followups"]), "the reminder is listed")
        st, html = page(base, auth["rita"], "/conversation/%d" % inquiry["thread"])[0::2]
        c.check("snoozed until" in text_of(html) and "Reminder" in text_of(html), "the conversation shows its follow-ups: %s" % text_of(html)[:400])

        # ---- the list: sorted, paged, and bad parameters say why.
        st, body = page(base, auth["mona"], "/api/v1/followups?sort=customer&limit=1")[0::2]
        j = json.loads(body)
        c.check(st == 200 and j["total"] >= 3 and len(j["followups"]) == 1, "paged: %s" % body[:200])
        for path, want in (("/followups?sort=bogus", "sort by"), ("/followups?when=yesterday", "when is"),
                           ("/followups?limit=abc", "limit"), ("/conflicts?status=maybe", "status is"),
                           ("/pool?sort=owner", "sort by"), ("/customers?sort=size", "sort by"), ("/documents?sort=x", "sort by")):
            st, body = page(base, auth["mona"], path)[0::2]
            c.check(st == 400 and want in text_of(body), "%s: 400 saying %r: %s" % (path, want, text_of(body)[:200]))
        for path in ("/api/v1/pool?sort=name&limit=1", "/api/v1/conflicts?status=open&limit=1", "/api/v1/customers?sort=name&limit=2",
                     "/api/v1/documents?sort=number&limit=1"):
            st, body = page(base, auth["mona"], path)[0::2]
            j = json.loads(body) if st == 200 else {}
            c.check(st == 200 and "total" in j and j.get("limit") in (1, 2), "%s is paged with its total: %s" % (path, body[:200]))
        st, _, body = post(base, auth["rita"], "/followups/999999/done", {})
        c.check(st == 404 and "999999" in body, "an unknown follow-up is a 404: %s" % st)

        # ---- the language: the browser's first, then the user's choice.
        st, html = page(base, auth["rita"], "/", "zh-CN,zh;q=0.9,en;q=0.5")[0::2]
        t = text_of(html)
        c.check("我的今天" in t and "待回复" in t and '<html lang="zh-CN">' in html, "Chinese from Accept-Language: %s" % t[:300])
        st, _, _ = post(base, auth["rita"], "/me/language", {"lang": "en", "back": "/"})
        st, html = page(base, auth["rita"], "/", "zh-CN")[0::2]
        c.check("My day" in text_of(html), "her choice of English holds against the browser's")
        post(base, auth["rita"], "/me/language", {"lang": "zh"})
        st, _, body = post(base, auth["rita"], "/me/language", {"lang": "fr"})
        c.check(st == 400 and "zh" in body, "an unknown language is a 400: %s" % st)

        shots = os.environ.get("TW_SCREENSHOTS") or tempfile.mkdtemp(prefix="tw-home-")
        os.makedirs(shots, exist_ok=True)
        sessions = {who: a["Cookie"].split("=", 1)[1] for who, a in auth.items()}
        check_pages(c, base, sessions, (("rita", "/", "rep-home-zh"), ("mona", "/", "manager-home"),
                                        ("rita", "/conversation/%d" % inquiry["thread"], "conversation-zh"),
                                        ("mona", "/customers", "customers"), ("mona", "/documents", "documents"),
                                        ("rita", "/customers/%d" % inquiry["customer"], "customer-zh")), shots, ("reply_due", "customer_silent"))
    finally:
        terminate(proc)
sys.exit(c.done())
