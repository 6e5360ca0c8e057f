// Reports over the archive (issue 15): each is one function, and the CLI, the pages and the exports print
// what it returns. The rules (which reply answers which message, the percentiles) are crm/rules.h's.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "crm/crm.h"
#include "crm/rules.h"
#include "mail/error.h"
#include "mail/strutil.h"

namespace tw {

struct Crm::ConversationMessage {
    rules::FlowMessage flow;
    int64_t customer = 0;
    std::string owner;  // the customer's
};

namespace {

Crm::ResponseFigures figures(const std::string& rep, const std::vector<const Crm::ResponseItem*>& items, int64_t sla) {
    Crm::ResponseFigures f;
    f.rep = rep;
    std::vector<double> business, wall;
    for (const auto* x : items) {
        ++f.received;
        if (!x->reply) continue;
        ++f.replied;
        business.push_back(x->business_minutes);
        wall.push_back(x->wall_minutes);
        if (x->business_minutes * 60 <= double(sla)) ++f.within_sla;
    }
    f.unreplied = f.received - f.replied;
    f.median_business_minutes = rules::median_of(business);
    f.p90_business_minutes = rules::percentile_of(business, 0.9);
    f.median_wall_minutes = rules::median_of(wall);
    f.p90_wall_minutes = rules::percentile_of(wall, 0.9);
    double sb = 0, sw = 0;
    for (double v : business) sb += v;
    for (double v : wall) sw += v;
    f.mean_business_minutes = business.empty() ? 0 : sb / double(business.size());
    f.mean_wall_minutes = wall.empty() ? 0 : sw / double(wall.size());
    f.within_sla_share = f.received ? double(f.within_sla) / double(f.received) : 0;
    return f;
}

}  // namespace

std::set<std::string> Crm::reps_asked(const ReportFilter& f) {
    std::set<std::string> reps;
    if (!f.rep.empty()) reps.insert(to_lower(f.rep));
    if (f.team.empty()) return reps;
    SQLite::Statement t(db_, "SELECT 1 FROM teams WHERE name = ?");
    t.bind(1, f.team);
    if (!t.executeStep()) throw InvalidError("no team " + f.team + " (`tradewind team list`)");
    SQLite::Statement q(db_, "SELECT lower(m.address) FROM users u JOIN user_mailboxes m ON m.user = u.name AND m.pos = 0 WHERE u.team = ?");
    q.bind(1, f.team);
    std::set<std::string> team;
    while (q.executeStep()) team.insert(q.getColumn(0).getString());
    if (reps.empty()) reps = team;
    else if (!team.count(*reps.begin())) reps.clear();  // a rep outside the team: nobody
    if (reps.empty()) reps.insert("\x01");                // (no address: nothing matches)
    return reps;
}

std::map<int64_t, std::vector<Crm::ConversationMessage>> Crm::customer_conversations(int64_t now) {
    // The conversations with customers: each message's direction, and the customer's owner.
    std::map<int64_t, std::vector<ConversationMessage>> threads;
    std::map<int64_t, bool> outside;  // message -> a party outside the firm (besides its sender)
    SQLite::Statement p(db_, "SELECT p.message, lower(p.address), lower(m.from_addr) FROM parties p JOIN messages m ON m.id = p.message");
    while (p.executeStep()) {
        std::string a = p.getColumn(1).getString();
        bool out = a != p.getColumn(2).getString() && a.find('@') != std::string::npos && !internal(address_domain(a));
        auto& o = outside[p.getColumn(0).getInt64()];
        o = o || out;
    }
    SQLite::Statement q(db_, "SELECT m.id, m.thread, m.date, lower(m.from_addr), EXISTS (SELECT 1 FROM automated_mail a WHERE"
                             " a.message = m.id), COALESCE(mc.customer, 0), COALESCE(c.owner, '') FROM messages m"
                             " JOIN message_customers mc ON mc.message = m.id LEFT JOIN customers c ON c.id = mc.customer"
                             " WHERE m.date <= ? GROUP BY m.id ORDER BY m.date, m.id");
    q.bind(1, now);
    while (q.executeStep()) {
        ConversationMessage x;
        x.flow.row = q.getColumn(0).getInt64();
        x.flow.date = q.getColumn(2).getInt64();
        std::string from = q.getColumn(3).getString();
        x.flow.automated = q.getColumn(4).getInt() != 0;
        x.flow.dir = rules::direction_of(from, internal(address_domain(from)), outside[x.flow.row]);
        x.customer = q.getColumn(5).getInt64();
        x.owner = to_lower(q.getColumn(6).getString());
        threads[q.getColumn(1).getInt64()].push_back(std::move(x));
    }
    return threads;
}

Crm::ResponsesReport Crm::report_responses(const ReportFilter& f) {
    const int64_t now = f.now ? f.now : clock_();
    std::set<std::string> reps = reps_asked(f);  // "": any
    std::set<std::string> visible;
    if (f.mailboxes)
        for (const auto& m : *f.mailboxes) visible.insert(to_lower(m));
    auto threads = customer_conversations(now);
    ResponsesReport out;
    out.sla_seconds = [&] {
        auto v = parse_int(setting("reply_sla_hours"));
        return (v && *v > 0 ? *v : 8) * 3600;
    }();
    for (const auto& [thread, msgs] : threads) {
        std::vector<rules::FlowMessage> flow;
        std::map<int64_t, const ConversationMessage*> by_row;
        for (const auto& m : msgs) flow.push_back(m.flow), by_row[m.flow.row] = &m;
        for (auto r : rules::first_responses(flow)) {
            const ConversationMessage& m = *by_row[r.message];
            if ((f.from && r.at < f.from) || (f.to && r.at >= f.to)) continue;
            if (!reps.empty() && !reps.count(m.owner)) continue;
            if (f.mailboxes && !visible.count(m.owner)) continue;
            ResponseItem x;
            x.message = r.message, x.thread = thread, x.at = r.at, x.customer = m.customer, x.rep = m.owner;
            if (!r.reply)  // answered in a conversation the threading split off (as the follow-ups see it)
                if (auto other = firm_reply_elsewhere(r.message, thread)) r.reply = other->first, r.replied_at = other->second;
            if (r.reply && r.replied_at <= now) {
                x.reply = r.reply, x.replied_at = r.replied_at;
                x.wall_minutes = double(r.replied_at - r.at) / 60.0;
                x.business_minutes = double(calendar::between(calendar_of(m.owner), r.at, r.replied_at)) / 60.0;
            }
            out.messages.push_back(x);
        }
    }
    std::sort(out.messages.begin(), out.messages.end(),
              [](const ResponseItem& x, const ResponseItem& y) { return std::tie(x.at, x.message) < std::tie(y.at, y.message); });
    std::map<std::string, std::vector<const ResponseItem*>> by_rep;
    std::vector<const ResponseItem*> all;
    for (const auto& x : out.messages) by_rep[x.rep].push_back(&x), all.push_back(&x);
    for (const auto& [rep, items] : by_rep) out.reps.push_back(figures(rep, items, out.sla_seconds));
    out.total = figures("", all, out.sla_seconds);
    return out;
}

Crm::FunnelReport Crm::report_funnel(const ReportFilter& f) {
    const int64_t now = f.now ? f.now : clock_();
    static const char* kStages[] = {"inquiry", "quotation", "pi", "po", "shipping", "invoice"};
    constexpr size_t kN = 6;
    auto threads = customer_conversations(now);
    std::map<int64_t, const ConversationMessage*> by_row;
    for (const auto& [t, msgs] : threads)
        for (const auto& m : msgs) by_row[m.flow.row] = &m;
    std::set<std::string> visible;
    if (f.mailboxes)
        for (const auto& m : *f.mailboxes) visible.insert(to_lower(m));
    std::set<std::string> reps = reps_asked(f);
    const auto rates = fx_rates();
    struct Deal {
        int64_t started = 0;
        std::string rep;
        int64_t at[kN] = {0, 0, 0, 0, 0, 0};  // the first evidence of each stage
        int64_t qt_at = 0, pi_at = 0;
        std::string qt_amount, qt_currency, pi_amount, pi_currency;  // the latest sent
    };
    std::map<int64_t, Deal> deals;
    for (const auto& [thread, msgs] : threads) {
        for (const auto& m : msgs) {
            if (m.flow.automated || m.flow.dir == rules::FlowMessage::Dir::Internal) continue;
            Deal& d = deals[thread];
            if (!d.started) d.started = m.flow.date, d.rep = m.owner, d.at[0] = m.flow.date;
        }
    }
    {
        SQLite::Statement q(db_, "SELECT DISTINCT md.message, m.thread, d.type, d.amount, d.currency FROM message_documents md"
                                 " JOIN messages m ON m.id = md.message JOIN documents d ON d.number = md.number");
        while (q.executeStep()) {
            auto it = deals.find(q.getColumn(1).getInt64());
            auto mit = by_row.find(q.getColumn(0).getInt64());
            if (it == deals.end() || mit == by_row.end() || mit->second->flow.automated) continue;
            const auto& m = *mit->second;
            bool out = m.flow.dir == rules::FlowMessage::Dir::Out, in = m.flow.dir == rules::FlowMessage::Dir::In;
            std::string type = q.getColumn(2).getString();
            int stage = type == "quotation" && out ? 1 : type == "proforma_invoice" && out ? 2 : type == "purchase_order" && in ? 3
                      : (type == "bill_of_lading" || type == "packing_list") && out ? 4 : type == "commercial_invoice" && out ? 5 : -1;
            if (stage < 0) continue;
            Deal& d = it->second;
            int64_t at = m.flow.date;
            if (!d.at[stage] || at < d.at[stage]) d.at[stage] = at;
            if (stage == 1 && at >= d.qt_at) d.qt_at = at, d.qt_amount = q.getColumn(3).getString(), d.qt_currency = q.getColumn(4).getString();
            if (stage == 2 && at >= d.pi_at) d.pi_at = at, d.pi_amount = q.getColumn(3).getString(), d.pi_currency = q.getColumn(4).getString();
        }
    }
    FunnelReport out;
    for (size_t k = 0; k < kN; ++k) out.stages.push_back({kStages[k], 0, 0, 0, "USD", 0, {}});
    std::vector<std::vector<double>> gaps(kN);
    for (auto& [thread, d] : deals) {
        if ((f.from && d.started < f.from) || (f.to && d.started >= f.to)) continue;
        if (!reps.empty() && !reps.count(d.rep)) continue;
        if (f.mailboxes && !visible.count(d.rep)) continue;
        // A stage is reached by its own evidence or a later stage's (the funnel narrows); its date, the earliest.
        int64_t reached[kN] = {0, 0, 0, 0, 0, 0};
        int64_t later = 0;
        for (size_t k = kN; k-- > 0;) {
            if (d.at[k]) later = later ? std::min(later, d.at[k]) : d.at[k];
            reached[k] = d.at[k] ? d.at[k] : later;
        }
        for (size_t k = 0; k < kN; ++k) {
            if (!reached[k]) continue;
            auto& st = out.stages[k];
            ++st.deals;
            st.threads.push_back(thread);
            if (k > 0 && reached[k - 1]) gaps[k].push_back(double(std::max<int64_t>(0, reached[k] - reached[k - 1])) / 86400.0);
            const std::string& amount = k == 1 ? d.qt_amount : k >= 2 ? d.pi_amount : std::string();
            const std::string& currency = k == 1 ? d.qt_currency : d.pi_currency;
            if (k == 0 || amount.empty()) continue;
            auto v = rules::convert(std::atof(amount.c_str()), currency.empty() ? "USD" : currency, "USD", rates);
            if (v) st.value += *v;
            else ++out.unconverted;
        }
    }
    for (size_t k = 0; k < kN; ++k) {
        auto& st = out.stages[k];
        st.conversion = k == 0 ? 1.0 : out.stages[k - 1].deals ? double(st.deals) / double(out.stages[k - 1].deals) : 0;
        st.median_days = rules::median_of(gaps[k]);
    }
    return out;
}

}  // namespace tw
