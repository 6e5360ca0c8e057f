// Follow-ups kept as mail is stored, over a real archive: opened, ended by
// the next message, deadlines in the owner's calendar, users' decisions kept.
#include <catch2/catch.hpp>

#include "archive_fixture.h"
#include "helpers.h"
#include "mail/date.h"
#include "mail/error.h"

using tw_test::Archive;
using tw_test::mail;

namespace {

const char* kLily = "lily.zhou@acme-trading.example";

int64_t at(const char* iso) {
    auto t = tw::parse_date(iso);
    REQUIRE(t);
    return *t;
}

std::vector<tw::Crm::Followup> open_items(Archive& a, int64_t now = 2000000000) { return a.crm.followups(now, kLily); }

}  // namespace

TEST_CASE("follow-ups follow the conversation as mail is stored", "[followups]") {
    Archive a;
    // Friday 16:00 in Shanghai: an inquiry. Due 8 business hours later: Monday 15:00.
    a.add(mail("q1@nord.example", "Anna <anna@nord.example>", kLily, "Inquiry hinges", "Fri, 10 Jan 2025 16:00:00 +0800", "price?"), kLily);
    auto items = open_items(a);
    REQUIRE(items.size() == 1);
    CHECK(items[0].kind == "reply_due");
    CHECK(tw::format_iso_utc(items[0].due) == tw::format_iso_utc(at("2025-01-13T15:00:00+08:00")));
    CHECK(items[0].business_seconds == 8 * 3600);
    CHECK(items[0].rep == kLily);
    CHECK(items[0].customer != 0);
    CHECK(a.crm.followups(at("2025-01-13T15:01:00+08:00"), kLily)[0].overdue);
    CHECK_FALSE(a.crm.followups(at("2025-01-13T14:59:00+08:00"), kLily)[0].overdue);
    // A new SLA, or a new calendar, counts the open deadline again at once.
    a.crm.set_setting("reply_sla_hours", "4");
    CHECK(tw::format_iso_utc(open_items(a)[0].due) == tw::format_iso_utc(at("2025-01-13T11:00:00+08:00")));
    a.crm.set_calendar("", "", "Mon-Fri 08:00-18:00", {}, false);
    CHECK(tw::format_iso_utc(open_items(a)[0].due) == tw::format_iso_utc(at("2025-01-13T10:00:00+08:00")));
    a.crm.set_calendar("", "", "Mon-Fri 09:00-18:00", {}, false);
    a.crm.set_setting("reply_sla_hours", "8");
    CHECK(tw::format_iso_utc(open_items(a)[0].due) == tw::format_iso_utc(at("2025-01-13T15:00:00+08:00")));

    // An auto-reply of the customer's changes nothing.
    a.add(mail("auto1@nord.example", "anna@nord.example", kLily, "Out of office", "Fri, 10 Jan 2025 17:00:00 +0800", "away",
               "Auto-Submitted: auto-replied\r\nIn-Reply-To: <q1@nord.example>\r\n"), kLily);
    items = open_items(a);
    REQUIRE(items.size() == 1);
    CHECK(items[0].kind == "reply_due");

    // Lily quotes on Monday 10:00: the reply is made, and now the customer owes an answer: 3 business days.
    a.add(mail("r1@acme-trading.example", kLily, "anna@nord.example", "Re: Inquiry hinges", "Mon, 13 Jan 2025 10:00:00 +0800",
               "our quotation QT-2025-0001", "In-Reply-To: <q1@nord.example>\r\n"), kLily, "Sent");
    items = open_items(a);
    REQUIRE(items.size() == 1);
    CHECK(items[0].kind == "customer_silent");
    CHECK(tw::format_iso_utc(items[0].due) == tw::format_iso_utc(at("2025-01-16T10:00:00+08:00")));
    CHECK(items[0].documents == std::vector<std::string>{"QT-2025-0001"});
    auto everything = a.crm.followups(2000000000, kLily, true);
    REQUIRE(everything.size() == 2);
    CHECK((everything[0].state == "ended" || everything[1].state == "ended"));

    // Decisions hold: done stays done when the conversation is computed again.
    int64_t silent = items[0].id;
    a.crm.set_followup(silent, "done", "lily", at("2025-01-14T09:00:00+08:00"));
    a.crm.refresh_all_followups();
    CHECK(open_items(a).empty());
    CHECK_THROWS_AS(a.crm.set_followup(silent, "snooze", "lily", at("2025-01-14T09:00:00+08:00"), at("2025-01-14T08:00:00+08:00")),
                    tw::InvalidError);
    CHECK_THROWS_AS(a.crm.set_followup(silent, "dismiss", "lily", 0, 0, " "), tw::InvalidError);
    CHECK_THROWS_AS(a.crm.set_followup(99999, "done", "lily", 0), tw::NotFoundError);

    // The customer writes again: a new reply is due, whatever happened to the old item.
    a.add(mail("q2@nord.example", "anna@nord.example", kLily, "Re: Re: Inquiry hinges", "Tue, 14 Jan 2025 11:00:00 +0800", "discount?",
               "In-Reply-To: <r1@acme-trading.example>\r\n"), kLily);
    items = open_items(a);
    REQUIRE(items.size() == 1);
    CHECK(items[0].kind == "reply_due");
    // Not wall-clock time: 8 business hours from 11:00 is 10:00 the next day.
    CHECK(tw::format_iso_utc(items[0].due) == tw::format_iso_utc(at("2025-01-15T10:00:00+08:00")));

    // Snoozed: gone until its time, then back.
    a.crm.set_followup(items[0].id, "snooze", "lily", at("2025-01-14T12:00:00+08:00"), at("2025-01-15T09:00:00+08:00"));
    CHECK(a.crm.followups(at("2025-01-14T13:00:00+08:00"), kLily).empty());
    CHECK(a.crm.followups(at("2025-01-15T09:30:00+08:00"), kLily).size() == 1);

    // A reminder of one's own.
    int64_t id = a.crm.remind(items[0].thread, 0, kLily, at("2025-01-20T09:00:00+08:00"), "call Anna", "lily",
                              at("2025-01-14T13:00:00+08:00"));
    auto r = a.crm.followup(id, at("2025-01-21T09:00:00+08:00"));
    REQUIRE(r);
    CHECK(r->kind == "manual");
    CHECK(r->note == "call Anna");
    CHECK(r->overdue);
    CHECK_THROWS_AS(a.crm.remind(0, 0, kLily, at("2025-01-20T09:00:00+08:00"), "", "lily", 0), tw::InvalidError);
}

TEST_CASE("a finished deal waits for nobody, and a rep's own calendar counts", "[followups]") {
    Archive a;
    a.crm.set_calendar(kLily, "Europe/Berlin", "Mon-Fri 08:00-12:00", {}, false);
    a.add(mail("q1@sud.example", "bob@sud.example", kLily, "Order", "Mon, 13 Jan 2025 07:00:00 +0100", "we order"), kLily);
    auto items = open_items(a);
    REQUIRE(items.size() == 1);
    // 8 business hours of 08:00-12:00 Berlin: Monday 08-12, Tuesday 08-12.
    CHECK(tw::format_iso_utc(items[0].due) == tw::format_iso_utc(at("2025-01-14T12:00:00+01:00")));
    a.add(mail("r1@acme-trading.example", kLily, "bob@sud.example", "Re: Order", "Mon, 13 Jan 2025 09:00:00 +0100",
               "our invoice INV-2025-0007 attached", "In-Reply-To: <q1@sud.example>\r\n"), kLily, "Sent");
    CHECK(open_items(a).empty());  // the invoice was sent: nothing to chase
}
