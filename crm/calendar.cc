// Business calendars (crm/calendar.h), over Howard Hinnant's date/tz.
#include "crm/calendar.h"

#include <date/date.h>
#include <date/tz.h>
#include <libical/ical.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>

#include "mail/error.h"
#include "mail/strutil.h"

namespace tw::calendar {
namespace {

constexpr std::string_view kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr int kMaxDays = 3 * 366;  // how far a deadline is looked for before the calendar counts as never open

int day_index(std::string_view name) {
    for (int k = 0; k < 7; ++k)
        if (iequals(name, kDays[k])) return k;
    throw InvalidError("\"" + std::string(name) + "\" is not a day: write Mon, Tue, Wed, Thu, Fri, Sat or Sun");
}

int minutes(std::string_view hhmm) {
    auto colon = hhmm.find(':');
    auto h = parse_int(hhmm.substr(0, colon));
    auto m = colon == std::string_view::npos ? std::optional<int64_t>(0) : parse_int(hhmm.substr(colon + 1));
    if (!h || !m || *h < 0 || *h > 24 || *m < 0 || *m > 59 || (*h == 24 && *m != 0) ||
        (colon != std::string_view::npos && hhmm.size() - colon != 3))
        throw InvalidError("\"" + std::string(hhmm) + "\" is not a time of day: write HH:MM, 00:00 to 24:00");
    return int(*h * 60 + *m);
}

std::string hhmm(int m) {
    std::string out(5, '0');
    out[0] = char('0' + m / 600);
    out[1] = char('0' + m / 60 % 10);
    out[2] = ':';
    out[3] = char('0' + m % 60 / 10);
    out[4] = char('0' + m % 10);
    return out;
}

const date::time_zone* zone(const std::string& tz) {
    try {
        return date::locate_zone(tz);
    } catch (const std::exception&) {
        throw InvalidError("\"" + tz + "\" is not a time zone of the system's tzdata: write an IANA name such as "
                           "Asia/Shanghai or Europe/Berlin");
    }
}

// The UTC instant of a local day and minute, DST resolved as the header says.
int64_t instant(const date::time_zone* z, int day, int minute) {
    date::local_seconds local{std::chrono::seconds(int64_t(day) * 86400 + int64_t(minute) * 60)};
    auto info = z->get_info(local);
    date::sys_seconds sys;
    switch (info.result) {
        case date::local_info::unique: sys = date::sys_seconds{local.time_since_epoch() - info.first.offset}; break;
        case date::local_info::ambiguous: sys = date::sys_seconds{local.time_since_epoch() - info.first.offset}; break;
        case date::local_info::nonexistent: sys = info.second.begin; break;  // skipped: when the clocks change
    }
    return sys.time_since_epoch().count();
}

int local_day(const date::time_zone* z, int64_t t) {
    auto local = z->to_local(date::sys_seconds{std::chrono::seconds(t)});
    return int(date::floor<date::days>(local).time_since_epoch().count());
}

bool closed(const Calendar& c, int day) {
    return std::any_of(c.closed.begin(), c.closed.end(), [&](const DayRange& r) { return day >= r.first && day <= r.last; });
}

int weekday(int day) {  // Monday 0
    return int(date::weekday{date::sys_days{date::days{day}}}.iso_encoding()) - 1;
}

}  // namespace

Week parse_week(std::string_view text) {
    Week w;
    bool any = false;
    for (auto group : split_trimmed(text, ';')) {
        if (group.empty()) continue;
        size_t space = group.find(' ');
        if (space == std::string_view::npos)
            throw InvalidError("\"" + std::string(group) + "\": write days, then hours, as in \"Mon-Fri 09:00-18:00\"");
        std::vector<int> days;
        for (auto part : split_trimmed(group.substr(0, space), ',')) {
            size_t dash = part.find('-');
            int a = day_index(part.substr(0, dash)), b = dash == std::string_view::npos ? a : day_index(part.substr(dash + 1));
            if (b < a) throw InvalidError("\"" + std::string(part) + "\": a range of days runs forward, Mon-Fri");
            for (int d = a; d <= b; ++d) days.push_back(d);
        }
        std::vector<Span> spans;
        for (auto part : split_trimmed(trim(group.substr(space + 1)), ',')) {
            size_t dash = part.find('-');
            if (dash == std::string_view::npos) throw InvalidError("\"" + std::string(part) + "\": write hours as 09:00-18:00");
            Span s{minutes(trim(part.substr(0, dash))), minutes(trim(part.substr(dash + 1)))};
            if (s.end <= s.start) throw InvalidError("\"" + std::string(part) + "\": the hours end after they start");
            spans.push_back(s);
        }
        std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
        for (size_t k = 1; k < spans.size(); ++k)
            if (spans[k].start < spans[k - 1].end) throw InvalidError("\"" + std::string(group) + "\": the hours overlap");
        for (int d : days) {
            if (!w[size_t(d)].empty()) throw InvalidError(std::string(kDays[d]) + " is given twice");
            w[size_t(d)] = spans;
        }
        any = true;
    }
    if (!any) throw InvalidError("no opening hours: write them as in \"Mon-Fri 09:00-12:00,13:30-18:00\"");
    return w;
}

std::string format_week(const Week& w) {
    std::string out;
    for (int d = 0; d < 7;) {
        if (w[size_t(d)].empty()) {
            ++d;
            continue;
        }
        int e = d;
        while (e + 1 < 7 && w[size_t(e + 1)] == w[size_t(d)]) ++e;
        std::string spans;
        for (const auto& s : w[size_t(d)]) {
            if (!spans.empty()) spans.push_back(',');
            spans.append(hhmm(s.start)).append("-").append(hhmm(s.end));
        }
        if (!out.empty()) out.append("; ");
        out.append(kDays[d]);
        if (e > d) out.append("-").append(kDays[e]);
        out.append(" ").append(spans);
        d = e + 1;
    }
    return out;
}

DayRange parse_days(std::string_view text) {
    auto one = [&](std::string_view s) {
        if (s.size() != 10)  // before substr: a short text would throw out_of_range
            throw InvalidError("\"" + std::string(s) + "\" is not a day: write YYYY-MM-DD, or a range 2025-10-01..2025-10-07");
        auto y = parse_int(s.substr(0, 4)), m = parse_int(s.substr(5, 2)), d = parse_int(s.substr(8, 2));
        date::year_month_day ymd{date::year{int(y.value_or(0))}, date::month{unsigned(m.value_or(0))},
                                 date::day{unsigned(d.value_or(0))}};
        if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !y || !m || !d || !ymd.ok())
            throw InvalidError("\"" + std::string(s) + "\" is not a day: write YYYY-MM-DD, or a range 2025-10-01..2025-10-07");
        return int(date::sys_days{ymd}.time_since_epoch().count());
    };
    text = trim(text);
    size_t dots = text.find("..");
    DayRange r;
    r.first = one(text.substr(0, dots));
    r.last = dots == std::string_view::npos ? r.first : one(text.substr(dots + 2));
    if (r.last < r.first) throw InvalidError("\"" + std::string(text) + "\": a range of days runs forward");
    return r;
}

std::string format_days(const DayRange& r) {
    auto one = [](int d) { return date::format("%F", date::sys_days{date::days{d}}); };
    return r.first == r.last ? one(r.first) : one(r.first) + ".." + one(r.last);
}

std::vector<DayRange> parse_ics(std::string_view text) {
    std::string copy(text);
    icalcomponent* root = icalparser_parse_string(copy.c_str());
    if (!root) throw InvalidError("this is no iCalendar file (BEGIN:VCALENDAR ... END:VCALENDAR)");
    std::vector<DayRange> out;
    auto day_of = [](const icaltimetype& t) {
        date::year_month_day ymd{date::year{t.year}, date::month{unsigned(t.month)}, date::day{unsigned(t.day)}};
        return ymd.ok() ? int(date::sys_days{ymd}.time_since_epoch().count()) : INT32_MIN;
    };
    auto take = [&](icalcomponent* ev) {
        icaltimetype start = icalcomponent_get_dtstart(ev), end = icalcomponent_get_dtend(ev);
        if (icaltime_is_null_time(start)) return;
        int first = day_of(start);
        int last = icaltime_is_null_time(end) ? first : day_of(end) - (end.is_date ? 1 : 0);
        if (first == INT32_MIN || last == INT32_MIN) return;
        out.push_back({first, std::max(first, last)});
    };
    if (icalcomponent_isa(root) == ICAL_VEVENT_COMPONENT) take(root);
    for (icalcomponent* ev = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT))
        take(ev);
    icalcomponent_free(root);
    if (out.empty()) throw InvalidError("the iCalendar file has no events (VEVENT with DTSTART)");
    return out;
}

void check_zone(const std::string& tz) { (void)zone(tz); }

int64_t add(const Calendar& c, int64_t start, int64_t business_seconds) {
    const date::time_zone* z = zone(c.tz);
    int64_t left = std::max<int64_t>(0, business_seconds);
    int first = local_day(z, start);
    for (int day = first - 1; day < first + kMaxDays; ++day) {  // the day before: a local evening may be UTC's next day
        if (closed(c, day)) continue;
        for (const Span& s : c.week[size_t(weekday(day))]) {
            int64_t open = instant(z, day, s.start), shut = instant(z, day, s.end);
            if (shut <= start) continue;
            int64_t from = std::max(open, start);
            if (left <= shut - from) return from + left;
            left -= shut - from;
        }
    }
    throw InvalidError("the calendar (" + c.tz + ", " + format_week(c.week) + ") has no open time in the " +
                       std::to_string(kMaxDays) + " days after this: give it opening hours");
}

int64_t add_days(const Calendar& c, int64_t start, int days) {
    const date::time_zone* z = zone(c.tz);
    int64_t from = add(c, start, 0);
    int day = local_day(z, from);
    int64_t minute = (z->to_local(date::sys_seconds{std::chrono::seconds(from)}).time_since_epoch().count() -
                      int64_t(day) * 86400) / 60;
    for (int k = 0; k < days;) {
        if (++day > local_day(z, from) + kMaxDays) return add(c, from, 0);  // never open: add() says so
        if (!closed(c, day) && !c.week[size_t(weekday(day))].empty()) ++k;
    }
    return add(c, instant(z, day, int(minute)), 0);
}

int64_t between(const Calendar& c, int64_t from, int64_t to) {
    if (to <= from) return 0;
    const date::time_zone* z = zone(c.tz);
    int64_t total = 0;
    for (int day = local_day(z, from) - 1, last = local_day(z, to) + 1; day <= last; ++day) {
        if (closed(c, day)) continue;
        for (const Span& s : c.week[size_t(weekday(day))]) {
            int64_t open = std::max(instant(z, day, s.start), from), shut = std::min(instant(z, day, s.end), to);
            if (shut > open) total += shut - open;
        }
    }
    return total;
}

std::string local_label(const Calendar& c, int64_t t) {
    auto zt = date::make_zoned(zone(c.tz), date::sys_seconds{std::chrono::seconds(t)});
    return date::format("%F %R %Z", zt) + " (" + c.tz + ")";
}

std::string local_time(const std::string& tz, int64_t t) {
    auto zt = date::make_zoned(zone(tz), date::sys_seconds{std::chrono::seconds(t)});
    return date::format("%F %R %Z", zt);
}

int day_of(const Calendar& c, int64_t t) { return local_day(zone(c.tz), t); }

int64_t local_instant(const Calendar& c, int day, int minute) { return instant(zone(c.tz), day, minute); }

bool open_on(const Calendar& c, int day) { return !closed(c, day) && !c.week[size_t(weekday(day))].empty(); }

int64_t opening_on(const Calendar& c, int day) { return add(c, instant(zone(c.tz), day, 0), 0); }

}  // namespace tw::calendar
