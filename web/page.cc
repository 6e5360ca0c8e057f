// Parameters, pages and display helpers shared by the handlers.
#include <algorithm>

#include "crm/calendar.h"
#include "mail/date.h"
#include "mail/error.h"
#include "mail/strutil.h"
#include "web/route.h"

namespace tw::web {

Param int_param(const std::string& name, bool required, int64_t def, int64_t min, int64_t max, bool clamp) {
    Param p;
    p.type = Param::Type::Int;
    p.name = name;
    p.required = required;
    p.def = std::to_string(def);
    p.min = min;
    p.max = max;
    p.clamp = clamp;
    return p;
}

Param text_param(const std::string& name, bool required, const std::string& def, size_t max_length) {
    Param p;
    p.name = name;
    p.required = required;
    p.def = def;
    p.max_length = max_length;
    return p;
}

Param flag_param(const std::string& name) {
    Param p;
    p.type = Param::Type::Flag;
    p.name = name;
    return p;
}

std::vector<std::string> Request::all(const std::string& name) const {
    std::vector<std::string> out;
    for (size_t k = 0; k < http.get_param_value_count(name.c_str()); ++k) out.push_back(http.get_param_value(name.c_str(), k));
    return out;
}

Page page(const std::string& title, const std::string& view, json model, json view_only) {
    Page p;
    p.title = title;
    p.view = view;
    p.model = std::move(model);
    p.view_only = std::move(view_only);
    return p;
}

Page after_form(json model, const std::string& back) {
    Page p;
    p.model = std::move(model);
    p.redirect = back;
    return p;
}

thread_local std::string viewer_zone = "UTC";

void set_viewer_zone(const std::string& tz) { viewer_zone = tz.empty() ? "UTC" : tz; }
const std::string& viewer_zone_name() { return viewer_zone; }

std::string when(int64_t t) {
    if (t <= 0) return "";
    try {
        return calendar::local_time(viewer_zone, t);
    } catch (const std::exception&) {  // a zone the system's tzdata lost since it was set
        std::string iso = format_iso_utc(t);
        return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
    }
}

namespace {
thread_local const Catalogue* viewer_words = nullptr;
thread_local const Catalogue* english_words = nullptr;
}  // namespace

void set_viewer_language(const Catalogue* words, const Catalogue* english) {
    viewer_words = words;
    english_words = english;
}

std::string tr(std::string_view english) {
    if (viewer_words) {
        auto it = viewer_words->find(std::string(english));
        if (it != viewer_words->end()) return it->second;
    }
    return std::string(english);
}

std::string tr(std::string_view english, std::initializer_list<std::pair<const char*, std::string>> values) {
    std::string out = tr(english);
    for (const auto& [name, value] : values) {
        std::string key(1, '{');
        key.append(name).push_back('}');
        for (size_t p = 0; (p = out.find(key, p)) != std::string::npos; p += value.size()) out.replace(p, key.size(), value);
    }
    return out;
}

std::string label(std::string_view value) {
    std::string key = "enum:" + std::string(value);
    for (const Catalogue* c : {viewer_words, english_words}) {
        if (!c) continue;
        auto it = c->find(key);
        if (it != c->end()) return it->second;
    }
    std::string out(value);  // a firm's own document type, say: read with spaces
    for (char& c : out)
        if (c == '_') c = ' ';
    if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = char(out[0] - 'a' + 'A');
    return out;
}

json paging_view(const std::string& base, const std::string& sort, bool desc, size_t total, size_t offset, size_t limit) {
    std::string b = base + "&sort=" + query_escape(sort) + (desc ? "&desc=1" : "") + "&limit=" + std::to_string(limit) + "&offset=";
    json v = {{"total", total}, {"first_shown", total == 0 ? 0 : std::min(total, offset + 1)},
              {"last_shown", std::min(total, offset + limit)}, {"here", b + std::to_string(offset)}, {"any", total > 0}};
    if (offset > 0) v["prev"] = b + std::to_string(offset > limit ? offset - limit : 0);
    if (offset + limit < total) v["next"] = b + std::to_string(offset + limit);
    v["paged"] = offset > 0 || offset + limit < total;
    return v;
}

json sort_links(const std::string& base, const std::vector<std::string>& keys, const std::string& sort, bool desc) {
    json out = json::array();
    for (const auto& k : keys)
        out.push_back({{"key", k}, {"label", label("sort_" + k)}, {"current", k == sort}, {"desc", k == sort && desc},
                       {"url", base + "&sort=" + k + (k == sort && !desc ? "&desc=1" : "")}});
    return out;
}

void check_sort(const std::string& sort, const std::vector<std::string>& keys) {
    if (std::find(keys.begin(), keys.end(), sort) == keys.end())
        throw InvalidError("sort by " + join(keys, ", ") + ", not \"" + sort + "\"");
}

std::string local_path(const std::string& wanted, const std::string& fallback) {
    bool ours = !wanted.empty() && wanted[0] == '/' && (wanted.size() < 2 || (wanted[1] != '/' && wanted[1] != '\\'));
    return ours ? wanted : fallback;
}

std::string query_escape(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~')
            out += char(c);
        else
            out += {'%', hex[c >> 4], hex[c & 15]};
    }
    return out;
}

AuditEntry audit_entry(std::string action, std::string kind, std::string target, std::string mailbox, bool allowed,
                       std::string detail) {
    AuditEntry e;
    e.action = std::move(action);
    e.target_kind = std::move(kind);
    e.target = std::move(target);
    e.mailbox_owner = std::move(mailbox);
    e.allowed = allowed;
    e.detail = std::move(detail);
    return e;
}

unsigned role_bit(const std::string& role) {
    if (role == "rep") return kRep;
    if (role == "manager") return kManager;
    if (role == "auditor") return kAuditor;
    if (role == "admin") return kAdmin;
    return 0;
}

bool others_mail(const User& u, const std::vector<std::string>& mailboxes) {
    for (const auto& m : mailboxes)
        if (std::find(u.mailboxes.begin(), u.mailboxes.end(), m) != u.mailboxes.end()) return false;
    return true;
}

std::string joined(const std::vector<std::string>& v, const char* sep) { return join(v, sep); }

std::string mark_snippet(std::string s) {
    for (auto [from, to] : {std::pair<std::string, std::string>{"[[", "<mark>"}, {"]]", "</mark>"}}) {
        for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
    }
    return s;
}

}  // namespace tw::web
