// tradewind approvals: the rules, the records read out of the mail, and the violations.
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "crm/crm.h"
#include "daemon/commands.h"
#include "daemon/options.h"
#include "mail/date.h"
#include "mail/error.h"
#include "mail/strutil.h"

namespace tw {
namespace {

const char* kUsage =
    "usage: tradewind approvals [--data DIR] [--state pending|approved|rejected|withdrawn|superseded|not_requested] [--json]\n"
    "       tradewind approvals rule add --types quotation,proforma_invoice,contract --min-amount 10000 --currency USD\n"
    "                                    --approver USER [--then USER]\n"
    "       tradewind approvals rule list | rule remove ID\n"
    "       tradewind approvals recheck                  # the rules apply to archived documents too\n"
    "       tradewind approvals request|approve|reject|withdraw NUMBER [--comment TEXT] [--by USER] [--message ROW]\n"
    "                                                    # a reject needs --comment; a request's is its note\n"
    "       tradewind approvals history NUMBER [--json]  # the record's change log\n"
    "       tradewind approvals violations [--json]\n"
    "  A document of a rule's types whose total (converted through the fx_rates setting) reaches the\n"
    "  rule's amount needs its approver's approval; one with no known amount says \"amount unknown\".\n"
    "  Requests are the reps' internal mail to the approver naming the document and asking (approve,\n"
    "  审批, 请批准 ...); decisions the approver's answer (Approved, 同意, 不同意, Rejected ...), by its\n"
    "  references or the document's number. Violations: the document reached the customer before its\n"
    "  approval, after a rejection, without a request, or changed after it. With --then, a second tier\n"
    "  approves after the first. A revised document supersedes the one it replaces. An approved document\n"
    "  whose amount, currency or customer changes falls back to pending. A rule applies from its creation on.\n";

std::string iso(int64_t t) { return t ? format_iso_utc(t) : ""; }

}  // namespace

int cmd_approvals(const std::vector<std::string>& args) {
    Opts o;
    if (!parse_opts(args, {"--state", "--types", "--min-amount", "--currency", "--approver", "--then", "--comment", "--by", "--message"}, o,
                    "approvals"))
        return 2;
    if (o.has("--help") || o.has("-h")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    LinkedArchive a(o.get("--data"));
    const auto& rest = o.rest;
    if (!rest.empty() && rest[0] == "rule") {
        std::string what = rest.size() > 1 ? rest[1] : "";
        if (what == "add") {
            Crm::ApprovalRule r;
            std::string types = o.get("--types");  // the views below point into it
            for (auto t : split_trimmed(types, ',')) r.types.emplace_back(t);
            char* end = nullptr;
            std::string min = o.get("--min-amount", "0");
            r.min_amount = std::strtod(min.c_str(), &end);
            if (end == min.c_str() || *end) throw InvalidError("--min-amount wants a number, not \"" + min + "\"");
            r.currency = o.get("--currency", "USD");
            r.approver = o.get("--approver");
            r.then_approver = o.get("--then");
            if (r.approver.empty()) throw InvalidError("--approver USER: who approves");
            int64_t id = a.crm.add_approval_rule(r, int64_t(std::time(nullptr)));
            audit_command(a, "setting_set", "approval_rule", std::to_string(id),
                          join(r.types, ",") + " from " + min + " " + r.currency + " by " + r.approver);
            std::printf("rule %lld: %s from %s %s need %s's approval%s (from now on; `approvals recheck` for the archive)\n",
                        (long long)id, join(r.types, ",").c_str(), min.c_str(), r.currency.c_str(), r.approver.c_str(),
                        r.then_approver.empty() ? "" : (", then " + r.then_approver + "'s").c_str());
            return 0;
        }
        if (what == "list") {
            for (const auto& r : a.crm.approval_rules())
                std::printf("%lld  %s  from %.2f %s  approver %s%s\n", (long long)r.id, join(r.types, ",").c_str(), r.min_amount,
                            r.currency.c_str(), r.approver.c_str(), r.then_approver.empty() ? "" : (" then " + r.then_approver).c_str());
            return 0;
        }
        if (what == "remove" && rest.size() == 3) {
            if (!a.crm.remove_approval_rule(id_arg(rest[2], "rule"))) throw NotFoundError("no rule " + rest[2]);
            audit_command(a, "setting_set", "approval_rule", rest[2], "removed");
            std::printf("rule %s removed\n", rest[2].c_str());
            return 0;
        }
        std::fputs(kUsage, stderr);
        return 2;
    }
    if (!rest.empty() && rest[0] == "history") {
        if (rest.size() != 2) throw InvalidError("approvals history NUMBER");
        a.crm.scan_approvals();
        auto steps = a.crm.approval_history(rest[1]);
        if (steps.empty()) throw NotFoundError("no approval record of " + rest[1]);
        for (const auto& st : steps) {
            if (o.has("--json"))
                std::cout << nlohmann::json{{"at", iso(st.at)}, {"state", st.state}, {"tier", st.tier}, {"approver", st.approver},
                                            {"actor", st.actor}, {"via", st.via}, {"message", st.message}, {"comment", st.comment},
                                            {"reason", st.reason}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                          << '\n';
            else
                std::printf("%s  %-13s tier %lld (%s)  by %s via %s%s%s\n", iso(st.at).c_str(), st.state.c_str(), (long long)st.tier,
                            st.approver.c_str(), st.actor.c_str(), st.via.c_str(), st.comment.empty() ? "" : ("  \"" + st.comment + "\"").c_str(),
                            st.reason.empty() ? "" : ("  (" + st.reason + ")").c_str());
        }
        return 0;
    }
    if (!rest.empty() && (rest[0] == "request" || rest[0] == "approve" || rest[0] == "reject" || rest[0] == "withdraw")) {
        if (rest.size() != 2) throw InvalidError("approvals " + rest[0] + " NUMBER [--comment TEXT] [--by USER]");
        std::string by = o.get("--by"), mailbox;
        if (!by.empty()) {
            auto u = a.people.user(by);
            if (!u) throw NotFoundError("no user " + by);
            mailbox = u->mailbox();
        }
        int64_t message = o.has("--message") ? id_arg(o.get("--message"), "message") : 0;
        a.crm.act_on_approval(rest[1], rest[0], by.empty() ? cli_user() : by, mailbox, int64_t(std::time(nullptr)), o.get("--comment"),
                              message);
        audit_command(a, "approval_" + rest[0], "document", rest[1], o.get("--comment"));
        for (const auto& x : a.crm.approvals())
            if (x.document == rest[1]) std::printf("%s: %s\n", x.document.c_str(), x.state.c_str());
        return 0;
    }
    if (!rest.empty() && rest[0] == "recheck") {
        a.crm.recheck_approvals();
        std::printf("%zu documents need approval\n", a.crm.approvals().size());
        return 0;
    }
    a.crm.scan_approvals();
    if (!rest.empty() && rest[0] == "violations") {
        for (const auto& v : a.crm.approval_violations()) {
            if (o.has("--json"))
                std::cout << nlohmann::json{{"document", v.document}, {"kind", v.kind}, {"sent", iso(v.sent)},
                                            {"message_id", v.message_id}, {"acknowledged", v.acknowledged}}.dump() << '\n';
            else
                std::printf("%-16s %-22s sent %s  <%s>\n", v.document.c_str(), v.kind.c_str(), iso(v.sent).c_str(), v.message_id.c_str());
        }
        return 0;
    }
    if (!rest.empty()) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    for (const auto& x : a.crm.approvals(o.get("--state"))) {
        if (o.has("--json"))
            std::cout << nlohmann::json{{"id", x.id}, {"document", x.document}, {"type", x.type}, {"amount", x.amount},
                                        {"currency", x.currency}, {"customer", x.customer}, {"rep", x.rep}, {"approver", x.approver},
                                        {"tier", x.tier}, {"state", x.state}, {"requested", iso(x.requested)},
                                        {"decided", iso(x.decided)}, {"comment", x.comment}, {"via", x.via}, {"reason", x.reason},
                                        {"outcome", x.outcome}, {"chain", x.chain}, {"superseded_by", x.superseded_by},
                                        {"changed", x.changed}}
                             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                      << '\n';
        else
            std::printf("%-16s %-18s %12s %-3s %-9s %-14s %s%s\n", x.document.c_str(), x.type.c_str(), x.amount.c_str(),
                        x.currency.c_str(), x.state.c_str(), x.rep.c_str(), x.customer_name.c_str(),
                        x.reason.empty() ? "" : ("  (" + x.reason + ")").c_str());
    }
    return 0;
}

}  // namespace tw
