"""End to end: approvals read out of the mail and decided on the web, over the project's own mail (no ../shared).
A rep's request to the manager and his "不同意" reply (no references) make a rejected record; a revised document,
approved by mail, then sent; a PI sent before any answer is a violation; the manager's "Needs my review" queue in
the real serve and headless Chromium (1400 and 375 px), an approval and a reject (with its required comment) as the
forms send them, the rep's request from the document page; the CLI's JSON keys; bad input is a 400 or 404 that
says why."""
import email.utils
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checker, NoRedirect, args, login, pdf, request, start_serve, terminate, write_file  # noqa: E402
from browser import check_pages  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from dovecot_fixture import free_port  # noqa: E402

A = args()
TW = A.tradewind
c = Checker("e2e.approvals")
FIRM = "acme-trading.example"
LILY, WEI, ANNA = "lily.zhou@" + FIRM, "wei.chen@" + FIRM, "anna@nordhandel.example"
KEYS = {"id", "document", "type", "amount", "currency", "customer", "rep", "approver", "tier", "state", "requested", "decided",
        "comment", "via"}
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.timezone.utc)


def mail(mid, frm, to, subject, hours, body, extra=""):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\n%sMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n"
            % (frm, to, subject, mid, email.utils.format_datetime(T0 + dt.timedelta(hours=hours)), extra, body))


MAILS = [  # (account, folder, id, from, to, subject, hours after T0, body, extra headers)
    ("lily.zhou", "Sent", "r1@" + FIRM, LILY, WEI, "审批：QT-2026-0012 Nordhandel USD 12,000.00", 0,
     "陈总，请审批报价单QT-2026-0012。\r\n合计金额：USD 12,000.00", ""),
    ("wei.chen", "Sent", "d1@" + FIRM, WEI, LILY, "回复: 审批：QT-2026-0012 Nordhandel USD 12,000.00", 3,
     "不同意，价格太低，请重新报价。\r\n\r\n陈伟", ""),
    ("lily.zhou", "Sent", "r2@" + FIRM, LILY, WEI, "Approval request: QT-2026-0013 Nordhandel USD 13,000.00 (revised)", 5,
     "Please approve QT-2026-0013, replaces QT-2026-0012.\r\nTotal: USD 13,000.00", ""),
    ("wei.chen", "Sent", "d2@" + FIRM, WEI, LILY, "Re: Approval request: QT-2026-0013", 6, "OK, approved, go ahead.",
     "In-Reply-To: <r2@%s>\r\n" % FIRM),
    ("lily.zhou", "Sent", "s2@" + FIRM, LILY, "Anna Schmidt <%s>" % ANNA, "Quotation QT-2026-0013", 7,
     "Dear Anna, our quotation QT-2026-0013. Total: USD 13,000.00", ""),
    ("lily.zhou", "Sent", "r3@" + FIRM, LILY, WEI, "请审批：PI-2026-0034", 24, "请审批形式发票PI-2026-0034。合计金额：USD 30,000.00", ""),
    ("lily.zhou", "Sent", "s3@" + FIRM, LILY, ANNA, "Proforma invoice PI-2026-0034", 25, "Attached PI-2026-0034. Total: USD 30,000.00", ""),
    ("lily.zhou", "Sent", "s4@" + FIRM, LILY, ANNA, "Proforma invoice PI-2026-0035", 30, "Attached PI-2026-0035. Total: USD 25,000.00", ""),
]


def tw(*argv):
    p = subprocess.run([TW, *argv], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def get(base, auth, path):
    return request(urllib.request.build_opener(NoRedirect), base + path, headers={"Cookie": auth["Cookie"]})


def post(base, auth, path, data):
    return request(urllib.request.build_opener(NoRedirect), base + path, dict(data, csrf=auth["X-CSRF-Token"]),
                   {"Cookie": auth["Cookie"]})


def post_file(base, auth, path, fields, name, filename, content, ctype="application/pdf"):
    """A multipart form as a browser sends it (fields and one file)."""
    boundary = "----tw%d" % os.getpid()
    parts = []
    for k, v in dict(fields, csrf=auth["X-CSRF-Token"]).items():
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode())
    parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n"
                  % (boundary, name, filename, ctype)).encode() + content + b"\r\n")
    body = b"".join(parts) + ("--%s--\r\n" % boundary).encode()
    req = urllib.request.Request(base + path, data=body, headers={
        "Cookie": auth["Cookie"], "Origin": base, "Content-Type": "multipart/form-data; boundary=" + boundary})
    try:
        r = urllib.request.build_opener(NoRedirect).open(req, timeout=30)
        return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")


def get_bytes(base, auth, path):
    r = urllib.request.build_opener(NoRedirect).open(urllib.request.Request(base + path, headers={"Cookie": auth["Cookie"]}),
                                                     timeout=30)
    return r.status, dict(r.headers), r.read()


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", html, flags=re.S)))


with tempfile.TemporaryDirectory() as tmp:
    data = os.path.join(tmp, "data")
    for k, (acct, folder, mid, frm, to, subject, hours, body, extra) in enumerate(MAILS):
        f = write_file(tmp, "%d.eml" % k, mail(mid, frm, to, subject, hours, body, extra))
        code, _, err = tw("import", "--data", data, "--account", "%s@%s" % (acct, FIRM), f)
        c.check(code == 0, "import %s: %s" % (mid, err))
    pw = write_file(tmp, "pw", "correct horse battery\n")
    for argv in (["user", "add", "--name", "wei.chen", "--role", "manager", "--mailbox", WEI],
                 ["team", "add", "sales", "--manager", "wei.chen"],
                 ["user", "add", "--name", "lily", "--team", "sales", "--mailbox", LILY],
                 ["user", "add", "--name", "aud", "--role", "auditor"]):
        subprocess.run([TW, *argv, "--data", data] + (["--password-file", pw] if argv[0] == "user" else []), check=True,
                       capture_output=True)
    code, out, err = tw("approvals", "rule", "add", "--data", data, "--types", "quotation,proforma_invoice", "--min-amount",
                        "10000", "--currency", "USD", "--approver", "nobody")
    c.check(code != 0 and "nobody" in err, "a rule for an unknown approver is refused: %s" % err)
    code, out, err = tw("approvals", "rule", "add", "--data", data, "--types", "quotation,proforma_invoice", "--min-amount",
                        "10000", "--currency", "USD", "--approver", "wei.chen")
    c.check(code == 0 and "recheck" in out, "the rule applies from now on: %s %s" % (out, err))
    code, out, _ = tw("approvals", "--data", data, "--json")
    c.check(out.strip() == "", "documents first seen before the rule are left alone: %s" % out)
    tw("approvals", "recheck", "--data", data)
    code, out, _ = tw("approvals", "--data", data, "--json")
    rows = {j["document"]: j for j in map(json.loads, out.splitlines())}
    c.check(all(KEYS <= set(j) for j in rows.values()), "every record has the keys: %s" % sorted(KEYS))
    q12 = rows.get("QT-2026-0012", {})
    c.check(q12.get("outcome") == "rejected" and "价格太低" in q12.get("comment", ""),
            "不同意 without references rejects, with its reason: %s" % q12)
    c.check(q12.get("state") == "superseded" and q12.get("superseded_by") == "QT-2026-0013",
            "the revised QT-2026-0013 supersedes it: %s" % q12)
    c.check(rows.get("QT-2026-0013", {}).get("state") == "approved" and rows["QT-2026-0013"]["via"] == "mail",
            "the revised quotation is approved by mail: %s" % rows.get("QT-2026-0013"))
    c.check(rows.get("PI-2026-0034", {}).get("state") == "pending", "the PI waits: %s" % rows.get("PI-2026-0034"))
    c.check(rows.get("PI-2026-0035", {}).get("state") == "not_requested", "PI-0035 was never asked for")
    code, out, _ = tw("approvals", "violations", "--data", data, "--json")
    v = {j["document"]: j["kind"] for j in map(json.loads, out.splitlines())}
    c.check(v == {"PI-2026-0034": "sent_before_approval", "PI-2026-0035": "sent_without_request"}, "violations: %s" % v)
    code, out, _ = tw("export", "--data", data)
    linked = {j["message_id"]: j.get("customers") for j in map(json.loads, out.splitlines())}
    c.check(all(linked.get(m) for m in ("r1@" + FIRM, "d1@" + FIRM, "r2@" + FIRM, "d2@" + FIRM)),
            "approval mail belongs to the deal's customer, the rejected quotation's too: %s" % linked)
    code, out, err = tw("approvals", "reject", "PI-2026-0034", "--data", data)
    c.check(code != 0 and "comment" in err, "a reject needs a comment: %s" % err)

    proc, base = start_serve(TW, data)
    try:
        auth = {n: login(base, n, "correct horse battery")[3] for n in ("wei.chen", "lily", "aud")}
        st, _, body = get(base, auth["wei.chen"], "/api/v1/approvals?state=mine")
        queue = [x["document"] for x in json.loads(body)["approvals"]] if st == 200 else []
        c.check(queue == ["PI-2026-0034"], "wei's queue holds the pending PI: %s" % queue)
        st, _, body = get(base, auth["wei.chen"], "/")
        c.check('id="reviews"' in body and "need my review" in text_of(body), "his home counts what needs his review")
        st, _, body = post(base, auth["lily"], "/approvals/approve", {"number": "PI-2026-0034"})
        c.check(st == 403, "a rep does not approve: %s" % st)
        st, _, body = post(base, auth["wei.chen"], "/approvals/reject", {"number": "PI-2026-0034", "comment": ""})
        c.check(st == 400 and "comment" in body, "a reject without a comment is a 400: %s" % text_of(body)[:200])
        st, _, body = post(base, auth["wei.chen"], "/approvals/approve", {"number": "PI-9999-0001"})
        c.check(st == 404, "an unknown document is a 404: %s" % st)
        st, hd, _ = post(base, auth["wei.chen"], "/approvals/approve", {"number": "PI-2026-0034", "back": "/approvals?state=mine"})
        c.check(st == 303 and hd.get("Location") == "/approvals?state=mine", "approve goes back to the queue: %s" % st)
        st, _, body = get(base, auth["lily"], "/api/v1/approvals")
        got = {x["document"]: x for x in json.loads(body)["approvals"]}
        c.check(got.get("PI-2026-0034", {}).get("state") == "approved" and got["PI-2026-0034"]["via"] == "web",
                "the web decision stands: %s" % got.get("PI-2026-0034"))
        # The rep asks for PI-0035 from its page; the manager rejects it with a reason.
        st, _, body = get(base, auth["lily"], "/document?number=PI-2026-0035")
        c.check("Ask for approval" in body, "the document page offers the request")
        st, _, _ = post(base, auth["lily"], "/approvals/request", {"number": "PI-2026-0035", "comment": "margin 12%"})
        st2, _, _ = post(base, auth["wei.chen"], "/approvals/reject", {"number": "PI-2026-0035", "comment": "price below our floor"})
        code, out, _ = tw("approvals", "--data", data, "--json", "--state", "rejected")
        rej = {j["document"]: j for j in map(json.loads, out.splitlines())}
        c.check(st == 303 and st2 == 303 and rej.get("PI-2026-0035", {}).get("comment") == "price below our floor",
                "requested on the web, rejected with its reason: %s %s %s" % (st, st2, rej))
        code, out, _ = tw("audit", "--data", data)
        c.check("approval_reject" in out or "Rejected a document" in out, "the decisions are audited")
        st, _, body = get(base, auth["wei.chen"], "/api/v1/approvals")
        item = next((x for x in json.loads(body)["approvals"] if x["document"] == "PI-2026-0035"), {}) if st == 200 else {}
        c.check(item.get("customer_approved", 0) >= 2 and item.get("customer_rejected", 0) >= 1
                and [h["state"] for h in item.get("history", [])] == ["pending", "rejected"],
                "each record carries its customer's record so far and its own history: %s" %
                {k: item.get(k) for k in ("customer_approved", "customer_rejected", "history")})
        st, _, body = get(base, auth["wei.chen"], "/")
        m = re.search(r'id="violations"><strong>(\d+)</strong>', body)
        c.check(m and m.group(1) == "2", "his home counts the documents sent without approval: %s" % (m and m.group(1)))
        st, _, body = get(base, auth["wei.chen"], "/api/v1/approvals/violations")
        kinds = {x["document"]: x["kind"] for x in json.loads(body)["violations"]} if st == 200 else {}
        # Each as it stood when it went out: PI-0034 was asked for, PI-0035 not yet.
        c.check(kinds == {"PI-2026-0034": "sent_before_approval", "PI-2026-0035": "sent_without_request"},
                "decided after they went out, both stay violations: %s" % kinds)
        st, _, body = post(base, auth["wei.chen"], "/approvals/violations/acknowledge",
                           {"number": "PI-2026-0034", "kind": "sent_before_approval", "comment": ""})
        c.check(st == 400 and "comment" in body, "an acknowledgement needs a comment: %s" % st)
        st, _, _ = post(base, auth["wei.chen"], "/approvals/violations/acknowledge",
                        {"number": "PI-2026-0034", "kind": "sent_before_approval", "comment": "the customer had agreed the price"})
        st2, _, body = get(base, auth["wei.chen"], "/api/v1/approvals/violations")
        acked = [x["document"] for x in json.loads(body)["violations"] if x["acknowledged"]]
        c.check(st == 303 and acked == ["PI-2026-0034"], "acknowledged, with its comment: %s %s" % (st, acked))
        st, _, _ = post(base, auth["lily"], "/approvals/violations/acknowledge",
                        {"number": "PI-2026-0035", "kind": "sent_before_approval", "comment": "x"})
        c.check(st == 403, "a rep does not acknowledge: %s" % st)
        # The other side is told by mail: the approver of the web request, the rep of each web decision.
        py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        if subprocess.run([py, "-c", "import aiosmtpd"], capture_output=True).returncode != 0:
            print("SKIP (mail part): python3-aiosmtpd is not installed")
        else:
            port, outbox = free_port(), os.path.join(tmp, "smtp.jsonl")
            fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "smtp_fixture.py")
            smtp = subprocess.Popen([py, fixture, "--port", str(port), "--out", outbox], stdout=subprocess.PIPE, text=True)
            try:
                smtp.stdout.readline()
                tw("smtp", "set", "--data", data, "--url", "smtp://127.0.0.1:%d" % port, "--from", "Tradewind <crm@%s>" % FIRM,
                   "--plaintext")
                code, out, err = tw("notify", "--once", "--data", data)
                got = [json.loads(l) for l in open(outbox)] if os.path.exists(outbox) else []
                import email as _email
                notes = []
                for g in got:
                    m = _email.message_from_string(g["data"])
                    if m["X-Tradewind-Notification"] != "approval":
                        continue
                    body_text = next(p.get_payload(decode=True).decode() for p in m.walk() if p.get_content_type() == "text/plain")
                    notes.append((g["to"][0], body_text))
                c.check(any(to == WEI and "asks you to approve PI-2026-0035" in b for to, b in notes),
                        "wei is asked by mail: %s %s" % (notes, err))
                c.check(any(to == LILY and "approved PI-2026-0034" in b for to, b in notes)
                        and any(to == LILY and "rejected PI-2026-0035" in b and "price below our floor" in b for to, b in notes),
                        "lily hears of both decisions, the reject with its reason: %s" % notes)
                code, out, err = tw("notify", "--once", "--data", data)
                c.check(len([l for l in open(outbox)]) == len(got), "and nothing twice")
            finally:
                terminate(smtp)
        # Asked again after the rejection, with the revised draft uploaded from the document page.
        draft = pdf(["ACME Trading Co., Ltd.", "PROFORMA INVOICE PI-2026-0035 (revised)", "Total: USD 27,500.00"])
        st, hd, body = post_file(base, auth["lily"], "/approvals/request", {"number": "PI-2026-0035", "comment": "price raised 10%"},
                                 "draft", "PI-2026-0035 rev1.pdf", draft)
        c.check(st == 303, "a request with its draft uploaded: %s %s" % (st, text_of(body)[:200]))
        st, _, body = get(base, auth["wei.chen"], "/api/v1/approvals?state=mine")
        item = next((x for x in json.loads(body)["approvals"] if x["document"] == "PI-2026-0035"), {}) if st == 200 else {}
        files = item.get("files", [])
        c.check(item.get("state") == "pending" and item.get("note") == "price raised 10%" and len(files) == 1
                and files[0].get("uploaded") and files[0]["name"] == "PI-2026-0035 rev1.pdf",
                "wei's queue has it with the note and the uploaded draft: %s" % {k: item.get(k) for k in ("state", "note", "files")})
        if files:
            st, hd, got = get_bytes(base, auth["wei.chen"], files[0]["url"])
            c.check(st == 200 and got == draft and "attachment" in hd.get("Content-Disposition", ""),
                    "the draft downloads byte for byte: %s %d" % (st, len(got)))
            st, hd, png = get_bytes(base, auth["wei.chen"], files[0]["preview"])
            c.check(st == 200 and png[:8] == b"\x89PNG\r\n\x1a\n", "its first page is drawn: %s %s" % (st, hd.get("Content-Type")))
        st, _, body = get(base, auth["wei.chen"], "/approvals/drafts/999999")
        c.check(st == 404 and "no draft" in body, "an unknown draft is a 404 that says so: %s" % st)
        st, _, body = post_file(base, auth["lily"], "/approvals/request", {"number": "PI-2026-0035"}, "draft", "big.pdf",
                                b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
        c.check(st == 413, "a draft over the limit is refused with a 413 that says so: %s %s" % (st, body[:120]))
        st, _, body = post(base, auth["lily"], "/documents/edit", {"number": "PI-2026-0035", "status": "x" * (70 * 1024)})
        c.check(st == 413, "a plain form stays within 64 KB: %s" % st)
        st, _, body = get(base, auth["wei.chen"], "/approvals?state=nonsense")
        c.check(st == 400 and "state is" in body, "a bad state is a 400 that names the choices")
        shots = os.environ.get("TW_SCREENSHOTS") or tempfile.mkdtemp(prefix="tw-approvals-")
        os.makedirs(shots, exist_ok=True)
        sessions = {who: a["Cookie"].split("=", 1)[1] for who, a in auth.items()}
        check_pages(c, base, sessions, (("wei.chen", "/approvals", "approvals"), ("lily", "/document?number=QT-2026-0012", "approval-doc"),
                                        ("wei.chen", "/approvals/violations", "violations")), shots, ("not_requested", "proforma_invoice"))
    finally:
        terminate(proc)
sys.exit(c.done())
