// Business calendars as tables: deadlines counted in opening hours across
// nights, weekends, lunch breaks, holidays and DST changes.
#include <catch2/catch.hpp>

#include "archive_fixture.h"
#include "crm/calendar.h"
#include "mail/date.h"
#include "mail/error.h"

namespace cal = tw::calendar;

namespace {

int64_t at(const char* iso) {  // "2025-01-10T16:00:00+08:00"
    auto t = tw::parse_date(iso);
    REQUIRE(t);
    return *t;
}

cal::Calendar make(const char* tz, const char* hours, std::vector<const char*> closed = {}) {
    cal::Calendar c;
    c.tz = tz;
    c.week = cal::parse_week(hours);
    for (auto d : closed) c.closed.push_back(cal::parse_days(d));
    return c;
}

}  // namespace

TEST_CASE("deadlines in business hours", "[calendar]") {
    struct Case {
        const char* what;
        const char* tz;
        const char* hours;
        std::vector<const char*> closed;
        const char* start;
        int64_t hours_later;  // business hours (minutes when negative)
        const char* want;
    } cases[] = {
        {"Fri 16:00 + 8 h -> Mon 15:00, 09-18", "Asia/Shanghai", "Mon-Fri 09:00-18:00", {}, "2025-01-10T16:00:00+08:00", 8,
         "2025-01-13T15:00:00+08:00"},
        {"inside a day", "Asia/Shanghai", "Mon-Fri 09:00-18:00", {}, "2025-01-13T09:30:00+08:00", 2, "2025-01-13T11:30:00+08:00"},
        {"exactly at closing stays that day", "Asia/Shanghai", "Mon-Fri 09:00-18:00", {}, "2025-01-13T10:00:00+08:00", 8,
         "2025-01-13T18:00:00+08:00"},
        {"a start at night snaps to the next opening", "Asia/Shanghai", "Mon-Fri 09:00-18:00", {}, "2025-01-13T22:10:00+08:00", 1,
         "2025-01-14T10:00:00+08:00"},
        {"+0 is the next opening", "Asia/Shanghai", "Mon-Fri 09:00-18:00", {}, "2025-01-11T12:00:00+08:00", 0,
         "2025-01-13T09:00:00+08:00"},
        {"a lunch break does not count", "Asia/Shanghai", "Mon-Fri 09:00-12:00,13:30-18:00", {}, "2025-01-13T11:00:00+08:00", 2,
         "2025-01-13T14:30:00+08:00"},
        {"a start in the lunch break waits for 13:30", "Asia/Shanghai", "Mon-Fri 09:00-12:00,13:30-18:00", {},
         "2025-01-13T12:15:00+08:00", -30, "2025-01-13T14:00:00+08:00"},
        {"a holiday inside the interval (National Day week)", "Asia/Shanghai", "Mon-Fri 09:00-18:00", {"2025-10-01..2025-10-07"},
         "2025-09-30T17:00:00+08:00", 2, "2025-10-08T10:00:00+08:00"},
        {"a rep's single day of leave", "Asia/Shanghai", "Mon-Fri 09:00-18:00", {"2025-01-14"}, "2025-01-13T17:00:00+08:00", 2,
         "2025-01-15T10:00:00+08:00"},
        {"48 business hours are not 2 calendar days (zammad#390)", "Asia/Shanghai", "Mon-Fri 09:00-18:00", {},
         "2025-01-13T09:00:00+08:00", 48, "2025-01-20T12:00:00+08:00"},
        // Europe/Berlin springs forward on 2025-03-30 (02:00 -> 03:00) and falls back on 2025-10-26 (03:00 -> 02:00).
        {"across the spring DST change, by local hours", "Europe/Berlin", "Mon-Fri 09:00-18:00", {}, "2025-03-28T17:00:00+01:00", 2,
         "2025-03-31T10:00:00+02:00"},
        {"across the autumn DST change", "Europe/Berlin", "Mon-Fri 09:00-18:00", {}, "2025-10-24T17:00:00+02:00", 2,
         "2025-10-27T10:00:00+01:00"},
        {"a night shift through the skipped hour is an hour shorter", "Europe/Berlin", "Sun 00:00-06:00", {},
         "2025-03-30T00:00:00+01:00", 5, "2025-03-30T06:00:00+02:00"},
        {"Saturday mornings", "Asia/Shanghai", "Mon-Fri 09:00-18:00; Sat 09:00-12:00", {}, "2025-01-10T17:00:00+08:00", 3,
         "2025-01-11T11:00:00+08:00"},
        {"New York's zone", "America/New_York", "Mon-Fri 08:30-17:00", {}, "2025-01-10T16:30:00-05:00", 1,
         "2025-01-13T09:00:00-05:00"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        auto calendar = make(c.tz, c.hours, c.closed);
        int64_t secs = c.hours_later < 0 ? -c.hours_later * 60 : c.hours_later * 3600;
        CHECK(tw::format_iso_utc(cal::add(calendar, at(c.start), secs)) == tw::format_iso_utc(at(c.want)));
        if (secs > 0) CHECK(cal::between(calendar, at(c.start), at(c.want)) == secs);  // and back
    }
}

TEST_CASE("opening hours and days: parsed, printed, refused with the reason", "[calendar]") {
    auto w = cal::parse_week("Mon-Fri 09:00-12:00,13:30-18:00; Sat 09:00-12:00");
    CHECK(w[0] == std::vector<cal::Span>{{540, 720}, {810, 1080}});
    CHECK(w[5] == std::vector<cal::Span>{{540, 720}});
    CHECK(w[6].empty());
    CHECK(cal::format_week(w) == "Mon-Fri 09:00-12:00,13:30-18:00; Sat 09:00-12:00");
    CHECK(cal::format_week(cal::parse_week("mon,wed 08:00-24:00")) == "Mon 08:00-24:00; Wed 08:00-24:00");
    for (const char* bad : {"", "Mon-Fri", "Mon-Fri 9-18:00x", "Fri-Mon 09:00-18:00", "Mon 18:00-09:00", "Mon 09:00-12:00,11:00-13:00",
                            "Mon 09:00-10:00; Mon 11:00-12:00", "Moon 09:00-10:00", "Mon 25:00-26:00"}) {
        INFO(bad);
        CHECK_THROWS_AS(cal::parse_week(bad), tw::InvalidError);
    }
    CHECK(cal::format_days(cal::parse_days("2025-10-01..2025-10-07")) == "2025-10-01..2025-10-07");
    CHECK(cal::format_days(cal::parse_days("2025-02-28")) == "2025-02-28");
    for (const char* bad : {"2025-02-30", "2025-13-01", "tomorrow", "soon", "", "2025-10-07..2025-10-01", "2025-1-1"}) {
        INFO(bad);
        CHECK_THROWS_AS(cal::parse_days(bad), tw::InvalidError);
    }
    CHECK_THROWS_AS(cal::check_zone("Asia/Shangai"), tw::InvalidError);
    CHECK_NOTHROW(cal::check_zone("Asia/Shanghai"));
    cal::Calendar never = make("UTC", "Mon 09:00-10:00", {"2025-01-01..2035-01-01"});
    CHECK_THROWS_AS(cal::add(never, at("2025-01-06T09:00:00Z"), 60), tw::InvalidError);
    CHECK(cal::local_label(make("Asia/Shanghai", "Mon 09:00-10:00"), at("2025-01-13T07:00:00Z")) ==
          "2025-01-13 15:00 CST (Asia/Shanghai)");
}

TEST_CASE("snoozing to tomorrow morning or a day", "[calendar]") {
    cal::Calendar c = make("Asia/Shanghai", "Mon-Fri 09:00-18:00", {"2025-01-13"});
    int64_t fri = at("2025-01-10T23:30:00+08:00");  // Friday night, local
    CHECK(cal::format_days({cal::day_of(c, fri), cal::day_of(c, fri)}) == "2025-01-10");  // UTC says the 10th too, 15:30
    CHECK(cal::day_of(c, at("2025-01-10T17:00:00Z")) == cal::day_of(c, fri) + 1);        // 01:00 on the 11th, local
    // Tomorrow is Saturday and Monday is a holiday: the next opening is Tuesday 09:00.
    CHECK(cal::opening_on(c, cal::day_of(c, fri) + 1) == at("2025-01-14T09:00:00+08:00"));
    CHECK(cal::opening_on(c, cal::parse_days("2025-01-15").first) == at("2025-01-15T09:00:00+08:00"));
}

TEST_CASE("holidays from an iCalendar file", "[calendar]") {
    const char* ics =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:National Day\r\nDTSTART;VALUE=DATE:20251001\r\nDTEND;VALUE=DATE:20251008\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:2\r\nSUMMARY:Dragon Boat\r\nDTSTART;VALUE=DATE:20250531\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:3\r\nSUMMARY:Fair\r\nDTSTART:20250415T090000Z\r\nDTEND:20250416T170000Z\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n";
    auto days = cal::parse_ics(ics);
    REQUIRE(days.size() == 3);
    CHECK(cal::format_days(days[0]) == "2025-10-01..2025-10-07");  // DTEND is exclusive
    CHECK(cal::format_days(days[1]) == "2025-05-31");
    CHECK(cal::format_days(days[2]) == "2025-04-15..2025-04-16");
    CHECK_THROWS_AS(cal::parse_ics("not a calendar"), tw::InvalidError);
    CHECK_THROWS_AS(cal::parse_ics("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"), tw::InvalidError);
}

TEST_CASE("the firm's calendar and a rep's own, stored", "[calendar]") {
    tw_test::Archive a;
    auto firm = a.crm.calendar_of();
    CHECK(firm.tz == "Asia/Shanghai");
    CHECK(cal::format_week(firm.week) == "Mon-Fri 09:00-18:00");
    a.crm.set_calendar("", "", "Mon-Fri 09:00-12:00, 13:30-18:00", {cal::parse_days("2025-10-01..2025-10-07")}, false);
    a.crm.set_calendar("Lily.Zhou@acme-trading.example", "Europe/Berlin", "", {cal::parse_days("2025-01-14")}, false);
    auto lily = a.crm.calendar_of("lily.zhou@acme-trading.example");
    CHECK(lily.tz == "Europe/Berlin");                                    // her own zone
    CHECK(cal::format_week(lily.week) == "Mon-Fri 09:00-12:00,13:30-18:00");  // the firm's hours
    CHECK(lily.closed.size() == 2);                                       // the firm's holiday and her leave
    CHECK(a.crm.calendar_of("kevin.li@acme-trading.example").tz == "Asia/Shanghai");
    CHECK(a.crm.calendar_of("kevin.li@acme-trading.example").closed.size() == 1);
    a.crm.set_calendar("lily.zhou@acme-trading.example", "", "", {}, true);
    CHECK(a.crm.calendar_of("lily.zhou@acme-trading.example").closed.size() == 1);
    CHECK_THROWS_AS(a.crm.set_calendar("lily", "", "", {}, false), tw::InvalidError);
    CHECK_THROWS_AS(a.crm.set_calendar("", "Mars/Olympus", "", {}, false), tw::InvalidError);
    CHECK_THROWS_AS(a.crm.set_calendar("", "", "Mon-Fri", {}, false), tw::InvalidError);
    CHECK(a.crm.calendar_of().tz == "Asia/Shanghai");  // nothing half-written
}
