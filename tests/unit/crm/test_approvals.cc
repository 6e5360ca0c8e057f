// Approvals read out of the mail, as a component: a request to the approver naming the document, the answer
// with or without references, a revised document after a rejection, the threshold through fx_rates, a document
// of unknown amount, and the violations (sent before the answer, after a rejection, without a request).
#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include "archive_fixture.h"
#include "crm/access.h"
#include "crm/crm.h"
#include "mail/error.h"

#include <ctime>

using tw_test::Archive;
using tw_test::mail;

namespace {

const std::string lily = "lily.zhou@acme-trading.example", wei = "wei.chen@acme-trading.example";
const std::string anna = "anna@nordhandel.example";

std::string doc_mail(const std::string& id, const std::string& from, const std::string& to, const std::string& subject,
                     const std::string& date, const std::string& body, const std::string& extra = "") {
    return mail(id, from, to, subject, date, body, extra);
}

const tw::Crm::Approval* find(const std::vector<tw::Crm::Approval>& all, const std::string& number) {
    for (const auto& a : all)
        if (a.document == number) return &a;
    return nullptr;
}

}  // namespace

TEST_CASE("approvals: requests and answers in the mail, revisions, thresholds and violations", "[approvals]") {
    Archive a;
    tw::People people(a.store.database());
    people.add_user("wei.chen", "manager", "correct horse battery", "", {wei});
    people.add_user("lily", "rep", "correct horse battery", "", {lily});
    a.crm.set_setting("fx_rates", R"({"EUR": 1.1})");
    tw::Crm::ApprovalRule rule;
    rule.types = {"quotation", "proforma_invoice"};
    rule.min_amount = 10000;
    rule.currency = "USD";
    rule.approver = "wei.chen";
    CHECK_THROWS_AS(a.crm.add_approval_rule([&] { auto r = rule; r.approver = "nobody"; return r; }(), 0), tw::InvalidError);
    CHECK_THROWS_AS(a.crm.add_approval_rule([&] { auto r = rule; r.types = {"invoice"}; return r; }(), 0), tw::InvalidError);
    a.crm.add_approval_rule(rule, 0);

    // QT-2025-0012, USD 12,000: asked in Chinese, rejected without references ("不同意" holds "同意").
    a.add(doc_mail("r1@acme-trading.example", "Lily <" + lily + ">", wei, "审批：QT-2025-0012 Nordhandel USD 12,000.00",
                   "Mon, 06 Jan 2025 02:00:00 +0000", "陈总，请审批报价单QT-2025-0012。\r\n合计金额：USD 12,000.00"), lily, "Sent");
    a.add(doc_mail("d1@acme-trading.example", "Wei <" + wei + ">", lily, "回复: 审批：QT-2025-0012 Nordhandel USD 12,000.00",
                   "Mon, 06 Jan 2025 05:00:00 +0000", "不同意，价格太低，请重新报价。\r\n\r\n陈伟"), wei, "Sent");
    // The revised QT-2025-0013, approved in a reply with references, then sent to the customer.
    a.add(doc_mail("r2@acme-trading.example", lily, wei, "Approval request: QT-2025-0013 Nordhandel USD 13,000.00 (revised)",
                   "Mon, 06 Jan 2025 07:00:00 +0000", "Please approve QT-2025-0013, replaces QT-2025-0012.\r\nTotal: USD 13,000.00"),
          lily, "Sent");
    a.add(doc_mail("d2@acme-trading.example", wei, lily, "Re: Approval request: QT-2025-0013", "Mon, 06 Jan 2025 08:00:00 +0000",
                   "OK, approved, go ahead.\r\n\r\n-----Original Message-----\r\nPlease approve QT-2025-0013",
                   "In-Reply-To: <r2@acme-trading.example>\r\n"),
          wei, "Sent");
    a.add(doc_mail("s2@acme-trading.example", lily, anna, "Quotation QT-2025-0013", "Mon, 06 Jan 2025 09:00:00 +0000",
                   "Dear Anna, our quotation QT-2025-0013. Total: USD 13,000.00"), lily, "Sent");
    // PI-2025-0034, EUR 9,500 (USD 10,450 through fx_rates): asked, sent before any answer.
    a.add(doc_mail("r3@acme-trading.example", lily, wei, "请审批：PI-2025-0034", "Tue, 07 Jan 2025 02:00:00 +0000",
                   "请审批形式发票PI-2025-0034。合计金额：EUR 9,500.00"), lily, "Sent");
    a.add(doc_mail("s3@acme-trading.example", lily, anna, "Proforma invoice PI-2025-0034", "Tue, 07 Jan 2025 03:00:00 +0000",
                   "Attached PI-2025-0034. Total: EUR 9,500.00"), lily, "Sent");
    // PI-2025-0035, USD 2,000: below the line, no approval needed.
    a.add(doc_mail("s4@acme-trading.example", lily, anna, "Proforma invoice PI-2025-0035", "Wed, 08 Jan 2025 03:00:00 +0000",
                   "Attached PI-2025-0035. Total: USD 2,000.00"), lily, "Sent");
    // QT-2025-0099 states no total and was never asked for: needs approval ("amount unknown"), sent without a request.
    a.add(doc_mail("s5@acme-trading.example", lily, anna, "Quotation QT-2025-0099", "Thu, 09 Jan 2025 03:00:00 +0000",
                   "Our quotation QT-2025-0099 as discussed."), lily, "Sent");

    CHECK(a.crm.scan_approvals() == 4);
    auto all = a.crm.approvals();
    const auto* qt12 = find(all, "QT-2025-0012");
    const auto* qt13 = find(all, "QT-2025-0013");
    const auto* pi34 = find(all, "PI-2025-0034");
    const auto* qt99 = find(all, "QT-2025-0099");
    REQUIRE(qt12);
    REQUIRE(qt13);
    REQUIRE(pi34);
    REQUIRE(qt99);
    CHECK(find(all, "PI-2025-0035") == nullptr);  // below the threshold
    CHECK(qt12->state == "superseded");  // rejected, then replaced by the revised QT-2025-0013
    CHECK(qt12->outcome == "rejected");
    CHECK(qt12->superseded_by == "QT-2025-0013");
    CHECK(qt12->comment.find("价格太低") != std::string::npos);
    CHECK(qt12->rep == lily);
    CHECK(qt12->via == "mail");
    CHECK(qt13->state == "approved");
    CHECK(pi34->state == "pending");
    CHECK(qt99->state == "not_requested");
    CHECK(qt99->reason == "amount unknown");
    std::map<std::string, std::string> kinds;
    for (const auto& v : a.crm.approval_violations()) kinds[v.document] = v.kind;
    CHECK(kinds == std::map<std::string, std::string>{{"PI-2025-0034", "sent_before_approval"}, {"QT-2025-0099", "sent_without_request"}});

    // A rule applies from its creation on: a rule made now leaves these January 2025 documents alone until a recheck.
    CHECK(a.crm.remove_approval_rule(a.crm.approval_rules().front().id));
    a.crm.add_approval_rule(rule, int64_t(std::time(nullptr)));
    CHECK(a.crm.scan_approvals() == 0);
    a.crm.recheck_approvals();
    CHECK(a.crm.approvals().size() == 4);
    // The order mail arrives in does not matter: found again over the archive, the records are the same.
    CHECK(a.crm.approvals("superseded").size() == 1);
    // Its change log: asked, rejected, replaced, each with who and from which mail.
    auto steps = a.crm.approval_history("QT-2025-0012");
    std::string states;
    for (const auto& st : steps) states += st.state + " ";
    INFO(states);
    REQUIRE(steps.size() == 3);
    CHECK(steps[0].state == "pending");
    CHECK(steps[0].actor == "lily");
    CHECK(steps[1].state == "rejected");
    CHECK(steps[1].actor == "wei.chen");
    CHECK(steps[1].message != 0);
    CHECK(steps[2].state == "superseded");
}

namespace {

// A date this many hours before now, as a Date header writes it.
std::string hours_ago(int hours) {
    std::time_t t = std::time(nullptr) - hours * 3600;
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", std::gmtime(&t));
    return buf;
}

}  // namespace

TEST_CASE("approvals: each transition (tiers, withdrawn, changed after approval by mail and by a user)", "[approvals]") {
    Archive a;
    tw::People people(a.store.database());
    const std::string ming = "ming.li@acme-trading.example";
    people.add_user("wei.chen", "manager", "correct horse battery", "", {wei});
    people.add_user("ming", "manager", "correct horse battery", "", {ming});
    people.add_user("lily", "rep", "correct horse battery", "", {lily});
    tw::Crm::ApprovalRule rule;
    rule.types = {"quotation", "proforma_invoice"};
    rule.min_amount = 10000;
    rule.currency = "USD";
    rule.approver = "wei.chen";
    rule.then_approver = "ming";  // a second tier
    a.crm.add_approval_rule(rule, 0);
    auto state = [&](const std::string& number) {
        a.crm.scan_approvals();
        for (const auto& x : a.crm.approvals())
            if (x.document == number) return x;
        FAIL("no record of " << number);
        return tw::Crm::Approval{};
    };

    // Tiers in sequence: wei's approval asks ming; only ming's approves.
    a.add(doc_mail("t1@acme-trading.example", lily, wei, "Please approve QT-2026-0100", hours_ago(50),
                   "Please approve QT-2026-0100.\r\nTotal: USD 20,000.00"), lily, "Sent");
    CHECK(state("QT-2026-0100").state == "pending");
    CHECK(state("QT-2026-0100").approver == "wei.chen");
    a.add(doc_mail("t2@acme-trading.example", wei, lily, "Re: Please approve QT-2026-0100", hours_ago(49), "Approved.",
                   "In-Reply-To: <t1@acme-trading.example>\r\n"), wei, "Sent");
    auto tier2 = state("QT-2026-0100");
    CHECK(tier2.state == "pending");
    CHECK(tier2.tier == 2);
    CHECK(tier2.approver == "ming");
    CHECK(tier2.chain == std::vector<std::string>{"wei.chen", "ming"});
    // A second "OK" from wei changes nothing: it is ming's turn.
    a.add(doc_mail("t3@acme-trading.example", wei, lily, "Re: Please approve QT-2026-0100", hours_ago(48), "OK, go ahead.",
                   "In-Reply-To: <t1@acme-trading.example>\r\n"), wei, "Sent");
    CHECK(state("QT-2026-0100").tier == 2);
    a.add(doc_mail("t4@acme-trading.example", ming, lily + ", " + wei, "Re: Please approve QT-2026-0100", hours_ago(47), "同意",
                   "In-Reply-To: <t1@acme-trading.example>\r\n"), ming, "Sent");
    CHECK(state("QT-2026-0100").state == "approved");
    CHECK(state("QT-2026-0100").approver == "ming");

    // Sent to the customer as approved: no violation.
    a.add(doc_mail("t5@acme-trading.example", lily, anna, "Quotation QT-2026-0100", hours_ago(46),
                   "Dear Anna, our quotation QT-2026-0100. Total: USD 20,000.00"), lily, "Sent");
    CHECK(state("QT-2026-0100").state == "approved");
    CHECK(a.crm.approval_violations().empty());

    // A later mail states a new total: back to pending with the reason, the first tier asked again, and the
    // customer got the changed document: changed_after_approval.
    a.add(doc_mail("t6@acme-trading.example", lily, anna, "Re: Quotation QT-2026-0100", hours_ago(20),
                   "Dear Anna, as agreed on the phone, QT-2026-0100 now comes to Total: USD 24,000.00"), lily, "Sent");
    auto changed = state("QT-2026-0100");
    CHECK(changed.state == "pending");
    CHECK(changed.changed);
    CHECK(changed.tier == 1);
    CHECK(changed.approver == "wei.chen");
    CHECK(changed.reason.find("20000.00 USD -> 24000.00 USD") != std::string::npos);
    auto v = a.crm.approval_violations();
    REQUIRE(v.size() == 1);
    CHECK(v[0].kind == "changed_after_approval");
    // The approver is told (a recent change), once however often the archive is scanned.
    a.crm.scan_approvals();
    // (ming was told when it came to his tier.)
    SQLite::Statement told(a.store.database(), "SELECT recipient, items FROM notifications WHERE kind = 'approval' ORDER BY id");
    std::vector<std::pair<std::string, bool>> notices;
    while (told.executeStep())
        notices.push_back({told.getColumn(0).getString(), told.getColumn(1).getString().find("\"changed\"") != std::string::npos});
    CHECK(notices == std::vector<std::pair<std::string, bool>>{{ming, false}, {wei, true}});
    // Each step read out of the mail is in the audit trail once.
    SQLite::Statement audited(a.store.database(), "SELECT COUNT(*) FROM audit WHERE target = 'QT-2026-0100' AND action LIKE 'approval_%'");
    REQUIRE(audited.executeStep());
    int steps = audited.getColumn(0).getInt();
    CHECK(steps == int(a.crm.approval_history("QT-2026-0100").size()));
    audited.reset();
    a.crm.scan_approvals();
    REQUIRE(audited.executeStep());
    CHECK(audited.getColumn(0).getInt() == steps);
    audited.reset();

    // Approved again on the web through both tiers (any tier's decision there is the web's check).
    a.crm.act_on_approval("QT-2026-0100", "approve", "wei.chen", wei, std::time(nullptr) - 3600, "");
    CHECK(state("QT-2026-0100").tier == 2);
    a.crm.act_on_approval("QT-2026-0100", "approve", "ming", ming, std::time(nullptr) - 3500, "");
    CHECK(state("QT-2026-0100").state == "approved");
    CHECK_FALSE(state("QT-2026-0100").changed);

    // A user's correction of the amount after approval: pending again, with the reason.
    CHECK(a.crm.edit_document("QT-2026-0100", "amount", "26000.00"));
    auto edited = state("QT-2026-0100");
    CHECK(edited.state == "pending");
    CHECK(edited.reason.find("24000.00 USD -> 26000.00 USD") != std::string::npos);

    // Withdrawn: the rep takes a request back; a decision then has nothing to decide; asking again is allowed.
    a.add(doc_mail("w1@acme-trading.example", lily, wei, "审批 PI-2026-0200", hours_ago(10),
                   "请审批 PI-2026-0200。合计：USD 15,000.00"), lily, "Sent");
    CHECK(state("PI-2026-0200").state == "pending");
    a.crm.act_on_approval("PI-2026-0200", "withdraw", "lily", lily, std::time(nullptr) - 60, "");
    CHECK(state("PI-2026-0200").state == "withdrawn");
    CHECK_THROWS_AS(a.crm.act_on_approval("PI-2026-0200", "approve", "wei.chen", wei, std::time(nullptr) - 50, ""), tw::ConflictError);
    a.crm.act_on_approval("PI-2026-0200", "request", "lily", lily, std::time(nullptr) - 40, "margin 18%, repeat customer");
    CHECK(state("PI-2026-0200").state == "pending");
    CHECK(state("PI-2026-0200").via == "web");
    // A reject needs its comment; a rejected document sent anyway is a violation of its own kind.
    CHECK_THROWS_AS(a.crm.act_on_approval("PI-2026-0200", "reject", "wei.chen", wei, std::time(nullptr) - 30, " "), tw::InvalidError);
    a.crm.act_on_approval("PI-2026-0200", "reject", "wei.chen", wei, std::time(nullptr) - 30, "price too low");
    CHECK(state("PI-2026-0200").state == "rejected");
    a.add(doc_mail("w2@acme-trading.example", lily, anna, "PI-2026-0200", hours_ago(0), "Attached PI-2026-0200."), lily, "Sent");
    a.crm.scan_approvals();
    std::map<std::string, std::string> kinds;
    for (const auto& x : a.crm.approval_violations()) kinds[x.document] = x.kind;
    CHECK(kinds["PI-2026-0200"] == "sent_after_rejection");
}

TEST_CASE("approval mail takes the customer of its document as the document reaches it, in the same batch", "[approvals]") {
    Archive a;
    // The request names QT-2026-0300 before it has a customer: linked to nobody yet.
    auto req = a.add(doc_mail("q1@acme-trading.example", lily, wei, "Please approve QT-2026-0300", hours_ago(5),
                              "Please approve QT-2026-0300.\r\nTotal: USD 12,000.00"), lily, "Sent");
    CHECK(req.customers.empty());
    // The answer names it too (no references); wei never wrote to the customer: it makes him no owner.
    auto ans = a.add(doc_mail("q2@acme-trading.example", wei, lily, "QT-2026-0300", hours_ago(4), "OK"), wei, "Sent");
    auto out = a.add(doc_mail("q3@acme-trading.example", lily, anna, "Quotation QT-2026-0300", hours_ago(3),
                              "Dear Anna, our quotation QT-2026-0300. Total: USD 12,000.00"), lily, "Sent");
    REQUIRE(out.customers.size() == 1);
    std::vector<int64_t> relinked;
    for (const auto& [row, labels] : out.relinked) {
        relinked.push_back(row);
        CHECK(std::count(labels.begin(), labels.end(), tw::Label{"customer", std::to_string(out.customers[0])}) == 1);
    }
    CHECK(relinked == (std::vector<int64_t>{req.row, ans.row}));  // the request and the answer
    // Marked for the index's catch-up should a crash come before its commit.
    SQLite::Statement marked(a.store.database(), "SELECT COUNT(*) FROM relabeled WHERE message = ?");
    marked.bind(1, req.row);
    REQUIRE(marked.executeStep());
    CHECK(marked.getColumn(0).getInt() == 1);
    // Search finds all three under the customer.
    auto rows = a.search("customer:" + std::to_string(out.customers[0]));
    std::sort(rows.begin(), rows.end());
    CHECK(rows == std::vector<int64_t>{req.row, ans.row, out.row});
    CHECK(a.crm.customers(out.customers[0]).front().owner == lily);
    // A relink (every link found again in date order) keeps the approval mail with the customer.
    a.crm.relink();
    SQLite::Statement linked(a.store.database(), "SELECT COUNT(*) FROM message_customers WHERE message IN (?, ?) AND customer = ?");
    linked.bind(1, req.row);
    linked.bind(2, ans.row);
    linked.bind(3, out.customers[0]);
    REQUIRE(linked.executeStep());
    CHECK(linked.getColumn(0).getInt() == 2);
    CHECK(a.crm.customers(out.customers[0]).front().owner == lily);
}

TEST_CASE("an archive of schema 6 migrates: mentions get their totals and hashes, approvals are found again", "[approvals][schema]") {
    tw_test::TempDir dir;
    {
        // Schema 7's archive taken back to what schema 6 wrote (the columns and the records it did not have).
        tw::Store store(dir.path.string(), tw::crm_linker());
        auto& db = store.database();
        for (const char* sql : {"INSERT INTO message_documents(message, number, place) VALUES (1, 'QT-2026-0001', 'subject')",
                                "ALTER TABLE message_documents DROP COLUMN amount", "ALTER TABLE message_documents DROP COLUMN currency",
                                "ALTER TABLE message_documents DROP COLUMN sha256", "ALTER TABLE message_documents DROP COLUMN words",
                                "ALTER TABLE approval_mail DROP COLUMN revises", "ALTER TABLE approval_actions DROP COLUMN message",
                                "DROP TABLE approvals",
                                "CREATE TABLE approvals (id INTEGER PRIMARY KEY, document TEXT NOT NULL, type TEXT NOT NULL, amount TEXT NOT NULL,"
                                " currency TEXT NOT NULL, customer INTEGER NOT NULL, rep TEXT NOT NULL, approver TEXT NOT NULL, tier INTEGER NOT NULL,"
                                " state TEXT NOT NULL, requested INTEGER NOT NULL, decided INTEGER NOT NULL, comment TEXT NOT NULL, via TEXT NOT NULL,"
                                " request_message INTEGER, decision_message INTEGER, reason TEXT NOT NULL DEFAULT '')",
                                "INSERT INTO approval_actions(document, action, by_user, mailbox, at, comment) VALUES ('QT-2026-0001', 'request', 'lily', '', 1, 'note')",
                                "UPDATE meta SET value = '6' WHERE key = 'schema'"})
            db.exec(sql);
    }
    tw::Store store(dir.path.string(), tw::crm_linker());
    auto& db = store.database();
    CHECK(db.execAndGet("SELECT value FROM meta WHERE key = 'schema'").getString() == "7");
    CHECK(db.execAndGet("SELECT COUNT(*) FROM message_documents WHERE number = 'QT-2026-0001' AND amount = '' AND words = ''").getInt() == 1);
    CHECK(db.execAndGet("SELECT COUNT(*) FROM approval_actions WHERE message = 0 AND comment = 'note'").getInt() == 1);
    CHECK(db.execAndGet("SELECT COUNT(*) FROM pragma_table_info('approvals') WHERE name IN ('outcome', 'chain', 'superseded_by', 'changed')").getInt() == 4);
    CHECK(db.execAndGet("SELECT COUNT(*) FROM pragma_table_info('approval_mail') WHERE name = 'revises'").getInt() == 1);
}
