// Table-driven tests of Date parsing: RFC 5322, obsolete and broken forms.
#include <catch2/catch.hpp>

#include "mail/date.h"

using tw::format_iso_utc;
using tw::parse_date;

TEST_CASE("dates in the forms seen in the wild convert to UTC", "[date]") {
    struct Row { const char* raw; const char* utc; };
    const Row rows[] = {
        {"Sat, 11 Jan 2025 19:40:00 +0800", "2025-01-11T11:40:00Z"},
        {"11 Jan 2025 19:40:00 +0800", "2025-01-11T11:40:00Z"},
        {"Sat, 11 Jan 2025 19:40 +0800", "2025-01-11T11:40:00Z"},
        {"Sat, 11 Jan 2025 19:40:00 +0800 (CST)", "2025-01-11T11:40:00Z"},
        {"Sat,11 Jan 2025 19:40:00 +0800", "2025-01-11T11:40:00Z"},
        {"Fri, 21 Nov 1997 09:55:06 -0600", "1997-11-21T15:55:06Z"},
        {"Thu, 13 Feb 1969 23:32:54 -0330", "1969-02-14T03:02:54Z"},
        {"Sat, 11 Jan 2025 11:40:00 GMT", "2025-01-11T11:40:00Z"},
        {"Sat, 11 Jan 2025 11:40:00 UT", "2025-01-11T11:40:00Z"},
        {"Sat, 11 Jan 2025 06:40:00 EST", "2025-01-11T11:40:00Z"},
        {"Sat, 11 Jan 2025 03:40:00 PST", "2025-01-11T11:40:00Z"},
        {"Sat, 11 Jan 25 19:40:00 +0800", "2025-01-11T11:40:00Z"},        // 2-digit year
        {"Sat, 11 Jan 99 19:40:00 +0800", "1999-01-11T11:40:00Z"},
        {"Sat, 11 Jan 125 19:40:00 +0800", "2025-01-11T11:40:00Z"},       // 3-digit year (obsolete)
        {"Sat Jan 11 19:40:00 2025", "2025-01-11T19:40:00Z"},             // asctime, no zone
        {"Sat, 11 January 2025 19:40:00 +0800", "2025-01-11T11:40:00Z"},
        {"Sat, 11-Jan-2025 19:40:00 +0800", "2025-01-11T11:40:00Z"},
        {"2025-01-11 19:40:00 +0800", "2025-01-11T11:40:00Z"},            // ISO-ish from scripts
        {"2025-01-11T19:40:00+08:00", "2025-01-11T11:40:00Z"},
        {"2025-01-11T11:40:00Z", "2025-01-11T11:40:00Z"},
        {"2025/01/11 19:40:00 +0800", "2025-01-11T11:40:00Z"},
        {"2025-07-04 10:00", "2025-07-04T10:00:00Z"},
        {"Sat, 11 Jan 2025 19:40:00 +08:00", "2025-01-11T11:40:00Z"},
        {"Sat, 11 Jan 2025 19:40:00 GMT+8", "2025-01-11T11:40:00Z"},
        {"Sat, 11 Jan 2025 19:40:00 UTC+0800", "2025-01-11T11:40:00Z"},
        {"Sat, 11 Jan 2025 7:40:00 PM +0800", "2025-01-11T11:40:00Z"},
        {"11.01.2025 19:40:00 +0800", "2025-01-11T11:40:00Z"},
        {"2025年1月11日 19:40 +0800", "2025-01-11T11:40:00Z"},
        {"Mon, 29 Feb 2024 10:00:00 +0000", "2024-02-29T10:00:00Z"},      // leap day
        {"Sat, 11 Jan 2025 19:40:60 +0800", "2025-01-11T11:40:59Z"},      // leap second
        {"  Sat, 11 Jan 2025 19:40:00 +0800  ", "2025-01-11T11:40:00Z"},
        {"Sat, 11 Jan 2025 19:40:00 +1400", "2025-01-11T05:40:00Z"},
    };
    for (const auto& r : rows) {
        INFO(r.raw);
        auto t = parse_date(r.raw);
        REQUIRE(t.has_value());
        CHECK(format_iso_utc(*t) == r.utc);
    }
}

TEST_CASE("impossible or garbage dates are rejected", "[date]") {
    const char* bad[] = {"32 Foo 2025 99:99", "", "Mon, 31 Feb 2025 10:00:00 +0800", "Whenever",
                         "Malformed Date.", "Tue, 7 Bog 2026 19:14:51 +0000", "Sat, 11 Jan 2025 25:00:00 +0800",
                         "Tue, 29 Feb 2025 10:00:00 +0000", "99999999999999999999 Jan 2025", "Jan"};
    for (const char* b : bad) {
        INFO(b);
        CHECK_FALSE(parse_date(b).has_value());
    }
}

TEST_CASE("a date without a zone is flagged", "[date]") {
    auto p = tw::parse_date_parts("2025-07-04 10:00");
    REQUIRE(p);
    CHECK_FALSE(p->tz_known);
    auto q = tw::parse_date_parts("Sat, 11 Jan 2025 19:40:00 +0800");
    REQUIRE(q);
    CHECK(q->tz_known);
    CHECK(q->tz_offset_minutes == 480);
}
