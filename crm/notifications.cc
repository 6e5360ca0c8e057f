// Notifications by mail: the daily digest of each rep's due and overdue
// follow-ups, and escalations to their managers, planned into an outbox
// (crm.h). Each item is announced once: the outbox row and the `announced`
// rows are one transaction, and a row's key (digest:REP:DAY) is unique.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "crm/crm.h"
#include "mail/date.h"
#include "mail/error.h"
#include "mail/strutil.h"

namespace tw {
namespace {

constexpr int kMaxAttempts = 10;

nlohmann::json item(const Crm::Followup& f) {
    return {{"id", f.id}, {"kind", f.kind}, {"thread", f.thread}, {"customer", f.customer}, {"customer_name", f.customer_name},
            {"subject", f.subject}, {"rep", f.rep}, {"since", f.since}, {"due", f.due}, {"overdue", f.overdue},
            {"documents", f.documents}, {"note", f.note}};
}

int digest_minute(const std::string& setting) {
    if (setting.size() == 5 && setting[2] == ':') {
        auto h = parse_int(setting.substr(0, 2)), m = parse_int(setting.substr(3, 2));
        if (h && m && *h >= 0 && *h < 24 && *m >= 0 && *m < 60) return int(*h * 60 + *m);
    }
    return 8 * 60 + 30;
}

}  // namespace

size_t Crm::plan_notifications(int64_t now) {
    std::vector<std::string> reps;
    {
        SQLite::Statement q(db_, "SELECT DISTINCT um.address FROM users u JOIN user_mailboxes um ON um.user = u.name AND um.pos = 0"
                                 " WHERE u.role = 'rep' AND u.disabled = 0 ORDER BY um.address");
        while (q.executeStep()) reps.push_back(q.getColumn(0).getString());
    }
    int minute = digest_minute(setting("digest_at"));
    auto all = followups(now);
    std::map<std::string, std::vector<const Followup*>> by_rep;
    for (const auto& f : all) by_rep[f.rep].push_back(&f);
    SQLite::Statement announced(db_, "SELECT 1 FROM announced WHERE followup = ? AND kind = ?");
    auto was_announced = [&](int64_t id, const std::string& kind) {
        announced.bind(1, id);
        announced.bind(2, kind);
        bool yes = announced.executeStep();
        announced.reset();
        return yes;
    };
    struct Plan {
        std::string key, kind, recipient, announce_as;
        nlohmann::json items = nlohmann::json::array();
        std::vector<int64_t> ids;
    };
    std::vector<Plan> plans;
    for (const auto& rep : reps) {
        calendar::Calendar c = calendar_of(rep);
        int day = calendar::day_of(c, now);
        if (!calendar::open_on(c, day) || now < calendar::local_instant(c, day, minute)) continue;
        Plan p;
        p.key = "digest:" + rep + ":" + calendar::format_days({day, day});
        p.kind = "digest", p.recipient = rep, p.announce_as = "digest";
        int64_t end_of_day = calendar::local_instant(c, day + 1, 0);
        for (const auto* f : by_rep[rep])
            if (f->due < end_of_day && !was_announced(f->id, "digest")) p.items.push_back(item(*f)), p.ids.push_back(f->id);
        if (!p.ids.empty()) plans.push_back(std::move(p));
    }
    // Escalations: to each manager of the rep's team, the items that crossed the line since the last pass.
    SQLite::Statement managers(db_,
        "SELECT DISTINCT mm.address FROM user_mailboxes ru JOIN users u ON u.name = ru.user JOIN team_managers tm ON tm.team = u.team"
        " JOIN users m ON m.name = tm.user AND m.disabled = 0 JOIN user_mailboxes mm ON mm.user = m.name AND mm.pos = 0"
        " WHERE ru.address = ? AND ru.pos = 0 ORDER BY mm.address");
    std::map<std::string, Plan> escalations;
    for (const auto& f : all) {
        if (!f.escalated) continue;
        managers.bind(1, f.rep);
        while (managers.executeStep()) {
            std::string m = managers.getColumn(0).getString();
            if (was_announced(f.id, "escalation:" + m)) continue;
            Plan& p = escalations[m];
            p.kind = "escalation", p.recipient = m, p.announce_as = "escalation:" + m;
            p.items.push_back(item(f));
            p.ids.push_back(f.id);
        }
        managers.reset();
    }
    for (auto& [m, p] : escalations) {
        std::string ids;
        for (int64_t id : p.ids) ids += (ids.empty() ? "" : ",") + std::to_string(id);
        p.key = "escalation:" + m + ":" + ids;
        plans.push_back(std::move(p));
    }
    if (plans.empty()) return 0;
    SQLite::Transaction t(db_);
    size_t added = 0;
    for (const auto& p : plans) {
        SQLite::Statement ins(db_, "INSERT OR IGNORE INTO notifications(key, kind, recipient, items, created) VALUES (?, ?, ?, ?, ?)");
        ins.bind(1, p.key);
        ins.bind(2, p.kind);
        ins.bind(3, p.recipient);
        ins.bind(4, p.items.dump());
        ins.bind(5, now);
        if (ins.exec() == 0) continue;
        int64_t id = db_.getLastInsertRowid();
        ++added;
        for (int64_t f : p.ids) {
            SQLite::Statement a(db_, "INSERT OR IGNORE INTO announced(followup, kind, notification) VALUES (?, ?, ?)");
            a.bind(1, f);
            a.bind(2, p.announce_as);
            a.bind(3, id);
            a.exec();
        }
    }
    t.commit();
    return added;
}

int64_t Crm::queue_test_mail(const std::string& to, int64_t now) {
    SQLite::Statement ins(db_, "INSERT INTO notifications(key, kind, recipient, items, created) VALUES (?, 'test', ?, '[]', ?)");
    ins.bind(1, "test:" + to + ":" + std::to_string(now) + ":" + std::to_string(db_.execAndGet("SELECT COALESCE(MAX(id), 0) + 1 FROM notifications").getInt64()));
    ins.bind(2, to);
    ins.bind(3, now);
    ins.exec();
    return db_.getLastInsertRowid();
}

std::vector<Crm::Notification> Crm::notifications(bool due, int64_t now, size_t limit) {
    SQLite::Statement q(db_, due ? "SELECT id, key, kind, recipient, items, state, attempts, next_try, last_error, created, sent"
                                   " FROM notifications WHERE state IN ('pending', 'retrying') AND next_try <= ? ORDER BY id LIMIT ?"
                                 : "SELECT id, key, kind, recipient, items, state, attempts, next_try, last_error, created, sent"
                                   " FROM notifications WHERE ? >= 0 ORDER BY id DESC LIMIT ?");
    q.bind(1, now);
    q.bind(2, int64_t(limit));
    std::vector<Notification> out;
    while (q.executeStep()) {
        Notification n;
        n.id = q.getColumn(0).getInt64();
        n.key = q.getColumn(1).getString();
        n.kind = q.getColumn(2).getString();
        n.recipient = q.getColumn(3).getString();
        n.items = q.getColumn(4).getString();
        n.state = q.getColumn(5).getString();
        n.attempts = q.getColumn(6).getInt64();
        n.next_try = q.getColumn(7).getInt64();
        n.last_error = q.getColumn(8).getString();
        n.created = q.getColumn(9).getInt64();
        n.sent = q.getColumn(10).getInt64();
        out.push_back(std::move(n));
    }
    return out;
}

void Crm::note_notification(int64_t id, const std::string& what, int64_t now, const std::string& error) {
    if (what == "sending" || what == "sent") {
        SQLite::Statement q(db_, "UPDATE notifications SET state = ?, sent = ?, last_error = '' WHERE id = ?");
        q.bind(1, what);
        q.bind(2, now);
        q.bind(3, id);
        q.exec();
        return;
    }
    if (what != "failed") throw InvalidError("a notification is sending, sent or failed, not " + what);
    SQLite::Statement q(db_,
        "UPDATE notifications SET attempts = attempts + 1, last_error = ?2,"
        " state = CASE WHEN attempts + 1 >= ?4 THEN 'given_up' ELSE 'retrying' END,"
        " next_try = ?3 + MIN(3600, 60 * (1 << MIN(attempts, 6))) WHERE id = ?1");
    q.bind(1, id);
    q.bind(2, error);
    q.bind(3, now);
    q.bind(4, kMaxAttempts);
    q.exec();
}

}  // namespace tw
