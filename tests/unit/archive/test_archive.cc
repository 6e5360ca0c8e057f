// Component tests of the archive: a temporary data directory, messages
// written as raw strings, the real store and index.
#include <algorithm>
#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

#include "archive_fixture.h"
#include "helpers.h"
#include "mail/message.h"
#include "archive/importer.h"
#include "archive/search_index.h"
#include "archive/store.h"

namespace fs = std::filesystem;

namespace {

using tw_test::mail;
using tw_test::TempDir;

const std::string kFirm = "acme-trading.example";

using tw_test::Archive;

}  // namespace

TEST_CASE("a mail copied to two reps is one message with two locations and each byte-exact", "[archive]") {
    Archive a;
    std::string body = mail("po1@nord.example", "Anna <anna@nord.example>", "lily.zhou@acme-trading.example",
                            "PO4500012345", "Sat, 11 Jan 2025 10:00:00 +0000", "Our order.",
                            "Cc: kevin.li@acme-trading.example\r\n");
    std::string copy1 = "Delivered-To: lily.zhou@acme-trading.example\r\n" + body;
    std::string copy2 = "Delivered-To: kevin.li@acme-trading.example\r\nReceived: from x by y; Sat, 11 Jan 2025 10:00:03 +0000\r\n" + body;
    auto r1 = a.add(copy1);
    auto r2 = a.add(copy2, "kevin.li@acme-trading.example");
    CHECK(r1.outcome == tw::AddOutcome::New);
    CHECK(r2.outcome == tw::AddOutcome::Copy);
    CHECK(r2.row == r1.row);
    auto locs = a.store.locations(r1.row);
    REQUIRE(locs.size() == 2);
    CHECK(a.store.raw(r1.row, &locs[0]) == copy2);  // ordered by account: kevin first
    CHECK(a.store.raw(r1.row, &locs[1]) == copy1);
    CHECK(a.store.stats().messages == 1);
    CHECK(a.search("account:kevin.li@acme-trading.example") == std::vector<int64_t>{r1.row});
}

TEST_CASE("different mails reusing one Message-ID are not merged and re-adding a location adds nothing", "[archive]") {
    Archive a;
    auto r1 = a.add(mail("same@x", "a@x.example", "lily.zhou@acme-trading.example", "one", "Sat, 11 Jan 2025 10:00:00 +0000", "first"));
    auto r2 = a.add(mail("same@x", "a@x.example", "lily.zhou@acme-trading.example", "two", "Sat, 11 Jan 2025 11:00:00 +0000", "second"));
    CHECK(r2.outcome == tw::AddOutcome::New);
    CHECK(r2.row != r1.row);
    tw::Message m = tw::parse_message(mail("same@x", "a@x.example", "b@x", "one", "Sat, 11 Jan 2025 10:00:00 +0000", "first"), 0);
    a.store.begin();
    CHECK(a.store.add(m, {"lily.zhou@acme-trading.example", "INBOX", "src1", {}, 0}, kFirm).outcome == tw::AddOutcome::Known);
    a.store.commit();
    CHECK(a.store.stats().messages == 2);
}

TEST_CASE("threads: replies before their parents and a message that joins two threads", "[archive][threading]") {
    Archive a;
    const std::string date = "Sat, 11 Jan 2025 10:00:00 +0000";
    auto child = a.add(mail("c@x", "a@x.example", "lily.zhou@acme-trading.example", "Re: q", date, "c", "In-Reply-To: <p@x>\r\nReferences: <r@x> <p@x>\r\n"));
    auto root = a.add(mail("r@x", "a@x.example", "lily.zhou@acme-trading.example", "q", date, "r"));
    auto parent = a.add(mail("p@x", "lily.zhou@acme-trading.example", "a@x.example", "Re: q", date, "p", "References: <r@x>\r\n"));
    CHECK(root.thread == child.thread);
    CHECK(parent.thread == child.thread);
    auto other = a.add(mail("o@x", "b@y.example", "lily.zhou@acme-trading.example", "other", date, "o"));
    CHECK(other.thread != root.thread);
    auto joiner = a.add(mail("j@x", "b@y.example", "lily.zhou@acme-trading.example", "Re: other", date, "j", "References: <o@x> <r@x>\r\n"));
    CHECK(joiner.thread == std::min(root.thread, other.thread));
    CHECK_FALSE(joiner.relabeled.empty());
    CHECK(a.search("thread:" + std::to_string(joiner.thread)).size() == 5);
}

TEST_CASE("replies without References join by subject and party and documents only", "[archive][threading]") {
    Archive a;
    auto inq = a.add(mail("i1@nord.example", "anna@nord.example", "lily.zhou@acme-trading.example", "Anfrage LED panel",
                          "Mon, 06 Jan 2025 10:00:00 +0000", "Please quote."));
    auto qt = a.add(mail("q1@acme-trading.example", "lily.zhou@acme-trading.example", "anna@nord.example",
                         "Re: Anfrage LED panel", "Tue, 07 Jan 2025 10:00:00 +0000", "Quotation QT-2025-0001 attached.",
                         "In-Reply-To: <i1@nord.example>\r\n"));
    CHECK(qt.thread == inq.thread);
    // The customer's webmail drops References; prefixes vary.
    for (const char* subj : {"AW: Anfrage LED panel", "AW: AW: Anfrage LED panel", "回复：Anfrage LED panel", "RE[2]: Anfrage LED panel"}) {
        static int k = 0;
        auto r = a.add(mail("nr" + std::to_string(++k) + "@nord.example", "anna@nord.example", "lily.zhou@acme-trading.example",
                            subj, "Wed, 08 Jan 2025 10:00:00 +0000", "Your price QT-2025-0001 is too high."));
        CHECK(r.thread == inq.thread);
    }
    // Another customer with the same subject stays apart.
    auto other = a.add(mail("x1@pacific.example", "bob@pacific.example", "lily.zhou@acme-trading.example",
                            "Re: Anfrage LED panel", "Wed, 08 Jan 2025 11:00:00 +0000", "Price?"));
    CHECK(other.thread != inq.thread);
    // A new deal from the same customer, same subject, no prefix: a new conversation.
    auto again = a.add(mail("i2@nord.example", "anna@nord.example", "lily.zhou@acme-trading.example", "Anfrage LED panel",
                            "Mon, 03 Mar 2025 10:00:00 +0000", "Please quote again."));
    CHECK(again.thread != inq.thread);
    // Its reference-less reply mentioning the new deal's PI goes with the deal that has that PI.
    a.add(mail("q2@acme-trading.example", "lily.zhou@acme-trading.example", "anna@nord.example", "Re: Anfrage LED panel",
               "Tue, 04 Mar 2025 10:00:00 +0000", "PI-2025-0099 attached.", "In-Reply-To: <i2@nord.example>\r\n"));
    auto reply = a.add(mail("nr9@nord.example", "anna@nord.example", "lily.zhou@acme-trading.example", "AW: Anfrage LED panel",
                            "Wed, 05 Mar 2025 10:00:00 +0000", "We accept PI-2025-0099."));
    CHECK(reply.thread == again.thread);
    // Mention the old deal's quotation instead: back to the old conversation.
    auto late = a.add(mail("nr10@nord.example", "anna@nord.example", "lily.zhou@acme-trading.example", "AW: Anfrage LED panel",
                           "Thu, 06 Mar 2025 10:00:00 +0000", "About QT-2025-0001 from January."));
    CHECK(late.thread == inq.thread);
}

TEST_CASE("search: CJK and prefixes and dates and attachments", "[archive][search]") {
    Archive a;
    auto cn = a.add(mail("cn@x", "=?UTF-8?B?546L57uP55CG?= <wang@golden.example>", "lily.zhou@acme-trading.example",
                         "=?UTF-8?B?6K+i5Lu377ya5LiN6ZSI6ZKi5ZCI6aG1IOaKpeS7t+ivt+axgg==?=", "Sat, 11 Jan 2025 10:00:00 +0800",
                         "请报价，数量1000件。"));
    auto en = a.add(mail("en@x", "Anna Schmidt <anna@nord.example>", "lily.zhou@acme-trading.example",
                         "Quotation for hinges", "Mon, 10 Mar 2025 10:00:00 +0000", "The quotation is attached."),
                    "lily.zhou@acme-trading.example", "Sent");
    CHECK(a.search("询价") == std::vector<int64_t>{cn.row});
    CHECK(a.search("不锈钢") == std::vector<int64_t>{cn.row});
    CHECK(a.search("数量") == std::vector<int64_t>{cn.row});
    CHECK(a.search("from:anna") == std::vector<int64_t>{en.row});
    CHECK(a.search("from:wang@golden.example") == std::vector<int64_t>{cn.row});
    CHECK(a.search("subject:quotation") == std::vector<int64_t>{en.row});
    CHECK(a.search("quot*") == std::vector<int64_t>{en.row});
    CHECK(a.search("\"quotation is attached\"") == std::vector<int64_t>{en.row});
    CHECK(a.search("folder:Sent") == std::vector<int64_t>{en.row});
    CHECK(a.search("date:2025-03-01..2025-03-31") == std::vector<int64_t>{en.row});
    CHECK(a.search("date:2025-01-01..2025-01-31") == std::vector<int64_t>{cn.row});
    CHECK(a.search("id:cn@x") == std::vector<int64_t>{cn.row});
    CHECK(a.search("quotation OR 询价").size() == 2);
    CHECK(a.search("has:attachment").empty());
    CHECK(a.search("").size() == 2);
    CHECK(a.search("") == std::vector<int64_t>{en.row, cn.row});  // newest first
    CHECK_THROWS_AS(a.search("quotation AND"), tw::StoreError);  // a clear error, not a crash
}

TEST_CASE("copies are matched by content key among several mails sharing one Message-ID", "[archive]") {
    Archive a;
    std::string first = mail("dup@x", "a@x.example", "lily.zhou@acme-trading.example", "one", "Sat, 11 Jan 2025 10:00:00 +0000", "first");
    std::string second = mail("dup@x", "a@x.example", "lily.zhou@acme-trading.example", "two", "Sat, 11 Jan 2025 11:00:00 +0000", "second");
    auto r1 = a.add(first);
    auto r2 = a.add(second);
    REQUIRE(r2.outcome == tw::AddOutcome::New);
    // The second mail again, with LF line endings and its own trace header: a copy of r2, not of r1.
    std::string lf = "Received: from relay by mx; Sat, 11 Jan 2025 11:00:05 +0000\n" + second;
    lf.erase(std::remove(lf.begin(), lf.end(), '\r'), lf.end());
    auto r3 = a.add(lf, "kevin.li@acme-trading.example");
    CHECK(r3.outcome == tw::AddOutcome::Copy);
    CHECK(r3.row == r2.row);
    CHECK(a.store.raw(r2.row, &a.store.locations(r2.row).front()) == lf);  // kept byte-exact in its own blob
    // And the first one again, byte-identical: a copy of r1.
    auto r4 = a.add(first, "kevin.li@acme-trading.example");
    CHECK(r4.outcome == tw::AddOutcome::Copy);
    CHECK(r4.row == r1.row);
    CHECK(a.store.stats().messages == 2);
    // A location for a message the index has not seen yet is no error.
    CHECK_NOTHROW(a.index.add_location(999, {"x@y", "INBOX", "s", {}, 0}));
}

TEST_CASE("recover drops index entries beyond the archive (a rolled-back batch Xapian kept)", "[archive]") {
    Archive a;
    auto r1 = a.add("From: a@x.example\r\nTo: lily.zhou@acme-trading.example\r\nSubject: kept ALPHA\r\n"
                    "Message-ID: <k1@x.example>\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\n\r\nhi\r\n");
    // A message the index got but the store rolled back (its row is beyond the store's last).
    tw::Message ghost = tw::parse_message("From: b@y.example\r\nSubject: ghost ALPHA\r\nMessage-ID: <g@y.example>\r\n\r\nboo\r\n", 1);
    a.index.add(r1.row + 5, ghost, 99, {"lily.zhou@acme-trading.example", "INBOX", "ghost", {}, 0});
    a.index.commit(r1.row);
    REQUIRE(a.search("ALPHA").size() == 2);
    tw::recover(a.store, a.index, {});
    CHECK(a.search("ALPHA") == std::vector<int64_t>{r1.row});
    CHECK(a.index.documents() == 1);
    CHECK(a.index.remove_after(a.store.max_row()) == 0);  // nothing left to take out
}
