// tradewind report NAME: the reports of crm/reports.cc on the command line (JSON, CSV, a table).
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
    "usage: tradewind report responses [--data DIR] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--rep ADDRESS] [--team T]\n"
    "                                  [--now YYYY-MM-DD] [--json [--detail] | --csv]\n"
    "  responses: per rep, the customer messages received, replied and not replied, and the first response\n"
    "  (the firm's first customer-facing reply in the conversation after the customer's message) in business\n"
    "  minutes of the rep's calendar and in wall minutes: median, p90, mean, and the share answered within\n"
    "  the reply_sla_hours setting. Auto-replies and internal mail do not count. --from/--to: the customer\n"
    "  messages' days (UTC, --to inclusive); --detail: each message and its reply too.\n"
    "       tradewind report funnel [filters] [--json | --csv]\n"
    "  funnel: the deals (conversations with a customer) that reached each stage (inquiry, quotation sent, PI\n"
    "  sent, PO received, shipped: B/L or packing list sent, invoiced), the conversion from the stage before,\n"
    "  the value (each deal's latest quotation, or PI from the PI stage on, in USD through fx_rates) and the\n"
    "  median days from the stage before. --from/--to: the deals' first day.\n";

// YYYY-MM-DD as the UTC midnight starting it; `next`: the one after it (an inclusive end).
int64_t day_arg(const Opts& o, const char* name, bool next) {
    std::string v = o.get(name);
    if (v.empty()) return 0;
    auto t = parse_date(v + " 00:00:00 +0000");
    if (!t || v.size() != 10) throw InvalidError(std::string(name) + " wants a day as YYYY-MM-DD, not \"" + v + "\"");
    return *t + (next ? 86400 : 0);
}

std::string iso(int64_t t) { return t ? format_iso_utc(t) : ""; }

nlohmann::json figures_json(const Crm::ResponseFigures& f) {
    auto r1 = [](double v) { return double(int64_t(v * 10 + (v >= 0 ? 0.5 : -0.5))) / 10; };
    return {{"rep", f.rep}, {"received", f.received}, {"replied", f.replied}, {"unreplied", f.unreplied},
            {"median_business_minutes", r1(f.median_business_minutes)}, {"p90_business_minutes", r1(f.p90_business_minutes)},
            {"mean_business_minutes", r1(f.mean_business_minutes)}, {"median_wall_minutes", r1(f.median_wall_minutes)},
            {"p90_wall_minutes", r1(f.p90_wall_minutes)}, {"mean_wall_minutes", r1(f.mean_wall_minutes)},
            {"within_sla", double(int64_t(f.within_sla_share * 10000 + 0.5)) / 10000}, {"within_sla_count", f.within_sla}};
}

}  // namespace

int cmd_report(const std::vector<std::string>& args) {
    Opts o;
    if (!parse_opts(args, {"--from", "--to", "--rep", "--team", "--now"}, o, "report")) return 2;
    if (o.has("--help") || o.has("-h") || o.rest.empty()) {
        std::fputs(kUsage, o.rest.empty() && !o.has("--help") && !o.has("-h") ? stderr : stdout);
        return o.rest.empty() && !o.has("--help") && !o.has("-h") ? 2 : 0;
    }
    if ((o.rest[0] != "responses" && o.rest[0] != "funnel") || o.rest.size() != 1)
        throw InvalidError("there is no report \"" + join(o.rest, " ") + "\" yet: responses, funnel (volume, customers and approvals come next)");
    LinkedArchive a(o.get("--data"));
    Crm::ReportFilter f;
    f.from = day_arg(o, "--from", false);
    f.to = day_arg(o, "--to", true);
    f.now = o.get("--now").empty() ? 0 : day_arg(o, "--now", false);
    f.rep = o.get("--rep");
    f.team = o.get("--team");
    if (o.rest[0] == "funnel") {
        auto fu = a.crm.report_funnel(f);
        auto r2 = [](double v) { return double(int64_t(v * 100 + 0.5)) / 100; };
        if (o.has("--json")) {
            nlohmann::json st = nlohmann::json::array();
            for (const auto& s : fu.stages)
                st.push_back({{"stage", s.stage}, {"deals", s.deals}, {"conversion", double(int64_t(s.conversion * 10000 + 0.5)) / 10000},
                              {"value", r2(s.value)}, {"currency", s.currency}, {"median_days", r2(s.median_days)}});
            std::cout << nlohmann::json{{"stages", st}, {"unconverted", fu.unconverted}}.dump() << '\n';
        } else if (o.has("--csv")) {
            std::cout << "\xEF\xBB\xBF" << "stage,deals,conversion,value,currency,median_days\r\n";
            for (const auto& s : fu.stages)
                std::cout << s.stage << ',' << s.deals << ',' << s.conversion << ',' << r2(s.value) << ',' << s.currency << ','
                          << r2(s.median_days) << "\r\n";
        } else {
            std::printf("%-10s %7s %10s %18s %12s\n", "stage", "deals", "conversion", "value", "median days");
            for (const auto& s : fu.stages)
                std::printf("%-10s %7zu %9.1f%% %14.2f %s %12.1f\n", s.stage.c_str(), s.deals, 100 * s.conversion, s.value,
                            s.currency.c_str(), s.median_days);
            if (fu.unconverted) std::printf("%zu amounts left out: no rate in fx_rates\n", fu.unconverted);
        }
        return 0;
    }
    auto r = a.crm.report_responses(f);
    if (o.has("--json")) {
        nlohmann::json reps = nlohmann::json::array();
        for (const auto& x : r.reps) reps.push_back(figures_json(x));
        nlohmann::json j = {{"reps", reps}, {"total", figures_json(r.total)}, {"reply_sla_hours", r.sla_seconds / 3600}};
        if (o.has("--detail")) {
            nlohmann::json ms = nlohmann::json::array();
            for (const auto& m : r.messages)
                ms.push_back({{"message", m.message}, {"thread", m.thread}, {"rep", m.rep}, {"customer", m.customer},
                              {"received", iso(m.at)}, {"reply", m.reply}, {"replied", iso(m.replied_at)},
                              {"business_minutes", m.business_minutes}, {"wall_minutes", m.wall_minutes}});
            j["messages"] = ms;
        }
        std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        return 0;
    }
    if (o.has("--csv")) {
        std::cout << "\xEF\xBB\xBF" << "rep,received,replied,unreplied,median_business_minutes,p90_business_minutes,"
                  << "mean_business_minutes,median_wall_minutes,p90_wall_minutes,mean_wall_minutes,within_sla\r\n";
        auto row = [](const Crm::ResponseFigures& x, const std::string& name) {
            std::printf("%s,%zu,%zu,%zu,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.4f\r\n", name.c_str(), x.received, x.replied, x.unreplied,
                        x.median_business_minutes, x.p90_business_minutes, x.mean_business_minutes, x.median_wall_minutes,
                        x.p90_wall_minutes, x.mean_wall_minutes, x.within_sla_share);
        };
        std::cout.flush();
        for (const auto& x : r.reps) row(x, x.rep);
        row(r.total, "(all)");
        return 0;
    }
    std::printf("%-36s %8s %8s %9s %14s %14s %12s %7s\n", "rep", "received", "replied", "unreplied", "median (bus.)",
                "p90 (bus.)", "median wall", "in SLA");
    auto line = [](const Crm::ResponseFigures& x, const std::string& name) {
        std::printf("%-36s %8zu %8zu %9zu %12.0f m %12.0f m %10.0f m %6.1f%%\n", name.c_str(), x.received, x.replied,
                    x.unreplied, x.median_business_minutes, x.p90_business_minutes, x.median_wall_minutes, 100 * x.within_sla_share);
    };
    for (const auto& x : r.reps) line(x, x.rep.empty() ? "(no owner)" : x.rep);
    line(r.total, "(all)");
    std::printf("within SLA: answered within %lld business hours (reply_sla_hours)\n", (long long)(r.sla_seconds / 3600));
    return 0;
}

}  // namespace tw
