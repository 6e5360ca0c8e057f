// tradewind user, team and audit: users, roles, teams and mailboxes
// (crm/access.h), and the audit trail (crm/audit.h). Every change made here
// is audited too, with the operating-system user as its actor.
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crm/audit.h"
#include "crm/crm.h"
#include "daemon/commands.h"
#include "daemon/options.h"
#include "mail/date.h"
#include "mail/error.h"
#include "mail/strutil.h"

namespace tw {
namespace {

const char* kUserUsage =
    "usage: tradewind user add [--data DIR] --name NAME --password-file F [--role rep|manager|auditor|admin]\n"
    "                          [--team TEAM] [--mailbox ADDR]...\n"
    "  --mailbox (repeatable): the mailboxes the user may read; the first is their own address (the customers\n"
    "  they own, what they claim). A shared mailbox (sales@) may be granted to several users.\n"
    "       tradewind user set [--data DIR] NAME role|team|mailboxes|disabled VALUE\n"
    "       tradewind user set [--data DIR] NAME password --password-file F\n"
    "  (mailboxes: comma-separated; disabled: yes|no; a new password, role or disabling ends the user's sessions)\n"
    "       tradewind user list [--data DIR] [--json]\n";

const char* kTeamUsage =
    "usage: tradewind team add [--data DIR] NAME --manager USER   (a manager sees the mail of the team's reps)\n"
    "       tradewind team set [--data DIR] NAME --manager USER   (another manager for the team)\n"
    "       tradewind team list [--data DIR] [--json]\n";

const char* kAuditUsage =
    "usage: tradewind audit [--data DIR] [--json] [--actor USER] [--action A] [--rep MAILBOX] [--target T]\n"
    "                       [--since YYYY-MM-DD] [--limit N]\n"
    "       tradewind audit verify [--data DIR]   checks the hash chain; names the first row altered,\n"
    "                                              inserted or removed, and exits 1\n";

// Who runs the command line: the audit's actor.
std::string os_user() {
    if (const passwd* pw = getpwuid(geteuid())) return std::string("cli:") + pw->pw_name;
    return "cli:uid" + std::to_string(geteuid());
}


}  // namespace

std::string cli_user() { return os_user(); }

void audit_command(LinkedArchive& a, const std::string& action, const std::string& kind, const std::string& target,
                   const std::string& detail, const std::string& mailbox) {
    AuditEntry e;
    e.actor = os_user();
    e.role = "admin";  // whoever runs the command line on the server can do everything
    e.action = action;
    e.target_kind = kind;
    e.target = target;
    e.mailbox_owner = mailbox;
    e.ip = "local";
    e.user_agent = "tradewind command line";
    e.detail = detail;
    AuditTrail(a.store.database()).record(e);
}

namespace {

std::vector<std::string> repeated(const std::vector<std::string>& args, const std::string& name) {
    std::vector<std::string> out;
    for (size_t k = 0; k + 1 < args.size(); ++k)
        if (args[k] == name) out.push_back(args[k + 1]);
    return out;
}


}  // namespace

int cmd_user(const std::vector<std::string>& args) {
    Opts o;
    if (args.empty() || !parse_opts(args, {"--name", "--password-file", "--role", "--mailbox", "--team"}, o, "user") ||
        o.has("--help")) {
        std::fputs(kUserUsage, o.has("--help") ? stdout : stderr);
        return o.has("--help") ? 0 : 2;
    }
    LinkedArchive a(o.get("--data"));
    if (args[0] == "list") {
        auto users = a.people.users();
        if (o.has("--json")) {
            for (const auto& u : users)
                std::printf("%s\n", nlohmann::json{{"name", u.name}, {"role", u.role}, {"team", u.team}, {"mailboxes", u.mailboxes},
                                                   {"disabled", u.disabled}, {"leads", u.leads}}.dump().c_str());
            return 0;
        }
        for (const auto& u : users)
            std::printf("%s  %s  team %s  %s%s\n", u.name.c_str(), u.role.c_str(), u.team.empty() ? "-" : u.team.c_str(),
                        join(u.mailboxes, ",").c_str(), u.disabled ? "  (disabled)" : "");
        return 0;
    }
    if (args[0] == "set") {
        // user set NAME FIELD VALUE | user set NAME password --password-file F
        if (o.rest.size() < 3 || (o.rest[2] != "password" && o.rest.size() < 4)) {
            std::fputs(kUserUsage, stderr);
            return 2;
        }
        const std::string& name = o.rest[1];
        const std::string& field = o.rest[2];
        std::string value = field == "password" ? read_secret_file(o.get("--password-file")) : o.rest[3];
        if (field == "password" && o.get("--password-file").empty())
            throw InvalidError("give the new password in a file: user set NAME password --password-file F");
        a.people.set_user(name, field, value);
        audit_command(a, "user_set", "user", name, field + (field == "password" ? " reset" : "=" + value));
        std::printf("user %s: %s set\n", name.c_str(), field.c_str());
        return 0;
    }
    if (args[0] != "add" || o.get("--name").empty() || o.get("--password-file").empty()) {
        std::fputs(kUserUsage, stderr);
        return 2;
    }
    std::string role = o.get("--role", "rep");
    auto boxes = repeated(args, "--mailbox");
    a.people.add_user(o.get("--name"), role, read_secret_file(o.get("--password-file")), o.get("--team"), boxes);
    audit_command(a, "user_add", "user", o.get("--name"), "role " + role + (o.get("--team").empty() ? "" : ", team " + o.get("--team")),
                  join(boxes, ","));
    std::printf("user %s added (%s)\n", o.get("--name").c_str(), role.c_str());
    return 0;
}

int cmd_team(const std::vector<std::string>& args) {
    Opts o;
    if (args.empty() || !parse_opts(args, {"--manager"}, o, "team") || o.has("--help")) {
        std::fputs(kTeamUsage, o.has("--help") ? stdout : stderr);
        return o.has("--help") ? 0 : 2;
    }
    LinkedArchive a(o.get("--data"));
    if (args[0] == "list") {
        for (const auto& t : a.people.teams()) {
            if (o.has("--json"))
                std::printf("%s\n", nlohmann::json{{"name", t.name}, {"managers", t.managers}, {"members", t.members}}.dump().c_str());
            else
                std::printf("%s  led by %s  members %s\n", t.name.c_str(), join(t.managers, ",").c_str(), join(t.members, ",").c_str());
        }
        return 0;
    }
    if ((args[0] != "add" && args[0] != "set") || o.rest.size() < 2 || o.get("--manager").empty()) {
        std::fputs(kTeamUsage, stderr);
        return 2;
    }
    if (args[0] == "add") a.people.add_team(o.rest[1], o.get("--manager"));
    else a.people.add_team_manager(o.rest[1], o.get("--manager"));
    audit_command(a, "team_add", "team", o.rest[1], "manager " + o.get("--manager"));
    std::printf("team %s: led by %s\n", o.rest[1].c_str(), o.get("--manager").c_str());
    return 0;
}

int cmd_audit(const std::vector<std::string>& args) {
    Opts o;
    if (!parse_opts(args, {"--actor", "--action", "--rep", "--target", "--since", "--limit"}, o, "audit") || o.has("--help")) {
        std::fputs(kAuditUsage, o.has("--help") ? stdout : stderr);
        return o.has("--help") ? 0 : 2;
    }
    LinkedArchive a(o.get("--data"));
    AuditTrail trail(a.store.database());
    if (!o.rest.empty() && o.rest[0] == "verify") {
        AuditCheck c = trail.verify();
        if (c.ok) {
            std::printf("audit trail intact: %lld rows, every hash in the chain holds\n", (long long)c.rows);
            return 0;
        }
        std::fprintf(stderr, "tradewind audit verify: the audit trail was tampered with: %s (%lld rows)\n", c.what.c_str(),
                     (long long)c.rows);
        return 1;
    }
    if (!o.rest.empty()) {
        std::fputs(kAuditUsage, stderr);
        return 2;
    }
    AuditFilter f;
    f.actor = o.get("--actor");
    f.action = o.get("--action");
    f.mailbox = o.get("--rep");
    f.target = o.get("--target");
    if (!o.get("--since").empty()) {
        auto t = parse_date(o.get("--since"));
        if (!t) throw InvalidError("--since takes a day, YYYY-MM-DD, not \"" + o.get("--since") + "\"");
        f.since = *t;
    }
    f.limit = size_t(id_arg(o.get("--limit", "1000000"), "--limit"));
    for (const auto& e : trail.list(f)) {
        if (o.has("--json")) {
            std::printf("%s\n", nlohmann::json{{"id", e.id}, {"time", format_iso_utc(e.time)}, {"actor", e.actor}, {"role", e.role},
                                               {"action", e.action}, {"target_kind", e.target_kind}, {"target", e.target},
                                               {"mailbox_owner", e.mailbox_owner}, {"ip", e.ip}, {"user_agent", e.user_agent},
                                               {"allowed", e.allowed}, {"detail", e.detail}, {"prev_hash", e.prev_hash},
                                               {"hash", e.hash}}.dump().c_str());
        } else {
            std::printf("%lld  %s  %s (%s)  %s  %s %s  mailbox %s  from %s%s  %s\n", (long long)e.id, format_iso_utc(e.time).c_str(),
                        e.actor.c_str(), e.role.c_str(), e.action.c_str(), e.target_kind.c_str(), e.target.c_str(),
                        e.mailbox_owner.c_str(), e.ip.c_str(), e.allowed ? "" : "  DENIED", e.detail.c_str());
        }
    }
    return 0;
}

}  // namespace tw
