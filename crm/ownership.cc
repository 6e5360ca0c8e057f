// Owners' history, conflicts (撞单) and the public pool (公海): the facts
// are loaded here, the decisions are crm/rules.h's.
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <map>
#include <set>

#include "crm/crm.h"
#include "crm/rules.h"
#include "mail/error.h"
#include "mail/strutil.h"

namespace tw {

// Whether a transaction is open on the connection (the store's or ours):
// then the change joins it instead of opening one of its own.
bool Crm::in_transaction() { return tx_ || sqlite3_get_autocommit(db_.getHandle()) == 0; }

void Crm::log_owner(int64_t customer, const std::string& owner, int64_t when, const std::string& reason) {
    SQLite::Statement& hist = sql("INSERT INTO customer_owners(customer, owner, since, reason) VALUES (?, ?, ?, ?)");
    hist.bind(1, customer);
    hist.bind(2, owner);
    hist.bind(3, when);
    hist.bind(4, reason);
    hist.exec();
}

namespace {

std::vector<rules::FirmMail> firm_mail(SQLite::Statement& q) {
    std::vector<rules::FirmMail> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
                       q.getColumn(3).getInt64(), q.getColumn(4).getString(), q.getColumn(5).getString()});
    return out;
}

}  // namespace

size_t Crm::scan_conflicts() {
    SQLite::Transaction t(db_);
    // Mail linked to customers, with their owners, oldest first (the rule keeps the firm's); approval mail between
    // the firm's own people opens no conversation and quotes nobody.
    auto sent = firm_mail(sql("SELECT m.id, mc.customer, m.thread, m.date, m.from_addr, c.owner FROM messages m "
                              "JOIN message_customers mc ON mc.message = m.id JOIN customers c ON c.id = mc.customer "
                              "WHERE NOT EXISTS (SELECT 1 FROM approval_mail a WHERE a.message = m.id) ORDER BY m.date, m.id"));
    std::map<int64_t, int64_t> opener;  // thread -> its first message
    {
        SQLite::Statement& q = sql("SELECT thread, MIN(date * 1000000000 + id) FROM messages GROUP BY thread");
        while (q.executeStep()) opener[q.getColumn(0).getInt64()] = q.getColumn(1).getInt64() % 1000000000;
    }
    std::vector<rules::Quotation> quotes;
    {
        SQLite::Statement& q = sql(
            "SELECT m.id, mc.customer, m.date, m.from_addr FROM documents d "
            "JOIN message_documents md ON md.number = d.number JOIN messages m ON m.id = md.message "
            "JOIN message_customers mc ON mc.message = m.id WHERE d.type = 'quotation' "
            "AND NOT EXISTS (SELECT 1 FROM approval_mail a WHERE a.message = m.id) ORDER BY m.date, m.id");
        while (q.executeStep())
            quotes.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
                              q.getColumn(3).getString()});
    }
    for (const auto& c : rules::find_conflicts(sent, opener, quotes, domains())) {
        SQLite::Statement& ins = sql(
            "INSERT OR IGNORE INTO conflicts(customer, rep, other_rep, kind, message, other_message, date) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)");
        ins.bind(1, c.customer);
        ins.bind(2, c.rep);
        ins.bind(3, c.other_rep);
        ins.bind(4, c.kind);
        ins.bind(5, c.message);
        ins.bind(6, c.other_message);
        ins.bind(7, c.date);
        ins.exec();
    }
    size_t open = open_conflicts();
    reset();
    t.commit();
    return open;
}

size_t Crm::open_conflicts() {
    SQLite::Statement& q = sql("SELECT COUNT(*) FROM conflicts WHERE status = 'open'");
    q.executeStep();
    return size_t(q.getColumn(0).getInt64());
}

void Crm::set_conflict_status(int64_t id, const std::string& status) {
    if (status != "open" && status != "closed") throw InvalidError("a conflict is open or closed, not \"" + status + "\"");
    SQLite::Statement& q = sql("UPDATE conflicts SET status = ? WHERE id = ?");
    q.bind(1, status);
    q.bind(2, id);
    if (q.exec() == 0) throw NotFoundError("no conflict " + std::to_string(id) + " (see `tradewind conflicts`)");
}

namespace {

// Owned customers, the last mail their owner sent them, and when the owner got them.
std::vector<rules::OwnedCustomer> owned(SQLite::Statement& q) {
    std::vector<rules::OwnedCustomer> out;
    while (q.executeStep()) {
        rules::OwnedCustomer c{q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getInt64(), {}, {}};
        if (!q.getColumn(3).isNull()) c.last_sent = q.getColumn(3).getInt64();
        if (!q.getColumn(4).isNull()) c.owner_since = q.getColumn(4).getInt64();
        out.push_back(std::move(c));
    }
    return out;
}

constexpr const char* kOwned =
    "SELECT c.id, c.owner, c.first_contact, (SELECT MAX(m.date) FROM message_customers mc JOIN messages m ON m.id = mc.message "
    "WHERE mc.customer = c.id AND m.from_addr = c.owner), "
    "(SELECT MAX(o.since) FROM customer_owners o WHERE o.customer = c.id AND o.owner = c.owner) "
    "FROM customers c WHERE c.owner <> '' AND c.in_pool = 0 AND (?1 = 0 OR c.id = ?1)";

}  // namespace

int64_t Crm::pool_since() {
    SQLite::Statement& q = sql("SELECT value FROM meta WHERE key = 'pool_since'");
    int64_t v = q.executeStep() ? parse_int(q.getColumn(0).getString()).value_or(0) : 0;
    q.reset();
    return v;
}

// The owned customers (customer: that one; 0: all) whose release is due at now.
std::vector<rules::Release> Crm::due(int64_t customer, int64_t now, int days) {
    SQLite::Statement& q = sql(kOwned);
    q.bind(1, customer);
    auto found = owned(q);
    return rules::due_for_pool(found, now, days, pool_since());
}

// Releases one customer to the pool, logged at the moment it fell due.
void Crm::release(const rules::Release& r) {
    SQLite::Statement& u = sql("UPDATE customers SET owner = '', owner_by_user = 1, in_pool = 1 WHERE id = ?");
    u.bind(1, r.id);
    u.exec();
    log_owner(r.id, "", r.at, r.reason);
}

std::vector<CustomerRow> Crm::pool(int64_t now, int days) {
    std::set<int64_t> due_ids;
    for (const auto& r : due(0, now, days)) due_ids.insert(r.id);
    std::vector<CustomerRow> out;
    for (auto& c : customers())
        if (c.in_pool || due_ids.count(c.id)) {
            if (due_ids.count(c.id)) c.owner.clear(), c.in_pool = true;  // as it will be when released
            out.push_back(std::move(c));
        }
    return out;
}

std::vector<int64_t> Crm::release_idle(int64_t now, int days) {
    bool mine = !in_transaction();
    if (mine) begin();
    std::vector<int64_t> released;
    for (const auto& r : due(0, now, days)) {
        release(r);
        released.push_back(r.id);
    }
    if (mine) commit();
    return released;
}

void Crm::claim(int64_t customer, const std::string& rep, int64_t now, int days) {
    bool mine = !in_transaction();
    if (mine) begin();
    for (const auto& r : due(customer, now, days)) release(r);  // due: released first
    SQLite::Statement& u = sql("UPDATE customers SET owner = ?, owner_by_user = 1, in_pool = 0 WHERE id = ? AND in_pool = 1");
    u.bind(1, rep);
    u.bind(2, customer);
    if (u.exec() == 0) {
        if (mine) rollback();
        if (customers(customer).empty()) throw NotFoundError("no customer " + std::to_string(customer));
        throw ConflictError("customer " + std::to_string(customer) + " is not in the pool (any more): see /pool or `tradewind pool`");
    }
    log_owner(customer, rep, now, "claimed from the pool");
    if (mine) commit();
}

void Crm::assign(int64_t customer, const std::string& rep, int64_t now) {
    bool mine = !in_transaction();
    if (mine) begin();
    // Given to the rep who has it already (by a manager's choice): nothing changes, and the history says nothing.
    SQLite::Statement& u = sql("UPDATE customers SET owner = ?1, owner_by_user = 1, in_pool = 0 WHERE id = ?2"
                               " AND NOT (owner = ?1 AND owner_by_user = 1 AND in_pool = 0)");
    u.bind(1, rep);
    u.bind(2, customer);
    if (u.exec() == 0) {
        bool exists = !customers(customer).empty();
        if (mine) rollback();
        if (!exists) throw NotFoundError("no customer " + std::to_string(customer));
        return;
    }
    log_owner(customer, rep, now, "assigned by a manager");
    if (mine) commit();
}

}  // namespace tw
