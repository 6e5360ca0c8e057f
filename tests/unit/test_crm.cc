// Customers, contacts and trade documents: the rules (table-driven) and the
// linking over a real archive in a temporary directory.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "crm.h"
#include "helpers.h"
#include "message.h"
#include "search_index.h"
#include "store.h"

using tw_test::mail;
using tw_test::TempDir;

TEST_CASE("freemail domains never stand for a company", "[crm]") {
    for (const char* d : {"gmail.com", "qq.com", "163.com", "126.com", "yeah.net", "aliyun.com", "mail.ru", "gmx.de", "gmx.net",
                          "yahoo.co.jp", "outlook.com", "hotmail.com", "sina.com", "mail.example", "webmail.example"})
        CHECK(tw::is_freemail(d));
    for (const char* d : {"orion0-de.example", "acme-trading.example", "gmail.example.com", "myqq.com", "mail.example.org"})
        CHECK_FALSE(tw::is_freemail(d));
}

TEST_CASE("document numbers by type, and what is no document", "[crm][docnum]") {
    const std::map<std::string, std::string> cases = {
        {"QT-2025-0012", "quotation"},
        {"PI-2025-0034", "proforma_invoice"},
        {"PO4500012345", "purchase_order"},
        {"PO-2025-0007", "purchase_order"},
        {"SC-2025-0003", "contract"},
        {"INV-2025-0007", "commercial_invoice"},
        {"PL-2025-0099", "packing_list"},
        {"COSU1234567890", "bill_of_lading"},
        {"MAEU9876543210", "bill_of_lading"},
        {"LCDE123456", "letter_of_credit"},
        {"LC-2025-0001", "letter_of_credit"},
        // Not documents: currencies with amounts, standards, models, bad years, wrong lengths.
        {"USD12000", ""},
        {"ISO-9001", ""},
        {"QT-1234", ""},
        {"PI-3025-0001", ""},
        {"PO12345", ""},
        {"ABCD1234567890", ""},
        {"MODEL-2025", ""},
        {"LCDE12", ""},
    };
    for (const auto& [n, type] : cases) {
        INFO(n);
        CHECK(tw::doc_type(n) == type);
    }
}

TEST_CASE("documents are found in subject, body, file names and attachment text, not in dates or phones", "[crm][docnum]") {
    std::string raw =
        "From: Anna <anna@orion0-de.example>\r\nTo: lily.zhou@acme-trading.example\r\nSubject: RE: PI-2025-0034\r\n"
        "Date: Sat, 11 Jan 2025 10:00:00 +0000\r\nMessage-ID: <d1@orion0-de.example>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
        "Our PO4500012345 follows. Call +86-574-8765-4321 or 2025-01-11. Price USD 12,000.00, ISO-9001.\r\n"
        "--b\r\nContent-Type: text/plain; name=\"PL-2025-0099.txt\"\r\nContent-Disposition: attachment; filename=\"PL-2025-0099.txt\"\r\n\r\n"
        "B/L COSU1234567890 for INV-2025-0007\r\n--b--\r\n";
    tw::Message m = tw::parse_message(raw, 0);
    std::set<std::pair<std::string, std::string>> got;
    for (const auto& d : tw::trade_documents(m)) got.emplace(d.number, d.place);
    const std::set<std::pair<std::string, std::string>> want = {
        {"PI-2025-0034", "subject"},      {"PO4500012345", "body"},        {"PL-2025-0099", "filename"},
        {"COSU1234567890", "attachment"}, {"INV-2025-0007", "attachment"},
    };
    CHECK(got == want);
}

namespace {

struct Archive {
    TempDir dir;
    tw::Store store{dir.path.string()};
    int n = 0;
    tw::AddResult add(const std::string& raw, const std::string& account = "lily.zhou@acme-trading.example",
                      const std::string& folder = "INBOX") {
        tw::Message m = tw::parse_message(raw, 1736600000);
        store.begin();
        tw::AddResult r = store.add(m, {account, folder, "src" + std::to_string(++n), {}, 0}, "acme-trading.example");
        store.commit();
        return r;
    }
    std::string customer_name(int64_t id) {
        for (const auto& c : store.customers())
            if (c.id == id) return c.name;
        return "";
    }
};

const char* kDate = "Sat, 11 Jan 2025 10:00:00 +0000";

}  // namespace

TEST_CASE("linking: business domains join, freemail contacts stay apart, the firm is no customer", "[crm]") {
    Archive a;
    auto r1 = a.add(mail("a1@orion0-de.example", "Anna <anna@orion0-de.example>", "lily.zhou@acme-trading.example", "Inquiry",
                         kDate, "hi"));
    auto r2 = a.add(mail("a2@orion0-de.example", "Bernd <bernd@orion0-de.example>", "lily.zhou@acme-trading.example",
                         "Other inquiry", kDate, "hi"));
    REQUIRE(r1.customers.size() == 1);
    CHECK(r2.customers == r1.customers);  // same company domain
    CHECK(a.customer_name(r1.customers[0]) == "orion0-de.example");
    CHECK(a.store.customers().front().owner == "lily.zhou@acme-trading.example");  // the first rep to correspond
    auto f1 = a.add(mail("f1@gmail.com", "Sven <sven.m@gmail.com>", "lily.zhou@acme-trading.example", "Buy", kDate, "x"));
    auto f2 = a.add(mail("f2@gmail.com", "Rosa <rosa.k@gmail.com>", "lily.zhou@acme-trading.example", "Buy too", kDate, "x"));
    REQUIRE(f1.customers.size() == 1);
    REQUIRE(f2.customers.size() == 1);
    CHECK(f1.customers != f2.customers);  // never merged by the freemail domain
    CHECK(a.customer_name(f1.customers[0]) == "Sven");
    // Sent mail links through its recipients; colleagues in Cc are not customers.
    auto s = a.add(mail("s1@acme-trading.example", "Lily <lily.zhou@acme-trading.example>", "anna@orion0-de.example",
                        "Quotation QT-2025-0001", kDate, "see QT-2025-0001", "Cc: Wei <wei.chen@acme-trading.example>\r\n"),
                   "lily.zhou@acme-trading.example", "Sent");
    CHECK(s.customers == r1.customers);
    // Internal mail: no customer of its own.
    auto i = a.add(mail("i1@acme-trading.example", "Lily <lily.zhou@acme-trading.example>", "wei.chen@acme-trading.example",
                        "lunch", kDate, "x"));
    CHECK(i.customers.empty());
    auto docs = a.store.documents();
    REQUIRE(docs.size() == 1);
    CHECK(docs[0].number == "QT-2025-0001");
    CHECK(docs[0].type == "quotation");
    CHECK(docs[0].status == "sent");
    CHECK(docs[0].customer == r1.customers[0]);
}

TEST_CASE("linking: an internal forward takes the customer of what it forwards, and relink keeps customer ids", "[crm]") {
    Archive a;
    std::string inner = mail("q1@nord9-fr.example", "Marc <marc@nord9-fr.example>", "lily.zhou@acme-trading.example",
                             "PO", kDate, "PO4500099999");
    std::string fwd = "From: Lily <lily.zhou@acme-trading.example>\r\nTo: Wei <wei.chen@acme-trading.example>\r\n"
                      "Subject: FW: PO\r\nDate: Sat, 11 Jan 2025 11:00:00 +0000\r\nMessage-ID: <fw1@acme-trading.example>\r\n"
                      "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\n"
                      "Please approve.\r\n--z\r\nContent-Type: message/rfc822\r\n\r\n" + inner + "--z--\r\n";
    auto f = a.add(fwd, "lily.zhou@acme-trading.example", "Sent");
    REQUIRE(f.customers.size() == 1);
    CHECK(a.customer_name(f.customers[0]) == "nord9-fr.example");
    auto d = a.add(mail("d1@nord9-fr.example", "Marc <marc@nord9-fr.example>", "lily.zhou@acme-trading.example", "hello",
                        kDate, "x"));
    CHECK(d.customers == f.customers);
    auto before = a.store.customers();
    auto links = a.store.relink();
    auto after = a.store.customers();
    REQUIRE(before.size() == after.size());
    for (size_t k = 0; k < before.size(); ++k) CHECK(before[k].id == after[k].id);
    std::map<int64_t, std::vector<int64_t>> by_row(links.begin(), links.end());
    CHECK(by_row[f.row] == f.customers);
    CHECK(by_row[d.row] == d.customers);
    // A domain declared internal stops being a customer on relink.
    a.store.set_setting("internal_domains", "nord9-fr.example");
    links = a.store.relink();
    by_row = std::map<int64_t, std::vector<int64_t>>(links.begin(), links.end());
    CHECK(by_row[d.row].empty());
    CHECK(a.store.customers().empty());
}

TEST_CASE("customer: and doc: search the index", "[crm][index]") {
    TempDir dir;
    tw::Store store(dir.path.string());
    tw::SearchIndex index(dir.path.string(), true);
    tw::Message m = tw::parse_message(mail("x1@orion0-de.example", "Anna <anna@orion0-de.example>",
                                           "lily.zhou@acme-trading.example", "PI-2025-0034 signed", kDate, "ok"),
                                      0);
    store.begin();
    tw::Location loc{"lily.zhou@acme-trading.example", "INBOX", "1", {}, 0};
    tw::AddResult r = store.add(m, loc, "acme-trading.example");
    tw::IndexDocument doc = tw::SearchIndex::prepare(m);
    doc.add_customers(r.customers);
    index.add(r.row, std::move(doc), r.thread, loc);
    store.commit();
    index.commit(store.max_row());
    REQUIRE(r.customers.size() == 1);
    CHECK(index.search("customer:" + std::to_string(r.customers[0]), {}).size() == 1);
    CHECK(index.search("doc:PI-2025-0034", {}).size() == 1);
    CHECK(index.search("doc:PI-2025-0035", {}).empty());
    index.set_customers(r.row, {});
    index.commit(store.max_row());
    CHECK(index.search("customer:" + std::to_string(r.customers[0]), {}).empty());
}

TEST_CASE("conflicts: a rep who is not the owner opens a conversation, two reps quote one customer", "[crm]") {
    Archive a;
    const std::string lily = "lily.zhou@acme-trading.example", kevin = "kevin.li@acme-trading.example";
    auto in = a.add(mail("c1@orion0-de.example", "Anna <anna@orion0-de.example>", lily, "Inquiry", "Mon, 06 Jan 2025 09:00:00 +0000",
                         "hi"), lily);
    REQUIRE(in.customers.size() == 1);
    a.add(mail("c2@acme-trading.example", "Lily <" + lily + ">", "anna@orion0-de.example", "Re: Inquiry QT-2025-0001",
               "Tue, 07 Jan 2025 09:00:00 +0000", "our QT-2025-0001", "In-Reply-To: <c1@orion0-de.example>\r\n"),
          lily, "Sent");
    // Kevin writes to the same company first, on his own, and quotes it too.
    auto k = a.add(mail("c3@acme-trading.example", "Kevin <" + kevin + ">", "bernd@orion0-de.example", "Offer QT-2025-0002",
                        "Wed, 08 Jan 2025 09:00:00 +0000", "see QT-2025-0002"),
                   kevin, "Sent");
    // Kevin answering mail the customer sent him is no conflict.
    a.add(mail("c4@orion0-de.example", "Bernd <bernd@orion0-de.example>", kevin, "Question", "Thu, 09 Jan 2025 09:00:00 +0000", "?"),
          kevin);
    a.add(mail("c5@acme-trading.example", "Kevin <" + kevin + ">", "bernd@orion0-de.example", "Re: Question",
               "Thu, 09 Jan 2025 10:00:00 +0000", "!", "In-Reply-To: <c4@orion0-de.example>\r\n"),
          kevin, "Sent");
    auto conflicts = a.store.conflicts();
    std::set<std::pair<std::string, std::string>> kinds;
    for (const auto& c : conflicts) {
        kinds.emplace(c.kind, c.rep);
        CHECK(c.customer == in.customers[0]);
        CHECK(c.other_rep == lily);
        CHECK(c.message == k.row);
        CHECK(c.status == "open");
    }
    CHECK(kinds == std::set<std::pair<std::string, std::string>>{{"not_owner", kevin}, {"double_quote", kevin}});
    CHECK(a.store.conflicts().size() == 2);  // found again, not doubled
}

TEST_CASE("the public pool: idle customers are released on the injected clock and claimed, all logged", "[crm]") {
    Archive a;
    const std::string lily = "lily.zhou@acme-trading.example", kevin = "kevin.li@acme-trading.example";
    a.add(mail("p1@orion0-de.example", "Anna <anna@orion0-de.example>", lily, "Inquiry", "Mon, 06 Jan 2025 09:00:00 +0000", "hi"),
          lily);
    a.add(mail("p2@acme-trading.example", "Lily <" + lily + ">", "anna@orion0-de.example", "Re: Inquiry",
               "Fri, 10 Jan 2025 09:00:00 +0000", "ok", "In-Reply-To: <p1@orion0-de.example>\r\n"),
          lily, "Sent");
    const int64_t jan10 = 1736499600, day = 86400;
    std::vector<int64_t> released;
    CHECK(a.store.pool(jan10 + 29 * day, 30, &released).empty());  // 29 days of silence: still Lily's
    CHECK(released.empty());
    auto pool = a.store.pool(jan10 + 31 * day, 30, &released);
    REQUIRE(pool.size() == 1);
    CHECK(released.size() == 1);
    CHECK(pool[0].owner.empty());
    CHECK_FALSE(a.store.claim(pool[0].id + 100, kevin, jan10 + 32 * day));
    CHECK(a.store.claim(pool[0].id, kevin, jan10 + 32 * day));
    CHECK_FALSE(a.store.claim(pool[0].id, lily, jan10 + 33 * day));  // no longer in the pool
    CHECK(a.store.customers()[0].owner == kevin);
    // A relink keeps the claim (automatic ownership no longer applies).
    a.store.relink();
    CHECK(a.store.customers()[0].owner == kevin);
    CHECK(a.store.assign(pool[0].id, lily, jan10 + 40 * day));
    CHECK(a.store.customers()[0].owner == lily);
    auto history = a.store.owner_history(pool[0].id);
    REQUIRE(history.size() == 4);
    CHECK(history[0] == std::make_pair(lily, std::string("first correspondent")));
    CHECK(history[1].first.empty());
    CHECK(history[1].second.find("released to the pool: " + lily + " sent nothing for 30 days") == 0);
    CHECK(history[2] == std::make_pair(kevin, std::string("claimed from the pool")));
    CHECK(history[3] == std::make_pair(lily, std::string("assigned by a manager")));
}

TEST_CASE("a firm's own document patterns add to the defaults, and bad ones are refused", "[crm][docnum]") {
    tw::Message m = tw::parse_message(mail("n1@x.example", "A <a@x.example>", "b@acme-trading.example", "Order BEST-12345",
                                           kDate, "Quote Q1234567 and PI-2025-0034; BEST-1234 is too short, xBEST-12345 is another word"),
                                      0);
    auto numbers = [&] {
        std::set<std::pair<std::string, std::string>> got;
        for (const auto& d : tw::trade_documents(m)) got.emplace(d.number, d.type);
        return got;
    };
    using Set = std::set<std::pair<std::string, std::string>>;
    CHECK(numbers() == Set{{"PI-2025-0034", "proforma_invoice"}});
    tw::set_doc_patterns(R"({"purchase_order": ["BEST-\\d{5}"], "quotation": ["Q\\d{7}"]})");
    CHECK(numbers() == Set{{"PI-2025-0034", "proforma_invoice"}, {"BEST-12345", "purchase_order"}, {"Q1234567", "quotation"}});
    CHECK_THROWS_AS(tw::set_doc_patterns("{not json"), std::invalid_argument);
    CHECK_THROWS_AS(tw::set_doc_patterns(R"({"quotation": ["Q(\\d"]})"), std::invalid_argument);
    CHECK_THROWS_AS(tw::set_doc_patterns(R"({"quotation": "Q\\d+"})"), std::invalid_argument);
    // A refused setting leaves the last good one in force.
    CHECK(numbers().size() == 3);
    tw::set_doc_patterns("");
    CHECK(numbers() == Set{{"PI-2025-0034", "proforma_invoice"}});
}
