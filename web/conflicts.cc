// Conflicts (撞单), for managers: the list (as the sync and import raised
// them: a GET changes nothing), closed or opened again.
#include <algorithm>
#include <tuple>

#include "crm/crm.h"
#include "mail/date.h"
#include "mail/strutil.h"
#include "web/route.h"

namespace tw::web {
namespace {

// A manager sees the conflicts a rep of their teams is part of; an auditor and an admin all.
bool concerns(const Visibility& v, const ConflictRow& x) {
    auto has = [&](const std::string& rep) { return std::binary_search(v.mailboxes.begin(), v.mailboxes.end(), rep); };
    return v.all || has(x.rep) || has(x.other_rep);
}

const std::vector<std::string> kConflictSorts = {"date", "customer", "rep", "kind"};

// The list: filtered by status (open, closed; "" both), sorted (newest first by default) and paged.
Page conflicts(Context& ctx, const Request& r) {
    const std::string &sort = r.text("sort"), &status = r.text("status");
    check_sort(sort, kConflictSorts);
    if (!status.empty() && status != "open" && status != "closed")
        throw InvalidError("status is open or closed (or none for both), not \"" + status + "\"");
    bool desc = r.has("desc") ? r.flag("desc") : sort == "date";
    LinkedArchive a(ctx.o.data_dir);
    Visibility v = a.people.visibility(r.user);
    std::vector<ConflictRow> rows;
    for (auto& x : a.crm.conflicts(false))  // raised by the sync and import
        if (concerns(v, x) && (status.empty() || x.status == status)) rows.push_back(std::move(x));
    auto key = [&](const ConflictRow& x) {
        return sort == "customer" ? std::make_tuple(to_lower(x.customer_name), x.date, x.id)
               : sort == "rep"    ? std::make_tuple(x.rep, x.date, x.id)
               : sort == "kind"   ? std::make_tuple(x.kind, x.date, x.id)
                                  : std::make_tuple(std::string(), x.date, x.id);
    };
    std::stable_sort(rows.begin(), rows.end(), [&](const auto& x, const auto& y) { return desc ? key(y) < key(x) : key(x) < key(y); });
    size_t offset = size_t(r.id("offset")), limit = size_t(r.id("limit"));
    json list = json::array();
    for (size_t k = offset; k < rows.size() && list.size() < limit; ++k) {
        const auto& x = rows[k];
        list.push_back({{"id", x.id}, {"customer", std::to_string(x.customer)}, {"customer_name", x.customer_name},
                        {"kind", x.kind}, {"kind_label", label(x.kind)}, {"status_label", label(x.status)}, {"rep", x.rep}, {"other_rep", x.other_rep}, {"message", x.message},
                        {"other_message", x.other_message}, {"subject", x.subject}, {"date", format_iso_utc(x.date)},
                        {"day", when(x.date)}, {"status", x.status}, {"open", x.status == "open"}});
    }
    std::string base = "/conflicts?status=" + query_escape(status);
    json view = paging_view(base, sort, desc, rows.size(), offset, limit);
    view["sorts"] = sort_links(base, kConflictSorts, sort, desc);
    view["none"] = rows.empty();
    json filters = json::array();
    for (const char* s : {"", "open", "closed"})
        filters.push_back({{"url", std::string("/conflicts?status=") + s}, {"label", label(std::string("status_") + (*s ? s : "all"))},
                           {"current", status == s}});
    view["filters"] = filters;
    return page("Conflicts", "conflicts", {{"conflicts", list}, {"total", rows.size()}, {"offset", offset}, {"limit", limit}}, view);
}

Page set_status(Context& ctx, const Request& r) {
    int64_t id = r.id("id");
    std::string status = r.text("what") == "close" ? "closed" : "open";
    LinkedArchive a(ctx.o.data_dir);
    Visibility v = a.people.visibility(r.user);
    const ConflictRow* found = nullptr;
    auto all = a.crm.conflicts(false);
    for (const auto& x : all)
        if (x.id == id && concerns(v, x)) found = &x;
    if (!found) throw NotFoundError("no conflict " + std::to_string(id));
    a.crm.set_conflict_status(id, status);
    ctx.audit(r, audit_entry(r.text("what") == "close" ? "conflict_close" : "conflict_reopen", "conflict", std::to_string(id),
                  found->rep + "," + found->other_rep, true, label(found->kind)));
    return after_form({{"conflict", id}, {"status", status}}, "/conflicts");
}

}  // namespace

size_t open_conflicts_for(const std::string& data_dir, const User& u) {
    LinkedArchive a(data_dir);
    Visibility v = a.people.visibility(u);
    if (v.all) return a.crm.open_conflicts();
    size_t n = 0;
    for (const auto& x : a.crm.conflicts(false))
        if (x.status == "open" && concerns(v, x)) ++n;
    return n;
}

std::vector<Route> conflict_routes(Context& ctx) {
    std::vector<Route> out = {{"GET", {"/conflicts", "/api/v1/conflicts"}, kOverseers, {},
                               {text_param("status", false, "", 8), text_param("sort", false, "date", 16), flag_param("desc"),
                                int_param("limit", false, 50, 1, 1000, true), int_param("offset", false, 0, 0, 100000000)},
                               [&ctx](const Request& r) { return conflicts(ctx, r); }, ""}};
    for (std::string api : {"", "/api/v1"})
        out.push_back({"POST", {api + R"(/conflicts/([^/]+)/(close|reopen))"}, kManagers, {"id", "what"},
                       {int_param("id", true, 0, 1)}, [&ctx](const Request& r) { return set_status(ctx, r); }, "conflict"});
    return out;
}

}  // namespace tw::web
