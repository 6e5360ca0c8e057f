// Small string helpers shared by the header parsers.
#pragma once
#include <charconv>
#include <cstdint>
#include <optional>
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace tw {

inline bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
    return s;
}

inline std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

inline bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

inline bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

inline bool has_8bit(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c >= 0x80; });
}

// Unfolds a header value: CR/LF followed by white space becomes that white
// space; lone CR/LF are dropped. Runs of white space collapse to one space.
inline std::string unfold(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool space = false;
    for (char c : s) {
        if (c == '\r' || c == '\n') continue;
        if (c == ' ' || c == '\t') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// The lower-cased domain of an address ("" when it has no '@').
// A whole decimal integer ("12", "-3"), or nullopt for anything else ("abc",
// "12abc", "", out of range): ids from users are checked, never atoll'd to 0.
inline std::optional<int64_t> parse_int(std::string_view s) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// The pieces of s between the separators, each trimmed ("a, b,,c" -> "a" "b" "" "c").
inline std::vector<std::string_view> split_trimmed(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (size_t pos = 0; pos <= s.size();) {
        size_t end = s.find(sep, pos);
        if (end == std::string_view::npos) end = s.size();
        out.push_back(trim(s.substr(pos, end - pos)));
        pos = end + 1;
    }
    return out;
}

inline std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out.append(sep);
        out.append(p);
    }
    return out;
}

inline std::string address_domain(std::string_view addr) {
    size_t at = addr.rfind('@');
    return at == std::string_view::npos ? std::string() : to_lower(addr.substr(at + 1));
}

// CRLF and lone CR become LF; form feeds (PDF page breaks) become LF.
inline std::string normalize_newlines(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\r') {
            out += '\n';
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else if (c == '\f') {
            out += '\n';
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace tw
