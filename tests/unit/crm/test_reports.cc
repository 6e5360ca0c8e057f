// Reports over a small archive written here, with known numbers: responses (first customer-facing replies in
// business minutes of the owner's calendar), and the rules under it (pairing, median, percentile).
#include <catch2/catch.hpp>

#include "archive_fixture.h"
#include "crm/crm.h"
#include "crm/rules.h"
#include "mail/error.h"

using tw_test::Archive;
using tw_test::mail;

namespace r = tw::rules;

TEST_CASE("first responses: each customer message and the firm's next customer-facing reply", "[reports][rules]") {
    using D = r::FlowMessage::Dir;
    std::vector<r::FlowMessage> flow = {
        {1, 100, D::In, false},   // answered by 4
        {2, 150, D::In, false},   // answered by 4 too (the first reply after it)
        {3, 160, D::In, true},    // an auto-reply from the customer's side: no customer message
        {5, 200, D::Internal, false},  // a note among colleagues: no reply
        {4, 300, D::Out, false},
        {6, 400, D::In, false},   // not answered yet
    };
    auto out = r::first_responses(flow);
    REQUIRE(out.size() == 3);
    CHECK((out[0].message == 1 && out[0].reply == 4 && out[0].replied_at == 300));
    CHECK((out[1].message == 2 && out[1].reply == 4));
    CHECK((out[2].message == 6 && out[2].reply == 0));
    CHECK(r::median_of({}) == 0);
    CHECK(r::median_of({5, 1, 3}) == 3);
    CHECK(r::median_of({4, 1, 3, 2}) == 2.5);
    CHECK(r::percentile_of({10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 0.9) == 90);  // nearest rank: the 9th of 10
    CHECK(r::percentile_of({1, 2, 3}, 0.9) == 3);
    CHECK(r::percentile_of({7}, 0.9) == 7);
}

TEST_CASE("responses: per rep, in business minutes of the owner's calendar and in wall minutes", "[reports]") {
    Archive a;
    const std::string lily = "lily.zhou@acme-trading.example", kevin = "kevin.li@acme-trading.example";
    a.crm.set_calendar("", "Asia/Shanghai", "Mon-Fri 09:00-18:00", {}, false);
    // Mon 2025-01-06 10:00 CST (02:00Z) an inquiry; lily answers at 11:30 CST: 90 business minutes, 90 wall.
    a.add(mail("i1@nordhandel.example", "Anna <anna@nordhandel.example>", lily, "Inquiry LED panels",
               "Mon, 06 Jan 2025 02:00:00 +0000", "Please quote."), lily, "INBOX");
    a.add(mail("o1@acme-trading.example", lily, "anna@nordhandel.example", "Re: Inquiry LED panels",
               "Mon, 06 Jan 2025 03:30:00 +0000", "Our offer follows.", "In-Reply-To: <i1@nordhandel.example>\r\n"), lily, "Sent");
    // Fri 2025-01-10 17:00 CST (09:00Z) a question; answered Mon 2025-01-13 10:00 CST (02:00Z): 60 + 60 business
    // minutes, 65 hours on the wall.
    a.add(mail("i2@nordhandel.example", "Anna <anna@nordhandel.example>", lily, "Re: Inquiry LED panels",
               "Fri, 10 Jan 2025 09:00:00 +0000", "And the lead time?", "In-Reply-To: <o1@acme-trading.example>\r\n"), lily, "INBOX");
    a.add(mail("o2@acme-trading.example", lily, "anna@nordhandel.example", "Re: Inquiry LED panels",
               "Mon, 13 Jan 2025 02:00:00 +0000", "Four weeks.", "In-Reply-To: <i2@nordhandel.example>\r\n"), lily, "Sent");
    // An out-of-office from the customer does not count; a later question is not answered yet.
    a.add(mail("i3@nordhandel.example", "Anna <anna@nordhandel.example>", lily, "Auto: out of office",
               "Mon, 13 Jan 2025 02:05:00 +0000", "I am away.", "Auto-Submitted: auto-replied\r\nIn-Reply-To: <o2@acme-trading.example>\r\n"),
          lily, "INBOX");
    a.add(mail("i4@nordhandel.example", "Anna <anna@nordhandel.example>", lily, "Re: Inquiry LED panels",
               "Tue, 14 Jan 2025 02:00:00 +0000", "Any news?", "In-Reply-To: <o2@acme-trading.example>\r\n"), lily, "INBOX");
    // kevin's customer: answered in 30 minutes.
    a.add(mail("k1@hanse.example", "Jan <jan@hanse.example>", kevin, "Price list", "Tue, 07 Jan 2025 02:00:00 +0000", "Prices?"),
          kevin, "INBOX");
    a.add(mail("k2@acme-trading.example", kevin, "jan@hanse.example", "Re: Price list", "Tue, 07 Jan 2025 02:30:00 +0000", "Attached.",
               "In-Reply-To: <k1@hanse.example>\r\n"), kevin, "Sent");

    tw::Crm::ReportFilter f;
    f.now = 1737000000;  // 2025-01-16
    auto rep = a.crm.report_responses(f);
    REQUIRE(rep.reps.size() == 2);
    const auto& k = rep.reps[0];
    const auto& l = rep.reps[1];
    CHECK(k.rep == kevin);
    CHECK((k.received == 1 && k.replied == 1 && k.unreplied == 0));
    CHECK(k.median_business_minutes == 30);
    CHECK(l.rep == lily);
    CHECK((l.received == 3 && l.replied == 2 && l.unreplied == 1));
    CHECK(l.median_business_minutes == 105);   // (90 + 120) / 2
    CHECK(l.p90_business_minutes == 120);
    CHECK(l.median_wall_minutes == (90 + 65 * 60) / 2.0);
    CHECK(l.within_sla == 2);                  // both within 8 business hours (reply_sla_hours)
    CHECK(rep.total.received == 4);
    CHECK(rep.messages.size() == 4);

    // Filters: one rep, a window of days, what had happened by `now`.
    f.rep = kevin;
    CHECK(a.crm.report_responses(f).total.received == 1);
    f.rep.clear();
    f.from = 1736380800;  // 2025-01-09
    CHECK(a.crm.report_responses(f).total.received == 2);
    f.from = 0;
    f.now = 1736733600;  // 2025-01-13 02:00Z: the Monday answer is just in, the Tuesday question not yet
    auto early = a.crm.report_responses(f);
    CHECK(early.total.received == 3);
    CHECK(early.total.replied == 3);
    // Visibility: a rep sees only their own figures.
    f.now = 1737000000;
    f.mailboxes = std::vector<std::string>{lily};
    auto mine = a.crm.report_responses(f);
    REQUIRE(mine.reps.size() == 1);
    CHECK(mine.reps[0].rep == lily);
    f.mailboxes.reset();
    f.team = "nobody";
    CHECK_THROWS_AS(a.crm.report_responses(f), tw::InvalidError);
}

TEST_CASE("funnel: deals by stage, conversions, values of the latest quotation or PI, days between stages", "[reports]") {
    Archive a;
    const std::string lily = "lily.zhou@acme-trading.example";
    a.crm.set_setting("fx_rates", R"({"EUR": 1.1})");
    // Deal 1: inquiry, QT-0001 then its revision QT-0002 (USD 12,000 replaces 10,000), PI (EUR 10,000 = USD 11,000),
    // the customer's PO, the B/L and the invoice.
    std::string r = "In-Reply-To: <d1-0@nordhandel.example>\r\n";
    a.add(mail("d1-0@nordhandel.example", "anna@nordhandel.example", lily, "Inquiry valves", "Mon, 06 Jan 2025 02:00:00 +0000", "Price?"), lily);
    a.add(mail("d1-1@acme-trading.example", lily, "anna@nordhandel.example", "Re: Inquiry valves", "Tue, 07 Jan 2025 02:00:00 +0000",
               "Quotation QT-2025-0001. Total: USD 10,000.00", r), lily, "Sent");
    a.add(mail("d1-2@acme-trading.example", lily, "anna@nordhandel.example", "Re: Inquiry valves", "Wed, 08 Jan 2025 02:00:00 +0000",
               "Revised quotation QT-2025-0002. Total: USD 12,000.00", r), lily, "Sent");
    a.add(mail("d1-3@acme-trading.example", lily, "anna@nordhandel.example", "Re: Inquiry valves", "Fri, 10 Jan 2025 02:00:00 +0000",
               "Proforma invoice PI-2025-0001. Total: EUR 10,000.00", r), lily, "Sent");
    a.add(mail("d1-4@nordhandel.example", "anna@nordhandel.example", lily, "Re: Inquiry valves", "Mon, 13 Jan 2025 02:00:00 +0000",
               "Our order PO-2025-0001 attached.", r), lily);
    a.add(mail("d1-5@acme-trading.example", lily, "anna@nordhandel.example", "Re: Inquiry valves", "Mon, 20 Jan 2025 02:00:00 +0000",
               "B/L COSU1234567890 and invoice INV-2025-0001.", r), lily, "Sent");
    // Deal 2: inquiry and a quotation of USD 5,000, nothing after.
    std::string r2 = "In-Reply-To: <d2-0@hanse.example>\r\n";
    a.add(mail("d2-0@hanse.example", "jan@hanse.example", lily, "Inquiry pumps", "Tue, 07 Jan 2025 02:00:00 +0000", "Price?"), lily);
    a.add(mail("d2-1@acme-trading.example", lily, "jan@hanse.example", "Re: Inquiry pumps", "Thu, 09 Jan 2025 02:00:00 +0000",
               "Quotation QT-2025-0003. Total: USD 5,000.00", r2), lily, "Sent");
    // Deal 3: an inquiry only.
    a.add(mail("d3-0@nord.example", "eva@nord.example", lily, "Inquiry hoses", "Wed, 08 Jan 2025 02:00:00 +0000", "Price?"), lily);

    tw::Crm::ReportFilter f;
    f.now = 1738000000;
    auto fu = a.crm.report_funnel(f);
    REQUIRE(fu.stages.size() == 6);
    std::vector<size_t> deals;
    for (const auto& s : fu.stages) deals.push_back(s.deals);
    CHECK(deals == std::vector<size_t>{3, 2, 1, 1, 1, 1});
    CHECK(fu.stages[1].conversion == Approx(2.0 / 3));
    CHECK(fu.stages[1].value == Approx(12000 + 5000));  // the revision replaces QT-2025-0001
    CHECK(fu.stages[2].value == Approx(11000));        // EUR 10,000 through fx_rates
    CHECK(fu.stages[5].value == Approx(11000));        // invoiced: the deal's PI value
    CHECK(fu.stages[1].median_days == Approx((1.0 + 2.0) / 2));  // inquiry -> first quotation: 1 day and 2 days
    CHECK(fu.stages[3].median_days == Approx(3.0));                // PI (Fri) -> PO (Mon)
    CHECK(fu.stages[4].threads.size() == 1);
    // A window on the deals' first day: deal 1 started on the 6th.
    f.from = 1736208000;  // 2025-01-07
    CHECK(a.crm.report_funnel(f).stages[0].deals == 2);
}
