// The CRM's rules as tables, with no database (crm/rules.h): each row names
// itself when it fails (Dovecot's test-message-date.c is the model).
#include <catch2/catch.hpp>

#include "crm/rules.h"

namespace r = tw::rules;

namespace {

const std::vector<std::string> kFirm = {"acme-trading.example"};
const std::string lily = "lily.zhou@acme-trading.example", kevin = "kevin.li@acme-trading.example";
constexpr int64_t kDay = 86400, kJan10 = 1736499600;

}  // namespace

TEST_CASE("the firm's domains: subdomains count, look-alikes do not", "[rules]") {
    struct Row {
        const char* domain;
        bool internal;
    } rows[] = {
        {"acme-trading.example", true}, {"mail.acme-trading.example", true}, {"xacme-trading.example", false},
        {"acme-trading.example.cn", false}, {"orion0-de.example", false}, {"", false},
    };
    for (const auto& x : rows) {
        INFO(x.domain);
        CHECK(r::is_internal(x.domain, kFirm) == x.internal);
    }
}

TEST_CASE("the rep of a message: the firm's first address among its parties, else the mailbox", "[rules]") {
    struct Row {
        const char* what;
        std::vector<tw::Party> parties;
        std::string mailbox, want;
    } rows[] = {
        {"sent mail: its sender", {{lily, ""}, {"anna@orion0-de.example", ""}}, kevin, lily},
        {"received mail: the first rep it was addressed to", {{"anna@orion0-de.example", ""}, {kevin, ""}, {lily, ""}}, lily, kevin},
        {"no rep among the parties: the mailbox it was found in", {{"anna@orion0-de.example", ""}}, lily, lily},
        {"nothing at all", {}, "", ""},
    };
    for (const auto& x : rows) {
        INFO(x.what);
        CHECK(r::rep_of(x.parties, x.mailbox, kFirm) == x.want);
    }
}

TEST_CASE("ownership: the rep of the earliest mail, whatever the order, unless a user decided", "[rules]") {
    struct Row {
        const char* what;
        r::Ownership now;
        std::string rep;
        int64_t date;
        bool changes;
        std::string owner, reason;
    };
    static const Row rows[] = {
        {"a new customer: its first correspondent", {"", 0, false}, lily, 100, true, lily, "first correspondent"},
        {"later mail of another rep: no change", {lily, 100, false}, kevin, 200, false, "", ""},
        {"same date: the first one stays", {lily, 100, false}, kevin, 100, false, "", ""},
        {"earlier mail found later: it decides", {lily, 100, false}, kevin, 50, true, kevin, "earlier correspondence found"},
        {"earlier mail of the same rep: the date moves, no history", {lily, 100, false}, lily, 50, true, lily, ""},
        {"a manager decided: nothing automatic", {kevin, 100, true}, lily, 10, false, "", ""},
        {"no rep known: nothing", {"", 0, false}, "", 10, false, "", ""},
        {"relinking (first contact not known yet): the next mail takes it", {lily, 0, false}, kevin, 300, true, kevin,
         "earlier correspondence found"},
    };
    for (const auto& x : rows) {
        INFO(x.what);
        auto c = r::owner_after(x.now, x.rep, x.date);
        REQUIRE(c.has_value() == x.changes);
        if (!c) continue;
        CHECK(c->owner == x.owner);
        CHECK(c->first_contact == x.date);
        CHECK(c->reason == x.reason);
    }
}

TEST_CASE("the public pool: released when the owner sent nothing for N days, dated when it fell due", "[rules]") {
    struct Row {
        const char* what;
        r::OwnedCustomer c;
        int64_t now;
        bool released;
        int64_t at;
    } rows[] = {
        {"29 days of silence after the last mail sent", {1, lily, kJan10 - 5 * kDay, kJan10, std::nullopt}, kJan10 + 29 * kDay, false, 0},
        {"31 days of silence", {1, lily, kJan10 - 5 * kDay, kJan10, std::nullopt}, kJan10 + 31 * kDay, true, kJan10 + 30 * kDay},
        {"never sent anything: counted from the first contact", {2, lily, kJan10, std::nullopt, std::nullopt}, kJan10 + 31 * kDay,
         true, kJan10 + 30 * kDay},
        {"claimed since: the claimer's time starts at the claim", {3, kevin, kJan10, kJan10, kJan10 + 32 * kDay},
         kJan10 + 33 * kDay, false, 0},
        {"assigned on day 40, silent since: due on day 70", {4, lily, kJan10, kJan10, kJan10 + 40 * kDay}, kJan10 + 71 * kDay,
         true, kJan10 + 70 * kDay},
        {"no owner: nothing to release", {5, "", kJan10, std::nullopt, std::nullopt}, kJan10 + 99 * kDay, false, 0},
    };
    for (const auto& x : rows) {
        INFO(x.what);
        auto due = r::due_for_pool({x.c}, x.now, 30);
        REQUIRE(due.size() == (x.released ? 1u : 0u));
        if (!x.released) continue;
        CHECK(due[0].id == x.c.id);
        CHECK(due[0].owner == x.c.owner);
        CHECK(due[0].at == x.at);
        CHECK(due[0].reason == "released to the pool: " + x.c.owner + " sent nothing for 30 days");
    }
    // Years of history imported into an archive whose pool was switched on on 10 Jan: silent since
    // long before, the customer is due 30 days after the switch, not at once.
    r::OwnedCustomer old{6, lily, kJan10 - 900 * kDay, kJan10 - 800 * kDay, std::nullopt};
    CHECK(r::due_for_pool({old}, kJan10 + kDay, 30, kJan10).empty());
    auto later = r::due_for_pool({old}, kJan10 + 31 * kDay, 30, kJan10);
    REQUIRE(later.size() == 1);
    CHECK(later[0].at == kJan10 + 30 * kDay);
}

TEST_CASE("conflicts: a non-owner opening a conversation, a second rep quoting", "[rules]") {
    // message, customer, thread, date, from, owner
    std::vector<r::FirmMail> sent = {
        {10, 1, 100, 1, lily, lily},                      // the owner opens: fine
        {11, 1, 101, 2, kevin, lily},                     // Kevin opens a conversation with Lily's customer
        {12, 1, 100, 3, kevin, lily},                     // Kevin replies in Lily's conversation: not an opening
        {13, 2, 102, 4, "anna@orion0-de.example", kevin}, // the customer's own mail: not the firm's
        {14, 3, 103, 5, kevin, ""},                       // no owner yet: nothing to conflict with
    };
    std::map<int64_t, int64_t> opener = {{100, 10}, {101, 11}, {102, 13}, {103, 14}};
    std::vector<r::Quotation> quotes = {
        {20, 1, 6, lily}, {21, 1, 7, lily},                // one rep quoting twice: fine
        {22, 1, 8, kevin},                                  // a second rep quotes customer 1
        {23, 2, 9, "anna@orion0-de.example"},              // the customer quoting back: not a rep
    };
    auto found = r::find_conflicts(sent, opener, quotes, kFirm);
    REQUIRE(found.size() == 2);
    CHECK(found[0].kind == "not_owner");
    CHECK(found[0].message == 11);
    CHECK(found[0].rep == kevin);
    CHECK(found[0].other_rep == lily);
    CHECK(found[1].kind == "double_quote");
    CHECK(found[1].message == 22);
    CHECK(found[1].other_message == 20);
    CHECK(found[1].other_rep == lily);
    CHECK(r::find_conflicts({}, {}, {}, kFirm).empty());
}

TEST_CASE("documents: the earliest mail decides, a user's correction is final, totals go to the first that carries one",
          "[rules]") {
    struct Row {
        const char* what;
        std::optional<r::DocumentState> known;
        int64_t date;
        bool decides;
    } rows[] = {
        {"first sight", std::nullopt, 100, true},
        {"an earlier mail arrives later", r::DocumentState{false, 100}, 50, true},
        {"a later mail", r::DocumentState{false, 100}, 150, false},
        {"the same date", r::DocumentState{false, 100}, 100, false},
        {"corrected by a user: never overwritten", r::DocumentState{true, 100}, 50, false},
    };
    for (const auto& x : rows) {
        INFO(x.what);
        CHECK(r::sighting_decides(x.known, x.date) == x.decides);
    }
    CHECK(r::first_status(true) == "sent");
    CHECK(r::first_status(false) == "received");
    using M = tw::DocMention;
    CHECK(r::takes_total({M{"PL-2025-0001", "packing_list", "body", "", ""}, M{"PI-2025-0002", "proforma_invoice", "body", "", ""}}) == 1u);
    CHECK(r::takes_total({M{"COSU1234567890", "bill_of_lading", "body", "", ""}}) == std::nullopt);
    CHECK(r::takes_total({M{"QT-2025-0001", "quotation", "subject", "", ""}, M{"PI-2025-0002", "proforma_invoice", "body", "", ""}}) == 0u);
    CHECK(r::takes_total({}) == std::nullopt);
}

TEST_CASE("follow-ups: what a conversation waits for", "[rules][followups]") {
    using D = r::FlowMessage::Dir;
    struct Case {
        const char* what;
        std::vector<r::FlowMessage> messages;
        bool finished;
        const char* kind;
        int64_t message;
    } cases[] = {
        {"the customer wrote last", {{1, 100, D::In, false}}, false, "reply_due", 1},
        {"the firm answered", {{1, 100, D::In, false}, {2, 200, D::Out, false}}, false, "customer_silent", 2},
        {"the customer answered the quotation", {{1, 100, D::In, false}, {2, 200, D::Out, false}, {3, 300, D::In, false}}, false,
         "reply_due", 3},
        {"arrival order does not matter, dates do", {{3, 300, D::In, false}, {1, 100, D::In, false}, {2, 200, D::Out, false}}, false,
         "reply_due", 3},
        {"internal mail (an approval) is not customer-facing", {{1, 100, D::In, false}, {2, 200, D::Internal, false}}, false,
         "reply_due", 1},
        {"an auto-reply of the customer is not their word", {{1, 100, D::Out, false}, {2, 150, D::In, true}}, false,
         "customer_silent", 1},
        {"a finished deal waits for nobody", {{1, 100, D::In, false}, {2, 200, D::Out, false}}, true, "", 0},
        {"but a customer's new mail on it is due", {{1, 100, D::Out, false}, {2, 200, D::In, false}}, true, "reply_due", 2},
        {"only internal mail", {{1, 100, D::Internal, false}}, false, "", 0},
        {"nothing", {}, false, "", 0},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        auto a = r::awaiting(c.messages, c.finished);
        CHECK(a.kind == c.kind);
        CHECK(a.message == c.message);
    }
}

TEST_CASE("follow-ups: automated mail is known by its headers", "[rules][followups]") {
    struct Case {
        const char* header;
        const char* from;
        bool automated;
    } cases[] = {
        {"From: a@b.example\r\nAuto-Submitted: auto-replied\r\n", "a@b.example", true},
        {"From: a@b.example\r\nAuto-Submitted: no\r\n", "a@b.example", false},
        {"From: a@b.example\r\nPrecedence: bulk\r\n", "a@b.example", true},
        {"From: a@b.example\r\nList-Id: <news.b.example>\r\n", "a@b.example", true},
        {"From: a@b.example\r\nX-Autoreply: yes\r\n", "a@b.example", true},
        {"From: a@b.example\r\nContent-Type: multipart/report; report-type=delivery-status\r\n", "a@b.example", true},
        {"From: MAILER-DAEMON@b.example\r\n", "mailer-daemon@b.example", true},
        {"From: a@b.example\r\nSubject: Precedence: bulk orders\r\n", "a@b.example", false},  // in a value, not a field
        {"From: anna@nord.example\r\nSubject: Inquiry\r\n", "anna@nord.example", false},
    };
    for (const auto& c : cases) {
        INFO(c.header);
        CHECK(!r::automated_by(c.header, c.from).empty() == c.automated);
    }
}
