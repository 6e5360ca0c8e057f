#include "mail/date.h"

#include <cctype>
#include <ctime>
#include <vector>

#include "mail/strutil.h"

namespace tw {
namespace {

struct Tok {
    enum Kind { Num, Word, Sign, Colon, Other } kind;
    std::string text;
    int digits = 0;
};

std::vector<Tok> tokenize(std::string_view s) {
    std::vector<Tok> out;
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = s[i];
        if (std::isdigit(c)) {
            size_t j = i;
            while (j < s.size() && std::isdigit((unsigned char)s[j])) ++j;
            out.push_back({Tok::Num, std::string(s.substr(i, j - i)), int(j - i)});
            i = j;
        } else if (std::isalpha(c)) {
            size_t j = i;
            while (j < s.size() && std::isalpha((unsigned char)s[j])) ++j;
            out.push_back({Tok::Word, to_lower(s.substr(i, j - i))});
            i = j;
        } else if (c == '+' || c == '-') {
            out.push_back({Tok::Sign, std::string(1, char(c))});
            ++i;
        } else if (c == ':') {
            out.push_back({Tok::Colon, ":"});
            ++i;
        } else if (c == '(') {  // comment: "(CST)" is ignored
            int depth = 0;
            for (; i < s.size(); ++i) {
                if (s[i] == '(') ++depth;
                else if (s[i] == ')' && --depth == 0) { ++i; break; }
            }
        } else if (c >= 0x80) {
            // CJK date words: 年 月 日 act as separators
            out.push_back({Tok::Other, "/"});
            ++i;
            while (i < s.size() && ((unsigned char)s[i] & 0xC0) == 0x80) ++i;
        } else {
            if (c == '/' || c == '.') out.push_back({Tok::Other, std::string(1, char(c))});
            ++i;
        }
    }
    return out;
}

int month_of(const std::string& w) {
    static const char* names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    if (w.size() < 3) return 0;
    for (int m = 0; m < 12; ++m)
        if (w.compare(0, 3, names[m]) == 0) {
            // Accept "jan" and "january", not "janxyz"
            static const char* full[] = {"january", "february", "march", "april", "may", "june", "july",
                                         "august", "september", "october", "november", "december"};
            std::string f = full[m];
            if (w.size() == 3 || f.compare(0, w.size(), w) == 0 || (m == 8 && w == "sept")) return m + 1;
        }
    return 0;
}

bool is_day_name(const std::string& w) {
    static const char* days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    for (auto* d : days)
        if (w.compare(0, 3, d) == 0) return true;
    return false;
}

// Named zones (RFC 5322 obsolete zones and a few common ones), minutes east.
bool zone_of(const std::string& w, int& off) {
    static const std::pair<const char*, int> zones[] = {
        {"ut", 0}, {"utc", 0}, {"gmt", 0}, {"z", 0}, {"est", -300}, {"edt", -240}, {"cst", -360}, {"cdt", -300},
        {"mst", -420}, {"mdt", -360}, {"pst", -480}, {"pdt", -420}, {"cet", 60}, {"cest", 120}, {"met", 60},
        {"mest", 120}, {"bst", 60}, {"eet", 120}, {"eest", 180}, {"jst", 540}, {"kst", 540}, {"hkt", 480},
        {"sgt", 480}, {"ist", 330}, {"wet", 0}, {"west", 60}, {"msk", 180}};
    for (auto& [n, o] : zones)
        if (w == n) {
            off = o;
            return true;
        }
    if (w.size() == 1 && w[0] >= 'a' && w[0] <= 'z' && w[0] != 'j') {
        // Military zones: RFC 5322 says treat as -0000 (their sign was defined backwards in RFC 822).
        off = 0;
        return true;
    }
    return false;
}

int days_in_month(int y, int m) {
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return d[m - 1];
}

int fix_year(int y, int digits) {
    if (digits == 2) return y < 50 ? 2000 + y : 1900 + y;
    if (digits == 3) return 1900 + y;
    return y;
}

struct Parser {
    std::vector<Tok> t;
    size_t i = 0;
    DateTimeParts d;
    bool have_date = false, have_time = false, have_zone = false;

    bool at(Tok::Kind k) const { return i < t.size() && t[i].kind == k; }
    bool at_sep() const { return i < t.size() && t[i].kind == Tok::Other && (t[i].text == "/" || t[i].text == "."); }
    int num() { return std::stoi(t[i++].text); }

    // hh:mm[:ss]
    bool time() {
        if (!(at(Tok::Num) && t[i].digits <= 2 && i + 2 < t.size() && t[i + 1].kind == Tok::Colon &&
              t[i + 2].kind == Tok::Num))
            return false;
        d.hour = num();
        ++i;
        d.minute = num();
        if (at(Tok::Colon) && i + 1 < t.size() && t[i + 1].kind == Tok::Num) {
            ++i;
            d.second = num();
        }
        if (at(Tok::Other) && t[i].text == ".") {  // fractional seconds
            ++i;
            if (at(Tok::Num)) ++i;
        }
        if (at(Tok::Word) && (t[i].text == "am" || t[i].text == "pm")) {
            if (d.hour > 12) return false;
            if (t[i].text == "pm" && d.hour < 12) d.hour += 12;
            if (t[i].text == "am" && d.hour == 12) d.hour = 0;
            ++i;
        }
        have_time = true;
        return true;
    }

    // +hhmm, -hh:mm, +h, GMT+8, UTC+0800, named zones
    bool zone() {
        if (at(Tok::Word)) {
            int off;
            if (!zone_of(t[i].text, off)) return false;
            ++i;
            d.tz_offset_minutes = off;
            have_zone = true;
            if (at(Tok::Sign) && i + 1 < t.size() && t[i + 1].kind == Tok::Num) return numeric_zone();
            return true;
        }
        if (at(Tok::Sign) && i + 1 < t.size() && t[i + 1].kind == Tok::Num) return numeric_zone();
        return false;
    }

    bool numeric_zone() {
        int sign = t[i].text == "-" ? -1 : 1;
        ++i;
        const Tok& n = t[i++];
        int h, m = 0;
        if (n.digits == 4) { h = std::stoi(n.text.substr(0, 2)); m = std::stoi(n.text.substr(2)); }
        else if (n.digits <= 2) {
            h = std::stoi(n.text);
            if (at(Tok::Colon) && i + 1 < t.size() && t[i + 1].kind == Tok::Num) { ++i; m = num(); }
        } else if (n.digits == 3) { h = std::stoi(n.text.substr(0, 1)); m = std::stoi(n.text.substr(1)); }
        else return false;
        if (h > 14 || m > 59) return false;
        d.tz_offset_minutes = sign * (h * 60 + m);
        have_zone = true;
        return true;
    }

    // day month-name year | month-name day year | y-m-d | y/m/d | d.m.y | d-mon-y
    bool date() {
        size_t save = i;
        if (at(Tok::Num) && t[i].digits <= 2) {  // 1 Jul 2003, 01-Jul-2003, 04.07.2025, 04/07/2025
            int day = num();
            if (at(Tok::Sign) && t[i].text == "-") ++i;
            if (at(Tok::Word) && month_of(t[i].text)) {
                d.month = month_of(t[i++].text);
                if (at(Tok::Sign) && t[i].text == "-") ++i;
                if (!at(Tok::Num)) return (i = save, false);
                int digits = t[i].digits;
                d.year = fix_year(num(), digits);
                d.day = day;
                return have_date = true;
            }
            // "20 11 79": numeric month between spaces (obsolete senders)
            if (at(Tok::Num) && t[i].digits <= 2 && i + 1 < t.size() && t[i + 1].kind == Tok::Num &&
                (t[i + 1].digits == 2 || t[i + 1].digits == 4) && (i + 2 >= t.size() || t[i + 2].kind != Tok::Colon)) {
                d.month = num();
                int digits = t[i].digits;
                d.year = fix_year(num(), digits);
                d.day = day;
                return have_date = true;
            }
            if (at_sep() && i + 3 < t.size()) {  // d.m.y (European order)
                ++i;
                if (!at(Tok::Num)) return (i = save, false);
                int mon = num();
                if (!at_sep()) return (i = save, false);
                ++i;
                if (!at(Tok::Num)) return (i = save, false);
                int digits = t[i].digits;
                d.year = fix_year(num(), digits);
                d.month = mon;
                d.day = day;
                return have_date = true;
            }
            return (i = save, false);
        }
        if (at(Tok::Num) && t[i].digits == 4) {  // 2025-07-04, 2025/07/04, 2025年7月4日
            d.year = num();
            if (!(at(Tok::Sign) || at_sep())) return (i = save, false);
            ++i;
            if (!at(Tok::Num)) return (i = save, false);
            d.month = num();
            if (!(at(Tok::Sign) || at_sep())) return (i = save, false);
            ++i;
            if (!at(Tok::Num)) return (i = save, false);
            d.day = num();
            if (at_sep()) ++i;  // 日
            if (at(Tok::Word) && t[i].text == "t") ++i;  // ISO 8601 "T"
            return have_date = true;
        }
        if (at(Tok::Word) && month_of(t[i].text)) {  // Jul 1 2003 / Jul 1 10:00:00 2003 (asctime)
            d.month = month_of(t[i++].text);
            if (!at(Tok::Num) || t[i].digits > 2) return (i = save, false);
            d.day = num();
            time();
            if (!at(Tok::Num)) return (i = save, false);
            int digits = t[i].digits;
            d.year = fix_year(num(), digits);
            return have_date = true;
        }
        return false;
    }

    bool run() {
        while (at(Tok::Word) && is_day_name(t[i].text)) ++i;
        while (at(Tok::Other) && t[i].text != "/") ++i;
        if (!date()) return false;
        // time and zone in either order, each optional (asctime puts the zone or year last)
        for (int k = 0; k < 3 && i < t.size(); ++k) {
            if (!have_time && time()) continue;
            if (!have_zone && zone()) continue;
            if (at(Tok::Num) && t[i].digits == 4 && !have_zone) {  // "+0800" written without a sign
                int v = std::stoi(t[i].text);
                if (have_time && v % 100 < 60 && v / 100 <= 14) {
                    d.tz_offset_minutes = (v / 100) * 60 + v % 100;
                    have_zone = true;
                    ++i;
                    continue;
                }
            }
            ++i;  // junk between parts ("at", "." ...)
        }
        d.tz_known = have_zone;
        if (d.year < 1900 || d.year > 2200 || d.month < 1 || d.month > 12 || d.day < 1 ||
            d.day > days_in_month(d.year, d.month))
            return false;
        if (d.hour > 23 || d.minute > 59 || d.second > 60) return false;
        if (d.second == 60) d.second = 59;  // leap second
        return true;
    }
};

}  // namespace

std::optional<DateTimeParts> parse_date_parts(std::string_view s) {
    // A whole Received field: the date follows its last ';'.
    if (size_t semi = s.rfind(';'); semi != std::string_view::npos) s = s.substr(semi + 1);
    if (s.size() > 256) s = s.substr(0, 256);
    Parser p;
    p.t = tokenize(s);
    try {
        if (!p.run()) return std::nullopt;
    } catch (const std::exception&) {  // stoi on absurd digit runs
        return std::nullopt;
    }
    return p.d;
}

int64_t to_unix_time(const DateTimeParts& d) {
    // days from civil (Howard Hinnant's algorithm), no time zone database needed
    int y = d.year - (d.month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = unsigned(y - era * 400);
    unsigned doy = (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = int64_t(era) * 146097 + int64_t(doe) - 719468;
    return days * 86400 + d.hour * 3600 + d.minute * 60 + d.second - int64_t(d.tz_offset_minutes) * 60;
}

std::optional<int64_t> parse_date(std::string_view s) {
    auto p = parse_date_parts(s);
    if (!p) return std::nullopt;
    return to_unix_time(*p);
}

std::string format_iso_utc(int64_t t) {
    time_t tt = time_t(t);
    struct tm tm {};
    gmtime_r(&tt, &tm);
    char buf[40];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace tw
