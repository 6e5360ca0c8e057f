// Follow-ups over the JSON API (the pages come with the reps' home page):
// the list a user may see (a rep's own, a manager's teams', all for auditors
// and admins) and the actions on one (snooze, done, dismiss, open), by the
// rules of edits: the item's rep is one the user may act for.
#include <algorithm>
#include <ctime>

#include "crm/crm.h"
#include "mail/date.h"
#include "mail/strutil.h"
#include "web/route.h"

namespace tw::web {
namespace {

json followup_json(LinkedArchive& a, const Crm::Followup& f) {
    calendar::Calendar c = a.crm.calendar_of(f.rep);
    return {{"id", f.id}, {"kind", f.kind}, {"kind_label", label(f.kind)}, {"thread", f.thread}, {"customer", f.customer},
            {"customer_name", f.customer_name}, {"rep", f.rep}, {"since", format_iso_utc(f.since)}, {"due", format_iso_utc(f.due)},
            {"due_local", calendar::local_label(c, f.due)}, {"business_hours", double(f.business_seconds) / 3600},
            {"overdue", f.overdue}, {"message_id", f.message_id}, {"subject", f.subject}, {"documents", f.documents},
            {"state", f.state}, {"until", f.until ? format_iso_utc(f.until) : ""}, {"note", f.note}, {"reason", f.reason}};
}

bool reaches(const Visibility& v, const std::string& rep) {
    return v.all || std::binary_search(v.mailboxes.begin(), v.mailboxes.end(), to_lower(rep));
}

Page list(Context& ctx, const Request& r) {
    LinkedArchive a(ctx.o.data_dir);
    Visibility v = a.people.visibility(r.user);
    int64_t now = int64_t(std::time(nullptr));
    const std::string& rep = r.text("rep");
    if (!rep.empty() && !reaches(v, rep)) throw NotFoundError("no follow-ups of " + rep + " that you may see");
    json items = json::array();
    size_t total = 0, offset = size_t(r.id("offset")), limit = size_t(r.id("limit"));
    for (const auto& f : a.crm.followups(now, rep, r.flag("closed"))) {
        if (!reaches(v, f.rep)) continue;
        if (total++ < offset || items.size() >= limit) continue;
        items.push_back(followup_json(a, f));
    }
    return page("Follow-ups", "", {{"total", total}, {"offset", offset}, {"limit", limit}, {"followups", items}});
}

Page act(Context& ctx, const Request& r) {
    LinkedArchive a(ctx.o.data_dir);
    int64_t id = r.id("id"), now = int64_t(std::time(nullptr));
    auto f = a.crm.followup(id, now);
    if (!f || !reaches(a.people.visibility(r.user), f->rep)) throw NotFoundError("no follow-up " + std::to_string(id));
    Visibility e = a.people.editable(r.user);
    if (!reaches(e, f->rep)) throw ForbiddenError("follow-up " + std::to_string(id) + " is " + f->rep + "'s: only they, their manager or an admin act on it");
    const std::string& what = r.text("what");
    int64_t until = 0;
    if (what == "snooze") {
        auto t = parse_date(r.text("until"));
        if (!t) throw InvalidError("until wants a time such as 2025-01-14T09:00:00+08:00, not \"" + r.text("until") + "\"");
        until = *t;
    }
    a.crm.set_followup(id, what, r.user.name, now, until, r.text("reason"));
    ctx.audit(r, audit_entry("followup_" + what, "followup", std::to_string(id), f->rep, true,
                             what == "snooze" ? "until " + r.text("until") : what == "dismiss" ? r.text("reason") : f->kind));
    return after_form({{"followup", id}, {"state", a.crm.followup(id, now)->state}}, "/conversation/" + std::to_string(f->thread));
}

}  // namespace

std::vector<Route> followup_routes(Context& ctx) {
    return {
        {"GET", {"/api/v1/followups"}, kUsers, {},
         {text_param("rep", false, "", 320), flag_param("closed"), int_param("limit", false, 100, 1, 1000, true),
          int_param("offset", false, 0, 0, 1000000)},
         [&ctx](const Request& r) { return list(ctx, r); }, ""},
        {"POST", {R"(/api/v1/followups/([^/]+)/(snooze|done|dismiss|open))"}, kEditors, {"id", "what"},
         {int_param("id", true, 0, 1), text_param("until", false, "", 64), text_param("reason", false, "", 500)},
         [&ctx](const Request& r) { return act(ctx, r); }, "followup"},
    };
}

}  // namespace tw::web
