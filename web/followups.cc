// Follow-ups where reps and managers work on them: "My day" at / (a rep's
// overdue and due-today items first; a manager's by rep, with escalations),
// the full list (paged and sorted), and the actions on one (snooze, done,
// dismiss, open again, remind me), over the pages and the JSON API alike.
// What a user sees is the visibility rule's (a rep's own, a manager's teams',
// all for auditors and admins); what they act on is the rule of edits: the
// item's rep is one the user may act for.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <tuple>

#include "crm/crm.h"
#include "mail/date.h"
#include "mail/strutil.h"
#include "web/route.h"

namespace tw::web {
namespace {

constexpr size_t kHomeRows = 10;  // per section of the home page; the rest behind "all N"
const std::vector<std::string> kSorts = {"due", "since", "customer", "rep", "kind"};

bool reaches(const Visibility& v, const std::string& rep) {
    return v.all || std::binary_search(v.mailboxes.begin(), v.mailboxes.end(), to_lower(rep));
}

std::string hours_text(int64_t seconds) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", double(seconds) / 3600);
    return buf;
}

// One follow-up as the API gives it and the pages show it (times in the reader's zone, labelled).
json item_json(LinkedArchive& a, const Crm::Followup& f, int64_t now, const Visibility& editable) {
    calendar::Calendar c = a.crm.calendar_of(f.rep);
    int64_t waited = calendar::between(c, f.since, now);
    json docs = json::array();
    for (const auto& d : f.documents) docs.push_back(d);
    return {{"id", f.id}, {"kind", f.kind}, {"kind_label", label(f.kind)}, {"thread", f.thread}, {"customer", f.customer},
            {"customer_name", f.customer_name.empty() ? json("—") : json(f.customer_name)}, {"has_customer", f.customer != 0},
            {"rep", f.rep}, {"since", format_iso_utc(f.since)}, {"since_local", when(f.since)}, {"due", format_iso_utc(f.due)},
            {"due_local", when(f.due)}, {"due_calendar", calendar::local_label(c, f.due)},
            {"business_hours", double(f.business_seconds) / 3600}, {"waited_business_hours", hours_text(waited)},
            {"overdue", f.overdue}, {"escalated", f.escalated}, {"message_id", f.message_id},
            {"subject", f.subject.empty() ? json(tr("(no subject)")) : json(f.subject)}, {"documents", docs},
            {"has_documents", !docs.empty()}, {"state", f.state}, {"state_label", label(f.state)},
            {"until", f.until ? format_iso_utc(f.until) : ""}, {"until_local", when(f.until)}, {"note", f.note},
            {"has_note", !f.note.empty()}, {"manual", f.kind == "manual"},
            {"reason", f.reason}, {"live", f.state == "open" || f.state == "snoozed"},
            {"snoozed", f.state == "snoozed" && f.until > now}, {"may_act", reaches(editable, f.rep)}};
}

// The reader's follow-ups at `now`, rep "" for all they see.
std::vector<Crm::Followup> visible_followups(LinkedArchive& a, const Visibility& v, int64_t now, const std::string& rep,
                                             bool closed = false) {
    std::vector<Crm::Followup> out;
    if (v.all || !rep.empty()) {
        for (auto& f : a.crm.followups(now, rep, closed))
            if (reaches(v, f.rep)) out.push_back(std::move(f));
        return out;
    }
    for (const auto& box : v.mailboxes)  // only the reader's mailboxes: a rep's own, a manager's teams'
        for (auto& f : a.crm.followups(now, box, closed)) out.push_back(std::move(f));
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return std::tie(x.due, x.id) < std::tie(y.due, y.id); });
    return out;
}

bool due_today(const calendar::Calendar& viewer, const Crm::Followup& f, int64_t now) {
    return !f.overdue && calendar::day_of(viewer, f.due) == calendar::day_of(viewer, now);
}

std::string rep_name(const std::vector<User>& users, const std::string& rep) {
    for (const auto& u : users)
        if (std::find(u.mailboxes.begin(), u.mailboxes.end(), to_lower(rep)) != u.mailboxes.end() && u.role == "rep") return u.name;
    for (const auto& u : users)
        if (std::find(u.mailboxes.begin(), u.mailboxes.end(), to_lower(rep)) != u.mailboxes.end()) return u.name;
    return rep;
}

json section(LinkedArchive& a, const std::vector<const Crm::Followup*>& items, int64_t now, const Visibility& e,
             const std::string& rep, const char* when_key) {
    json rows = json::array();
    for (size_t k = 0; k < items.size() && k < kHomeRows; ++k) rows.push_back(item_json(a, *items[k], now, e));
    json s = {{"items", rows}, {"count", items.size()}, {"any", !items.empty()}};
    if (items.size() > kHomeRows)
        s["more"] = {{"count", items.size()}, {"url", "/followups?when=" + std::string(when_key) + "&rep=" + query_escape(rep)}};
    return s;
}

// "My day": a rep's own items; a manager's, an auditor's or an admin's by rep, with escalations.
Page home(Context& ctx, const Request& r) {
    LinkedArchive a(ctx.o.data_dir);
    Visibility v = a.people.visibility(r.user), e = a.people.editable(r.user);
    int64_t now = int64_t(std::time(nullptr));
    calendar::Calendar viewer = a.crm.calendar_of(r.user.mailbox());
    auto all = visible_followups(a, v, now, "");
    std::vector<User> users = a.people.users();
    bool overseer = r.user.role != "rep";
    std::map<std::string, std::vector<const Crm::Followup*>> by_rep;
    std::vector<const Crm::Followup*> escalated;
    for (const auto& f : all) {
        by_rep[f.rep].push_back(&f);
        if (f.escalated) escalated.push_back(&f);
    }
    json groups = json::array();
    size_t overdue = 0, today = 0, later = 0;
    for (const auto& [rep, items] : by_rep) {
        std::vector<const Crm::Followup*> o, t, l;
        for (const auto* f : items) (f->overdue ? o : due_today(viewer, *f, now) ? t : l).push_back(f);
        overdue += o.size(), today += t.size(), later += l.size();
        groups.push_back({{"rep", rep}, {"name", rep_name(users, rep)}, {"overdue", section(a, o, now, e, rep, "overdue")},
                          {"today", section(a, t, now, e, rep, "today")}, {"later", section(a, l, now, e, rep, "later")},
                          {"open", items.size()}, {"url", "/followups?rep=" + query_escape(rep)}});
    }
    std::sort(escalated.begin(), escalated.end(), [](auto* x, auto* y) { return x->due < y->due; });
    json esc = json::array();  // the longest overdue first; all of them behind the link
    for (size_t k = 0; k < escalated.size() && k < kHomeRows; ++k) esc.push_back(item_json(a, *escalated[k], now, e));
    json model = {{"now", format_iso_utc(now)}, {"now_local", when(now)}, {"zone", viewer.tz}, {"overdue", overdue},
                  {"today", today}, {"later", later}, {"groups", groups}};
    if (overseer) {
        model["escalations"] = esc, model["escalation_total"] = escalated.size(),
        model["escalate_after_hours"] = a.crm.escalate_after() / 3600;
        size_t review = 0;
        for (const auto& x : a.crm.approvals("pending")) review += x.approver == r.user.name;
        model["reviews"] = review;
        Visibility seen = a.people.visibility(r.user);
        size_t open = 0;
        for (const auto& x : a.crm.approval_violations()) open += !x.acknowledged && a.people.sees_document(seen, x.document);
        model["violations"] = open;
    } else {  // a rep's own documents: what waits for approval, what came back rejected
        Visibility seen = a.people.visibility(r.user);
        size_t waiting = 0, rejected = 0;
        for (const auto& x : a.crm.approvals()) {
            if ((x.state != "pending" && x.state != "rejected") || !a.people.sees_document(seen, x.document)) continue;
            (x.state == "pending" ? waiting : rejected) += 1;
        }
        model["my_waiting"] = waiting, model["my_rejected"] = rejected;
    }
    return page(overseer ? "Team follow-ups" : "My day", "home", model,
                {{"overseer", overseer}, {"by_rep", overseer || groups.size() > 1}, {"nothing", all.empty()}, {"back", "/"},
                 {"has_escalations", !esc.empty()}, {"escalation_count", escalated.size()},
                 {"more_escalations", escalated.size() > esc.size()}});
}

// The whole list, filtered by rep and by when it is due, sorted, paged.
Page list(Context& ctx, const Request& r) {
    LinkedArchive a(ctx.o.data_dir);
    Visibility v = a.people.visibility(r.user), e = a.people.editable(r.user);
    int64_t now = int64_t(std::time(nullptr));
    calendar::Calendar viewer = a.crm.calendar_of(r.user.mailbox());
    const std::string &rep = r.text("rep"), &w = r.text("when"), &sort = r.text("sort");
    if (!rep.empty() && !reaches(v, rep)) throw NotFoundError("no follow-ups of " + rep + " that you may see");
    auto all = visible_followups(a, v, now, rep, r.flag("closed"));
    std::erase_if(all, [&](const Crm::Followup& f) {
        return (w == "overdue" && !f.overdue) || (w == "today" && !due_today(viewer, f, now)) ||
               (w == "later" && (f.overdue || due_today(viewer, f, now))) || (w == "escalated" && !f.escalated);
    });
    auto key = [&](const Crm::Followup& f) {
        return sort == "since" ? std::to_string(f.since + 10000000000LL) : sort == "customer" ? to_lower(f.customer_name)
               : sort == "rep" ? f.rep : sort == "kind" ? f.kind : std::to_string(f.due + 10000000000LL);
    };
    bool desc = r.flag("desc");
    std::stable_sort(all.begin(), all.end(), [&](const auto& x, const auto& y) { return desc ? key(y) < key(x) : key(x) < key(y); });
    size_t offset = size_t(r.id("offset")), limit = size_t(r.id("limit"));
    json items = json::array();
    for (size_t k = offset; k < all.size() && items.size() < limit; ++k) items.push_back(item_json(a, all[k], now, e));
    std::string base = "/followups?rep=" + query_escape(rep) + "&when=" + query_escape(w) + (r.flag("closed") ? "&closed=1" : "");
    json view = paging_view(base, sort, desc, all.size(), offset, limit);
    view["back"] = view["here"];
    view["sorts"] = sort_links(base, kSorts, sort, desc);
    view["rep_filter"] = rep;
    view["has_rep_filter"] = !rep.empty();
    view["when_label"] = label("when_" + (w.empty() ? std::string("all") : w));
    return page("Follow-ups", "followups", {{"total", all.size()}, {"offset", offset}, {"limit", limit}, {"followups", items}}, view);
}

// "tomorrow" (the next day's opening in the rep's calendar), "1h", "date" (that day's opening), or until= an ISO time.
int64_t snooze_until(LinkedArchive& a, const Request& r, const std::string& rep, int64_t now) {
    const std::string& preset = r.text("for");
    calendar::Calendar c = a.crm.calendar_of(rep);
    if (preset == "1h") return now + 3600;
    if (preset == "tomorrow") return calendar::opening_on(c, calendar::day_of(c, now) + 1);
    if (preset == "date") return calendar::opening_on(c, calendar::parse_days(r.text("date")).first);
    if (!preset.empty()) throw InvalidError("snooze for 1h, tomorrow or a date, not \"" + preset + "\"");
    auto t = parse_date(r.text("until"));
    if (!t) throw InvalidError("until wants a time such as 2025-01-14T09:00:00+08:00, not \"" + r.text("until") + "\"");
    return *t;
}

Page act(Context& ctx, const Request& r) {
    LinkedArchive a(ctx.o.data_dir);
    int64_t id = r.id("id"), now = int64_t(std::time(nullptr));
    auto f = a.crm.followup(id, now);
    if (!f || !reaches(a.people.visibility(r.user), f->rep)) throw NotFoundError("no follow-up " + std::to_string(id));
    Visibility e = a.people.editable(r.user);
    if (!reaches(e, f->rep)) throw ForbiddenError("follow-up " + std::to_string(id) + " is " + f->rep + "'s: only they, their manager or an admin act on it");
    const std::string& what = r.text("what");
    int64_t until = what == "snooze" ? snooze_until(a, r, f->rep, now) : 0;
    a.crm.set_followup(id, what, r.user.name, now, until, r.text("reason"));
    ctx.audit(r, audit_entry("followup_" + what, "followup", std::to_string(id), f->rep, true,
                             what == "snooze" ? "until " + format_iso_utc(until) : what == "dismiss" ? r.text("reason") : f->kind));
    return after_form({{"followup", id}, {"state", a.crm.followup(id, now)->state}},
                      local_path(r.text("back"), "/conversation/" + std::to_string(f->thread)));
}

// "Remind me": on a conversation the user sees, or on a customer; the reminder is the user's own
// (their mailbox), or the customer's owner's for a user without one (an admin).
Page remind(Context& ctx, const Request& r, bool on_customer) {
    LinkedArchive a(ctx.o.data_dir);
    int64_t id = r.id("id"), now = int64_t(std::time(nullptr));
    Visibility v = a.people.visibility(r.user);
    int64_t thread = on_customer ? 0 : id, customer = on_customer ? id : 0;
    std::string owner;
    if (on_customer) {
        auto c = a.crm.customers(id);
        if (c.empty()) throw NotFoundError("no customer " + std::to_string(id));
        owner = c[0].owner;
        if (!v.all && a.people.visible_mail(v, id).first == 0 && !a.people.may_edit_customer(r.user, owner))
            throw ForbiddenError("you have no mail with " + c[0].name + " that you may see: its owner " +
                                 (owner.empty() ? "(none)" : owner) + " or their manager sets its reminders");
    } else {
        if (!a.people.sees_thread(v, id)) throw NotFoundError("no conversation " + std::to_string(id));
        Deal d = a.crm.deal(id);
        if (!d.customers.empty()) customer = d.customers[0].id, owner = d.customers[0].owner;
    }
    std::string rep = r.user.mailbox().empty() ? owner : r.user.mailbox();
    if (rep.empty()) throw InvalidError("this reminder has nobody to remind: the customer has no owner and you have no mailbox");
    calendar::Calendar c = a.crm.calendar_of(rep);
    int64_t at = 0;
    if (!r.text("at").empty()) {
        auto t = parse_date(r.text("at"));
        if (!t) throw InvalidError("at wants a time such as 2025-01-14T09:00:00+08:00, not \"" + r.text("at") + "\"");
        at = *t;
    } else if (!r.text("date").empty()) {
        at = calendar::opening_on(c, calendar::parse_days(r.text("date")).first);
    } else {
        throw InvalidError("remind on a date (date=YYYY-MM-DD) or at a time (at=ISO 8601)");
    }
    int64_t made = a.crm.remind(thread, customer, rep, at, r.text("note"), r.user.name, now);
    ctx.audit(r, audit_entry("followup_remind", "followup", std::to_string(made), rep, true, "at " + format_iso_utc(at)));
    return after_form({{"followup", made}, {"due", format_iso_utc(at)}},
                      local_path(r.text("back"), on_customer ? "/customers/" + std::to_string(id) : "/conversation/" + std::to_string(id)));
}

}  // namespace

json followups_of(LinkedArchive& a, const User& u, int64_t thread, int64_t customer) {
    Visibility v = a.people.visibility(u), e = a.people.editable(u);
    int64_t now = int64_t(std::time(nullptr));
    json out = json::array();
    for (const auto& f : a.crm.followups(now, "", thread != 0, thread, customer)) {
        if (!reaches(v, f.rep) || f.state == "ended") continue;
        out.push_back(item_json(a, f, now, e));
    }
    return out;
}

std::vector<Route> followup_routes(Context& ctx) {
    std::vector<Param> action_params = {int_param("id", true, 0, 1), text_param("until", false, "", 64), text_param("for", false, "", 16),
                                        text_param("date", false, "", 32), text_param("reason", false, "", 500),
                                        text_param("back", false, "", 300)};
    std::vector<Param> remind_params = {int_param("id", true, 0, 1), text_param("at", false, "", 64), text_param("date", false, "", 32),
                                        text_param("note", false, "", 500), text_param("back", false, "", 300)};
    return {
        {"GET", {"/", "/api/v1/home"}, kUsers, {}, {}, [&ctx](const Request& r) { return home(ctx, r); }, ""},
        {"GET", {"/followups", "/api/v1/followups"}, kUsers, {},
         {text_param("rep", false, "", 320), text_param("when", false, "", 16), text_param("sort", false, "due", 16),
          flag_param("desc"), flag_param("closed"), int_param("limit", false, 50, 1, 1000, true), int_param("offset", false, 0, 0, 10000000)},
         [&ctx](const Request& r) {
             const std::string& w = r.text("when");
             if (!w.empty() && w != "overdue" && w != "today" && w != "later" && w != "escalated" && w != "all")
                 throw InvalidError("when is overdue, today, later, escalated or all, not \"" + w + "\"");
             check_sort(r.text("sort"), kSorts);
             return list(ctx, r);
         }, ""},
        {"POST", {R"(/api/v1/followups/([^/]+)/(snooze|done|dismiss|open))", R"(/followups/([^/]+)/(snooze|done|dismiss|open))"},
         kEditors, {"id", "what"}, action_params, [&ctx](const Request& r) { return act(ctx, r); }, "followup"},
        {"POST", {R"(/api/v1/conversation/([^/]+)/remind)", R"(/conversation/([^/]+)/remind)"}, kEditors, {"id"}, remind_params,
         [&ctx](const Request& r) { return remind(ctx, r, false); }, "conversation"},
        {"POST", {R"(/api/v1/customers/([^/]+)/remind)", R"(/customers/([^/]+)/remind)"}, kEditors, {"id"}, remind_params,
         [&ctx](const Request& r) { return remind(ctx, r, true); }, "customer"},
    };
}

}  // namespace tw::web
