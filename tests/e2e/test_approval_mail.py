"""End to end: an approval round that happens only in the mail, synced from a real Dovecot on 127.0.0.1.
The rep lily asks the manager wei to approve QT-2026-0500 with its PDF attached; wei answers "同意" without any
references (about 15% of managers' replies drop them); lily sends the approved PDF to the customer. `tradewind
sync --once` (the real daemon's sync) reads it all into an approved record, linked to the customer, with no
violation. Then lily mails the customer a new total: the next sync puts the record back to pending with the reason,
flags changed_after_approval, and wei is told by mail at a loopback SMTP server (python3-aiosmtpd). The real serve
shows wei the record with its history and the draft's first page drawn as a PNG, and the customer's conversation
shows the deal's internal approvals."""
import datetime as dt
import email
import email.utils
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SKIP, Checker, NoRedirect, args, login, pdf, request, start_serve, terminate, write_file  # noqa: E402
from browser import check_pages  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from dovecot_fixture import Dovecot, free_port  # noqa: E402

A = args()
TW = A.tradewind
c = Checker("e2e.approval_mail")
FIRM = "acme-trading.example"
LILY, WEI, ANNA = "lily@" + FIRM, "wei@" + FIRM, "anna@nordhandel.example"
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

dv = Dovecot({"lily": "secret-lily", "wei": "secret-wei"})
if not dv.available():
    print("SKIP: dovecot is not installed (scripts/install-deps.sh installs dovecot-imapd)")
    sys.exit(SKIP)
if subprocess.run([PY, "-c", "import aiosmtpd"], capture_output=True).returncode != 0:
    print("SKIP: python3-aiosmtpd is not installed (scripts/install-deps.sh installs it)")
    sys.exit(SKIP)


QT_PDF = pdf(["ACME Trading Co., Ltd.", "QUOTATION QT-2026-0500", "LED panel 600x600, 3,000 pcs", "Total: USD 18,000.00"])


def mail(mid, frm, to, subject, hours_ago, body, attach=None, extra=""):
    date = email.utils.format_datetime(NOW - dt.timedelta(hours=hours_ago))
    head = "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\n%sMIME-Version: 1.0\r\n" % (
        frm, to, subject, mid, date, extra)
    if not attach:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n" % body).encode()
    import base64
    b64 = base64.encodebytes(attach[1]).decode().replace("\n", "\r\n")
    return (head + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
            '%s\r\n--b1\r\nContent-Type: application/pdf; name="%s"\r\nContent-Disposition: attachment; filename="%s"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n%s--b1--\r\n" % (body, attach[0], attach[0], b64)).encode()


OPENER = __import__("urllib.request").request.build_opener(NoRedirect)


def get(base, auth, path):
    headers = dict(auth, Accept="application/json") if path.startswith("/api/") else dict(auth)
    return request(OPENER, base + path, headers=headers)


def get_bytes(base, auth, path):
    import urllib.request
    r = OPENER.open(urllib.request.Request(base + path, headers=auth), timeout=30)
    return r.status, dict(r.headers), r.read()


def tw(*a):
    r = subprocess.run([TW] + list(a), capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def record(data, number):
    code, out, err = tw("approvals", "--data", data, "--json")
    for line in out.splitlines():
        j = json.loads(line)
        if j["document"] == number:
            return j
    return {"error": err}


def violations(data):
    return [json.loads(l) for l in tw("approvals", "violations", "--data", data, "--json")[1].splitlines()]


with dv as d, tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o755)
    data = os.path.join(tmp, "data")
    request_mail = mail("req500@" + FIRM, "Lily <%s>" % LILY, WEI, "请审批 QT-2026-0500 Nordhandel", 30,
                        "陈总，请审批报价单 QT-2026-0500，毛利 14%。\r\n合计：USD 18,000.00\r\n\r\nLily",
                        ("QT-2026-0500.pdf", QT_PDF))
    d.deliver("lily", request_mail, folder="Sent", flags="S")
    d.deliver("wei", request_mail)
    # wei's answer names the document but drops In-Reply-To and References.
    answer = mail("ans500@" + FIRM, "Wei <%s>" % WEI, LILY, "QT-2026-0500", 29, "同意，可以发。\r\n\r\n陈伟")
    d.deliver("wei", answer, folder="Sent", flags="S")
    d.deliver("lily", answer)
    d.deliver("lily", mail("out500@" + FIRM, "Lily <%s>" % LILY, "Anna <%s>" % ANNA, "Quotation QT-2026-0500", 28,
                           "Dear Anna, please find our quotation QT-2026-0500 attached.\r\nTotal: USD 18,000.00",
                           ("QT-2026-0500.pdf", QT_PDF)), folder="Sent", flags="S")
    pw = {u: write_file(tmp, u + ".pw", "secret-%s\n" % u) for u in ("lily", "wei")}
    for u, addr in (("lily", LILY), ("wei", WEI)):
        code, out, err = tw("account", "add", "--data", data, "--address", addr, "--imap-url", d.url, "--user", u,
                            "--password-file", pw[u], "--plaintext")
        c.check(code == 0, "account %s: %s %s" % (u, out, err))
    upw = write_file(tmp, "users.pw", "correct horse battery\n")
    tw("user", "add", "--data", data, "--name", "wei", "--role", "manager", "--mailbox", WEI, "--password-file", upw)
    tw("user", "add", "--data", data, "--name", "lily", "--role", "rep", "--mailbox", LILY, "--password-file", upw)
    code, out, err = tw("approvals", "rule", "add", "--data", data, "--types", "quotation,proforma_invoice", "--min-amount",
                        "10000", "--currency", "USD", "--approver", "wei")
    c.check(code == 0, "the rule: %s %s" % (out, err))
    code, out, err = tw("sync", "--data", data, "--once")
    c.check(code == 0 and "imported" in out, "the first sync: %s %s" % (out, err))
    tw("approvals", "recheck", "--data", data)  # the rule is newer than this mail

    r = record(data, "QT-2026-0500")
    c.check(r.get("state") == "approved" and r.get("via") == "mail" and r.get("rep") == LILY and r.get("approver") == "wei",
            "approved in the mail alone, without references: %s" % r)
    c.check(r.get("amount") == "18000.00" and r.get("currency") == "USD", "the stated total: %s" % r)
    c.check(r.get("customer", 0) != 0, "linked to the customer: %s" % r)
    code, out, _ = tw("customers", "--data", data, "--json")
    owners = {int(json.loads(l)["id"]): json.loads(l).get("owner") for l in out.splitlines()}
    c.check(owners.get(r.get("customer")) == LILY, "the rep owns the customer, not the manager whose approval mail names it: %s" % owners)
    code, out, _ = tw("conflicts", "--data", data, "--json")
    c.check(out.strip() == "", "approval mail between the firm's people is no conflict (撞单): %s" % out)
    c.check(violations(data) == [], "sent after its approval: no violation: %s" % violations(data))
    code, out, _ = tw("search", "--data", data, "--json", "customer:%s" % r.get("customer"))
    subjects = [json.loads(l).get("subject", "") for l in out.splitlines()]
    c.check(any("请审批" in s for s in subjects) and any(s == "QT-2026-0500" for s in subjects),
            "the request and the answer belong to the customer's deal: %s" % subjects)
    code, out, _ = tw("approvals", "history", "QT-2026-0500", "--data", data, "--json")
    steps = [json.loads(l) for l in out.splitlines()]
    c.check([(s["state"], s["actor"], s["via"]) for s in steps] == [("pending", "lily", "mail"), ("approved", "wei", "mail")],
            "its history, read out of the mail: %s" % steps)
    code, out, _ = tw("audit", "--data", data, "--json")
    c.check(out.count('"approval_mail"') == 2, "each step is in the audit trail once: %s" % out.count('"approval_mail"'))

    # A new total to the customer after the approval: pending again, flagged, and wei is told.
    d.deliver("lily", mail("chg500@" + FIRM, "Lily <%s>" % LILY, "Anna <%s>" % ANNA, "Re: Quotation QT-2026-0500", 2,
                           "Dear Anna, with the larger panels QT-2026-0500 now comes to Total: USD 21,600.00.\r\nLily",
                           extra="In-Reply-To: <out500@%s>\r\n" % FIRM), folder="Sent", flags="S")
    code, out, err = tw("sync", "--data", data, "--once")
    c.check(code == 0, "the second sync: %s %s" % (out, err))
    r = record(data, "QT-2026-0500")
    c.check(r.get("state") == "pending" and r.get("changed") is True and "18000.00 USD -> 21600.00 USD" in r.get("reason", ""),
            "changed after approval: pending, with the reason: %s" % r)
    c.check(r.get("amount") == "21600.00", "the record shows the terms that wait for approval: %s" % r.get("amount"))
    kinds = [(v["document"], v["kind"]) for v in violations(data)]
    c.check(kinds == [("QT-2026-0500", "changed_after_approval")], "the changed document reached the customer: %s" % kinds)

    port, outbox = free_port(), os.path.join(tmp, "smtp.jsonl")
    fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "smtp_fixture.py")
    smtp = subprocess.Popen([PY, fixture, "--port", str(port), "--out", outbox], stdout=subprocess.PIPE, text=True)
    srv = None
    try:
        smtp.stdout.readline()
        tw("smtp", "set", "--data", data, "--url", "smtp://127.0.0.1:%d" % port, "--from", "Tradewind <crm@%s>" % FIRM,
           "--plaintext")
        code, out, err = tw("notify", "--once", "--data", data)
        got = [json.loads(l) for l in open(outbox)] if os.path.exists(outbox) else []
        notes = []
        for g in got:
            m = email.message_from_string(g["data"])
            if m["X-Tradewind-Notification"] == "approval":
                text = next(p.get_payload(decode=True).decode() for p in m.walk() if p.get_content_type() == "text/plain")
                notes.append((g["to"][0], text))
        c.check(len(notes) == 1 and notes[0][0] == WEI and "QT-2026-0500 changed after its approval" in notes[0][1],
                "wei is told by mail that it changed: %s %s" % (notes, err))
        tw("notify", "--once", "--data", data)
        c.check(sum(1 for _ in open(outbox)) == len(got), "and only once")

        srv, base = start_serve(TW, data)
        auth = login(base, "wei", "correct horse battery")[3]
        st, _, body = get(base, auth, "/approvals?state=mine")
        c.check(st == 200 and "QT-2026-0500" in body and "Changed after approval" in body and "History" in body,
                "wei's queue has it, with the change and its history: %s %s" % (st, body[body.find("approval-"):][:3000]))
        c.check("毛利 14%" in body, "the request mail's own words are the rep's note in the queue")
        st, _, body = get(base, auth, "/api/v1/approvals?state=mine")
        item = json.loads(body)["approvals"][0] if st == 200 and json.loads(body)["approvals"] else {}
        files = item.get("files", [])
        c.check(len(files) == 1 and files[0]["pdf"] and files[0]["name"] == "QT-2026-0500.pdf",
                "the draft is the request's PDF: %s" % files)
        if files:
            st, hd, png = get_bytes(base, auth, files[0]["preview"])
            c.check(st == 200 and hd.get("Content-Type") == "image/png" and png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000,
                    "its first page is drawn as a PNG: %s %s %d" % (st, hd.get("Content-Type"), len(png or b"")))
        lily_auth = login(base, "lily", "correct horse battery")[3]
        st, _, body = get(base, lily_auth, "/")
        import re
        m = re.search(r'id="my-waiting"><strong>(\d+)</strong>', body)
        c.check(m and m.group(1) == "1", "lily's home counts her document waiting for approval again: %s" % (m and m.group(1)))
        st, _, body = get(base, lily_auth, "/api/v1/search?q=doc:QT-2026-0500")
        thread = None
        for h in json.loads(body).get("hits", []) if st == 200 else []:
            if h.get("subject") == "Quotation QT-2026-0500":
                thread = h.get("thread")
        st, _, body = get(base, lily_auth, "/conversation/%s" % thread)
        c.check(st == 200 and 'id="approvals"' in body and "Approvals (internal)" in body and "Changed after approval" in body,
                "the customer's conversation shows the deal's internal approvals: %s %s" % (st, thread))
        st, _, body = get(base, auth, "/message/999999/attachment/0/preview")
        c.check(st == 404, "a preview of no message is a 404: %s" % st)
        # Seen in Chromium: the queue with the drawn draft, the customer's conversation with the internal approvals.
        shots = os.environ.get("TW_SCREENSHOTS") or tempfile.mkdtemp(prefix="tw-approval-mail-")
        os.makedirs(shots, exist_ok=True)
        sessions = {"wei": auth["Cookie"].split("=", 1)[1], "lily": lily_auth["Cookie"].split("=", 1)[1]}
        check_pages(c, base, sessions, (("wei", "/approvals?state=mine", "approval-queue"),
                                        ("lily", "/conversation/%s" % thread, "approval-conversation")), shots,
                    ("changed_after_approval", "not_requested", "approved_tier", "proforma_invoice"))
    finally:
        if srv:
            terminate(srv)
        terminate(smtp)
c.done()
