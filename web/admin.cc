// Users and teams, for admins: list, add, change role, team or mailboxes,
// reset a password, disable (a change of password, role or disabling ends
// the user's sessions at once: crm/access.h's epoch). Every change is audited.
#include "crm/crm.h"
#include "mail/strutil.h"
#include "web/route.h"

namespace tw::web {
namespace {

Page users(Context& ctx, const Request&) {
    LinkedArchive a(ctx.o.data_dir);
    json list = json::array(), shown = json::array(), teams = json::array();
    auto all_teams = a.people.teams();
    for (const auto& u : a.people.users()) {
        list.push_back({{"name", u.name}, {"role", u.role}, {"team", u.team}, {"mailboxes", u.mailboxes},
                        {"disabled", u.disabled}, {"leads", u.leads}});
        json roles = json::array(), team_opts = json::array({{{"team", ""}, {"label", tr("(none)")}, {"selected", u.team.empty()}}});
        for (const char* role : {"rep", "manager", "auditor", "admin"})
            roles.push_back({{"role", role}, {"label", label(role)}, {"selected", u.role == role}});
        for (const auto& t : all_teams) team_opts.push_back({{"team", t.name}, {"label", t.name}, {"selected", u.team == t.name}});
        shown.push_back({{"name", u.name}, {"role_label", label(u.role)}, {"team", u.team}, {"mailboxes", joined(u.mailboxes, ", ")},
                         {"mailbox_value", joined(u.mailboxes)}, {"disabled", u.disabled}, {"leads", joined(u.leads, ", ")},
                         {"has_leads", !u.leads.empty()},
                         {"roles", roles}, {"teams", team_opts}});
    }
    json team_opts = json::array({{{"team", ""}, {"label", tr("(none)")}}});
    json role_options = json::array();
    for (const char* role : {"rep", "manager", "auditor", "admin"}) role_options.push_back({{"role", role}, {"label", label(role)}});
    for (const auto& t : all_teams) {
        teams.push_back({{"name", t.name}, {"managers", t.managers}, {"members", t.members}});
        team_opts.push_back({{"team", t.name}, {"label", t.name}});
    }
    json shown_teams = json::array();
    for (const auto& t : all_teams)
        shown_teams.push_back({{"name", t.name}, {"managers", joined(t.managers, ", ")}, {"members", joined(t.members, ", ")},
                               {"has_members", !t.members.empty()}});
    return page("Users", "users", {{"users", list}, {"teams", teams}},
                {{"users", shown}, {"teams", shown_teams}, {"team_options", team_opts}, {"role_options", role_options}, {"no_teams", all_teams.empty()}});
}

Page add_user(Context& ctx, const Request& r) {
    LinkedArchive a(ctx.o.data_dir);
    std::vector<std::string> boxes;
    for (const auto& m : r.all("mailbox"))  // one field may hold several, comma-separated
        for (auto part : split_trimmed(m, ',')) boxes.emplace_back(part);
    a.people.add_user(r.text("name"), r.text("role"), r.text("password"), r.text("team"), boxes);
    ctx.audit(r, audit_entry("user_add", "user", r.text("name"), joined(boxes), true,
                  "role " + r.text("role") + (r.text("team").empty() ? "" : ", team " + r.text("team"))));
    return after_form({{"user", r.text("name")}, {"added", true}}, "/admin/users");
}

Page set_user(Context& ctx, const Request& r) {
    LinkedArchive a(ctx.o.data_dir);
    const std::string& name = r.text("name");
    const std::string& field = r.text("field");
    if (name == r.user.name && (field == "role" || field == "disabled"))
        throw InvalidError("an admin does not change their own role or disable themselves here: another admin does, or "
                           "`tradewind user set` on the server");
    auto before = a.people.user(name);
    if (!before) throw NotFoundError("no user " + name);
    a.people.set_user(name, field, r.text("value"));
    ctx.audit(r, audit_entry("user_set", "user", name, joined(before->mailboxes), true,
                  field + (field == "password" ? " reset" : "=" + r.text("value"))));
    return after_form({{"user", name}, {"changed", field}}, "/admin/users");
}

Page add_team(Context& ctx, const Request& r) {
    LinkedArchive a(ctx.o.data_dir);
    a.people.add_team(r.text("team"), r.text("manager"));
    ctx.audit(r, audit_entry("team_add", "team", r.text("team"), "", true, "manager " + r.text("manager")));
    return after_form({{"team", r.text("team")}, {"added", true}}, "/admin/users");
}

}  // namespace

std::vector<Route> admin_routes(Context& ctx) {
    std::vector<Route> out = {
        {"GET", {"/admin/users", "/api/v1/admin/users"}, kAdmins, {}, {}, [&ctx](const Request& r) { return users(ctx, r); }, ""},
    };
    for (std::string api : {"", "/api/v1"}) {
        out.push_back({"POST", {api + "/admin/users"}, kAdmins, {},
                       {text_param("name", true, "", 64), text_param("role", true, "", 16), text_param("password", true, "", 1024),
                        text_param("team", false, "", 64)},
                       [&ctx](const Request& r) { return add_user(ctx, r); }, ""});
        out.push_back({"POST", {api + R"(/admin/users/([^/]+)/set)"}, kAdmins, {"name"},
                       {text_param("name", true, "", 64), text_param("field", true, "", 16), text_param("value", false, "", 2000)},
                       [&ctx](const Request& r) { return set_user(ctx, r); }, "user"});
        out.push_back({"POST", {api + "/admin/teams"}, kAdmins, {},
                       {text_param("team", true, "", 64), text_param("manager", true, "", 64)},
                       [&ctx](const Request& r) { return add_team(ctx, r); }, ""});
    }
    return out;
}

}  // namespace tw::web
