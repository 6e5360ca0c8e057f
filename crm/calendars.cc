// The firm's and reps' business calendars, stored (crm/crm.h, crm/calendar.h).
#include <SQLiteCpp/SQLiteCpp.h>

#include <nlohmann/json.hpp>

#include "crm/crm.h"
#include "mail/error.h"
#include "mail/strutil.h"

namespace tw {
namespace {

constexpr const char* kFirmZone = "Asia/Shanghai";
constexpr const char* kFirmHours = "Mon-Fri 09:00-18:00";

}  // namespace

std::vector<Crm::CalendarRow> Crm::calendars() {
    std::vector<CalendarRow> out;
    SQLite::Statement st(db_, "SELECT rep, tz, hours, closed FROM calendars ORDER BY rep");
    while (st.executeStep()) {
        CalendarRow r{st.getColumn(0).getString(), st.getColumn(1).getString(), st.getColumn(2).getString(), {}};
        auto j = nlohmann::json::parse(st.getColumn(3).getString(), nullptr, false);
        if (j.is_array())
            for (const auto& x : j)
                if (x.is_string()) r.closed.push_back(x.get<std::string>());
        out.push_back(std::move(r));
    }
    return out;
}

calendar::Calendar Crm::calendar_of(const std::string& rep) {
    std::string who = to_lower(rep);
    if (auto hit = calendars_.find(who); hit != calendars_.end()) return hit->second;
    calendar::Calendar c;
    c.tz = kFirmZone;
    std::string hours = kFirmHours;
    for (const auto& row : calendars()) {  // the firm's row sorts first ("")
        if (!row.rep.empty() && row.rep != who) continue;
        if (!row.tz.empty()) c.tz = row.tz;
        if (!row.hours.empty()) hours = row.hours;
        for (const auto& d : row.closed) c.closed.push_back(calendar::parse_days(d));
    }
    c.week = calendar::parse_week(hours);
    calendars_[who] = c;
    return c;
}

void Crm::set_calendar(const std::string& rep, const std::string& tz, const std::string& hours,
                       const std::vector<calendar::DayRange>& closed, bool clear_closed) {
    std::string who = to_lower(rep);
    if (!who.empty() && who.find('@') == std::string::npos)
        throw InvalidError("--rep is a rep's mail address (lily.zhou@firm.example), not \"" + rep + "\"");
    if (!tz.empty()) calendar::check_zone(tz);
    std::string canonical = hours.empty() ? "" : calendar::format_week(calendar::parse_week(hours));
    CalendarRow now{who, "", "", {}};
    for (auto& row : calendars())
        if (row.rep == who) now = row;
    if (!tz.empty()) now.tz = tz;
    if (!canonical.empty()) now.hours = canonical;
    if (clear_closed) now.closed.clear();
    for (const auto& d : closed) now.closed.push_back(calendar::format_days(d));
    SQLite::Statement st(db_, "INSERT INTO calendars(rep, tz, hours, closed) VALUES (?,?,?,?) ON CONFLICT(rep) DO UPDATE SET "
                              "tz = excluded.tz, hours = excluded.hours, closed = excluded.closed");
    st.bind(1, who);
    st.bind(2, now.tz);
    st.bind(3, now.hours);
    st.bind(4, nlohmann::json(now.closed).dump());
    st.exec();
    calendars_.clear();
    refresh_all_followups();  // deadlines are counted in the new calendar at once
}

}  // namespace tw
