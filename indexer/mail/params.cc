#include "mail/params.h"

#include <map>

#include "mail/charset.h"
#include "mail/strutil.h"

namespace tw {
namespace {

struct RawParam {
    std::string name;   // without section / star
    int section = -1;   // -1: no continuation
    bool extended = false;
    std::string value;  // raw, quotes removed
    bool quoted = false;
};

void skip_cfws(std::string_view s, size_t& i) {
    while (i < s.size()) {
        if (is_wsp(s[i])) ++i;
        else if (s[i] == '(') {  // comment, nested
            int depth = 0;
            for (; i < s.size(); ++i) {
                if (s[i] == '\\') { ++i; continue; }
                if (s[i] == '(') ++depth;
                else if (s[i] == ')' && --depth == 0) { ++i; break; }
            }
        } else break;
    }
}

std::string read_quoted(std::string_view s, size_t& i) {
    std::string out;
    ++i;  // opening quote
    while (i < s.size() && s[i] != '"') {
        // Windows clients put paths with single backslashes inside quotes
        // ("C:\temp\a.pdf"): a backslash before a letter or digit is kept.
        if (s[i] == '\\' && i + 1 < s.size() && !std::isalnum(static_cast<unsigned char>(s[i + 1]))) ++i;
        out += s[i++];
    }
    if (i < s.size()) ++i;  // closing quote
    return out;
}

bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '*' || c == '-' || c == '_' || c == '.';
}

// Clients that forget the ';' between parameters: after white space, "name=" starts the next one.
bool param_starts_at(std::string_view s, size_t i) {
    size_t j = i;
    while (j < s.size() && is_token_char(s[j])) ++j;
    if (j == i) return false;
    while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
    return j < s.size() && s[j] == '=';
}

// At a separator: ';', or white space followed by "name=". Only the first
// blank of a run looks ahead (callers stop at the first separator), which
// keeps long runs of blanks linear.
bool at_separator(std::string_view s, size_t i) {
    if (s[i] == ';') return true;
    if (!is_wsp(s[i]) || (i > 0 && is_wsp(s[i - 1]))) return false;
    while (i < s.size() && is_wsp(s[i])) ++i;
    return i < s.size() && param_starts_at(s, i);
}

RawParam split_name(std::string name) {
    RawParam p;
    name = to_lower(trim(name));
    if (!name.empty() && name.back() == '*') {
        p.extended = true;
        name.pop_back();
    }
    if (auto star = name.find('*'); star != std::string::npos) {
        std::string num = name.substr(star + 1);
        if (!num.empty() && num.size() <= 4 && std::all_of(num.begin(), num.end(), ::isdigit)) {
            p.section = std::stoi(num);
            name.erase(star);
        }
    }
    p.name = name;
    return p;
}

// RFC 2231 extended value "charset'lang'%XX..." (first section only carries the
// charset; some clients repeat "charset'" in later sections too).
std::string decode_extended(std::string_view v, std::string* charset, bool first) {
    if (!first && !charset->empty() && v.size() > charset->size() && iequals(v.substr(0, charset->size()), *charset) &&
        v[charset->size()] == '\'') {
        v.remove_prefix(charset->size() + 1);
        if (size_t q = v.find('\''); q != std::string_view::npos && q < 16 && v.substr(0, q).find('%') == std::string_view::npos)
            v.remove_prefix(q + 1);
    }
    if (first) {
        size_t q1 = v.find('\'');
        size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
        if (q2 != std::string_view::npos) {
            *charset = std::string(v.substr(0, q1));
            v.remove_prefix(q2 + 1);
        }
    }
    return percent_decode(v);
}

}  // namespace

std::string percent_decode(std::string_view s) {
    auto hex = [](char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    };
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() + 0 && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out += char(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else out += s[i];
    }
    return out;
}

const std::string& ParamHeader::param(std::string_view name) const {
    static const std::string empty;
    for (const auto& [n, v] : params)
        if (n == name) return v;
    return empty;
}

bool ParamHeader::has(std::string_view name) const {
    for (const auto& [n, v] : params)
        if (n == name) return true;
    return false;
}

ParamHeader parse_param_header(std::string_view raw, const HeaderDecodeContext& ctx) {
    ParamHeader out;
    std::string unfolded = unfold(raw);
    std::string_view s(unfolded);
    size_t i = 0;
    skip_cfws(s, i);
    // The value: up to the first separator outside quotes/comments, white space dropped.
    while (i < s.size() && !at_separator(s, i)) {
        if (s[i] == '(') { skip_cfws(s, i); continue; }
        if (s[i] == '"') { out.value += to_lower(read_quoted(s, i)); continue; }
        if (!is_wsp(s[i])) out.value += char(std::tolower((unsigned char)s[i]));
        ++i;
    }
    while (out.value.ends_with('/')) out.value.pop_back();  // "text/" -> "text"
    std::vector<RawParam> raws;
    while (i < s.size()) {
        if (s[i] == ';') ++i;
        skip_cfws(s, i);
        size_t name_start = i;
        while (i < s.size() && s[i] != '=' && s[i] != ';') ++i;
        if (i >= s.size() || s[i] == ';') continue;  // a bare token or ";;": ignore
        if (i == name_start) { ++i; continue; }      // "=value" with no name
        RawParam p = split_name(std::string(s.substr(name_start, i - name_start)));
        ++i;  // '='
        skip_cfws(s, i);
        if (i < s.size() && s[i] == '"') {
            p.value = read_quoted(s, i);
            p.quoted = true;
            // Junk after the closing quote up to ';' (for example a second quoted part) is appended.
            while (i < s.size() && !at_separator(s, i)) {
                if (s[i] == '"') p.value += read_quoted(s, i);
                else if (s[i] == '(') skip_cfws(s, i);
                else { if (!is_wsp(s[i])) p.value += s[i]; ++i; }
            }
        } else {
            size_t vs = i;
            while (i < s.size() && !at_separator(s, i)) ++i;
            std::string_view v = trim(s.substr(vs, i - vs));
            // "name=value (comment)": drop a trailing comment
            if (auto c = v.find(" ("); c != std::string_view::npos && v.back() == ')') v = trim(v.substr(0, c));
            p.value = std::string(v);
        }
        if (!p.name.empty()) raws.push_back(std::move(p));
    }
    // Join RFC 2231 sections in section order, per name.
    std::vector<std::string> order;
    std::map<std::string, std::map<int, RawParam>> sections;
    std::map<std::string, RawParam> plain;
    for (auto& p : raws) {
        if (!sections.count(p.name) && !plain.count(p.name)) order.push_back(p.name);
        if (p.section >= 0) sections[p.name].emplace(p.section, std::move(p));
        else if (p.extended) sections[p.name].emplace(0, std::move(p));
        else plain.emplace(p.name, std::move(p));
    }
    for (const auto& name : order) {
        std::string value;
        if (auto it = sections.find(name); it != sections.end()) {
            std::string charset, bytes;
            bool any_ext = false;
            for (auto& [n, p] : it->second) {
                if (p.extended) {
                    any_ext = true;
                    bytes += decode_extended(p.value, &charset, n == it->second.begin()->first);
                } else bytes += p.value;
            }
            if (any_ext) {
                Utf8Result r = to_utf8(bytes, charset.empty() ? ctx.fallback_charset : charset, ctx.context_charset);
                if (r.unknown_charset && ctx.problems)
                    ctx.problems->push_back("unknown charset \"" + charset + "\" in parameter " + name);
                value = r.text;
            } else value = decode_header_text(bytes, ctx);
        } else {
            const RawParam& p = plain.at(name);
            // Encoded words in a quoted parameter, as Chinese and Outlook clients write them.
            value = (name == "boundary") ? p.value : decode_header_text(p.value, ctx);
            if (name == "boundary" && !is_valid_utf8(value)) value = sanitize_utf8(value);
        }
        out.params.emplace_back(name, std::move(value));
    }
    return out;
}

}  // namespace tw
