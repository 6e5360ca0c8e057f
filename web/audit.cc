// The audit trail on the web: /audit for auditors and admins (filter by
// actor, rep's mailbox and action; each row links to its target), and
// /audit/mine, where a firm that says so (setting audit_open_to_reps) lets
// reps see who read their mail (WP29 Opinion 2/2017: be open about monitoring).
#include "crm/crm.h"
#include "mail/strutil.h"
#include "web/route.h"

namespace tw::web {
namespace {

std::string action_label(const std::string& action) {
    for (const auto& a : kAuditActions)
        if (a.name == action) return tr(a.label);
    return label(action);
}

// Where a row's target is shown.
std::string target_url(LinkedArchive& a, const AuditEntry& e) {
    if (e.target_kind == "message" || e.target_kind == "attachment") {
        auto row = parse_int(e.target.substr(0, e.target.find('/')));
        if (!row) return "";
        auto s = a.store.summaries({*row});
        return s.empty() || !s[0].thread ? "" : "/conversation/" + std::to_string(s[0].thread);
    }
    if (e.target_kind == "customer") return "/customers/" + e.target;
    if (e.target_kind == "document") return "/document?number=" + query_escape(e.target);
    if (e.target_kind == "query") return "/search?q=" + query_escape(e.target);
    if (e.target_kind == "user" || e.target_kind == "team") return "/admin/users";
    return "";
}

Page trail(Context& ctx, const Request& r, bool mine) {
    LinkedArchive a(ctx.o.data_dir);
    AuditFilter f;
    f.limit = size_t(r.id("limit"));
    f.offset = size_t(r.id("offset"));
    if (mine) {
        if (a.crm.setting("audit_open_to_reps") != "1")
            throw ForbiddenError("the firm has not opened the audit trail to reps (setting audit_open_to_reps)");
        if (r.user.mailbox().empty()) throw InvalidError("your user has no mailbox, so no mail of yours was read");
        f.mailbox = r.user.mailbox();
        f.action = "view_message,download";
    } else {
        f.actor = r.text("actor");
        f.action = r.text("action");
        f.mailbox = to_lower(r.text("rep"));
        if (!f.action.empty() && !is_audit_action(f.action)) throw InvalidError("no audit action \"" + f.action + "\"");
    }
    size_t total = 0;
    std::vector<AuditEntry> rows;
    {
        AuditTrail t(a.store.database());
        rows = t.list(f, &total);
    }
    json list = json::array(), shown = json::array();
    for (const auto& e : rows) {
        list.push_back({{"id", e.id}, {"time", e.time}, {"actor", e.actor}, {"role", e.role}, {"action", e.action},
                        {"target_kind", e.target_kind}, {"target", e.target}, {"mailbox_owner", e.mailbox_owner}, {"ip", e.ip},
                        {"user_agent", e.user_agent}, {"allowed", e.allowed}, {"detail", e.detail}, {"hash", e.hash}});
        std::string url = target_url(a, e);
        shown.push_back({{"id", std::to_string(e.id)}, {"when", when(e.time)}, {"actor", e.actor}, {"role", label(e.role)},
                         {"action", action_label(e.action)}, {"target", e.target_kind + " " + e.target}, {"url", url},
                         {"has_url", !url.empty()}, {"mailbox", e.mailbox_owner}, {"ip", e.ip}, {"agent", e.user_agent},
                         {"denied", !e.allowed}, {"detail", e.detail}});
    }
    if (!mine && r.user.role == "auditor") {
        std::string filter;
        for (const auto& [k, v] : {std::pair<const char*, const std::string&>{"who", f.actor}, {"action", f.action}, {"rep", f.mailbox}})
            if (!v.empty()) filter += (filter.empty() ? "" : ", ") + std::string(k) + " " + v;
        ctx.audit(r, audit_entry("view_audit", "trail", filter.empty() ? "every row" : filter, f.mailbox, true,
                                 "offset " + std::to_string(f.offset)));
    }
    auto url = [&](size_t offset) {
        std::string u = std::string(mine ? "/audit/mine" : "/audit") + "?limit=" + std::to_string(f.limit) + "&offset=" + std::to_string(offset);
        if (!mine)
            for (const char* k : {"actor", "action", "rep"})
                if (!r.text(k).empty()) u += std::string("&") + k + "=" + query_escape(r.text(k));
        return u;
    };
    json actions = json::array();
    for (const auto& x : kAuditActions)
        actions.push_back({{"action", std::string(x.name)}, {"label", tr(x.label)}, {"selected", f.action == x.name}});
    json view = {{"rows", shown}, {"none", shown.empty()}, {"mine", mine}, {"actor", f.actor}, {"rep", f.mailbox},
                 {"actions", actions}, {"count", total == 1 ? tr("1 row") : tr("{n} rows", {{"n", std::to_string(total)}})}};
    if (f.offset > 0) view["prev"] = url(f.offset > f.limit ? f.offset - f.limit : 0);
    if (f.offset + rows.size() < total) view["next"] = url(f.offset + rows.size());
    return page(mine ? "Who read my mail" : "Audit trail", "audit", {{"total", total}, {"rows", list}}, view);
}

}  // namespace

std::vector<Route> audit_routes(Context& ctx) {
    std::vector<Param> paging = {int_param("limit", false, 100, 1, 1000, true), int_param("offset", false, 0, 0, INT64_MAX)};
    std::vector<Param> filters = paging;
    for (const char* k : {"actor", "action", "rep"}) filters.push_back(text_param(k, false, "", 320));
    return {
        {"GET", {"/audit", "/api/v1/audit"}, kAuditors, {}, filters, [&ctx](const Request& r) { return trail(ctx, r, false); }, ""},
        {"GET", {"/audit/mine", "/api/v1/audit/mine"}, kUsers, {}, paging, [&ctx](const Request& r) { return trail(ctx, r, true); }, ""},
    };
}

}  // namespace tw::web
