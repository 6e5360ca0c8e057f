// Approvals read out of the mail, as a component: a request to the approver naming the document, the answer
// with or without references, a revised document after a rejection, the threshold through fx_rates, a document
// of unknown amount, and the violations (sent before the answer, after a rejection, without a request).
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
    CHECK(qt12->state == "rejected");
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
    CHECK(a.crm.approvals("rejected").size() == 1);
}
