// Conflicts (撞单), for managers: the list (as the sync and import raised
// them: a GET changes nothing), closed or opened again.
#include <algorithm>

#include "crm/crm.h"
#include "mail/date.h"
#include "web/route.h"

namespace tw::web {
namespace {

// A manager sees the conflicts a rep of their teams is part of; an auditor and an admin all.
bool concerns(const Visibility& v, const ConflictRow& x) {
    auto has = [&](const std::string& rep) { return std::binary_search(v.mailboxes.begin(), v.mailboxes.end(), rep); };
    return v.all || has(x.rep) || has(x.other_rep);
}

Page conflicts(Context& ctx, const Request& r) {
    json list = json::array();
    LinkedArchive a(ctx.o.data_dir);
    Visibility v = a.people.visibility(r.user);
    for (const auto& x : a.crm.conflicts(false))  // raised by the sync and import
        if (concerns(v, x)) list.push_back({{"id", x.id}, {"customer", std::to_string(x.customer)}, {"customer_name", x.customer_name},
                        {"kind", x.kind}, {"kind_label", label(x.kind)}, {"status_label", label(x.status)}, {"rep", x.rep}, {"other_rep", x.other_rep}, {"message", x.message},
                        {"other_message", x.other_message}, {"subject", x.subject}, {"date", format_iso_utc(x.date)},
                        {"day", when(x.date)}, {"status", x.status}, {"open", x.status == "open"}});
    return page("Conflicts", "conflicts", {{"conflicts", list}}, {{"none", list.empty()}});
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
    std::vector<Route> out = {{"GET", {"/conflicts", "/api/v1/conflicts"}, kOverseers, {}, {},
                               [&ctx](const Request& r) { return conflicts(ctx, r); }, ""}};
    for (std::string api : {"", "/api/v1"})
        out.push_back({"POST", {api + R"(/conflicts/([^/]+)/(close|reopen))"}, kManagers, {"id", "what"},
                       {int_param("id", true, 0, 1)}, [&ctx](const Request& r) { return set_status(ctx, r); }, "conflict"});
    return out;
}

}  // namespace tw::web
