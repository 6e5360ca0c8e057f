// Parameters, pages and display helpers shared by the handlers.
#include <algorithm>

#include "mail/date.h"
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

std::string when(int64_t t) {
    if (t <= 0) return "";
    std::string iso = format_iso_utc(t);  // 2025-01-11T10:00:00Z
    return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";  // labelled: users' own zones come with their calendars
}

std::string label(std::string_view value) {
    static const std::pair<std::string_view, std::string_view> kLabels[] = {
        {"quotation", "Quotation"}, {"proforma_invoice", "Proforma invoice (PI)"}, {"purchase_order", "Purchase order"},
        {"contract", "Contract"}, {"commercial_invoice", "Commercial invoice"}, {"packing_list", "Packing list"},
        {"bill_of_lading", "Bill of lading"}, {"letter_of_credit", "Letter of credit"}, {"other", "Other"},
        {"not_owner", "Not the owner's customer"}, {"double_quote", "Quoted by a second rep"},
        {"company", "Company"}, {"freemail", "Person (freemail address)"},
        {"reply_due", "Reply due"}, {"customer_silent", "Customer silent"}, {"manual", "Reminder"},
    };
    for (const auto& [k, v] : kLabels)
        if (k == value) return std::string(v);
    std::string out(value);
    for (char& c : out)
        if (c == '_') c = ' ';
    if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = char(out[0] - 'a' + 'A');
    return out;
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
