#include "mail/subject.h"

#include <array>

#include "mail/strutil.h"

namespace tw {
namespace {

constexpr std::array<std::string_view, 33> kPrefixes = {
    "re", "fw", "fwd", "aw", "wg", "sv", "vs", "vb", "res", "enc", "tr", "rif", "antw", "odp", "r", "i",
    "ynt", "atb", "vl", "rv", "rép", "réf", "转发", "轉寄", "轉發", "回复", "回覆", "答复", "答覆", "返信", "転送",
    "fyi", "trans"};

// Length of a "prefix:" at s, or 0. Accepts "Re:", "RE :", "Re[2]:", "Re(2):", "回复：".
size_t prefix_len(std::string_view s) {
    for (auto p : kPrefixes) {
        if (!istarts_with(s, p)) continue;
        size_t i = p.size();
        if (i < s.size() && (s[i] == '[' || s[i] == '(')) {
            char close = s[i] == '[' ? ']' : ')';
            size_t j = i + 1;
            while (j < s.size() && std::isdigit((unsigned char)s[j])) ++j;
            if (j == i + 1 || j >= s.size() || s[j] != close) continue;
            i = j + 1;
        }
        while (i < s.size() && s[i] == ' ') ++i;
        if (s.substr(i).starts_with(":")) return i + 1;
        if (s.substr(i).starts_with("\xEF\xBC\x9A")) return i + 3;  // full-width colon
    }
    return 0;
}

// "[EXT] ", "[External] ", "【外部】": a bracketed tag at the start.
size_t tag_len(std::string_view s) {
    if (s.starts_with("[")) {
        size_t j = s.find(']');
        if (j != std::string_view::npos && j < 40) return j + 1;
    }
    if (s.starts_with("\xE3\x80\x90")) {  // 【 ... 】
        size_t j = s.find("\xE3\x80\x91");
        if (j != std::string_view::npos && j < 40) return j + 3;
    }
    return 0;
}

}  // namespace

std::string base_subject(std::string_view subject) {
    std::string s = unfold(subject);
    std::string_view v = trim(s);
    while (true) {
        if (size_t n = prefix_len(v)) {
            v = trim(v.substr(n));
            continue;
        }
        // A tag is stripped only when a reply prefix follows it ("[EXT] RE: x" -> "x"),
        // so subjects that are just tagged keep their tag.
        if (size_t t = tag_len(v); t && prefix_len(trim(v.substr(t)))) {
            v = trim(v.substr(t));
            continue;
        }
        break;
    }
    // Forwarding clients append "(fwd)".
    if (v.size() > 6 && iequals(v.substr(v.size() - 5), "(fwd)")) v = trim(v.substr(0, v.size() - 5));
    return std::string(v);
}

}  // namespace tw
