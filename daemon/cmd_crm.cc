// tradewind customers, documents, relink, settings: the CRM side of the archive.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/commands.h"
#include "mail/date.h"
#include "archive/importer.h"
#include "daemon/options.h"
#include "archive/search_index.h"
#include "archive/store.h"
#include "crm/crm.h"
#include "mail/strutil.h"

namespace tw {
namespace {

constexpr const char* kCustomersUsage =
    "usage: tradewind customers [--data DIR] [--json]\n"
    "       tradewind customers lookup TEXT            is this company, domain or address taken?\n"
    "       tradewind customers rename ID NAME\n"
    "       tradewind customers merge ID INTO_ID       (freemail contacts of one company, say)\n"
    "       tradewind customers move ADDRESS ID        a contact to another customer\n"
    "       tradewind customers split NAME ADDRESS...  those contacts become a customer of their own\n"
    "  every customer: id, name, kind (company, or freemail: one person), owner, domains, contacts,\n"
    "  linked messages and the newest. customer:ID searches its mail. Renames, merges, moves and\n"
    "  splits are kept by every later link and relink.\n";
constexpr const char* kDocumentsUsage =
    "usage: tradewind documents [--data DIR] [--json]\n"
    "       tradewind documents show NUMBER [--json]   every message and attachment that names it\n"
    "       tradewind documents set NUMBER status|amount|currency|type|customer VALUE\n"
    "       tradewind documents add NUMBER TYPE [--customer ID] [--status S]   one kept outside mail\n"
    "  (users' values: recognition never overwrites them; status: draft sent received confirmed\n"
    "  cancelled paid shipped closed; amount 12500.00; currency USD)\n"
    "  every trade document recognised in the mail (quotation, proforma invoice, purchase order,\n"
    "  contract, commercial invoice, packing list, bill of lading, letter of credit): number, type,\n"
    "  customer, status, messages and conversations. doc:NUMBER searches its mail.\n";
constexpr const char* kRelinkUsage =
    "usage: tradewind relink [--data DIR]\n"
    "  links every archived message to its customers again (after the internal domains changed,\n"
    "  say); users' decisions are kept. The search index follows.\n";
constexpr const char* kSettingsUsage =
    "usage: tradewind settings [--data DIR] [set KEY VALUE | get KEY]\n"
    "  audit_open_to_reps 1: reps see who read their mail (/audit/mine); 0 (default): only auditors and admins\n"
    "  internal_domains   the firm's own domains, comma-separated (the accounts' domains always\n"
    "                     count); mail among them is internal, never customer mail. Run relink after.\n"
    "  doc_patterns       the firm's own document numbering on top of the defaults, JSON:\n"
    "                     '{\"purchase_order\": [\"BEST-\\\\d{5}\"], \"quotation\": [\"Q\\\\d{7}\"]}' (whole tokens;\n"
    "                     mail stored from now on, archived mail after `tradewind reindex`; types:\n"
    "                     quotation proforma_invoice purchase_order\n"
    "                     contract commercial_invoice packing_list bill_of_lading letter_of_credit)\n"
    "  pool_days          days without mail from the owner before a customer goes to the pool (30)\n";

constexpr const char* kConflictsUsage =
    "usage: tradewind conflicts [--data DIR] [--json] | conflicts close ID | conflicts reopen ID\n"
    "  conflicts (撞单) for the manager: not_owner (a rep who is not the owner started a conversation\n"
    "  with the customer) and double_quote (a second rep quoted the same customer): who, which\n"
    "  customer, which messages. Found over the whole archive each time.\n";
constexpr const char* kPoolUsage =
    "usage: tradewind pool [--data DIR] [--days N] [--now YYYY-MM-DD] [--json]\n"
    "       tradewind pool claim CUSTOMER_ID --rep ADDRESS [--now YYYY-MM-DD]\n"
    "       tradewind pool assign CUSTOMER_ID --rep ADDRESS   (a manager's choice)\n"
    "  The public pool (公海): a customer whose owner sent it nothing for N days (default: the\n"
    "  pool_days setting, else 30) is released to the pool; any rep may claim it. Every release,\n"
    "  claim and assignment is logged in the ownership history.\n";

// --now YYYY-MM-DD (for tests and what-if), else the clock.
int64_t now_of(const Opts& o) {
    std::string v = o.get("--now");
    if (v.empty()) return int64_t(std::time(nullptr));
    auto t = parse_date(v + " 00:00:00 +0000");
    if (!t) throw StoreError("--now wants YYYY-MM-DD, not " + v);
    return *t;
}

bool start(const std::vector<std::string>& args, const char* cmd, const char* usage, Opts& o,
           std::vector<std::string> with_value = {}) {
    if (!parse_opts(args, with_value, o, cmd)) return false;
    if (o.has("--help") || o.has("-h")) {
        std::fputs(usage, stdout);
        return false;
    }
    if (!std::filesystem::exists(std::filesystem::path(o.get("--data")) / "archive.db"))
        throw StoreError("there is no archive in " + o.get("--data") + ": import or sync mail first, or pass --data DIR");
    return true;
}

}  // namespace

void relink_all(LinkedArchive& a, const std::string& data);

// tradewind customers lookup|rename|merge|move|split ...
int customers_edit(LinkedArchive& a, const Opts& o) {
    const auto& r = o.rest;
    const std::string& what = r[0];
    if (what == "lookup" && r.size() == 2) {
        size_t found = 0;
        for (const auto& c : a.crm.lookup(r[1])) {
            ++found;
            std::printf("%lld %s: %s\n", (long long)c.id, c.name.c_str(),
                        c.in_pool ? "in the public pool: claim it with `tradewind pool claim`"
                        : c.owner.empty() ? "no owner"
                                          : ("taken by " + c.owner).c_str());
        }
        if (!found) std::printf("%s: not a customer yet\n", r[1].c_str());
        return 0;
    }
    bool known = (what == "rename" || what == "merge" || what == "move") ? r.size() == 3 : what == "split" && r.size() >= 3;
    if (!known) {
        std::fputs(kCustomersUsage, stderr);
        return 2;
    }
    Crm& crm = a.crm;
    a.store.begin();
    try {
        if (what == "rename") crm.rename(id_arg(r[1], "customer"), r[2]);
        else if (what == "merge") crm.merge(id_arg(r[1], "customer"), id_arg(r[2], "customer"));
        else if (what == "move") crm.move_contact(r[1], id_arg(r[2], "customer"));
        else std::printf("new customer %lld\n", (long long)crm.split(std::vector<std::string>(r.begin() + 2, r.end()), r[1]));
    } catch (const NotFoundError& e) {
        a.store.rollback();
        std::fprintf(stderr, "tradewind customers %s: no such customer or contact (see `tradewind customers`): %s\n",
                     what.c_str(), e.what());
        return 1;
    }
    a.store.commit();
    std::string detail;
    for (size_t k = 2; k < r.size(); ++k) detail += (detail.empty() ? "" : " ") + r[k];
    audit_command(a, what, what == "move" ? "contact" : "customer", r[1], detail);
    relink_all(a, o.get("--data"));
    return 0;
}

int cmd_customers(const std::vector<std::string>& args) {
    Opts o;
    if (!start(args, "customers", kCustomersUsage, o)) return o.has("--help") || o.has("-h") ? 0 : 2;
    LinkedArchive a(o.get("--data"));
    if (!o.rest.empty()) return customers_edit(a, o);
    for (const auto& c : a.crm.customers()) {
        if (o.has("--json")) {
            nlohmann::json contacts = nlohmann::json::array();
            for (const auto& [addr, name] : c.contacts) contacts.push_back({{"address", addr}, {"name", name}});
            nlohmann::json j = {{"id", std::to_string(c.id)}, {"name", c.name}, {"kind", c.kind}, {"owner", c.owner}, {"in_pool", c.in_pool},
                                {"domains", c.domains}, {"contacts", contacts}, {"messages", c.messages},
                                {"last", c.last ? format_iso_utc(c.last) : ""}};
            std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        } else {
            std::printf("%6lld  %-32s %-8s %5lld messages  %zu contacts  %s\n", (long long)c.id, c.name.c_str(),
                        c.kind.c_str(), (long long)c.messages, c.contacts.size(),
                        c.last ? format_iso_utc(c.last).substr(0, 10).c_str() : "");
        }
    }
    return 0;
}

// documents show|set|add ...
int documents_edit(LinkedArchive& a, const Opts& o) {
    const auto& r = o.rest;
    if (r[0] == "show" && r.size() == 2) {
        auto mentions = a.crm.document_mentions(r[1]);
        if (mentions.empty()) throw NotFoundError("no mail names " + r[1] + " (see `tradewind documents`)");
        for (const auto& m : mentions) {
            if (o.has("--json")) {
                nlohmann::json j = {{"row", m.row}, {"thread", m.thread}, {"date", format_iso_utc(m.date)}, {"from", m.from},
                                    {"subject", m.subject}, {"place", m.place}};
                std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
            } else {
                std::printf("%s  %-10s [thread %lld]  %s  %s\n", format_iso_utc(m.date).substr(0, 10).c_str(), m.place.c_str(),
                            (long long)m.thread, m.from.c_str(), m.subject.c_str());
            }
        }
        return 0;
    }
    bool set = r[0] == "set" && r.size() == 4, add = r[0] == "add" && r.size() == 3;
    if (!set && !add) {
        std::fputs(kDocumentsUsage, stderr);
        return 2;
    }
    Store& store = a.store;
    store.begin();
    bool ok = set ? a.crm.edit_document(r[1], r[2], r[3])
                  : a.crm.create_document(r[1], r[2], id_arg(o.get("--customer", "0"), "--customer"),
                                          o.get("--status", "draft"), int64_t(std::time(nullptr)));
    if (!ok) {
        store.rollback();
        if (set) std::fprintf(stderr, "tradewind documents: no document %s (or no such customer)\n", r[1].c_str());
        else std::fprintf(stderr, "tradewind documents: %s exists already: correct it with `documents set`\n", r[1].c_str());
        return 1;
    }
    store.commit();
    audit_command(a, set ? "document_edit" : "document_create", "document", r[1], set ? r[2] + "=" + r[3] : "type " + r[2]);
    if (set) std::printf("%s: %s = %s\n", r[1].c_str(), r[2].c_str(), r[3].c_str());
    else std::printf("%s: recorded (%s)\n", r[1].c_str(), r[2].c_str());
    return 0;
}

int cmd_documents(const std::vector<std::string>& args) {
    Opts o;
    if (!start(args, "documents", kDocumentsUsage, o, {"--customer", "--status"})) return o.has("--help") || o.has("-h") ? 0 : 2;
    LinkedArchive a(o.get("--data"));
    if (!o.rest.empty()) return documents_edit(a, o);
    for (const auto& d : a.crm.documents()) {
        if (o.has("--json")) {
            nlohmann::json j = {{"number", d.number}, {"type", d.type}, {"status", d.status},
                                {"customer", d.customer ? std::to_string(d.customer) : ""}, {"customer_name", d.customer_name},
                                {"amount", d.amount}, {"currency", d.currency}, {"messages", d.messages},
                                {"conversations", d.threads}, {"first_seen", d.first_seen ? format_iso_utc(d.first_seen) : ""}};
            std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        } else {
            std::printf("%-18s %-20s %-9s %-28s %4lld messages\n", d.number.c_str(), d.type.c_str(), d.status.c_str(),
                        d.customer_name.c_str(), (long long)d.messages);
        }
    }
    return 0;
}

// Links every message again and brings the index's customer: terms along;
// while a running tradewind holds the index, it does that at its next pass.
void relink_all(LinkedArchive& a, const std::string& data) {
    auto t0 = std::chrono::steady_clock::now();
    Store& store = a.store;
    auto links = a.crm.relink();
    size_t linked = 0;
    for (const auto& l : links) linked += l.second.empty() ? 0 : 1;
    std::string why;
    auto changed = relink_index_or_ask(store, data, &why);
    std::string index_note = changed ? ", " + std::to_string(*changed) + " changed in the index"
                                     : "; the index is busy (" + why + "): the running tradewind updates customer: search at its next pass";
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("relinked %zu messages (%zu with customers) in %.1f s%s\n", links.size(), linked, secs, index_note.c_str());
}

int cmd_relink(const std::vector<std::string>& args) {
    Opts o;
    if (!start(args, "relink", kRelinkUsage, o)) return o.has("--help") || o.has("-h") ? 0 : 2;
    LinkedArchive a(o.get("--data"));
    relink_all(a, o.get("--data"));
    return 0;
}

int cmd_settings(const std::vector<std::string>& args) {
    Opts o;
    if (!parse_opts(args, {}, o, "settings")) return 2;
    if (o.has("--help") || o.has("-h") || o.rest.empty()) {
        std::fputs(kSettingsUsage, o.rest.empty() && !o.has("--help") && !o.has("-h") ? stderr : stdout);
        return o.rest.empty() && !o.has("--help") && !o.has("-h") ? 2 : 0;
    }
    LinkedArchive a(o.get("--data"));
    const std::string key = o.rest.size() > 1 ? o.rest[1] : "";
    if (o.rest[0] == "set" && o.rest.size() == 3) {
        a.crm.set_setting(key, o.rest[2]);  // checked against archive/schema.h's kSettings
        audit_command(a, "setting_set", "setting", key, o.rest[2]);
        std::printf("%s = %s%s\n", key.c_str(), o.rest[2].c_str(),
                    key == "internal_domains" ? " (run `tradewind relink` to apply it to archived mail)"
                    : key == "doc_patterns"   ? " (for mail stored from now on; `tradewind reindex` applies it to archived mail)"
                                              : "");
        return 0;
    }
    if (o.rest[0] == "get" && o.rest.size() == 2) {
        std::printf("%s\n", a.crm.setting(o.rest[1]).c_str());
        return 0;
    }
    std::fputs(kSettingsUsage, stderr);
    return 2;
}

int cmd_conflicts(const std::vector<std::string>& args) {
    Opts o;
    if (!start(args, "conflicts", kConflictsUsage, o)) return o.has("--help") || o.has("-h") ? 0 : 2;
    LinkedArchive a(o.get("--data"));
    if (!o.rest.empty()) {
        if (o.rest.size() != 2 || (o.rest[0] != "close" && o.rest[0] != "reopen")) {
            std::fputs(kConflictsUsage, stderr);
            return 2;
        }
        a.crm.set_conflict_status(id_arg(o.rest[1], "conflict"), o.rest[0] == "close" ? "closed" : "open");
        audit_command(a, o.rest[0] == "close" ? "conflict_close" : "conflict_reopen", "conflict", o.rest[1], "");
        std::printf("conflict %s %s\n", o.rest[1].c_str(), o.rest[0] == "close" ? "closed" : "open again");
        return 0;
    }
    for (const auto& c : a.crm.conflicts()) {
        if (o.has("--json")) {
            nlohmann::json j = {{"id", c.id}, {"customer", std::to_string(c.customer)}, {"customer_name", c.customer_name},
                                {"kind", c.kind}, {"rep", c.rep}, {"other_rep", c.other_rep}, {"message", c.message},
                                {"other_message", c.other_message}, {"subject", c.subject}, {"date", format_iso_utc(c.date)},
                                {"status", c.status}};
            std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        } else {
            std::printf("%s  %-12s %-28s %s (owner/first: %s)  \"%s\"  [%s]\n", format_iso_utc(c.date).substr(0, 10).c_str(),
                        c.kind.c_str(), c.customer_name.c_str(), c.rep.c_str(), c.other_rep.c_str(), c.subject.c_str(),
                        c.status.c_str());
        }
    }
    return 0;
}

int cmd_pool(const std::vector<std::string>& args) {
    Opts o;
    if (!start(args, "pool", kPoolUsage, o, {"--days", "--now", "--rep"})) return o.has("--help") || o.has("-h") ? 0 : 2;
    LinkedArchive a(o.get("--data"));
    int64_t now = now_of(o);
    int days = std::atoi(o.get("--days", std::to_string(a.crm.pool_days())).c_str());
    if (days <= 0) throw InvalidError("--days wants a positive number of days");
    if (!o.rest.empty()) {
        if ((o.rest[0] != "claim" && o.rest[0] != "assign") || o.rest.size() != 2 || o.get("--rep").empty()) {
            std::fputs(kPoolUsage, stderr);
            return 2;
        }
        int64_t id = id_arg(o.rest[1], "customer");
        if (o.rest[0] == "claim") a.crm.claim(id, o.get("--rep"), now, days);
        else a.crm.assign(id, o.get("--rep"), now);
        audit_command(a, o.rest[0], "customer", o.rest[1], "to " + o.get("--rep"), o.get("--rep"));
        std::printf("customer %s now belongs to %s\n", o.rest[1].c_str(), o.get("--rep").c_str());
        return 0;
    }
    // The command line releases what is due (a page only shows it: a GET changes nothing).
    std::vector<int64_t> released = a.crm.release_idle(now, days);
    auto in_pool = a.crm.pool(now, days);
    if (!o.has("--json") && !released.empty()) std::printf("released to the pool now: %zu\n", released.size());
    for (const auto& c : in_pool) {
        if (o.has("--json")) {
            nlohmann::json j = {{"id", std::to_string(c.id)}, {"name", c.name}, {"kind", c.kind}, {"messages", c.messages},
                                {"last", c.last ? format_iso_utc(c.last) : ""}};
            std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        } else {
            std::printf("%6lld  %-32s %5lld messages  last %s\n", (long long)c.id, c.name.c_str(), (long long)c.messages,
                        c.last ? format_iso_utc(c.last).substr(0, 10).c_str() : "-");
        }
    }
    return 0;
}

namespace {

const char* kCalendarUsage =
    "usage: tradewind calendar set [--data DIR] [--rep ADDR] [--tz ZONE] [--hours HOURS] [--holiday DAY[..DAY]]...\n"
    "                              [--ics FILE] [--clear-holidays]\n"
    "       tradewind calendar show [--data DIR] [--rep ADDR] [--json] [--now YYYY-MM-DD]\n"
    "  The firm's business calendar, or with --rep a rep's own (its zone and hours, else the firm's; closed on the\n"
    "  firm's holidays and the rep's leave). ZONE: an IANA name (Asia/Shanghai, Europe/Berlin). HOURS:\n"
    "  \"Mon-Fri 09:00-12:00,13:30-18:00; Sat 09:00-12:00\". --holiday (repeatable): 2025-10-01..2025-10-07 or one day;\n"
    "  --ics: the events of an iCalendar file as closed days. Default: Asia/Shanghai, Mon-Fri 09:00-18:00.\n";

}  // namespace

int cmd_calendar(const std::vector<std::string>& args) {
    Opts o;
    if (args.empty() || !parse_opts(args, {"--rep", "--tz", "--hours", "--holiday", "--ics", "--now"}, o, "calendar") ||
        o.has("--help") || (args[0] != "set" && args[0] != "show")) {
        std::fputs(kCalendarUsage, o.has("--help") ? stdout : stderr);
        return o.has("--help") ? 0 : 2;
    }
    LinkedArchive a(o.get("--data"));
    const std::string rep = to_lower(o.get("--rep"));
    if (args[0] == "set") {
        std::vector<calendar::DayRange> closed;
        for (size_t k = 0; k + 1 < args.size(); ++k)
            if (args[k] == "--holiday") closed.push_back(calendar::parse_days(args[k + 1]));
        if (!o.get("--ics").empty()) {
            std::ifstream in(o.get("--ics"), std::ios::binary);
            if (!in) throw InvalidError("cannot read the iCalendar file " + o.get("--ics"));
            std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            for (const auto& d : calendar::parse_ics(text)) closed.push_back(d);
        }
        if (o.get("--tz").empty() && o.get("--hours").empty() && closed.empty() && !o.has("--clear-holidays")) {
            std::fputs(kCalendarUsage, stderr);
            return 2;
        }
        a.crm.set_calendar(rep, o.get("--tz"), o.get("--hours"), closed, o.has("--clear-holidays"));
        std::string detail = "tz=" + o.get("--tz") + " hours=" + o.get("--hours") + " closed+" + std::to_string(closed.size());
        audit_command(a, "setting_set", "calendar", rep.empty() ? "firm" : rep, detail, rep);
    }
    calendar::Calendar c = a.crm.calendar_of(rep);
    int64_t now = o.get("--now").empty() ? int64_t(std::time(nullptr)) : now_of(o);
    int64_t due = calendar::add(c, now, 8 * 3600);
    std::vector<std::string> closed;
    for (const auto& d : c.closed) closed.push_back(calendar::format_days(d));
    if (o.has("--json")) {
        std::printf("%s\n", nlohmann::json{{"rep", rep}, {"tz", c.tz}, {"hours", calendar::format_week(c.week)}, {"closed", closed},
                                           {"example", {{"from", format_iso_utc(now)}, {"business_hours", 8},
                                                        {"due", format_iso_utc(due)}}}}.dump().c_str());
        return 0;
    }
    std::printf("%s: %s, %s\n", rep.empty() ? "the firm" : rep.c_str(), c.tz.c_str(), calendar::format_week(c.week).c_str());
    std::string days;
    for (const auto& d : closed) days += (days.empty() ? "" : ", ") + d;
    std::printf("closed: %s\n", days.empty() ? "(no holidays set)" : days.c_str());
    std::printf("8 business hours from %s are due %s\n", calendar::local_label(c, now).c_str(),
                calendar::local_label(c, due).c_str());
    return 0;
}

namespace {

const char* kFollowupsUsage =
    "usage: tradewind followups [--data DIR] [--rep ADDR | --all] [--now ISO] [--closed] [--json]\n"
    "       tradewind followups snooze ID --until ISO | done ID | dismiss ID --reason TEXT | open ID\n"
    "       tradewind followups remind (--thread T | --customer C) --at ISO [--rep ADDR] [--note TEXT]\n"
    "  What each conversation waits for: reply_due (the customer wrote last; due after reply_sla_hours, default 8\n"
    "  business hours, in the owner's calendar), customer_silent (the firm wrote last and the deal is not finished;\n"
    "  due after silent_days, default 3 business days, or silent_days_after by document type), manual reminders.\n"
    "  Kept up to date as mail is stored. Open ones (and snoozed ones whose time has come) of one rep, or --all\n"
    "  reps; --closed adds done, dismissed, ended and still-snoozed ones. --now: the clock (ISO 8601, as in\n"
    "  2025-01-13T09:00:00+08:00).\n";

int64_t iso_arg(const std::string& v, const char* what) {
    auto t = parse_date(v);
    if (!t) throw InvalidError(std::string(what) + " wants a time such as 2025-01-13T09:00:00+08:00, not \"" + v + "\"");
    return *t;
}

}  // namespace

int cmd_followups(const std::vector<std::string>& args) {
    Opts o;
    if (!parse_opts(args, {"--rep", "--now", "--until", "--reason", "--thread", "--customer", "--at", "--note"}, o, "followups") ||
        o.has("--help")) {
        std::fputs(kFollowupsUsage, o.has("--help") ? stdout : stderr);
        return o.has("--help") ? 0 : 2;
    }
    LinkedArchive a(o.get("--data"));
    int64_t now = o.get("--now").empty() ? int64_t(std::time(nullptr)) : iso_arg(o.get("--now"), "--now");
    if (!o.rest.empty()) {
        const std::string& action = o.rest[0];
        if (action == "remind") {
            int64_t id = a.crm.remind(o.get("--thread").empty() ? 0 : id_arg(o.get("--thread"), "--thread"),
                                      o.get("--customer").empty() ? 0 : id_arg(o.get("--customer"), "--customer"), o.get("--rep"),
                                      iso_arg(o.get("--at"), "--at"), o.get("--note"), cli_user(), now);
            std::printf("follow-up %lld: a reminder\n", (long long)id);
            return 0;
        }
        if (o.rest.size() != 2) {
            std::fputs(kFollowupsUsage, stderr);
            return 2;
        }
        int64_t id = id_arg(o.rest[1], "follow-up");
        a.crm.set_followup(id, action, cli_user(), now, o.get("--until").empty() ? 0 : iso_arg(o.get("--until"), "--until"),
                           o.get("--reason"));
        std::printf("follow-up %lld: %s\n", (long long)id, action.c_str());
        return 0;
    }
    if (o.get("--rep").empty() && !o.has("--all")) {
        std::fputs("tradewind followups: give --rep ADDR (one rep's) or --all (every rep's)\n", stderr);
        return 2;
    }
    for (const auto& f : a.crm.followups(now, o.has("--all") ? "" : o.get("--rep"), o.has("--closed"))) {
        if (o.has("--json")) {
            std::printf("%s\n", nlohmann::json{{"id", f.id}, {"kind", f.kind}, {"thread", f.thread}, {"customer", f.customer},
                                               {"rep", f.rep}, {"since", format_iso_utc(f.since)}, {"due", format_iso_utc(f.due)},
                                               {"business_hours", double(f.business_seconds) / 3600}, {"overdue", f.overdue},
                                               {"message_id", f.message_id}, {"documents", f.documents}, {"state", f.state},
                                               {"note", f.note}, {"reason", f.reason}}.dump().c_str());
            continue;
        }
        calendar::Calendar c = a.crm.calendar_of(f.rep);
        std::printf("%lld  %-15s %s%s  due %s  %s  %s%s\n", (long long)f.id, f.kind.c_str(), f.overdue ? "OVERDUE " : "",
                    f.state.c_str(), calendar::local_label(c, f.due).c_str(), f.rep.empty() ? "(no owner)" : f.rep.c_str(),
                    f.subject.c_str(), f.customer_name.empty() ? "" : ("  [" + f.customer_name + "]").c_str());
    }
    return 0;
}

}  // namespace tw
