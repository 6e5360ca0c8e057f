// Follow-ups: what each conversation waits for (rules::awaiting), with its
// deadline in the owner's business calendar, kept as mail is stored. A
// follow-up is keyed by the message that opened it, so users' decisions on it
// (snoozed, done, dismissed) hold however often it is computed again, and a
// later message ends it.
#include <SQLiteCpp/SQLiteCpp.h>

#include <nlohmann/json.hpp>
#include <tuple>

#include "crm/crm.h"
#include "crm/rules.h"
#include "mail/error.h"
#include "mail/strutil.h"

namespace tw {

void check_silent_days_after(const std::string& value) {
    auto j = nlohmann::json::parse(value, nullptr, false);
    if (!j.is_object()) throw InvalidError("silent_days_after is JSON by document type: {\"quotation\": 5, \"proforma_invoice\": 7}");
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!it.value().is_number_integer() || it.value().get<int>() <= 0 || it.value().get<int>() > 1000)
            throw InvalidError("silent_days_after: " + it.key() + " wants a positive number of business days");
}

namespace {

Crm::Followup read_followup(SQLite::Statement& q) {
    Crm::Followup f;
    f.id = q.getColumn(0).getInt64();
    f.kind = q.getColumn(1).getString();
    f.message = q.getColumn(2).isNull() ? 0 : q.getColumn(2).getInt64();
    f.thread = q.getColumn(3).getInt64();
    f.customer = q.getColumn(4).getInt64();
    f.rep = q.getColumn(5).getString();
    f.since = q.getColumn(6).getInt64();
    f.due = q.getColumn(7).getInt64();
    f.business_seconds = q.getColumn(8).getInt64();
    f.state = q.getColumn(9).getString();
    f.until = q.getColumn(10).getInt64();
    f.by_user = q.getColumn(11).getString();
    f.at = q.getColumn(12).getInt64();
    f.reason = q.getColumn(13).getString();
    f.note = q.getColumn(14).getString();
    f.message_id = q.getColumn(15).getString();
    f.customer_name = q.getColumn(16).getString();
    f.subject = q.getColumn(17).getString();
    return f;
}

constexpr const char* kSelect =
    "SELECT f.id, f.kind, f.message, f.thread, f.customer, f.rep, f.since, f.due, f.business_seconds, f.state, f.until,"
    " f.by_user, f.at, f.reason, f.note, COALESCE(m.message_id, ''), COALESCE(c.name, ''),"
    " COALESCE((SELECT t.subject FROM messages t WHERE t.thread = f.thread ORDER BY t.date DESC, t.id DESC LIMIT 1), '')"
    " FROM followups f LEFT JOIN messages m ON m.id = f.message LEFT JOIN customers c ON c.id = f.customer";

}  // namespace

void Crm::refresh_followups(int64_t thread) {
    if (!followup_settings_.loaded) {
        auto num = [&](const char* key, int64_t def) {
            auto v = parse_int(setting(key));
            return v && *v > 0 ? *v : def;
        };
        followup_settings_.reply_sla = num("reply_sla_hours", 8) * 3600;
        followup_settings_.silent_days = int(num("silent_days", 3));
        followup_settings_.silent_after.clear();
        auto j = nlohmann::json::parse(setting("silent_days_after"), nullptr, false);
        if (j.is_object())
            for (auto it = j.begin(); it != j.end(); ++it)
                if (it.value().is_number_integer()) followup_settings_.silent_after[it.key()] = it.value().get<int>();
        followup_settings_.loaded = true;
    }
    // The conversation's mail: who wrote it to whom, and whether a person did.
    std::vector<rules::FlowMessage> flow;
    {
        SQLite::Statement& q = sql(
            "SELECT m.id, m.date, m.from_addr, (SELECT group_concat(p.address, ' ') FROM parties p WHERE p.message = m.id),"
            " EXISTS (SELECT 1 FROM automated_mail a WHERE a.message = m.id) FROM messages m WHERE m.thread = ?");
        q.bind(1, thread);
        while (q.executeStep()) {
            rules::FlowMessage f;
            f.row = q.getColumn(0).getInt64();
            f.date = q.getColumn(1).getInt64();
            std::string from = to_lower(q.getColumn(2).getString());
            f.automated = q.getColumn(4).getInt() != 0;
            bool external_party = false;
            std::string parties = q.getColumn(3).isNull() ? "" : q.getColumn(3).getString();
            for (size_t pos = 0; pos < parties.size();) {
                size_t end = parties.find(' ', pos);
                if (end == std::string::npos) end = parties.size();
                std::string a = parties.substr(pos, end - pos);
                if (a != from && a.find('@') != std::string::npos && !internal(address_domain(a))) external_party = true;
                pos = end + 1;
            }
            f.dir = rules::direction_of(from, internal(address_domain(from)), external_party);
            flow.push_back(f);
        }
        q.reset();
    }
    // Finished: the firm sent the invoice, or a user closed one of its documents.
    bool finished = false;
    std::string last_type;  // the newest document type the firm sent in it (its own silent period)
    {
        SQLite::Statement& q = sql(
            "SELECT d.type, d.status, m.from_addr FROM message_documents md JOIN messages m ON m.id = md.message"
            " JOIN documents d ON d.number = md.number WHERE m.thread = ? ORDER BY m.date, m.id");
        q.bind(1, thread);
        while (q.executeStep()) {
            std::string type = q.getColumn(0).getString(), status = q.getColumn(1).getString();
            bool ours = internal(address_domain(to_lower(q.getColumn(2).getString())));
            if (status == "closed" || (ours && type == "commercial_invoice")) finished = true;
            if (ours) last_type = type;
        }
        q.reset();
    }
    rules::Awaiting now = rules::awaiting(flow, finished);
    // A reply the threading put elsewhere still answers: the firm wrote later to the same sender on the same
    // subject (a client that dropped the references, mail without a Message-ID).
    // And the other way round: the customer wrote again, in a reply that landed in a conversation of its own.
    if (now.kind == "reply_due" && answered_elsewhere(now.message, thread, true)) now = {};
    if (now.kind == "customer_silent" && answered_elsewhere(now.message, thread, false)) now = {};
    end_answered_elsewhere(flow, thread);
    int64_t ender = 0, ender_date = 0;  // the newest customer-facing message: what ended an older follow-up
    for (const auto& f : flow)
        if (f.dir != rules::FlowMessage::Dir::Internal && !f.automated && (!ender || std::tie(f.date, f.row) > std::tie(ender_date, ender)))
            ender = f.row, ender_date = f.date;
    // Items of this conversation (or opened by one of its messages, before two conversations merged).
    {
        SQLite::Statement& q = sql(
            "UPDATE followups SET state = 'ended', ended_by = ?3 WHERE id IN (SELECT id FROM followups WHERE thread = ?1"
            " UNION SELECT f.id FROM messages m JOIN followups f ON f.message = m.id WHERE m.thread = ?1)"
            " AND message IS NOT NULL AND state IN ('open', 'snoozed') AND NOT (kind = ?2 AND message = ?4)");
        q.bind(1, thread);
        q.bind(2, now.kind);
        q.bind(3, ender);
        q.bind(4, now.message);
        q.exec();
        q.reset();
    }
    if (now.kind.empty()) return;
    // Its customer and owner: the deal's first customer, else the mailbox the message is in.
    int64_t customer = 0;
    std::string rep;
    {
        SQLite::Statement& q = sql(
            "SELECT c.id, CASE WHEN c.in_pool THEN '' ELSE c.owner END FROM message_customers mc JOIN messages m ON m.id = mc.message"
            " JOIN customers c ON c.id = mc.customer WHERE m.thread = ? ORDER BY mc.message = ? DESC, c.id LIMIT 1");
        q.bind(1, thread);
        q.bind(2, now.message);
        if (q.executeStep()) {
            customer = q.getColumn(0).getInt64();
            rep = q.getColumn(1).getString();
        }
        q.reset();
    }
    if (rep.empty()) {
        SQLite::Statement& q = sql("SELECT account FROM locations WHERE message = ? ORDER BY rowid LIMIT 1");
        q.bind(1, now.message);
        if (q.executeStep()) rep = to_lower(q.getColumn(0).getString());
        q.reset();
    }
    calendar::Calendar cal = calendar_of(rep);
    int64_t due = 0;
    if (now.kind == "reply_due") {
        due = calendar::add(cal, now.since, followup_settings_.reply_sla);
    } else {
        int days = followup_settings_.silent_days;
        if (auto it = followup_settings_.silent_after.find(last_type); it != followup_settings_.silent_after.end()) days = it->second;
        due = calendar::add_days(cal, now.since, days);
    }
    int64_t business = calendar::between(cal, now.since, due);
    SQLite::Statement& q = sql(
        "INSERT INTO followups(kind, message, thread, customer, rep, since, due, business_seconds) VALUES (?,?,?,?,?,?,?,?)"
        " ON CONFLICT(kind, message) DO UPDATE SET thread = excluded.thread, customer = excluded.customer, rep = excluded.rep,"
        " since = excluded.since, due = excluded.due, business_seconds = excluded.business_seconds,"
        " state = CASE WHEN followups.state = 'ended' THEN 'open' ELSE followups.state END");
    q.bind(1, now.kind);
    q.bind(2, now.message);
    q.bind(3, thread);
    q.bind(4, customer);
    q.bind(5, rep);
    q.bind(6, now.since);
    q.bind(7, due);
    q.bind(8, business);
    q.exec();
    q.reset();
}

// A reply whose parent is not in its conversation (what a split looks like): a reply prefix in its subject,
// and nothing earlier in its conversation. A new inquiry of the same customer on the same product is not one.
#define ORPHAN_REPLY(o)                                                                                        \
    " AND " o ".subject <> " o ".base_subject AND NOT EXISTS (SELECT 1 FROM messages e WHERE e.thread = " o \
    ".thread AND (e.date < " o ".date OR (e.date = " o ".date AND e.id < " o ".id)))"

// A later reply on the subject that the threading put in a conversation of its own: the firm's to the customer
// who wrote `message` (by_firm), or the customer's to the firm's `message`.
std::optional<std::pair<int64_t, int64_t>> Crm::firm_reply_elsewhere(int64_t message, int64_t thread) {
    SQLite::Statement& q =
        sql("SELECT o.from_addr, o.id, o.date FROM messages m JOIN messages o ON o.subject_key = m.subject_key AND o.date > m.date"
            " AND o.thread <> ?2 JOIN parties p ON p.message = o.id AND p.address = m.from_addr"
            " WHERE m.id = ?1 AND m.subject_key <> '' AND o.from_addr <> m.from_addr" ORPHAN_REPLY("o") " ORDER BY o.date, o.id");
    q.bind(1, message);
    q.bind(2, thread);
    std::optional<std::pair<int64_t, int64_t>> out;
    while (!out && q.executeStep())
        if (internal(address_domain(to_lower(q.getColumn(0).getString())))) out = {{q.getColumn(1).getInt64(), q.getColumn(2).getInt64()}};
    q.reset();
    return out;
}

bool Crm::answered_elsewhere(int64_t message, int64_t thread, bool by_firm) {
    if (by_firm) return firm_reply_elsewhere(message, thread).has_value();
    SQLite::Statement& q = sql("SELECT o.from_addr FROM messages m JOIN messages o ON o.subject_key = m.subject_key AND o.date > m.date"
              " AND o.thread <> ?2 JOIN parties p ON p.message = m.id AND p.address = o.from_addr"
              " WHERE m.id = ?1 AND m.subject_key <> '' AND o.from_addr <> m.from_addr"
              " AND NOT EXISTS (SELECT 1 FROM automated_mail a WHERE a.message = o.id)" ORPHAN_REPLY("o"));
    q.bind(1, message);
    q.bind(2, thread);
    bool answered = false;
    while (!answered && q.executeStep()) answered = !internal(address_domain(to_lower(q.getColumn(0).getString())));
    q.reset();
    return answered;
}

void Crm::end_answered_elsewhere(const std::vector<rules::FlowMessage>& flow, int64_t thread) {
    // Only a conversation's first message can be a reply split off from its parent (ORPHAN_REPLY).
    const rules::FlowMessage* first = nullptr;
    for (const auto& f : flow)
        if (!first || std::tie(f.date, f.row) < std::tie(first->date, first->row)) first = &f;
    if (first && first->dir == rules::FlowMessage::Dir::Out) {
        const auto& f = *first;
        // Open replies due in other conversations, opened by a customer this message went to, earlier, on its subject.
        SQLite::Statement& q = sql(
            "UPDATE followups SET state = 'ended', ended_by = ?1 WHERE kind = 'reply_due' AND state IN ('open', 'snoozed')"
            " AND thread <> ?2 AND message IN (SELECT m.id FROM messages o JOIN messages m ON m.subject_key = o.subject_key"
            " AND m.date < o.date JOIN parties p ON p.message = o.id AND p.address = m.from_addr"
            " WHERE o.id = ?1 AND o.subject_key <> ''" ORPHAN_REPLY("o") ")");
        q.bind(1, f.row);
        q.bind(2, thread);
        q.exec();
        q.reset();
    }
    if (first && first->dir == rules::FlowMessage::Dir::In && !first->automated) {
        // Silent customers in other conversations: the firm wrote to this sender earlier, on its subject.
        SQLite::Statement& q = sql(
            "UPDATE followups SET state = 'ended', ended_by = ?1 WHERE kind = 'customer_silent' AND state IN ('open', 'snoozed')"
            " AND thread <> ?2 AND message IN (SELECT m.id FROM messages o JOIN messages m ON m.subject_key = o.subject_key"
            " AND m.date < o.date JOIN parties p ON p.message = m.id AND p.address = o.from_addr"
            " WHERE o.id = ?1 AND o.subject_key <> ''" ORPHAN_REPLY("o") ")");
        q.bind(1, first->row);
        q.bind(2, thread);
        q.exec();
        q.reset();
    }
}

void Crm::refresh_all_followups() {
    bool own = !in_transaction();  // one transaction, not one per conversation
    if (own) begin();
    try {
        refresh_every_conversation();
    } catch (...) {
        if (own) rollback();
        throw;
    }
    if (own) commit();
}

void Crm::refresh_every_conversation() {
    std::vector<int64_t> threads;
    {
        SQLite::Statement q(db_, "SELECT DISTINCT thread FROM messages ORDER BY thread");
        while (q.executeStep()) threads.push_back(q.getColumn(0).getInt64());
    }
    // Items whose conversation is gone (merged away) end with the refresh of the one they joined.
    for (int64_t t : threads) refresh_followups(t);
}

int64_t Crm::escalate_after() {
    auto v = parse_int(setting("escalate_after_hours"));
    return (v && *v > 0 ? *v : 8) * 3600;
}

void Crm::judge(Followup& f, int64_t now) {
    bool live = f.state == "open" || (f.state == "snoozed" && f.until <= now);
    f.overdue = live && f.due < now;
    // Escalated: overdue by more than escalate_after_hours of the rep's own business time.
    f.escalated = f.overdue && f.kind != "manual" && now >= calendar::add(calendar_of(f.rep), f.due, escalate_after());
}

std::vector<Crm::Followup> Crm::followups(int64_t now, const std::string& rep, bool closed, int64_t thread, int64_t customer) {
    std::string who = to_lower(rep);
    SQLite::Statement q(db_, std::string(kSelect) +
                                 " WHERE (?1 = '' OR f.rep = ?1) AND (?2 OR f.state = 'open' OR (f.state = 'snoozed' AND f.until <= ?3))"
                                 " AND (?4 = 0 OR f.thread = ?4) AND (?5 = 0 OR f.customer = ?5)"
                                 " ORDER BY f.due, f.id");
    q.bind(1, who);
    q.bind(2, closed ? 1 : 0);
    q.bind(3, now);
    q.bind(4, thread);
    q.bind(5, customer);
    std::vector<Followup> out;
    while (q.executeStep()) out.push_back(read_followup(q));
    SQLite::Statement d(db_, "SELECT DISTINCT md.number FROM message_documents md JOIN messages m ON m.id = md.message"
                             " WHERE m.thread = ? ORDER BY md.number");
    for (auto& f : out) {
        judge(f, now);
        d.bind(1, f.thread);
        while (d.executeStep()) f.documents.push_back(d.getColumn(0).getString());
        d.reset();
    }
    return out;
}

std::optional<Crm::Followup> Crm::followup(int64_t id, int64_t now) {
    SQLite::Statement q(db_, std::string(kSelect) + " WHERE f.id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    Followup f = read_followup(q);
    judge(f, now);
    return f;
}

void Crm::set_followup(int64_t id, const std::string& action, const std::string& by, int64_t now, int64_t until,
                       const std::string& reason) {
    auto f = followup(id, now);
    if (!f) throw NotFoundError("no follow-up " + std::to_string(id));
    if (f->state == "ended" && action != "open")
        throw ConflictError("follow-up " + std::to_string(id) + " ended already: a later message answered it");
    std::string state;
    if (action == "snooze") {
        if (until <= now) throw InvalidError("snooze until a time still to come");
        state = "snoozed";
    } else if (action == "done") {
        state = "done";
    } else if (action == "dismiss") {
        if (trim(reason).empty()) throw InvalidError("say why it is dismissed (\"not a real inquiry\")");
        state = "dismissed";
    } else if (action == "open") {
        state = "open";
    } else {
        throw InvalidError("a follow-up is snoozed, done, dismissed or opened again, not \"" + action + "\"");
    }
    SQLite::Statement q(db_, "UPDATE followups SET state = ?, until = ?, by_user = ?, at = ?, reason = ? WHERE id = ?");
    q.bind(1, state);
    q.bind(2, state == "snoozed" ? until : 0);
    q.bind(3, by);
    q.bind(4, now);
    q.bind(5, reason);
    q.bind(6, id);
    q.exec();
}

int64_t Crm::remind(int64_t thread, int64_t customer, const std::string& rep, int64_t at, const std::string& note,
                    const std::string& by, int64_t now) {
    if (!thread && !customer) throw InvalidError("a reminder is on a conversation or a customer");
    if (at <= now) throw InvalidError("remind at a time still to come");
    if (customer && customers(customer).empty()) throw NotFoundError("no customer " + std::to_string(customer));
    if (thread) {
        SQLite::Statement t(db_, "SELECT 1 FROM messages WHERE thread = ?");
        t.bind(1, thread);
        if (!t.executeStep()) throw NotFoundError("no conversation " + std::to_string(thread));
    }
    SQLite::Statement q(db_, "INSERT INTO followups(kind, message, thread, customer, rep, since, due, state, by_user, at, note)"
                             " VALUES ('manual', NULL, ?, ?, ?, ?, ?, 'open', ?, ?, ?)");
    q.bind(1, thread);
    q.bind(2, customer);
    q.bind(3, to_lower(rep));
    q.bind(4, now);
    q.bind(5, at);
    q.bind(6, by);
    q.bind(7, now);
    q.bind(8, note);
    q.exec();
    return db_.getLastInsertRowid();
}

}  // namespace tw
