#!/usr/bin/env python3
"""The demo's mailboxes: a small export firm (acme-trading.example) with three
reps and their customers, as Maildirs (INBOX and .Sent per rep). Deals run
inquiry -> quotation -> proforma invoice -> purchase order, in English,
German, Chinese (GBK and UTF-8) and Japanese (ISO-2022-JP), with PDF
attachments carrying document numbers, a colleague in CC, an HTML newsletter
with a remote image, and replies whose client dropped References.
The mail is dated relative to now, so its follow-ups, pool and conflicts are
current: one customer's purchase order waits for an answer, a quotation has
gone unanswered for days, a fresh inquiry came in an hour ago. Customers sign
with their company (or carry it in their display name), so the customer list
shows companies, not domains. The same mail every run, apart from its dates.

    scripts/demo_mail.py OUT_DIR
"""
import base64
import email.utils
import os
import sys
import time

FIRM = "acme-trading.example"
REPS = {"lily.zhou": "Lily Zhou", "kevin.li": "Kevin Li", "amy.sun": "Amy Sun"}
CUSTOMERS = [
    # (rep, name, address, language, product, signature (company), how far the deal got, its last mail: days ago)
    ("lily.zhou", "Anna Schmidt", "anna.schmidt@nordhandel.example", "de", "stainless steel hinges", "Nordhandel GmbH", 5, 2),
    ("lily.zhou", "王经理", "wang@hongda-trading.example", "zh", "不锈钢合页", "宁波宏达贸易有限公司", 2, 6),
    ("kevin.li", "Mike Carter (Carter Supply Inc.)", "mike@carter-supply.example", "en", "brass door handles", "", 1, 0.04),
    ("kevin.li", "田中 一郎", "tanaka@yamato-shoji.example", "ja", "ステンレス蝶番", "大和商事株式会社", 4, 1),
    ("amy.sun", "Laura Rossi", "laura@rossi-import.example", "en", "aluminium profiles", "Rossi Import S.r.l.", 5, 12),
]
YEAR = time.gmtime().tm_year
# The numbers the demo shows and searches for.
PI_SHOWN, QT_SHOWN = "PI-%d-0034" % YEAR, "QT-%d-0013" % YEAR


def pdf(lines):
    """A one-page PDF showing lines of ASCII text."""
    content = "BT /F1 11 Tf 14 TL 50 800 Td " + " ".join("(%s) Tj T*" % l for l in lines) + " ET"
    objs = ["<</Type/Catalog/Pages 2 0 R>>", "<</Type/Pages/Kids[3 0 R]/Count 1>>",
            "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
            "<</Length %d>>stream\n%s\nendstream" % (len(content), content),
            "<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>"]
    out, offs = "%PDF-1.4\n", []
    for i, o in enumerate(objs):
        offs.append(len(out))
        out += "%d 0 obj\n%s\nendobj\n" % (i + 1, o)
    xref = len(out)
    out += "xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + "".join("%010d 00000 n \n" % o for o in offs)
    out += "trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out.encode("latin-1")


def encoded_word(text, charset="utf-8"):
    if all(ord(ch) < 128 for ch in text):
        return text
    return "=?%s?B?%s?=" % (charset, base64.b64encode(text.encode(charset)).decode())


def message(n, when, sender, to, subject, body, cc=None, reply_to_id=None, refs=True, lang="en", attachment=None):
    charset = {"zh": "gbk", "ja": "iso-2022-jp"}.get(lang, "utf-8")
    mid = "<demo-%04d@%s>" % (n, sender[1].split("@")[1])
    head = ["From: %s" % email.utils.formataddr((encoded_word(sender[0], charset), sender[1])),
            "To: %s" % email.utils.formataddr((encoded_word(to[0], charset), to[1])),
            "Subject: %s" % encoded_word(subject, charset),
            "Date: %s" % email.utils.formatdate(when, localtime=False),
            "Message-ID: %s" % mid, "MIME-Version: 1.0"]
    if cc:
        head.append("Cc: %s" % email.utils.formataddr(cc))
    if reply_to_id:
        head.append("In-Reply-To: %s" % reply_to_id)
        if refs:
            head.append("References: %s" % reply_to_id)
    text = body.encode(charset, "replace")
    if attachment is None:
        head += ["Content-Type: text/plain; charset=%s" % charset, "Content-Transfer-Encoding: base64"]
        raw = "\r\n".join(head) + "\r\n\r\n" + base64.encodebytes(text).decode().replace("\n", "\r\n")
    else:
        name, data = attachment
        b = "=_demo_%d" % n
        head.append('Content-Type: multipart/mixed; boundary="%s"' % b)
        raw = "\r\n".join(head) + "\r\n\r\n--%s\r\nContent-Type: text/plain; charset=%s\r\n" \
              "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--%s\r\nContent-Type: application/pdf; name=\"%s\"\r\n" \
              "Content-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n--%s--\r\n" \
              % (b, charset, base64.encodebytes(text).decode().replace("\n", "\r\n"), b, name, name,
                 base64.encodebytes(data).decode().replace("\n", "\r\n"), b)
    return mid, raw.encode("ascii")


def write(out, rep, folder, n, raw):
    path = os.path.join(out, rep) if folder == "INBOX" else os.path.join(out, rep, "." + folder)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    name = os.path.join(path, "cur", "17360%05d.demo%d:2,S" % (n, n))
    with open(name, "wb") as f:
        f.write(raw)
    # A Maildir file's time is its arrival (IMAP INTERNALDATE): the Date header's.
    for line in raw.split(b"\r\n"):
        if line.lower().startswith(b"date:"):
            when = email.utils.parsedate_tz(line[5:].strip().decode("ascii", "replace"))
            if when:
                t = email.utils.mktime_tz(when)
                os.utime(name, (t, t))
            break


def main(out, now=None):
    now = int(now or time.time())
    n = 0
    texts = {
        "de": ("Anfrage: {p}", "Sehr geehrte Damen und Herren,\r\nbitte senden Sie uns ein Angebot für 5000 Stück {p}.\r\nMit freundlichen Grüßen\r\nAnna Schmidt\r\n{c}\r\nTel. +49 40 1234567"),
        "zh": ("询价：{p} 报价请求", "您好，\r\n我们需要{p} 5000件，请报价。\r\n王经理\r\n{c}\r\n电话：0574-87654321"),
        "ja": ("お見積りのお願い：{p}", "いつもお世話になっております。\r\n{p}を5000個お見積りください。\r\n田中\r\n{c}"),
        "en": ("Inquiry: {p}", "Hello,\r\nplease quote 5000 pcs of {p}, FOB Ningbo.\r\nBest regards\r\n{c}"),
    }
    for i, (rep, name, addr, lang, product, company, steps, ago) in enumerate(CUSTOMERS):
        repaddr = (REPS[rep], "%s@%s" % (rep, FIRM))
        cust = (name, addr)
        qt, pi, po = "QT-%d-%04d" % (YEAR, 12 + i), "PI-%d-%04d" % (YEAR, 34 + i), "PO45000%05d" % (12345 + i)
        # The steps of a deal, hours after its inquiry; the last one it reached is `ago` days before now.
        offsets = [0, 2, 24, 25, 72][:steps]
        t = now - int(ago * 86400) - offsets[-1] * 3600
        subj, body = texts[lang]
        subj, body = subj.format(p=product), body.format(p=product, c=company).rstrip()
        n += 1
        inq, raw = message(n, t, cust, repaddr, subj, body, lang=lang)
        write(out, rep, "INBOX", n, raw)
        if steps < 2:
            continue
        n += 1
        colleague = ("Kevin Li", "kevin.li@" + FIRM) if rep != "kevin.li" else ("Amy Sun", "amy.sun@" + FIRM)
        qmid, raw = message(n, t + 7200, repaddr, cust, "Re: " + subj + " - quotation " + qt,
                            "Dear %s,\r\nplease find our quotation %s attached: USD 1.85/pc, FOB Ningbo, 30 days.\r\n%s"
                            % (name, qt, REPS[rep]), cc=colleague, reply_to_id=inq,
                            attachment=("%s.pdf" % qt, pdf(["Acme Trading Co.", "Quotation " + qt, product.encode("ascii", "replace").decode(), "USD 1.85 per piece"])))
        write(out, rep, "Sent", n, raw)
        write(out, colleague[1].split("@")[0], "INBOX", n, b"Delivered-To: " + colleague[1].encode() + b"\r\n" + raw)
        if steps < 3:
            continue
        n += 1
        # The customer's webmail drops References: the archive threads it by subject, party and document number.
        ack, raw = message(n, t + 86400, cust, repaddr, "RE: " + subj + " - quotation " + qt,
                           "Thank you. Please send the proforma invoice for %s." % qt, reply_to_id=qmid, refs=False, lang=lang)
        write(out, rep, "INBOX", n, raw.replace(b"In-Reply-To: " + qmid.encode() + b"\r\n", b""))
        if steps < 4:
            continue
        n += 1
        pmid, raw = message(n, t + 90000, repaddr, cust, "Proforma invoice %s for %s" % (pi, qt),
                            "Dear %s,\r\nattached is proforma invoice %s. Please confirm and send your PO.\r\n" % (name, pi),
                            reply_to_id=ack, attachment=("%s.pdf" % pi, pdf(["Proforma Invoice " + pi, "Ref " + qt, "Total USD 9250.00"])))
        write(out, rep, "Sent", n, raw)
        if steps < 5:
            continue
        n += 1
        _, raw = message(n, t + 3 * 86400, cust, repaddr, "Purchase order %s / %s" % (po, pi),
                         "Please find our purchase order %s against %s. Shipment within 60 days." % (po, pi),
                         reply_to_id=pmid)
        write(out, rep, "INBOX", n, raw)
    # A newsletter in HTML with a remote tracking image (blocked in the web UI).
    n += 1
    html = ("From: Trade Fair News <news@fair.example>\r\nTo: amy.sun@%s\r\nSubject: Canton Fair %d floor plan\r\n"
            "Message-ID: <demo-news@fair.example>\r\nDate: %s\r\nList-Id: <news.fair.example>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/html; charset=utf-8\r\n\r\n"
            "<html><body><h1>Canton Fair %d</h1><p>Hall 9.1, booth C23.</p>"
            "<img src=\"https://tracker.fair.example/open.gif\" alt=\"\"></body></html>\r\n"
            % (FIRM, YEAR, email.utils.formatdate(now - 3 * 86400), YEAR))
    write(out, "amy.sun", "INBOX", n, html.encode())
    # (The project's MIME edge cases stay with the tests: as demo mail they made junk customers and
    # conflicts about reps who do not exist.)
    return n


if __name__ == "__main__":
    count = main(sys.argv[1])
    print("demo mail: %d messages for %d reps in %s" % (count, len(REPS), sys.argv[1]))
