// Customers, contacts and trade documents: the rules (table-driven) and the
// linking over a real archive in a temporary directory.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdlib>
#include <ctime>
#include <map>
#include <set>

#include "crm/crm.h"
#include "archive_fixture.h"
#include "helpers.h"
#include "mail/message.h"
#include "archive/search_index.h"
#include "archive/store.h"

using tw_test::mail;
using tw_test::TempDir;
using tw_test::Archive;

// The pool as the command line sees it: what is due is released, then listed.
std::vector<tw::CustomerRow> pool_at(Archive& a, int64_t now, int days, std::vector<int64_t>* released) {
    *released = a.crm.release_idle(now, days);
    return a.crm.pool(now, days);
}


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

using tw_test::Archive;

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
    CHECK(a.crm.customers().front().owner == "lily.zhou@acme-trading.example");  // the first rep to correspond
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
    auto docs = a.crm.documents();
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
    auto before = a.crm.customers();
    auto links = a.crm.relink();
    auto after = a.crm.customers();
    REQUIRE(before.size() == after.size());
    for (size_t k = 0; k < before.size(); ++k) CHECK(before[k].id == after[k].id);
    std::map<int64_t, std::vector<int64_t>> by_row(links.begin(), links.end());
    CHECK(by_row[f.row] == f.customers);
    CHECK(by_row[d.row] == d.customers);
    // A domain declared internal stops being a customer on relink.
    a.crm.set_setting("internal_domains", "nord9-fr.example");
    links = a.crm.relink();
    by_row = std::map<int64_t, std::vector<int64_t>>(links.begin(), links.end());
    CHECK(by_row[d.row].empty());
    CHECK(a.crm.customers().empty());
}

TEST_CASE("customer: and doc: search the index", "[crm][index]") {
    TempDir dir;
    tw::Store store(dir.path.string(), tw::crm_linker());
    tw::Crm& crm = *static_cast<tw::Crm*>(store.hook());
    tw::SearchIndex index(dir.path.string(), true);
    tw::Message m = tw::parse_message(mail("x1@orion0-de.example", "Anna <anna@orion0-de.example>",
                                           "lily.zhou@acme-trading.example", "PI-2025-0034 signed", kDate, "ok"),
                                      0);
    store.begin();
    tw::Location loc{"lily.zhou@acme-trading.example", "INBOX", "1", {}, 0};
    tw::AddResult r = store.add(m, loc, "acme-trading.example");
    tw::IndexDocument doc = tw::SearchIndex::prepare(m, crm.labels(*crm.prepare(m)));
    doc.add_labels(r.labels);
    index.add(r.row, std::move(doc), r.thread, loc);
    store.commit();
    index.commit(store.max_row());
    REQUIRE(r.labels.size() == 1);
    CHECK(index.search("customer:" + r.labels[0].value, {}).size() == 1);
    CHECK(index.search("doc:PI-2025-0034", {}).size() == 1);
    CHECK(index.search("doc:PI-2025-0035", {}).empty());
    index.set_field(r.row, "customer", {});
    index.commit(store.max_row());
    CHECK(index.search("customer:" + r.labels[0].value, {}).empty());
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
    auto conflicts = a.crm.conflicts();
    std::set<std::pair<std::string, std::string>> kinds;
    for (const auto& c : conflicts) {
        kinds.emplace(c.kind, c.rep);
        CHECK(c.customer == in.customers[0]);
        CHECK(c.other_rep == lily);
        CHECK(c.message == k.row);
        CHECK(c.status == "open");
    }
    CHECK(kinds == std::set<std::pair<std::string, std::string>>{{"not_owner", kevin}, {"double_quote", kevin}});
    CHECK(a.crm.conflicts().size() == 2);  // found again, not doubled
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
    // A new archive switches the pool on now: mail of January 2025 is not idle until 30 days from today.
    int64_t since = a.crm.pool_since();
    CHECK(std::abs(since - int64_t(std::time(nullptr))) < 600);
    CHECK(pool_at(a, since + 29 * day, 30, &released).empty());
    // Setting pool_days the first time switches it on at that moment (never earlier than before).
    a.store.database().exec("UPDATE meta SET value = '1000' WHERE key = 'pool_since'");
    a.crm.set_setting("pool_days", "30");
    CHECK(std::abs(a.crm.pool_since() - int64_t(std::time(nullptr))) < 600);
    a.crm.set_setting("pool_days", "45");  // a change of the period is no new switch-on
    CHECK(std::abs(a.crm.pool_since() - since) < 600);
    // As if the firm had switched it on before that mail (the pool is counted from then):
    a.store.database().exec("UPDATE meta SET value = '0' WHERE key = 'pool_since'");
    CHECK(pool_at(a, jan10 + 29 * day, 30, &released).empty());  // 29 days of silence: still Lily's
    CHECK(released.empty());
    auto pool = pool_at(a, jan10 + 31 * day, 30, &released);
    REQUIRE(pool.size() == 1);
    CHECK(released.size() == 1);
    CHECK(pool[0].owner.empty());
    CHECK_THROWS_AS(a.crm.claim(pool[0].id + 100, kevin, jan10 + 32 * day, 30), tw::NotFoundError);
    CHECK_NOTHROW(a.crm.claim(pool[0].id, kevin, jan10 + 32 * day, 30));
    CHECK_THROWS_AS(a.crm.claim(pool[0].id, lily, jan10 + 33 * day, 30), tw::ConflictError);  // no longer in the pool
    CHECK(a.crm.customers()[0].owner == kevin);
    // The claimer's time starts at the claim: not released the next day for Lily's old silence.
    CHECK(pool_at(a, jan10 + 33 * day, 30, &released).empty());
    CHECK(released.empty());
    // A relink keeps the claim (automatic ownership no longer applies).
    a.crm.relink();
    CHECK(a.crm.customers()[0].owner == kevin);
    CHECK_NOTHROW(a.crm.assign(pool[0].id, lily, jan10 + 40 * day));
    CHECK(a.crm.customers()[0].owner == lily);
    auto history = a.crm.owner_history(pool[0].id);
    REQUIRE(history.size() == 4);
    CHECK(history[0] == std::make_pair(lily, std::string("first correspondent")));
    CHECK(history[1].first.empty());
    CHECK(history[1].second.find("released to the pool: " + lily + " sent nothing for 30 days") == 0);
    CHECK(history[2] == std::make_pair(kevin, std::string("claimed from the pool")));
    CHECK(history[3] == std::make_pair(lily, std::string("assigned by a manager")));
    // Assigned on day 40, silent since: released 30 days after the assignment, not before.
    CHECK(pool_at(a, jan10 + 69 * day, 30, &released).empty());
    CHECK(pool_at(a, jan10 + 71 * day, 30, &released).size() == 1);
}

TEST_CASE("owner: finds the mail of the customers a rep owns now, and users correct and record documents", "[crm]") {
    Archive a;
    const std::string lily = "lily.zhou@acme-trading.example", kevin = "kevin.li@acme-trading.example";
    a.add(mail("o1@orion0-de.example", "Anna <anna@orion0-de.example>", lily, "Inquiry PI-2025-0007", kDate, "hi"), lily);
    a.add(mail("o2@vega-fr.example", "Paul <paul@vega-fr.example>", kevin, "Inquiry", kDate, "hello"), kevin);
    CHECK(a.crm.customers_owned_by("LILY.ZHOU").size() == 1);
    CHECK(a.crm.customers_owned_by(lily) == a.crm.customers_owned_by("lily.zhou"));
    CHECK(a.crm.customers_owned_by("lily").empty());  // a local part must match whole
    CHECK(a.search("owner:lily.zhou").size() == 1);
    CHECK(a.search("owner:kevin.li@acme-trading.example").size() == 1);
    CHECK(a.search("owner:nobody").empty());
    int64_t orion = a.crm.customers_owned_by(lily).at(0);
    CHECK_NOTHROW(a.crm.assign(orion, kevin, 1));
    CHECK(a.search("owner:kevin.li").size() == 2);  // ownership moves without reindexing
    CHECK(a.search("owner:lily.zhou").empty());

    tw::Crm& crm = a.crm;
    a.store.begin();
    CHECK(crm.edit_document("PI-2025-0007", "amount", "12500.50"));
    CHECK(crm.edit_document("PI-2025-0007", "currency", "EUR"));
    CHECK(crm.edit_document("PI-2025-0007", "status", "confirmed"));
    CHECK_FALSE(crm.edit_document("PI-2025-0008", "status", "confirmed"));  // no such document
    CHECK_FALSE(crm.edit_document("PI-2025-0007", "customer", "999"));     // no such customer
    CHECK_THROWS_AS(crm.edit_document("PI-2025-0007", "amount", "12,500"), std::invalid_argument);
    CHECK_THROWS_AS(crm.edit_document("PI-2025-0007", "currency", "euro"), std::invalid_argument);
    CHECK_THROWS_AS(crm.edit_document("PI-2025-0007", "status", "lost"), std::invalid_argument);
    CHECK(crm.create_document("QT-2025-0100", "quotation", orion, "draft", 5));
    CHECK_FALSE(crm.create_document("QT-2025-0100", "quotation", orion, "draft", 6));  // exists
    CHECK_THROWS_AS(crm.create_document("QT 1", "quotation", 0, "draft", 5), std::invalid_argument);
    CHECK_THROWS_AS(crm.create_document("QT-2025-0101", "quote", 0, "draft", 5), std::invalid_argument);
    CHECK_THROWS_AS(crm.create_document("QT-2025-0101", "quotation", 999, "draft", 5), std::invalid_argument);
    a.store.commit();
    a.crm.relink();  // users' values survive relinking
    std::map<std::string, tw::DocumentRow> docs;
    for (auto& d : a.crm.documents()) docs[d.number] = d;
    CHECK(docs["PI-2025-0007"].amount == "12500.50");
    CHECK(docs["PI-2025-0007"].currency == "EUR");
    CHECK(docs["PI-2025-0007"].status == "confirmed");
    CHECK(docs["QT-2025-0100"].customer == orion);
    CHECK(docs["QT-2025-0100"].type == "quotation");
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

TEST_CASE("a mail's stated total: labeled amounts, currencies as written, and what is no total", "[crm][money]") {
    struct Row {
        const char* text;
        const char* amount;  // "" : no total
        const char* currency;
    };
    const Row rows[] = {
        {"Please find PI-2025-0034. Total: USD 12,500.00", "12500.00", "USD"},
        {"Total amount US$ 3,200", "3200", "USD"},
        {"Grand Total EUR 1.234,50", "1234.50", "EUR"},
        {"合计金额：人民币 8,000 元", "8000", "CNY"},
        {"总金额：￥56,000.00", "56000.00", "CNY"},
        {"Subtotal USD 10,000; Freight USD 500; Total USD 10,500", "10500", "USD"},
        {"Subtotal: USD 10,000\nFreight: USD 500\nTotal: USD 10,500.00\nDeposit 30%: USD 3,150.00", "10500.00", "USD"},
        {"Invoice value: 4,800.00 USD", "4800.00", "USD"},
        {"The L/C amount is GBP 20,000.", "20000", "GBP"},
        {"Amount: HK$ 9,999.90", "9999.90", "HKD"},
        {"代金合計 1,500,000 日元", "1500000", "JPY"},
        {"Please pay EUR 2,400.00 to our account.", "2400.00", "EUR"},  // the one amount of the mail
        {"USD12000 deposit received", "12000", "USD"},
        // Not totals:
        {"Price USD 3.50/pc FOB Ningbo, MOQ 1000 pcs", "", ""},
        {"USD 12.00 per set, EUR 11.00 per set", "", ""},
        {"Deposit USD 3,000 and balance USD 7,000 against B/L copy", "", ""},  // two amounts, neither labeled
        {"ISO-9001 certified, tel +86 574 8765 4321, 2025-01-11", "", ""},
        {"Our PO4500012345 for 5000 pcs, 30% T/T deposit", "", ""},
        {"> Total: USD 99,000.00\nThanks, we will check.", "", ""},  // quoted from the earlier mail
        {"Total 5000 pcs in 20 cartons", "", ""},
    };
    for (const auto& r : rows) {
        INFO(r.text);
        auto got = tw::stated_total(r.text);
        if (!*r.amount) {
            CHECK_FALSE(got.has_value());
            continue;
        }
        REQUIRE(got.has_value());
        CHECK(got->amount == r.amount);
        CHECK(got->currency == r.currency);
    }
}

TEST_CASE("a document takes the total its mail states, never over a user's correction", "[crm][money]") {
    Archive a;
    const std::string lily = "lily.zhou@acme-trading.example";
    a.add(mail("t1@acme-trading.example", "Lily <" + lily + ">", "anna@orion0-de.example", "PI-2025-0041 for your order",
               kDate, "Dear Anna,\nAttached is PI-2025-0041.\nTotal: USD 18,240.00\nPayment 30% T/T."),
          lily, "Sent");
    a.add(mail("t2@orion0-de.example", "Anna <anna@orion0-de.example>", lily, "Re: PI-2025-0041 for your order",
               "Sun, 12 Jan 2025 10:00:00 +0000", "We agree. Total: USD 17,000.00 after discount, PO to follow."),
          lily);
    a.add(mail("t3@acme-trading.example", "Lily <" + lily + ">", "anna@orion0-de.example", "QT-2025-0042",
               kDate, "Price USD 3.50/pc, MOQ 1000 pcs."),
          lily, "Sent");
    std::map<std::string, tw::DocumentRow> docs;
    for (auto& d : a.crm.documents()) docs[d.number] = d;
    CHECK(docs["PI-2025-0041"].amount == "18240.00");  // the first statement stands
    CHECK(docs["PI-2025-0041"].currency == "USD");
    CHECK(docs["QT-2025-0042"].amount.empty());  // a unit price is no total
    a.store.begin();
    CHECK(a.crm.edit_document("QT-2025-0042", "amount", "3500.00"));
    a.store.commit();
    a.add(mail("t4@orion0-de.example", "Anna <anna@orion0-de.example>", lily, "Re: QT-2025-0042",
               "Mon, 13 Jan 2025 10:00:00 +0000", "Total: USD 1.00?"),
          lily);
    docs.clear();
    for (auto& d : a.crm.documents()) docs[d.number] = d;
    CHECK(docs["QT-2025-0042"].amount == "3500.00");
}

TEST_CASE("a conversation with two customers keeps each message with its own after relink", "[crm]") {
    Archive a;
    const std::string lily = "lily.zhou@acme-trading.example";
    auto r1 = a.add(mail("c1@nord.example", "Anna <anna@nord.example>", lily, "PI-2025-0050", kDate, "hi"), lily);
    auto r2 = a.add(mail("c2@sud.example", "Bob <bob@sud.example>", lily, "Re: PI-2025-0050", "Sat, 11 Jan 2025 11:00:00 +0000",
                         "we take over the order", "In-Reply-To: <c1@nord.example>\r\n"),
                    lily);
    // An internal note in the conversation, before any customer mail of its own: it takes the conversation's customers.
    auto r3 = a.add(mail("c3@acme-trading.example", "Lily <" + lily + ">", "kevin.li@acme-trading.example",
                         "Fwd: PI-2025-0050", "Sat, 11 Jan 2025 12:00:00 +0000", "FYI", "In-Reply-To: <c2@sud.example>\r\n"),
                    lily, "Sent");
    REQUIRE(r1.thread == r2.thread);
    REQUIRE(r2.thread == r3.thread);
    auto links_of = [&] {
        std::map<int64_t, std::vector<int64_t>> out;
        for (const auto& [row, ids] : a.crm.links()) out[row] = ids;
        return out;
    };
    auto before = links_of();
    CHECK(before[r1.row].size() == 1);
    CHECK(before[r2.row].size() == 1);
    CHECK(before[r1.row] != before[r2.row]);
    CHECK(before[r3.row].size() == 2);  // the note is about both
    a.crm.relink();
    CHECK(links_of() == before);
    // A merged-away customer's id is never given again (its history and bookmarks would pass on).
    int64_t nord = before[r1.row][0], sud = before[r2.row][0];
    a.store.begin();
    REQUIRE_NOTHROW(a.crm.merge(std::max(nord, sud), std::min(nord, sud)));
    int64_t split = a.crm.split({"bob@sud.example"}, "Sud Branch");
    a.store.commit();
    CHECK(split > std::max(nord, sud));
}

TEST_CASE("new customers are stamped with the clock the CRM is given, not the wall clock", "[crm]") {
    TempDir dir;
    tw::Store store(dir.path.string(), tw::crm_linker([] { return int64_t(1234567); }));
    tw::Message m = tw::parse_message(mail("clock1@orion0-de.example", "Anna <anna@orion0-de.example>",
                                           "lily.zhou@acme-trading.example", "Inquiry", kDate, "hi"),
                                      0);
    store.begin();
    store.add(m, {"lily.zhou@acme-trading.example", "INBOX", "1", {}, 0}, "acme-trading.example");
    store.commit();
    SQLite::Statement q(store.database(), "SELECT created FROM customers");
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getInt64() == 1234567);
}
