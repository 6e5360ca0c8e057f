// Component tests: whole messages written as raw strings, parsed end to end.
#include <catch2/catch.hpp>

#include "mail/charset.h"
#include "mail/date.h"
#include "helpers.h"
#include "mail/message.h"

using tw::parse_message;

namespace {
using tw_test::has_problem;
const int64_t kArrival = 1736600000;  // 2025-01-11T12:53:20Z
}  // namespace

TEST_CASE("a plain message gives every field", "[message]") {
    auto m = parse_message(
        "From: =?UTF-8?B?5ZGo5Li95Li9?= <Lily.Zhou@acme-trading.example>\r\n"
        "To: \"Schmidt, Anna\" <anna@nord1-de.example>, bob@x.example\r\n"
        "Cc: Sales: a@x.example, b@x.example;\r\n"
        "Subject: =?gb2312?B?u9i4tDog0a+827Wl?= QT-2025-0001\r\n"
        "Date: Sat, 11 Jan 2025 19:40:00 +0800\r\n"
        "Message-ID: <abc.1@acme-trading.example>\r\n"
        "In-Reply-To: <q.0@nord1-de.example>\r\n"
        "References: <root@nord1-de.example>\r\n <q.0@nord1-de.example>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Dear Anna,\r\nplease find the quotation.\r\n",
        kArrival);
    CHECK(m.message_id == "abc.1@acme-trading.example");
    CHECK_FALSE(m.synthetic_id);
    CHECK(m.subject == "回复: 询价单 QT-2025-0001");
    CHECK(m.base_subject == "询价单 QT-2025-0001");
    REQUIRE(m.from.size() == 1);
    CHECK(m.from[0].name == "周丽丽");
    CHECK(m.from[0].address == "Lily.Zhou@acme-trading.example");
    CHECK(m.from[0].normalized == "lily.zhou@acme-trading.example");
    REQUIRE(m.to.size() == 2);
    CHECK(m.to[0].name == "Schmidt, Anna");
    REQUIRE(m.cc.size() == 2);
    CHECK(m.cc[1].group == "Sales");
    CHECK(tw::format_iso_utc(m.date) == "2025-01-11T11:40:00Z");
    CHECK(m.date_source == tw::DateSource::Header);
    CHECK(m.in_reply_to == "q.0@nord1-de.example");
    CHECK(m.references == std::vector<std::string>{"root@nord1-de.example", "q.0@nord1-de.example"});
    CHECK(m.text == "Dear Anna,\nplease find the quotation.\n");
    CHECK(m.problems.empty());
}

TEST_CASE("date falls back to Received, then to arrival, and says so", "[message]") {
    auto r = parse_message(
        "Received: from a by b; Sat, 11 Jan 2025 10:00:00 +0000\r\n"
        "Received: from c by d; Sat, 11 Jan 2025 10:05:00 +0000\r\n"
        "Date: 32 Foo 2025 99:99\r\nFrom: a@x.example\r\nMessage-ID: <1@x>\r\n\r\nbody\r\n",
        kArrival);
    CHECK(r.date_source == tw::DateSource::Received);
    CHECK(tw::format_iso_utc(r.date) == "2025-01-11T10:05:00Z");
    CHECK(has_problem(r, "unparseable Date"));
    auto a = parse_message("From: a@x.example\r\nMessage-ID: <1@x>\r\n\r\nbody\r\n", kArrival);
    CHECK(a.date_source == tw::DateSource::Arrival);
    CHECK(a.date == kArrival);
    CHECK(has_problem(a, "no Date"));
}

TEST_CASE("no Message-ID gives a stable synthetic id that ignores trace headers", "[message]") {
    std::string body = "From: a@x.example\r\nSubject: hi\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\n\r\nbody\r\n";
    auto m1 = parse_message("Received: from x by y; Sat, 11 Jan 2025 10:00:01 +0000\r\n" + body, kArrival);
    auto m2 = parse_message("Delivered-To: other@rep.example\r\nReceived: from z by w; Sat, 11 Jan 2025 10:00:09 +0000\r\n" + body, kArrival + 5);
    auto m3 = parse_message(body + "different\r\n", kArrival);
    CHECK(m1.synthetic_id);
    CHECK(m1.message_id == m2.message_id);
    CHECK(m1.message_id != m3.message_id);
    CHECK(m1.message_id.find("@synthetic.tradewind") != std::string::npos);
}

TEST_CASE("multipart/alternative: text/plain is the text, HTML is kept", "[message]") {
    auto m = parse_message(
        "From: a@x.example\r\nMessage-ID: <1@x>\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\n"
        "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
        "--b1\r\nContent-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: base64\r\n\r\nsai827Wl\r\n"
        "--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>报价单</p><script>x()</script>\r\n"
        "--b1--\r\n",
        kArrival);
    CHECK(m.text == "报价单");
    CHECK(m.html.find("<p>报价单</p>") != std::string::npos);
    CHECK(m.attachments.empty());
    CHECK(m.problems.empty());
}

TEST_CASE("HTML-only mail is converted to text", "[message]") {
    auto m = parse_message(
        "From: a@x.example\r\nMessage-ID: <1@x>\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\n"
        "Content-Type: text/html; charset=windows-1252\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        "<html><head><style>p{}</style><title>t</title></head><body><p>Price =93USD 5=94</p>"
        "<div>line&nbsp;two<br>three</div><script>alert(1)</script></body></html>\r\n",
        kArrival);
    CHECK(m.text == "Price \u201CUSD 5\u201D\n\nline\u00A0two\nthree");
    CHECK_FALSE(m.html.empty());
}

TEST_CASE("attachments: names, sizes, hashes, text", "[message]") {
    auto m = parse_message(
        "From: a@x.example\r\nMessage-ID: <1@x>\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\n"
        "Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\npreamble\r\n"
        "--mix\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        "--mix\r\nContent-Type: text/csv; charset=gbk; name=\"=?gb18030?B?sai827Wl?=.csv\"\r\n"
        "Content-Disposition: attachment; filename*=UTF-8''%E6%8A%A5%E4%BB%B7%E5%8D%95.csv\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        "sai827WlLFFULTIwMjUtMDAwMQ==\r\n"
        "--mix\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Disposition: inline\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
        "--mix--\r\n",
        kArrival);
    CHECK(m.text == "see attached");  // the CRLF before a boundary belongs to it
    REQUIRE(m.attachments.size() == 2);
    const auto& csv = m.attachments[0];
    CHECK(csv.filename == "报价单.csv");
    CHECK(csv.content_type == "text/csv");
    CHECK(csv.disposition == "attachment");
    CHECK(csv.size == 19);
    CHECK(csv.text == "报价单,QT-2025-0001");
    CHECK(csv.sha256 == "901c1767b2e642824b9c1e3f858f1651fc11fdadf7d86849ed37c00078f75a43");
    const auto& png = m.attachments[1];
    CHECK(png.content_id == "logo@x");
    CHECK(png.size == 8);
    CHECK(png.sha256 == "4c4b6a3be1314ab86138bef4314dde022e600960d8689a2c8f8631802d20dab6");
    CHECK(m.problems.empty());
}

TEST_CASE("forwarded message/rfc822 parts are parsed too", "[message]") {
    auto m = parse_message(
        "From: lily@acme.example\r\nMessage-ID: <fw@x>\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\n"
        "Subject: FW: PO4500001234\r\n"
        "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
        "--m\r\nContent-Type: text/plain\r\n\r\nPlease approve.\r\n"
        "--m\r\nContent-Type: message/rfc822\r\n\r\n"
        "From: Anna <anna@nord.example>\r\nSubject: =?utf-8?q?Bestellung_PO4500001234?=\r\n"
        "Date: Fri, 10 Jan 2025 09:00:00 +0100\r\nMessage-ID: <po@nord.example>\r\n\r\n"
        "Our order PO4500001234 attached.\r\n"
        "--m--\r\n",
        kArrival);
    REQUIRE(m.attachments.size() == 1);
    const auto& a = m.attachments[0];
    CHECK(a.content_type == "message/rfc822");
    CHECK(a.filename == "Bestellung PO4500001234.eml");
    REQUIRE(a.message);
    CHECK(a.message->message_id == "po@nord.example");
    CHECK(a.message->from.at(0).name == "Anna");
    CHECK(a.message->text.find("Our order PO4500001234") == 0);
    CHECK(a.text.find("Our order PO4500001234") != std::string::npos);
    CHECK(a.text.find("Anna <anna@nord.example>") != std::string::npos);
}

TEST_CASE("malformed mail is kept and flagged, never dropped", "[message]") {
    std::string raw =
        "From: a@x.example\r\nMessage-ID: <1@x>\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\n"
        "Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n"
        "--mix\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
        "--mix\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "JVBERi0xLjQK@@@@!!!!JVBERi0x";  // bad base64, no closing boundary: a truncated file
    auto m = parse_message(raw, kArrival);
    CHECK(m.raw == raw);
    CHECK(m.text == "hello");
    REQUIRE(m.attachments.size() == 1);
    CHECK(has_problem(m, "bad base64 in \"a.pdf\""));
    CHECK(has_problem(m, "never closed"));
}

TEST_CASE("mail with no header block, no body, or nothing at all", "[message]") {
    auto empty = parse_message("", kArrival);
    CHECK(has_problem(empty, "empty message"));
    CHECK(empty.synthetic_id);
    auto nobody = parse_message("From: a@x.example\r\nSubject: s", kArrival);
    CHECK(nobody.subject == "s");
    CHECK(has_problem(nobody, "no blank line"));
    auto junk = parse_message(std::string("\x00\xFF\xFE binary junk\n\n\x01\x02", 20), kArrival);
    CHECK(tw::is_valid_utf8(junk.text));
    CHECK(has_problem(junk, "no From"));
}

TEST_CASE("an mbox From_ line at the top is skipped", "[message]") {
    auto m = parse_message("From MAILER-DAEMON Tue Jun 11 19:13:34 2024\nFrom: x@y.example\nSubject: s\n\nbody\n",
                           kArrival);
    REQUIRE(m.from.size() == 1);
    CHECK(m.from[0].address == "x@y.example");
    CHECK(m.subject == "s");
}

TEST_CASE("raw 8-bit GBK subject is decoded with the body charset", "[message]") {
    auto m = parse_message(
        "From: a@x.example\r\nMessage-ID: <1@x>\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\n"
        "Subject: \xBB\xD8\xB8\xB4: \xD1\xAF\xBC\xDB\r\n"
        "Content-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "\xC4\xFA\xBA\xC3\r\n",
        kArrival);
    CHECK(m.subject == "回复: 询价");
    CHECK(m.text == "您好\n");
}

TEST_CASE("format=flowed text is unwrapped", "[message]") {
    auto m = parse_message(
        "From: a@x.example\r\nMessage-ID: <1@x>\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\n"
        "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=no\r\n\r\n"
        "Our target price is USD 4.20 per piece, FOB \r\nNingbo.\r\n",
        kArrival);
    CHECK(m.text == "Our target price is USD 4.20 per piece, FOB Ningbo.\n");
}

TEST_CASE("a Date far ahead of the Received trace is replaced by it", "[message]") {
    auto m = parse_message(
        "Received: from a by b; Sat, 11 Jan 2025 10:00:00 +0000\r\n"
        "From: a@x.example\r\nMessage-ID: <1@x>\r\nDate: Mon, 11 Jan 2055 10:00:00 +0000\r\n\r\nbody\r\n",
        kArrival);
    CHECK(m.date_source == tw::DateSource::Received);
    CHECK(tw::format_iso_utc(m.date) == "2025-01-11T10:00:00Z");
    CHECK(has_problem(m, "days after the mail was received"));
    // A day of clock skew is normal and keeps the header's date.
    auto ok = parse_message(
        "Received: from a by b; Sat, 11 Jan 2025 10:00:00 +0000\r\n"
        "From: a@x.example\r\nMessage-ID: <1@x>\r\nDate: Sat, 11 Jan 2025 20:00:00 +0000\r\n\r\nbody\r\n",
        kArrival);
    CHECK(ok.date_source == tw::DateSource::Header);
}

TEST_CASE("sent mail (no Received) dated far ahead of its arrival in the mailbox takes the arrival", "[message]") {
    const int64_t saved = 1750060380;  // 2025-06-16 07:53 UTC: when it was saved to Sent
    auto m = parse_message("From: lily@acme.example\r\nMessage-ID: <2@x>\r\nDate: Fri, 4 Jul 2025 10:00:00 +0000\r\n\r\nbody\r\n", saved);
    CHECK(m.date_source == tw::DateSource::Arrival);
    CHECK(m.date == saved);
    CHECK(has_problem(m, "after the mail reached the mailbox"));
    // Behind its arrival (saved to the mailbox later, imported years on) it keeps the header's date.
    auto old = parse_message("From: lily@acme.example\r\nMessage-ID: <3@x>\r\nDate: Mon, 2 Jun 2025 10:00:00 +0000\r\n\r\nbody\r\n", saved);
    CHECK(old.date_source == tw::DateSource::Header);
    // A date without a zone months away from its arrival is a broken client's: the arrival wins.
    auto broken = parse_message("From: lily@acme.example\r\nMessage-ID: <5@x>\r\nDate: 2025-07-04 10:00\r\n\r\nbody\r\n", 1762408620);
    CHECK(broken.date_source == tw::DateSource::Arrival);
    CHECK(broken.date == 1762408620);
    // Without a zone but within a day of its arrival it stays (a zone is a few hours at most).
    auto near = parse_message("From: lily@acme.example\r\nMessage-ID: <6@x>\r\nDate: Mon, 16 Jun 2025 09:00:00\r\n\r\nbody\r\n", saved);
    CHECK(near.date_source == tw::DateSource::Header);
    // No arrival known (0): the header's date stands.
    auto none = parse_message("From: lily@acme.example\r\nMessage-ID: <4@x>\r\nDate: Mon, 11 Jan 2055 10:00:00 +0000\r\n\r\nbody\r\n", 0);
    CHECK(none.date_source == tw::DateSource::Header);
}
