#include "mail/msgid.h"

#include <algorithm>

#include "mail/strutil.h"

namespace tw {
namespace {

std::string strip_comments(std::string_view s) {
    std::string out;
    int depth = 0;
    bool quoted = false;
    for (char c : s) {
        if (c == '"' && !depth) quoted = !quoted;
        if (!quoted && c == '(') { ++depth; continue; }
        if (!quoted && c == ')' && depth) { --depth; continue; }
        if (!depth) out += c;
    }
    return out;
}

std::string clean_id(std::string_view id) {
    std::string out;
    for (char c : id)
        if (!is_wsp(c) && c != '<' && c != '>' && c != '"') out += c;
    return out;
}

// Bracketed ids; when there are none, white-space separated tokens.
std::vector<std::string> ids(std::string_view raw, bool* bracketed) {
    std::string s = strip_comments(raw);
    std::vector<std::string> out;
    size_t pos = 0;
    while (true) {
        size_t lt = s.find('<', pos);
        if (lt == std::string::npos) break;
        size_t gt = s.find('>', lt + 1);
        if (gt == std::string::npos) gt = s.size();
        std::string id = clean_id(std::string_view(s).substr(lt + 1, gt - lt - 1));
        if (!id.empty()) out.push_back(std::move(id));
        pos = gt;
    }
    *bracketed = !out.empty() || s.find('<') != std::string::npos;
    if (*bracketed) return out;
    std::string_view v(s);
    size_t i = 0;
    while (i < v.size()) {
        while (i < v.size() && (is_wsp(v[i]) || v[i] == ',')) ++i;
        size_t j = i;
        while (j < v.size() && !is_wsp(v[j]) && v[j] != ',') ++j;
        if (j > i) out.push_back(clean_id(v.substr(i, j - i)));
        i = j;
    }
    return out;
}

}  // namespace

std::vector<std::string> parse_msgid_list(std::string_view raw) {
    bool bracketed;
    std::vector<std::string> out;
    for (auto& id : ids(raw, &bracketed)) {
        if (id.empty() || id.size() > 998) continue;
        if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(std::move(id));
    }
    return out;
}

std::string parse_msgid(std::string_view raw) {
    auto v = parse_msgid_list(raw);
    return v.empty() ? std::string() : v.front();
}

std::string parse_in_reply_to(std::string_view raw) {
    auto v = parse_msgid_list(raw);
    for (auto it = v.rbegin(); it != v.rend(); ++it)
        if (it->find('@') != std::string::npos) return *it;
    return v.empty() ? std::string() : v.front();
}

}  // namespace tw
