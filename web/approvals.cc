// Approvals on the web: the list ("Needs my review" first for an approver), filtered by state and paged, a
// rep's request for a document, and the approver's decision (a reject needs a comment). What a user sees is
// the documents' visibility; who decides is the rule's approver (or an admin). Every action is audited.
#include <algorithm>
#include <ctime>

#include "crm/crm.h"
#include "mail/date.h"
#include "mail/strutil.h"
#include "web/route.h"

namespace tw::web {
namespace {

const std::vector<std::string> kApprovalSorts = {"requested", "document", "amount", "customer", "state"};

json approval_json(const Crm::Approval& a, const User& u) {
    return {{"id", a.id}, {"document", a.document}, {"type", a.type}, {"type_label", label(a.type)}, {"amount", a.amount},
            {"currency", a.currency}, {"customer", a.customer}, {"customer_name", a.customer_name}, {"has_customer", a.customer != 0},
            {"rep", a.rep}, {"approver", a.approver}, {"tier", a.tier}, {"state", a.state}, {"state_label", label("approval_" + a.state)},
            {"requested", a.requested ? format_iso_utc(a.requested) : ""}, {"requested_local", when(a.requested)},
            {"decided", a.decided ? format_iso_utc(a.decided) : ""}, {"decided_local", when(a.decided)}, {"has_decided", a.decided != 0}, {"has_requested", a.requested != 0}, {"comment", a.comment},
            {"has_comment", !a.comment.empty()}, {"via", a.via}, {"reason", a.reason}, {"has_reason", !a.reason.empty()},
            {"pending", a.state == "pending"}, {"mine", a.approver == u.name && a.state == "pending"},
            {"may_decide", a.state == "pending" && (a.approver == u.name || u.role == "admin")},
            {"may_request", (a.state == "not_requested" || a.state == "rejected") && u.role != "auditor"}};
}

Page list(Context& ctx, const Request& r) {
    const std::string &state = r.text("state"), &sort = r.text("sort");
    check_sort(sort, kApprovalSorts);
    LinkedArchive a(ctx.o.data_dir);
    Visibility v = a.people.visibility(r.user);
    std::vector<Crm::Approval> rows;
    for (auto& x : a.crm.approvals(state == "mine" ? "pending" : state)) {
        if (state == "mine" && x.approver != r.user.name) continue;
        if (a.people.sees_document(v, x.document)) rows.push_back(std::move(x));
    }
    bool desc = r.has("desc") ? r.flag("desc") : sort == "requested" || sort == "amount";
    auto less = [&](const Crm::Approval& x, const Crm::Approval& y) {
        if (sort == "document") return x.document < y.document;
        if (sort == "amount") return std::atof(x.amount.c_str()) < std::atof(y.amount.c_str());
        if (sort == "customer") return std::make_pair(to_lower(x.customer_name), x.document) < std::make_pair(to_lower(y.customer_name), y.document);
        if (sort == "state") return std::make_pair(x.state, x.document) < std::make_pair(y.state, y.document);
        return std::make_pair(x.requested, x.document) < std::make_pair(y.requested, y.document);
    };
    std::stable_sort(rows.begin(), rows.end(), [&](const auto& x, const auto& y) { return desc ? less(y, x) : less(x, y); });
    size_t offset = size_t(r.id("offset")), limit = size_t(r.id("limit"));
    json items = json::array();
    for (size_t k = offset; k < rows.size() && items.size() < limit; ++k) items.push_back(approval_json(rows[k], r.user));
    std::string base = "/approvals?state=" + query_escape(state);
    json view = paging_view(base, sort, desc, rows.size(), offset, limit);
    view["sorts"] = sort_links(base, kApprovalSorts, sort, desc);
    json filters = json::array();
    for (const char* s : {"mine", "pending", "approved", "rejected", "not_requested", ""})
        filters.push_back({{"url", std::string("/approvals?state=") + s}, {"label", label(std::string("approvals_") + (*s ? s : "all"))},
                           {"current", state == s}});
    view["filters"] = filters;
    view["none"] = rows.empty();
    view["back"] = view["here"];
    return page("Approvals", "approvals", {{"approvals", items}, {"total", rows.size()}, {"offset", offset}, {"limit", limit}}, view);
}

// The documents that reached the customer without a valid approval, for managers (their teams' documents).
Page violations(Context& ctx, const Request& r) {
    LinkedArchive a(ctx.o.data_dir);
    Visibility v = a.people.visibility(r.user);
    json items = json::array();
    size_t open = 0;
    for (const auto& x : a.crm.approval_violations()) {
        if (!a.people.sees_document(v, x.document)) continue;
        open += !x.acknowledged;
        items.push_back({{"document", x.document}, {"kind", x.kind}, {"kind_label", label(x.kind)}, {"sent", format_iso_utc(x.sent)},
                         {"sent_local", when(x.sent)}, {"message_id", x.message_id}, {"thread", x.thread},
                         {"acknowledged", x.acknowledged}, {"ack_by", x.ack_by}, {"ack_comment", x.ack_comment}});
    }
    return page("Approval violations", "violations", {{"violations", items}, {"open", open}},
                {{"none", items.empty()}, {"may_ack", bool(role_bit(r.user.role) & kManagers)}});
}

Page acknowledge(Context& ctx, const Request& r) {
    const std::string &number = r.text("number"), &kind = r.text("kind");
    LinkedArchive a(ctx.o.data_dir);
    if (!a.people.sees_document(a.people.visibility(r.user), number)) throw NotFoundError("no document " + number);
    a.crm.acknowledge_violation(number, kind, r.user.name, int64_t(std::time(nullptr)), r.text("comment"));
    ctx.audit(r, audit_entry("violation_acknowledge", "document", number, "", true, kind + ": " + r.text("comment")));
    return after_form({{"document", number}, {"kind", kind}, {"acknowledged", true}}, "/approvals/violations");
}

Page act(Context& ctx, const Request& r) {
    const std::string &number = r.text("number"), &what = r.text("what");
    LinkedArchive a(ctx.o.data_dir);
    if (!a.people.sees_document(a.people.visibility(r.user), number)) throw NotFoundError("no document " + number);
    std::optional<Crm::Approval> now;
    for (auto& x : a.crm.approvals())
        if (x.document == number) now = x;
    if (what != "request") {
        if (!(role_bit(r.user.role) & kManagers)) throw ForbiddenError("only the approver decides");
        if (now && now->approver != r.user.name && r.user.role != "admin")
            throw ForbiddenError(number + " waits for " + now->approver + "'s approval, not yours");
    }
    a.crm.act_on_approval(number, what, r.user.name, r.user.mailbox(), int64_t(std::time(nullptr)), r.text("comment"));
    ctx.audit(r, audit_entry("approval_" + what, "document", number, now ? now->rep : "", true, r.text("comment")));
    return after_form({{"document", number}, {"done", what}}, local_path(r.text("back"), "/document?number=" + query_escape(number)));
}

}  // namespace

json approval_of(LinkedArchive& a, const User& u, const std::string& number) {
    json out = json::array();
    for (const auto& x : a.crm.approvals())
        if (x.document == number) out.push_back(approval_json(x, u));
    return out;
}

std::vector<Route> approval_routes(Context& ctx) {
    return {
        {"GET", {"/approvals", "/api/v1/approvals"}, kUsers, {},
         {text_param("state", false, "", 16), text_param("sort", false, "requested", 16), flag_param("desc"),
          int_param("limit", false, 50, 1, 1000, true), int_param("offset", false, 0, 0, 100000000)},
         [&ctx](const Request& r) {
             const std::string& s = r.text("state");
             if (!s.empty() && s != "mine" && s != "pending" && s != "approved" && s != "rejected" && s != "not_requested")
                 throw InvalidError("state is mine, pending, approved, rejected or not_requested, not \"" + s + "\"");
             return list(ctx, r);
         }, ""},
        {"GET", {"/approvals/violations", "/api/v1/approvals/violations"}, kOverseers, {}, {},
         [&ctx](const Request& r) { return violations(ctx, r); }, ""},
        {"POST", {"/approvals/violations/acknowledge", "/api/v1/approvals/violations/acknowledge"}, kManagers, {},
         {text_param("number", true, "", 64), text_param("kind", true, "", 32), text_param("comment", false, "", 1000)},
         [&ctx](const Request& r) { return acknowledge(ctx, r); }, "document"},
        {"POST", {R"(/api/v1/approvals/(request|approve|reject))", R"(/approvals/(request|approve|reject))"}, kEditors, {"what"},
         {text_param("number", true, "", 64), text_param("comment", false, "", 1000), text_param("back", false, "", 300)},
         [&ctx](const Request& r) { return act(ctx, r); }, "document"},
    };
}

}  // namespace tw::web
