// The audit trail (crm/audit.h).
#include "crm/audit.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <ctime>
#include <mutex>

#include "archive/archive_db.h"
#include "mail/codec.h"
#include "mail/error.h"

namespace tw {
namespace {

const std::string kGenesis(64, '0');  // the previous hash of the first row

AuditEntry read_row(SQLite::Statement& st) {
    AuditEntry e;
    e.id = st.getColumn(0).getInt64();
    e.time = st.getColumn(1).getInt64();
    e.actor = st.getColumn(2).getString();
    e.role = st.getColumn(3).getString();
    e.action = st.getColumn(4).getString();
    e.target_kind = st.getColumn(5).getString();
    e.target = st.getColumn(6).getString();
    e.mailbox_owner = st.getColumn(7).getString();
    e.ip = st.getColumn(8).getString();
    e.user_agent = st.getColumn(9).getString();
    e.allowed = st.getColumn(10).getInt() != 0;
    e.detail = st.getColumn(11).getString();
    e.prev_hash = st.getColumn(12).getString();
    e.hash = st.getColumn(13).getString();
    return e;
}

constexpr const char* kColumns =
    "id, time, actor, role, action, target_kind, target, mailbox_owner, ip, user_agent, allowed, detail, prev_hash, hash";

}  // namespace

bool is_audit_action(std::string_view name) {
    for (const auto& a : kAuditActions)
        if (a.name == name) return true;
    return false;
}

AuditTrail::AuditTrail(SQLite::Database& db) : db_(db) {}

std::string AuditTrail::row_hash(const AuditEntry& e) {
    std::string buf = e.prev_hash;
    for (const std::string& f : {std::to_string(e.id), std::to_string(e.time), e.actor, e.role, e.action, e.target_kind, e.target,
                                 e.mailbox_owner, e.ip, e.user_agent, std::string(e.allowed ? "1" : "0"), e.detail})
        buf.append("|").append(std::to_string(f.size())).append(":").append(f);
    return sha256_hex(buf);
}

AuditEntry AuditTrail::record(AuditEntry e) { return record_all({std::move(e)}).front(); }

std::vector<AuditEntry> AuditTrail::record_all(std::vector<AuditEntry> entries) {
    for (auto& e : entries) {
        if (!is_audit_action(e.action)) throw InvalidError("not an audit action: " + e.action);
        for (std::string* f : {&e.actor, &e.role, &e.target_kind, &e.target, &e.mailbox_owner, &e.ip, &e.user_agent, &e.detail})
            if (f->empty()) f->assign(1, '-');
        if (!e.time) e.time = int64_t(std::time(nullptr));
    }
    if (entries.empty()) return entries;
    // BEGIN IMMEDIATE: the last hash is read and the rows appended under one write lock,
    // whichever process (serve, the command line) records.
    db_.exec("BEGIN IMMEDIATE");
    try {
        SQLite::Statement last(db_, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1");
        int64_t id = 0;
        std::string prev = kGenesis;
        if (last.executeStep()) {
            id = last.getColumn(0).getInt64();
            prev = last.getColumn(1).getString();
        }
        last.reset();
        SQLite::Statement st(db_, std::string("INSERT INTO audit(") + kColumns + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        for (auto& e : entries) {
            e.id = ++id;
            e.prev_hash = prev;
            e.hash = row_hash(e);
            prev = e.hash;
            st.bind(1, e.id);
            st.bind(2, e.time);
            int k = 3;
            for (const std::string* f : {&e.actor, &e.role, &e.action, &e.target_kind, &e.target, &e.mailbox_owner, &e.ip, &e.user_agent})
                st.bind(k++, *f);
            st.bind(11, e.allowed ? 1 : 0);
            st.bind(12, e.detail);
            st.bind(13, e.prev_hash);
            st.bind(14, e.hash);
            st.exec();
            st.reset();
        }
        db_.exec("COMMIT");
    } catch (...) {
        db_.exec("ROLLBACK");
        throw;
    }
    return entries;
}

std::vector<AuditEntry> AuditTrail::list(const AuditFilter& f, size_t* total) {
    const char* where =
        " WHERE (?1 = '' OR actor = ?1) AND (?2 = '' OR (',' || ?2 || ',') LIKE ('%,' || action || ',%')) AND (?3 = '' OR (',' || mailbox_owner || ',') LIKE"
        " ('%,' || ?3 || ',%')) AND (?4 = '' OR target = ?4) AND time >= ?5";
    auto bind = [&](SQLite::Statement& st) {
        st.bind(1, f.actor);
        st.bind(2, f.action);
        st.bind(3, f.mailbox);
        st.bind(4, f.target);
        st.bind(5, f.since);
    };
    if (total) {
        SQLite::Statement c(db_, std::string("SELECT COUNT(*) FROM audit") + where);
        bind(c);
        c.executeStep();
        *total = size_t(c.getColumn(0).getInt64());
    }
    SQLite::Statement st(db_, std::string("SELECT ") + kColumns + " FROM audit" + where + " ORDER BY id DESC LIMIT ?6 OFFSET ?7");
    bind(st);
    st.bind(6, int64_t(f.limit));
    st.bind(7, int64_t(f.offset));
    std::vector<AuditEntry> out;
    while (st.executeStep()) out.push_back(read_row(st));
    return out;
}

AuditCheck AuditTrail::verify() {
    AuditCheck c;
    for (const char* trigger : {"audit_no_update", "audit_no_delete"}) {
        SQLite::Statement t(db_, "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?");
        t.bind(1, trigger);
        if (!t.executeStep()) {
            c.ok = false;
            c.what = std::string("the trigger ") + trigger + " that keeps the trail append-only was dropped";
        }
    }
    SQLite::Statement st(db_, std::string("SELECT ") + kColumns + " FROM audit ORDER BY id");
    std::string prev = kGenesis;
    int64_t prev_id = 0;
    while (st.executeStep()) {
        AuditEntry e = read_row(st);
        ++c.rows;
        if (c.first_bad) continue;
        std::string why;
        if (e.id != prev_id + 1)
            why = "row " + std::to_string(e.id) + " follows row " + std::to_string(prev_id) + ": " +
                  (e.id > prev_id + 1 ? "rows were removed before it" : "its id was changed");
        else if (e.prev_hash != prev)
            why = "row " + std::to_string(e.id) + " does not name the hash of the row before it: a row was inserted, removed or altered there";
        else if (row_hash(e) != e.hash)
            why = "row " + std::to_string(e.id) + " was altered: its fields do not match its hash";
        if (!why.empty()) {
            c.ok = false;
            c.first_bad = e.id;
            c.what = c.what.empty() ? why : c.what + "; " + why;
        }
        prev = e.hash;
        prev_id = e.id;
    }
    return c;
}

struct AuditLog::Impl {
    std::mutex mu;
    std::unique_ptr<SQLite::Database> db;
    std::unique_ptr<AuditTrail> trail;
};

AuditLog::AuditLog(const std::string& data_dir) : d_(std::make_unique<Impl>()) {
    d_->db = open_archive_db(data_dir);
    d_->trail = std::make_unique<AuditTrail>(*d_->db);
}

AuditLog::~AuditLog() = default;

AuditEntry AuditLog::record(AuditEntry e) {
    std::lock_guard lk(d_->mu);
    return d_->trail->record(std::move(e));
}

std::vector<AuditEntry> AuditLog::list(const AuditFilter& f, size_t* total) {
    std::lock_guard lk(d_->mu);
    return d_->trail->list(f, total);
}

}  // namespace tw
