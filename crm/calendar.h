// Business calendars: a time zone (IANA, from the system's tzdata through
// Howard Hinnant's date/tz), weekly opening hours with breaks, and holidays
// or leave as days and ranges of days. Deadlines such as "8 business hours
// after the inquiry" are counted in them (follow-ups' SLAs). Pure: no
// database, no clock; tested as tables (tests/unit/crm/test_calendar.cc).
//
// Times are seconds since the epoch (UTC). A start outside the hours snaps
// to the next opening. Local times that a DST change skips or repeats are
// resolved to the instant the clocks change (skipped) or the first of the
// two (repeated).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tw::calendar {

// Minutes after local midnight, [start, end).
struct Span {
    int start = 0, end = 0;
    bool operator==(const Span&) const = default;
};

// Opening hours per weekday, Monday first.
using Week = std::array<std::vector<Span>, 7>;

// "Mon-Fri 09:00-12:00,13:30-18:00; Sat 09:00-12:00": day ranges or lists
// (Mon,Wed), then comma-separated spans; groups separated by ';'. InvalidError
// (mail/error.h) that says what is wrong.
Week parse_week(std::string_view text);
std::string format_week(const Week& w);  // the same form, canonical

// A day as YYYY-MM-DD, or an inclusive range "2025-10-01..2025-10-07".
struct DayRange {
    int first = 0, last = 0;  // days since 1970-01-01 (local calendar days)
    bool operator==(const DayRange&) const = default;
};
DayRange parse_days(std::string_view text);  // InvalidError
std::string format_days(const DayRange& r);

struct Calendar {
    std::string tz = "UTC";
    Week week;
    std::vector<DayRange> closed;  // holidays, leave
};

// The days an iCalendar file closes (its VEVENTs: all-day events by their
// dates, DTEND exclusive; timed events by the days they touch). InvalidError
// for text that is no iCalendar.
std::vector<DayRange> parse_ics(std::string_view text);

// InvalidError for an unknown zone name.
void check_zone(const std::string& tz);

// The instant `business_seconds` of open time after `start` (0: the next
// opening at or after start). InvalidError when the calendar is never open.
int64_t add(const Calendar& c, int64_t start, int64_t business_seconds);
// `days` open days after start (snapped to an opening first), at the same local time of day (snapped again):
// "3 business days" after a Friday-afternoon quotation is Wednesday afternoon.
int64_t add_days(const Calendar& c, int64_t start, int days);
// Open seconds in [from, to) (0 if to <= from).
int64_t between(const Calendar& c, int64_t from, int64_t to);
// "2025-01-13 15:00 CST (Asia/Shanghai)": a time as the calendar's users read it.
std::string local_label(const Calendar& c, int64_t t);
// The local calendar day of t (days since 1970-01-01), and the first opening on or after the
// local midnight starting `day` ("tomorrow morning" is opening_on(c, day_of(c, now) + 1)).
int day_of(const Calendar& c, int64_t t);
// "2025-01-13 15:00 CST": a time in a zone (tz: an IANA name; InvalidError), labelled with its abbreviation.
std::string local_time(const std::string& tz, int64_t t);
int64_t opening_on(const Calendar& c, int day);
// The instant of a local day (days since 1970-01-01) and minute after midnight.
int64_t local_instant(const Calendar& c, int day, int minute);
// Whether the calendar opens at all on that local day (not closed, with hours that weekday).
bool open_on(const Calendar& c, int day);

}  // namespace tw::calendar
