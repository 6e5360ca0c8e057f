// Users' decisions on customers and documents, and the CRM's settings.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

#include "archive/schema.h"
#include "crm/crm.h"
#include "mail/error.h"
#include "mail/strutil.h"

namespace tw {

void Crm::rename(int64_t customer, const std::string& name) {
    if (name.empty() || name.size() > 200) throw InvalidError("a customer's name is 1 to 200 characters");
    SQLite::Statement& u = sql("UPDATE customers SET name = ?, named_by_user = 1 WHERE id = ?");
    u.bind(1, name);
    u.bind(2, customer);
    if (u.exec() == 0) throw NotFoundError("no customer " + std::to_string(customer));
}

void Crm::merge(int64_t from, int64_t into) {
    SQLite::Statement& both = sql("SELECT COUNT(*) FROM customers WHERE id IN (?, ?)");
    both.bind(1, from);
    both.bind(2, into);
    if (from == into || !both.executeStep() || both.getColumn(0).getInt() != 2)
        throw NotFoundError("merge needs two different customers that exist (into=" + std::to_string(into) + ")");
    both.reset();
    for (const char* text : {"UPDATE contacts SET customer = ?2, by_user = 1 WHERE customer = ?1",
                             "UPDATE customer_domains SET customer = ?2 WHERE customer = ?1",
                             "UPDATE documents SET customer = ?2 WHERE customer = ?1",
                             "UPDATE conflicts SET customer = ?2 WHERE customer = ?1",
                             "UPDATE customer_owners SET customer = ?2 WHERE customer = ?1",
                             "UPDATE customers SET named_by_user = 1 WHERE id = ?2",
                             "DELETE FROM message_customers WHERE customer = ?1",
                             "DELETE FROM customers WHERE id = ?1"}) {
        SQLite::Statement& q = sql(text);
        q.bind(1, from);
        if (q.getBindParameterCount() >= 2) q.bind(2, into);
        q.exec();
    }
}

void Crm::move_contact(const std::string& address, int64_t to) {
    SQLite::Statement& u = sql("UPDATE contacts SET customer = ?, by_user = 1 WHERE address = ? "
                               "AND EXISTS (SELECT 1 FROM customers WHERE id = ?)");
    u.bind(1, to);
    u.bind(2, to_lower(address));
    u.bind(3, to);
    if (u.exec() == 0) throw NotFoundError("no such contact " + address + ", or no customer " + std::to_string(to));
}

int64_t Crm::split(const std::vector<std::string>& addresses, const std::string& name) {
    if (name.empty() || name.size() > 200) throw InvalidError("a customer's name is 1 to 200 characters");
    int64_t id = new_customer(name, "company", true);
    size_t moved = 0;
    for (const auto& a : addresses) {
        SQLite::Statement& u = sql("UPDATE contacts SET customer = ?, by_user = 1 WHERE address = ?");
        u.bind(1, id);
        u.bind(2, to_lower(a));
        moved += size_t(u.exec());
    }
    if (!moved) {
        SQLite::Statement& del = sql("DELETE FROM customers WHERE id = ?");
        del.bind(1, id);
        del.exec();
        throw NotFoundError("choose at least one contact of the customer to split off");
    }
    return id;
}


bool Crm::edit_document(const std::string& number, const std::string& field, const std::string& value) {
    const char* text = field == "status"     ? "UPDATE documents SET status = ?, edited = 1 WHERE number = ?"
                       : field == "amount"   ? "UPDATE documents SET amount = ?, edited = 1 WHERE number = ?"
                       : field == "currency" ? "UPDATE documents SET currency = ?, edited = 1 WHERE number = ?"
                       : field == "type"     ? "UPDATE documents SET type = ?, edited = 1 WHERE number = ?"
                       : field == "customer" ? "UPDATE documents SET customer = CAST(? AS INTEGER), edited = 1 WHERE number = ? "
                                               "AND EXISTS (SELECT 1 FROM customers WHERE id = CAST(?1 AS INTEGER))"
                                             : nullptr;
    if (!text) return false;
    check_document_field(field, value);
    SQLite::Statement& u = sql(text);
    u.bind(1, value);
    u.bind(2, number);
    return u.exec() > 0;
}

bool Crm::create_document(const std::string& number, const std::string& type, int64_t customer, const std::string& status,
                          int64_t now) {
    check_document_field("number", number);
    check_document_field("type", type);
    check_document_field("status", status);
    if (customer) {
        SQLite::Statement& q = sql("SELECT 1 FROM customers WHERE id = ?");
        q.bind(1, customer);
        if (!q.executeStep()) throw InvalidError("no customer " + std::to_string(customer));
        q.reset();
    }
    SQLite::Statement& ins = sql("INSERT OR IGNORE INTO documents(number, type, customer, status, edited, first_seen) "
                                 "VALUES (?, ?, ?, ?, 1, ?)");
    ins.bind(1, number);
    ins.bind(2, type);
    if (customer) ins.bind(3, customer);
    else ins.bind(3);
    ins.bind(4, status);
    ins.bind(5, now);
    return ins.exec() > 0;
}

void Crm::set_setting(const std::string& key, const std::string& value) {
    // The settings are those the schema describes (archive/schema.h, kSettings).
    std::string known;
    bool listed = false;
    for (const auto& k : schema::kSettings) {
        known += (known.empty() ? "" : ", ") + std::string(k.name);
        listed = listed || k.name == key;
    }
    if (!listed) throw InvalidError("no setting " + key + " (there are " + known + ")");
    if (key == "pool_days" && std::atoi(value.c_str()) <= 0) throw InvalidError("pool_days wants a positive number of days");
    if (key == "audit_open_to_reps" && value != "0" && value != "1")
        throw InvalidError("audit_open_to_reps is 1 (reps see who read their mail) or 0");
    if ((key == "reply_sla_hours" || key == "silent_days" || key == "escalate_after_hours") && (!parse_int(value) || *parse_int(value) <= 0 || *parse_int(value) > 10000))
        throw InvalidError(key + " wants a positive whole number, not \"" + value + "\"");
    if (key == "silent_days_after") check_silent_days_after(value);
    if (key == "digest_at") {
        auto h = parse_int(value.substr(0, 2)), m = value.size() == 5 ? parse_int(value.substr(3, 2)) : std::nullopt;
        if (value.size() != 5 || value[2] != ':' || !h || !m || *h < 0 || *h > 23 || *m < 0 || *m > 59)
            throw InvalidError("digest_at is a local time of day, HH:MM (08:30), not \"" + value + "\"");
    }
    if (key == "fx_rates") {
        auto j = nlohmann::json::parse(value, nullptr, false);
        bool ok = j.is_object();
        if (ok)
            for (auto it = j.begin(); it != j.end(); ++it) ok = ok && it.value().is_number() && it.value().get<double>() > 0 && it.key().size() == 3;
        if (!ok) throw InvalidError("fx_rates is JSON of each currency's value in a common base: {\"USD\": 1, \"EUR\": 1.08, \"CNY\": 0.138}");
    }
    if (key == "doc_patterns") set_doc_patterns(value);  // throws on a bad pattern, before it is saved
    if (key == "pool_days" && setting("pool_days").empty()) {  // the pool is switched on now
        SQLite::Statement& p = sql("INSERT INTO meta(key, value) VALUES ('pool_since', ?) ON CONFLICT(key) DO UPDATE SET"
                                   " value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))");
        p.bind(1, std::to_string(clock_ ? clock_() : int64_t(std::time(nullptr))));
        p.exec();
    }
    SQLite::Statement& q = sql("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    q.bind(1, key);
    q.bind(2, value);
    q.exec();
    load_domains();
    followup_settings_.loaded = false;
    if (key == "reply_sla_hours" || key == "silent_days" || key == "silent_days_after") refresh_all_followups();
}

std::string Crm::setting(const std::string& key) {
    SQLite::Statement& q = sql("SELECT value FROM settings WHERE key = ?");
    q.bind(1, key);
    std::string v = q.executeStep() ? q.getColumn(0).getString() : std::string();
    q.reset();
    return v;
}

int Crm::pool_days() {
    std::string v = setting("pool_days");
    return v.empty() ? 30 : std::max(1, std::atoi(v.c_str()));
}

void Crm::load_patterns() {
    try {
        set_doc_patterns(setting("doc_patterns"));
    } catch (const std::invalid_argument& e) {
        // Saved values are checked when set; a hand-edited one must not lock the archive.
        std::fprintf(stderr, "tradewind: %s: the defaults apply; fix it with `tradewind settings set doc_patterns ...`\n", e.what());
        set_doc_patterns("");
    }
}

}  // namespace tw
