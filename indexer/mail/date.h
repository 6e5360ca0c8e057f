// Dates of RFC 5322, its obsolete forms and what broken clients write.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tw {

struct DateTimeParts {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    int tz_offset_minutes = 0;  // east of UTC
    bool tz_known = true;       // false: no zone given, UTC assumed
};

// Parses a Date-like header value. Accepts RFC 5322 with or without the day
// name and seconds, obsolete zones (GMT, EST, military letters), 2- and
// 3-digit years, asctime form, ISO 8601 ("2025-07-04 10:00", "2025-07-04T10:00:00+08:00"),
// "2025/07/04", dotted and dashed day-month-year, zones written "+08:00",
// "GMT+8", "UTC+0800". Rejects impossible dates (31 Feb, 99:99).
std::optional<DateTimeParts> parse_date_parts(std::string_view s);

// Seconds since the epoch (UTC) for a parsed date.
int64_t to_unix_time(const DateTimeParts& d);

// parse_date_parts + to_unix_time.
std::optional<int64_t> parse_date(std::string_view s);

// "2025-01-11T11:40:00Z"
std::string format_iso_utc(int64_t t);

}  // namespace tw
