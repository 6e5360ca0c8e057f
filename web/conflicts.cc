// Conflicts (撞单), for managers: the list (as the sync and import raised
// them: a GET changes nothing), closed or opened again.
#include "crm/crm.h"
#include "mail/date.h"
#include "web/route.h"

namespace tw::web {
namespace {

Page conflicts(Context& ctx, const Request&) {
    json list = json::array();
    for (const auto& x : LinkedArchive(ctx.o.data_dir).crm.conflicts(false))  // raised by the sync and import
        list.push_back({{"id", x.id}, {"customer", std::to_string(x.customer)}, {"customer_name", x.customer_name},
                        {"kind", x.kind}, {"kind_label", label(x.kind)}, {"rep", x.rep}, {"other_rep", x.other_rep}, {"message", x.message},
                        {"other_message", x.other_message}, {"subject", x.subject}, {"date", format_iso_utc(x.date)},
                        {"day", when(x.date)}, {"status", x.status}, {"open", x.status == "open"}});
    return page("Conflicts", "conflicts", {{"conflicts", list}}, {{"none", list.empty()}});
}

Page set_status(Context& ctx, const Request& r) {
    int64_t id = r.id("id");
    std::string status = r.text("what") == "close" ? "closed" : "open";
    LinkedArchive(ctx.o.data_dir).crm.set_conflict_status(id, status);
    return after_form({{"conflict", id}, {"status", status}}, "/conflicts");
}

}  // namespace

std::vector<Route> conflict_routes(Context& ctx) {
    std::vector<Route> out = {{"GET", {"/conflicts", "/api/v1/conflicts"}, Access::Manager, {}, {},
                               [&ctx](const Request& r) { return conflicts(ctx, r); }}};
    for (std::string api : {"", "/api/v1"})
        out.push_back({"POST", {api + R"(/conflicts/([^/]+)/(close|reopen))"}, Access::Manager, {"id", "what"},
                       {int_param("id", true, 0, 1)}, [&ctx](const Request& r) { return set_status(ctx, r); }});
    return out;
}

}  // namespace tw::web
