#include "archive/store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "archive/schema.h"
#include "archive/threads.h"
#include "mail/codec.h"
#include "mail/docnum.h"
#include "mail/error.h"
#include "mail/strutil.h"

namespace tw {
namespace {

using Stmt = std::unique_ptr<SQLite::Statement>;

// Where the header block ends (after the blank line), or the size when there is none.
size_t header_length(std::string_view raw) {
    size_t crlf = raw.find("\r\n\r\n"), lf = raw.find("\n\n");
    size_t a = crlf == std::string_view::npos ? raw.size() : crlf + 4;
    size_t b = lf == std::string_view::npos ? raw.size() : lf + 2;
    return std::min(a, b);
}

std::string compress(std::string_view raw) {
    // One context per thread: ZSTD_compress would set one up for every message.
    thread_local std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> ctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    size_t n = ZSTD_compressCCtx(ctx.get(), out.data(), out.size(), raw.data(), raw.size(), 1);
    if (ZSTD_isError(n)) throw StoreError(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
    out.resize(n);
    return out;
}

std::string decompress(const void* data, size_t size) {
    unsigned long long n = ZSTD_getFrameContentSize(data, size);
    if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN)
        throw StoreError("a stored message is damaged (zstd frame); run `tradewind stats` and restore from backup");
    std::string out(size_t(n), '\0');
    size_t r = ZSTD_decompress(out.data(), out.size(), data, size);
    if (ZSTD_isError(r)) throw StoreError(std::string("a stored message is damaged: ") + ZSTD_getErrorName(r));
    return out;
}

}  // namespace

struct Store::Impl {
    SQLite::Database db;
    std::unique_ptr<SQLite::Transaction> tx;
    std::unique_ptr<IngestHook> hook;  // the layer above's linking (none: the archive alone)
    Stmt find_location, find_copy, set_body_key, insert_blob, insert_message, insert_location, insert_party, insert_doc,
        locations_of, canonical_blob, location_blob, set_flags;
    std::unique_ptr<Threader> threads;
    int64_t next_row = 1;  // the id the next message gets (rows are never deleted)

    // Ends every statement's read: one left on a row would pin an old snapshot.
    void reset_all() {
        for (Stmt* s : {&find_location, &find_copy, &set_body_key, &insert_blob, &insert_message, &insert_location,
                        &insert_party, &insert_doc, &locations_of, &canonical_blob, &location_blob, &set_flags})
            if (*s) (*s)->reset();
        if (threads) threads->reset();
        if (hook) hook->reset();
    }

    explicit Impl(const std::string& path) : db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {
        // First: another tradewind (sync, import, stats, the web) may be using the archive,
        // and switching to WAL or creating the tables needs a moment of it alone.
        db.exec("PRAGMA busy_timeout=10000");
        db.exec("PRAGMA page_size=16384");  // takes effect only for a new archive
        db.exec("PRAGMA journal_mode=WAL");
        db.exec("PRAGMA synchronous=NORMAL");
        db.exec("PRAGMA cache_size=-8192");  // KiB: copy and thread lookups stay in memory
        db.exec(schema::kSql);
        db.exec("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', '" + std::to_string(schema::kVersion) + "')");
        // The public pool counts idle time from no earlier than now (crm/): history imported into a new
        // archive, or an archive upgraded to this version, keeps its owners at the first sync.
        db.exec("INSERT OR IGNORE INTO meta(key, value) VALUES ('pool_since', CAST(strftime('%s', 'now') AS TEXT))");
        std::string version = db.execAndGet("SELECT value FROM meta WHERE key = 'schema'").getString();
        if (version == "2") {  // 2 -> 3: the CRM tables (created above) and parties' display names
            SQLite::Transaction t(db);
            db.exec("ALTER TABLE parties ADD COLUMN name TEXT NOT NULL DEFAULT ''");
            db.exec("UPDATE meta SET value = '3' WHERE key = 'schema'");
            t.commit();
            version = "3";
        }
        if (version == "3") {  // 3 -> 4: web users' mailboxes
            SQLite::Transaction t(db);
            db.exec("ALTER TABLE users ADD COLUMN mailbox TEXT NOT NULL DEFAULT ''");
            db.exec("UPDATE meta SET value = '4' WHERE key = 'schema'");
            t.commit();
            version = "4";
        }
        if (version == "4") {  // 4 -> 5: roles, teams, several mailboxes per user, session epochs
            // Today's managers lead one team that holds every rep, so nobody sees less than before.
            SQLite::Transaction t(db);
            for (const char* sql : {
                     "ALTER TABLE users ADD COLUMN team TEXT NOT NULL DEFAULT ''",
                     "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0",
                     "ALTER TABLE users ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0",
                     "ALTER TABLE sessions ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0",
                     "ALTER TABLE accounts ADD COLUMN ca_file TEXT NOT NULL DEFAULT ''",
                     "INSERT OR IGNORE INTO user_mailboxes(user, address, pos) SELECT name, mailbox, 0 FROM users WHERE mailbox != ''",
                     "ALTER TABLE users DROP COLUMN mailbox",
                     "INSERT INTO teams(name, created) SELECT 'firm', strftime('%s','now') WHERE EXISTS (SELECT 1 FROM users WHERE role = 'manager')",
                     "INSERT INTO team_managers(team, user) SELECT 'firm', name FROM users WHERE role = 'manager'",
                     "UPDATE users SET team = 'firm' WHERE role = 'rep' AND EXISTS (SELECT 1 FROM teams WHERE name = 'firm')",
                     "UPDATE meta SET value = '5' WHERE key = 'schema'"})
                db.exec(sql);
            t.commit();
            version = "5";
        }
        if (version == "5") {  // 5 -> 6: users' languages (notifications' tables are created above)
            SQLite::Transaction t(db);
            db.exec("ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT ''");
            db.exec("UPDATE meta SET value = '6' WHERE key = 'schema'");
            t.commit();
            version = "6";
        }
        if (version == "6") {  // 6 -> 7: stated totals and attachment hashes per mention; approvals rebuilt by the next scan
            // (An archive of an older version had these tables created above, new columns and all.)
            SQLite::Transaction t(db);
            auto add = [&](const char* table, const char* column, const char* type) {
                SQLite::Statement q(db, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
                q.bind(1, table);
                q.bind(2, column);
                if (!q.executeStep()) db.exec(std::string("ALTER TABLE ") + table + " ADD COLUMN " + column + " " + type);
            };
            add("message_documents", "amount", "TEXT NOT NULL DEFAULT ''");
            add("message_documents", "currency", "TEXT NOT NULL DEFAULT ''");
            add("message_documents", "sha256", "TEXT NOT NULL DEFAULT ''");
            add("message_documents", "words", "TEXT NOT NULL DEFAULT ''");
            add("approval_mail", "revises", "INTEGER NOT NULL DEFAULT 0");
            add("approval_actions", "message", "INTEGER NOT NULL DEFAULT 0");
            db.exec("DROP TABLE approvals");
            db.exec("UPDATE meta SET value = '7' WHERE key = 'schema'");
            db.exec(schema::kSql);
            t.commit();
            version = "7";
        }
        if (version != std::to_string(schema::kVersion))
            throw StoreError("the archive " + path + " was written by another version of tradewind (archive schema " +
                             version + ", this one uses " + std::to_string(schema::kVersion) +
                             "): import into a new --data directory");
        next_row = db.execAndGet("SELECT COALESCE(MAX(id), 0) + 1 FROM messages").getInt64();
        auto prep = [&](const char* sql) { return std::make_unique<SQLite::Statement>(db, sql); };
        find_location = prep("SELECT message FROM locations WHERE account=? AND folder=? AND source=?");
        find_copy = prep(
            "SELECT m.id, m.thread, m.header_len, b.data, m.body_key FROM messages m JOIN blobs b ON b.sha256 = m.sha256"
            " WHERE m.message_id=? ORDER BY m.id");
        set_body_key = prep("UPDATE messages SET body_key=? WHERE id=?");
        insert_blob = prep("INSERT OR IGNORE INTO blobs(sha256, size, data) VALUES (?, ?, ?)");
        insert_message = prep(
            "INSERT INTO messages(message_id, synthetic, body_key, sha256, thread, subject, base_subject, from_name,"
            " from_addr, date, date_source, in_reply_to, refs, size, header_len, attachments, problems,"
            " subject_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        insert_location = prep("INSERT INTO locations(account, folder, source, message, blob, header) VALUES (?,?,?,?,?,?)");
        insert_party = prep("INSERT OR IGNORE INTO parties(message, address, name) VALUES (?, ?, ?)");
        insert_doc = prep("INSERT OR IGNORE INTO docs(message, doc) VALUES (?, ?)");
        locations_of = prep(
            "SELECT l.account, l.folder, l.source, COALESCE(s.flags, ''), COALESCE(s.deleted, 0) FROM locations l"
            " LEFT JOIN location_state s USING (account, folder, source) WHERE l.message=? ORDER BY 1, 2, 3");
        canonical_blob = prep(
            "SELECT b.data, m.header_len FROM messages m JOIN blobs b ON b.sha256 = m.sha256 WHERE m.id=?");
        set_flags = prep(
            "INSERT INTO location_state(account, folder, source, flags) VALUES (?,?,?,?)"
            " ON CONFLICT (account, folder, source) DO UPDATE SET flags = excluded.flags");
        threads = std::make_unique<Threader>(db);
        location_blob = prep(
            "SELECT l.header, b.data FROM locations l LEFT JOIN blobs b ON b.sha256 = l.blob"
            " WHERE l.account=? AND l.folder=? AND l.source=?");
    }

    // The message at loc, 0 if none. Resets the statement: a statement left
    // stepping keeps its read snapshot, and a later write from this connection
    // would fail once another connection (sync state, another process) wrote.
    int64_t location_row(const Location& loc) {
        auto& st = *find_location;
        st.reset();
        st.bind(1, loc.account);
        st.bind(2, loc.folder);
        st.bind(3, loc.source);
        int64_t row = st.executeStep() ? st.getColumn(0).getInt64() : 0;
        st.reset();
        return row;
    }

    void add_location(const Location& loc, int64_t row, const std::string* blob, const std::string* header) {
        auto& st = *insert_location;
        st.reset();
        st.bind(1, loc.account);
        st.bind(2, loc.folder);
        st.bind(3, loc.source);
        st.bind(4, row);
        if (blob) st.bind(5, *blob); else st.bind(5);
        if (header) st.bind(6, header->data(), int(header->size())); else st.bind(6);
        st.exec();
    }

    void store_blob(const std::string& sha, size_t size, const std::string& z) {
        insert_blob->reset();
        insert_blob->bind(1, sha);
        insert_blob->bind(2, static_cast<int64_t>(size));
        insert_blob->bind(3, z.data(), int(z.size()));
        insert_blob->exec();
    }
};

Store::Store(const std::string& dir, const IngestHook::Factory& hook) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::string path = (std::filesystem::path(dir) / "archive.db").string();
    try {
        d_ = std::make_unique<Impl>(path);
    } catch (const SQLite::Exception& e) {
        throw StoreError("cannot open the archive " + path + " (" + e.what() +
                         "): check that the directory exists and is writable, or choose another with --data DIR");
    }
    if (hook) d_->hook = hook(d_->db);
}

IngestHook* Store::hook() { return d_->hook.get(); }

SQLite::Database& Store::database() { return d_->db; }

Store::~Store() {
    if (d_ && d_->tx) d_->tx.reset();  // rolls back an unfinished batch
}

void Store::begin() {
    if (!d_->tx) d_->tx = std::make_unique<SQLite::Transaction>(d_->db, SQLite::TransactionBehavior::IMMEDIATE);
}

void Store::commit() {
    if (d_->tx && d_->hook) d_->hook->before_commit();  // in the transaction: it commits with the batch
    d_->reset_all();
    try {
        if (d_->tx) d_->tx->commit();
    } catch (const SQLite::Exception& e) {
        d_->tx.reset();
        if ((e.getErrorCode() & 0xff) == SQLITE_FULL)
            throw StorageFullError(std::string("the disk holding the archive is full (") + e.what() + ")");
        throw StoreError(std::string("the archive could not commit (") + e.what() + ")");
    }
    d_->tx.reset();
}

void Store::rollback() {
    d_->reset_all();
    d_->tx.reset();
    d_->next_row = d_->db.execAndGet("SELECT COALESCE(MAX(id), 0) + 1 FROM messages").getInt64();
}

bool Store::has_location(const Location& loc) { return d_->location_row(loc) != 0; }

PreparedMessage Store::prepare(const Message& m, const std::string& firm_domain, const IngestHook* hook) {
    PreparedMessage p;
    p.header_len = header_length(m.raw);
    p.sha256 = sha256_hex(m.raw);
    p.compressed = compress(m.raw);
    for (const auto* list : {&m.from, &m.to, &m.cc})
        for (const auto& a : *list)
            if (!a.normalized.empty() && std::find(p.parties.begin(), p.parties.end(), a.normalized) == p.parties.end()) {
                p.parties.push_back(a.normalized);
                p.party_names.push_back(a.name);
                if (address_domain(a.normalized) != firm_domain) p.externals.push_back(a.normalized);
            }
    p.docs = doc_numbers(m.subject + "\n" + m.text);
    std::function<void(const std::vector<Attachment>&)> forwarded = [&](const std::vector<Attachment>& atts) {
        for (const auto& a : atts) {
            if (!a.message) continue;
            for (const auto* list : {&a.message->from, &a.message->to, &a.message->cc})
                for (const auto& x : *list)
                    if (!x.normalized.empty()) p.forwarded.push_back({x.normalized, x.name});
            forwarded(a.message->attachments);
        }
    };
    forwarded(m.attachments);
    p.subject_key = subject_key(m.base_subject);
    if (hook) p.facts = hook->prepare(m);
    return p;
}

AddResult Store::add(const Message& m, const Location& loc, const std::string& firm_domain) {
    return add(m, prepare(m, firm_domain, d_->hook.get()), loc);
}

AddResult Store::add(const Message& m, const PreparedMessage& p, const Location& loc) {
    try {
        AddResult r;
        if (int64_t row = d_->location_row(loc)) {
            r.row = row;
            return r;
        }
        // Copies: the stored messages with this Message-ID whose content key is
        // ours. Keys are computed only here, when the id is already stored
        // (rare), and kept: most mail never needs one.
        std::string own_key = m.content_key;
        struct Candidate {
            int64_t row, thread;
            size_t header_len;
            std::string raw, key;
        };
        std::vector<Candidate> candidates;
        auto& copy = *d_->find_copy;
        copy.reset();
        copy.bind(1, m.message_id);
        while (copy.executeStep())
            candidates.push_back({copy.getColumn(0).getInt64(), copy.getColumn(1).getInt64(),
                                  size_t(copy.getColumn(2).getInt64()),
                                  decompress(copy.getColumn(3).getBlob(), size_t(copy.getColumn(3).getBytes())),
                                  copy.getColumn(4).isNull() ? std::string() : copy.getColumn(4).getString()});
        for (auto& c : candidates) {
            if (c.key.empty()) {
                c.key = content_key(c.raw);
                d_->set_body_key->reset();
                d_->set_body_key->bind(1, c.key);
                d_->set_body_key->bind(2, c.row);
                d_->set_body_key->exec();
            }
            if (own_key.empty()) own_key = content_key(m.raw);
            if (c.key != own_key) continue;
            r.outcome = AddOutcome::Copy;
            r.row = c.row;
            r.thread = c.thread;
            // Same body bytes as the stored copy: keep only this copy's header.
            if (std::string_view(c.raw).substr(std::min(c.header_len, c.raw.size())) ==
                std::string_view(m.raw).substr(p.header_len)) {
                std::string header = m.raw.substr(0, p.header_len);
                d_->add_location(loc, r.row, nullptr, &header);
            } else {
                d_->store_blob(p.sha256, m.raw.size(), p.compressed);
                d_->add_location(loc, r.row, &p.sha256, nullptr);
            }
            return r;
        }
        r.outcome = AddOutcome::New;
        const std::string& sha = p.sha256;
        const size_t hl = p.header_len;
        const auto& parties = p.parties;
        const auto& docs = p.docs;
        d_->store_blob(sha, m.raw.size(), p.compressed);
        r.thread = d_->threads->assign(m, p.externals, docs, d_->next_row, r.relabeled);
        std::vector<std::string> problems = m.problems;
        auto& st = *d_->insert_message;
        st.reset();
        int i = 1;
        st.bind(i++, m.message_id);
        st.bind(i++, m.synthetic_id ? 1 : 0);
        if (!own_key.empty()) st.bind(i++, own_key);
        else st.bind(i++);  // NULL: computed if a mail with this Message-ID ever comes again
        st.bind(i++, sha);
        st.bind(i++, r.thread);
        st.bind(i++, m.subject);
        st.bind(i++, m.base_subject);
        st.bind(i++, m.from.empty() ? std::string() : m.from[0].name);
        st.bind(i++, m.from.empty() ? std::string() : m.from[0].normalized);
        st.bind(i++, static_cast<int64_t>(m.date));
        st.bind(i++, std::string(to_string(m.date_source)));
        st.bind(i++, m.in_reply_to);
        st.bind(i++, nlohmann::json(m.references).dump());
        st.bind(i++, static_cast<int64_t>(m.raw.size()));
        st.bind(i++, static_cast<int64_t>(hl));
        st.bind(i++, static_cast<int64_t>(m.attachments.size()));
        st.bind(i++, nlohmann::json(problems).dump());
        st.bind(i++, p.subject_key);
        st.exec();
        r.row = d_->db.getLastInsertRowid();
        d_->next_row = r.row + 1;
        d_->add_location(loc, r.row, nullptr, nullptr);
        std::vector<Party> named;
        for (size_t k = 0; k < parties.size(); ++k) {
            named.push_back({parties[k], k < p.party_names.size() ? p.party_names[k] : std::string()});
            d_->insert_party->reset();
            d_->insert_party->bind(1, r.row);
            d_->insert_party->bind(2, parties[k]);
            d_->insert_party->bind(3, named.back().name);
            d_->insert_party->exec();
        }
        for (const auto& doc : docs) {
            d_->insert_doc->reset();
            d_->insert_doc->bind(1, r.row);
            d_->insert_doc->bind(2, doc);
            d_->insert_doc->exec();
        }
        if (d_->hook && p.facts) {
            r.labels = d_->hook->stored({r.row, r.thread, static_cast<int64_t>(m.date), m, loc, named, p.forwarded}, *p.facts);
            for (int64_t other : d_->hook->take_relinked()) {
                // Marked like a conversation move: a crash before the index commits is caught up (recover()).
                SQLite::Statement mark(d_->db, "INSERT OR IGNORE INTO relabeled(message) VALUES (?)");
                mark.bind(1, other);
                mark.exec();
                r.relinked.emplace_back(other, d_->hook->labels_of(other));
            }
        }
        return r;
    } catch (const SQLite::Exception& e) {
        int code = e.getErrorCode() & 0xff;  // the primary code of an extended one
        if (code == SQLITE_FULL)
            throw StorageFullError(std::string("the disk holding the archive is full (") + e.what() + ")");
        throw StoreError(std::string("the archive could not store a message (") + e.what() +
                         "): is another tradewind writing to it?");
    }
}

std::vector<Location> Store::locations(int64_t row) {
    auto& st = *d_->locations_of;
    st.reset();
    st.bind(1, row);
    std::vector<Location> out;
    while (st.executeStep())
        out.push_back({st.getColumn(0).getString(), st.getColumn(1).getString(), st.getColumn(2).getString(),
                       st.getColumn(3).getString(), st.getColumn(4).getInt64()});
    return out;
}

std::vector<MessageSummary> Store::summaries(const std::vector<int64_t>& rows) {
    SQLite::Statement st(d_->db,
                         "SELECT message_id, sha256, subject, CASE WHEN from_name <> '' THEN from_name ELSE from_addr END,"
                         " thread, date FROM messages WHERE id=?");
    std::vector<MessageSummary> out;
    for (int64_t row : rows) {
        st.reset();
        st.bind(1, row);
        MessageSummary m;
        if (st.executeStep()) {
            m.message_id = st.getColumn(0).getString();
            m.sha256 = st.getColumn(1).getString();
            m.subject = st.getColumn(2).getString();
            m.from = st.getColumn(3).getString();
            m.thread = st.getColumn(4).getInt64();
            m.date = st.getColumn(5).getInt64();
        }
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<int64_t> Store::thread_rows(int64_t thread) {
    SQLite::Statement st(d_->db, "SELECT id FROM messages WHERE thread = ? ORDER BY date, id");
    st.bind(1, thread);
    std::vector<int64_t> out;
    while (st.executeStep()) out.push_back(st.getColumn(0).getInt64());
    return out;
}

void Store::for_each(const std::function<void(const StoredMessage&)>& fn) {
    SQLite::Statement st(d_->db, "SELECT id, message_id, sha256, thread, subject, date, problems FROM messages ORDER BY id");
    while (st.executeStep()) {
        StoredMessage s;
        s.row = st.getColumn(0).getInt64();
        s.message_id = st.getColumn(1).getString();
        s.sha256 = st.getColumn(2).getString();
        s.thread = st.getColumn(3).getInt64();
        s.subject = st.getColumn(4).getString();
        s.date = st.getColumn(5).getInt64();
        s.problems = nlohmann::json::parse(st.getColumn(6).getString()).get<std::vector<std::string>>();
        s.locations = locations(s.row);
        fn(s);
    }
}

std::string Store::raw(int64_t row, const Location* loc) {
    auto& m = *d_->canonical_blob;
    m.reset();
    m.bind(1, row);
    if (!m.executeStep()) throw NotFoundError("no message " + std::to_string(row) + " in the archive");
    auto blob = m.getColumn(0);
    std::string canonical = decompress(blob.getBlob(), size_t(blob.getBytes()));
    size_t header_len = size_t(m.getColumn(1).getInt64());
    if (!loc) return canonical;
    auto& l = *d_->location_blob;
    l.reset();
    l.bind(1, loc->account);
    l.bind(2, loc->folder);
    l.bind(3, loc->source);
    if (!l.executeStep()) throw StoreError("no such location in the archive");
    if (!l.getColumn(1).isNull()) return decompress(l.getColumn(1).getBlob(), size_t(l.getColumn(1).getBytes()));
    if (l.getColumn(0).isNull()) return canonical;
    std::string header(static_cast<const char*>(l.getColumn(0).getBlob()), size_t(l.getColumn(0).getBytes()));
    return header + canonical.substr(std::min(header_len, canonical.size()));
}

std::vector<std::pair<int64_t, int64_t>> Store::pending_relabels() {
    SQLite::Statement st(d_->db, "SELECT r.message, m.thread FROM relabeled r JOIN messages m ON m.id = r.message");
    std::vector<std::pair<int64_t, int64_t>> out;
    while (st.executeStep()) out.emplace_back(st.getColumn(0).getInt64(), st.getColumn(1).getInt64());
    return out;
}

void Store::set_location_flags(const Location& loc, const std::string& flags) {
    auto& st = *d_->set_flags;
    st.reset();
    st.bind(1, loc.account);
    st.bind(2, loc.folder);
    st.bind(3, loc.source);
    st.bind(4, flags);
    st.exec();
}

std::map<std::string, std::string> Store::location_flags(const std::string& account, const std::string& folder,
                                                         const std::string& prefix) {
    SQLite::Statement st(d_->db,
                         "SELECT l.source, COALESCE(s.flags, '') FROM locations l LEFT JOIN location_state s USING (account, folder, source)"
                         " WHERE l.account = ? AND l.folder = ? AND substr(l.source, 1, ?) = ?");
    st.bind(1, account);
    st.bind(2, folder);
    st.bind(3, int(prefix.size()));
    st.bind(4, prefix);
    std::map<std::string, std::string> out;
    while (st.executeStep()) out[st.getColumn(0).getString()] = st.getColumn(1).getString();
    return out;
}

size_t Store::mark_deleted(const std::string& account, const std::string& folder, const std::string& prefix,
                           const std::vector<std::string>& present, int64_t when) {
    std::set<std::string> here(present.begin(), present.end());
    SQLite::Statement st(d_->db,
                         "SELECT l.source FROM locations l LEFT JOIN location_state s USING (account, folder, source)"
                         " WHERE l.account = ? AND l.folder = ? AND substr(l.source, 1, ?) = ? AND COALESCE(s.deleted, 0) = 0");
    st.bind(1, account);
    st.bind(2, folder);
    st.bind(3, int(prefix.size()));
    st.bind(4, prefix);
    std::vector<std::string> gone;
    while (st.executeStep())
        if (!here.count(st.getColumn(0).getString())) gone.push_back(st.getColumn(0).getString());
    SQLite::Statement mark(d_->db,
                           "INSERT INTO location_state(account, folder, source, deleted) VALUES (?,?,?,?)"
                           " ON CONFLICT (account, folder, source) DO UPDATE SET deleted = excluded.deleted");
    for (const auto& src : gone) {
        mark.reset();
        mark.bind(1, account);
        mark.bind(2, folder);
        mark.bind(3, src);
        mark.bind(4, when);
        mark.exec();
    }
    return gone.size();
}

size_t Store::drop_relocated(const std::string& account, const std::string& folder, const std::string& old_prefix,
                             const std::string& new_prefix) {
    SQLite::Statement st(d_->db,
                         "DELETE FROM locations WHERE account = ?1 AND folder = ?2 AND substr(source, 1, ?3) = ?4"
                         " AND message IN (SELECT message FROM locations WHERE account = ?1 AND folder = ?2"
                         " AND substr(source, 1, ?5) = ?6)");
    st.bind(1, account);
    st.bind(2, folder);
    st.bind(3, int(old_prefix.size()));
    st.bind(4, old_prefix);
    st.bind(5, int(new_prefix.size()));
    st.bind(6, new_prefix);
    return size_t(st.exec());
}

void Store::clear_relabels() { d_->db.exec("DELETE FROM relabeled"); }

void Store::clear_relabel(int64_t row) {
    SQLite::Statement st(d_->db, "DELETE FROM relabeled WHERE message = ?");
    st.bind(1, row);
    st.exec();
}

int64_t Store::max_row() { return d_->db.execAndGet("SELECT COALESCE(MAX(id), 0) FROM messages").getInt64(); }

StoreStats Store::stats() {
    StoreStats s;
    auto one = [&](const char* sql) { return d_->db.execAndGet(sql).getInt64(); };
    s.messages = one("SELECT COUNT(*) FROM messages");
    s.conversations = one("SELECT COUNT(DISTINCT thread) FROM messages");
    s.locations = one("SELECT COUNT(*) FROM locations");
    s.accounts = one("SELECT COUNT(DISTINCT account) FROM locations");
    s.with_problems = one("SELECT COUNT(*) FROM messages WHERE problems <> '[]'");
    s.raw_bytes = one("SELECT COALESCE(SUM(size), 0) FROM messages");
    s.stored_bytes = one("SELECT COALESCE(SUM(LENGTH(data)), 0) FROM blobs");
    return s;
}

void Store::request_index_relink() {
    d_->db.exec("INSERT INTO meta(key, value) VALUES ('index_relink', '1') "
                "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1");
}

int64_t Store::index_relink_requested() {
    SQLite::Statement q(d_->db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'index_relink'");
    return q.executeStep() ? q.getColumn(0).getInt64() : 0;
}

void Store::index_relink_done(int64_t ticket) {
    SQLite::Statement q(d_->db, "DELETE FROM meta WHERE key = 'index_relink' AND CAST(value AS INTEGER) = ?");
    q.bind(1, ticket);
    q.exec();
}

}  // namespace tw
