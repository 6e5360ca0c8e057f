#include "crm/crm.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <memory>
#include <set>
#include <tuple>

#include "archive/store.h"
#include "crm/rules.h"
#include "mail/error.h"
#include "mail/message.h"
#include "mail/strutil.h"

namespace tw {
namespace {

// What the hook finds in a message on a parsing thread.
struct LinkFacts : HookFacts {
    std::string automated;  // why it is no person's word (rules::automated_by), or ""
    std::vector<DocMention> docs;
    std::optional<Money> total;   // only a document carries an amount
    std::optional<Money> stated;  // the total in the writer's own words or the attachment, not in quoted mail
    std::string company;         // the sender's company, as its display name or signature gives it (rules::company_from)
    bool asks_approval = false;  // read as approval mail when it turns out internal (rules::asks_approval, decision_in)
    bool revises = false;        // it says it replaces a document (rules::revises)
    rules::Decision decision;
};

Labels customer_labels(const std::vector<int64_t>& ids) {
    Labels out;
    for (int64_t id : ids) out.push_back({"customer", std::to_string(id)});
    return out;
}

Labels doc_labels(const std::vector<DocMention>& docs) {
    Labels out;
    for (const auto& d : docs)
        if (std::find(out.begin(), out.end(), Label{"doc", d.number}) == out.end()) out.push_back({"doc", d.number});
    return out;
}

}  // namespace

Crm::Crm(SQLite::Database& db, Clock clock)
    : db_(db), clock_(clock ? std::move(clock) : Clock([] { return int64_t(std::time(nullptr)); })) {
    load_patterns();  // before any parsing thread recognises documents
}

Crm::~Crm() {
    stmts_.clear();  // statements before their connection
    tx_.reset();
}

void Crm::begin() {
    if (!tx_) tx_ = std::make_unique<SQLite::Transaction>(db_, SQLite::TransactionBehavior::IMMEDIATE);
}

void Crm::commit() {
    reset();
    if (tx_) tx_->commit();
    tx_.reset();
}

void Crm::rollback() {
    reset();
    tx_.reset();
}

std::shared_ptr<const HookFacts> Crm::prepare(const Message& m) const {
    auto f = std::make_shared<LinkFacts>();
    size_t end = m.raw.find("\r\n\r\n");
    if (end == std::string::npos) end = m.raw.find("\n\n");
    f->automated = rules::automated_by(std::string_view(m.raw).substr(0, std::min(end, m.raw.size())),
                                       m.from.empty() ? std::string() : m.from[0].normalized);
    f->docs = trade_documents(m);
    if (!f->docs.empty()) {
        f->total = total_of(m);
        // The same unless quoted mail holds the total: then the writer's own words, else the attachments'.
        std::string_view own = rules::own_words(m.text);
        f->stated = f->total;
        if (f->total && own.size() < m.text.size()) {
            f->stated = stated_total(own);
            for (size_t k = 0; !f->stated && k < m.attachments.size(); ++k) f->stated = stated_total(m.attachments[k].text);
        }
    }
    if (!m.from.empty() && f->automated.empty()) f->company = rules::company_from(m.from[0].name, m.text);
    // Approval language only in mail among one domain (the firm's own: stored() checks which).
    bool one_domain = !m.from.empty() && !m.to.empty();
    std::string domain = m.from.empty() ? std::string() : address_domain(m.from[0].normalized);
    for (const auto* list : {&m.to, &m.cc})
        for (const auto& x : *list) one_domain = one_domain && address_domain(x.normalized) == domain;
    if (f->automated.empty() && one_domain) {
        f->asks_approval = rules::asks_approval(m.subject, m.text);
        f->decision = rules::decision_in(m.text);
        f->revises = f->asks_approval && rules::revises(m.subject, m.text);
    }
    return f;
}

Labels Crm::labels(const HookFacts& facts) const { return doc_labels(static_cast<const LinkFacts&>(facts).docs); }

Labels Crm::stored(const StoredFacts& m, const HookFacts& facts) {
    const auto& f = static_cast<const LinkFacts&>(facts);
    bool sent = sent_by_firm(m.message, m.loc.account);
    auto linked = link(m.row, m.thread, m.parties, f.docs, sent, m.forwarded, m.loc.account, m.date, f.total, f.stated);
    if (!sent && !f.company.empty()) name_company(m.message.from[0].normalized, f.company);
    note_approval_mail(m, f.asks_approval, f.revises, f.decision);
    note_automated(m.row, f.automated);
    touched_.insert(m.thread);  // its follow-ups at the batch's commit, in the transaction that stores it
    return customer_labels(linked);
}

Labels Crm::restored(const StoredFacts& m, const HookFacts& facts) {
    const auto& f = static_cast<const LinkFacts&>(facts);
    bool sent = sent_by_firm(m.message, m.loc.account);
    redo_documents(m.row, f.docs, sent, m.date, f.total, f.stated);
    note_automated(m.row, f.automated);
    note_approval_mail(m, f.asks_approval, f.revises, f.decision);
    Labels out = doc_labels(f.docs);
    for (auto& l : customer_labels(customers_of(m.row))) out.push_back(std::move(l));
    return out;
}

Labels Crm::labels_of(int64_t row) {
    Labels out = customer_labels(customers_of(row));
    SQLite::Statement& q = sql("SELECT DISTINCT number FROM message_documents WHERE message = ? ORDER BY number");
    q.bind(1, row);
    while (q.executeStep()) out.push_back({"doc", q.getColumn(0).getString()});
    return out;
}

std::vector<std::pair<int64_t, std::vector<std::string>>> Crm::field_values(const std::string& field) {
    std::vector<std::pair<int64_t, std::vector<std::string>>> out;
    if (field != "customer") return out;  // documents do not move
    for (const auto& [row, ids] : links()) {
        out.emplace_back(row, std::vector<std::string>());
        for (int64_t id : ids) out.back().second.push_back(std::to_string(id));
    }
    return out;
}

std::vector<std::pair<int64_t, std::vector<int64_t>>> Crm::links() {
    std::vector<std::pair<int64_t, std::vector<int64_t>>> out;
    SQLite::Statement& q = sql("SELECT m.id, mc.customer FROM messages m LEFT JOIN message_customers mc ON mc.message = m.id "
                               "ORDER BY m.id, mc.customer");
    while (q.executeStep()) {
        int64_t row = q.getColumn(0).getInt64();
        if (out.empty() || out.back().first != row) out.emplace_back(row, std::vector<int64_t>());
        if (!q.getColumn(1).isNull()) out.back().second.push_back(q.getColumn(1).getInt64());
    }
    return out;
}

std::vector<int64_t> Crm::customers_of(int64_t row) {
    std::vector<int64_t> out;
    SQLite::Statement& q = sql("SELECT customer FROM message_customers WHERE message = ? ORDER BY customer");
    q.bind(1, row);
    while (q.executeStep()) out.push_back(q.getColumn(0).getInt64());
    return out;
}

// Whether the firm sent m, found in the mailbox of account (the firm's own).
bool Crm::sent_by_firm(const Message& m, const std::string& account) {
    add_internal(address_domain(account));
    return !m.from.empty() && internal(address_domain(m.from[0].normalized));
}

std::vector<std::pair<int64_t, std::vector<int64_t>>> Crm::relink() {
    SQLite::Transaction t(db_);
    relink_all();
    auto out = links();
    reset();
    t.commit();
    return out;
}

IngestHook::Factory crm_linker(Crm::Clock clock) {
    return [clock](SQLite::Database& db) { return std::make_unique<Crm>(db, clock); };
}

LinkedArchive::LinkedArchive(const std::string& data_dir)
    : store(data_dir, crm_linker()), crm(*static_cast<Crm*>(store.hook())), people(store.database()) {}

SQLite::Statement& Crm::sql(const char* text) {
    auto& st = stmts_[text];
    if (!st) st = std::make_unique<SQLite::Statement>(db_, text);
    st->reset();
    st->clearBindings();
    return *st;
}

void Crm::before_commit() {
    std::set<int64_t> threads;
    threads.swap(touched_);
    for (int64_t t : threads) refresh_followups(t);
}

void Crm::reset() {
    for (auto& [_, st] : stmts_) st->reset();
    touched_.clear();
    relinked_.clear();
}

std::vector<int64_t> Crm::take_relinked() {
    std::vector<int64_t> out;
    out.swap(relinked_);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

void Crm::load_domains() {
    internal_.clear();
    // The firm's mailboxes: its IMAP accounts and every account mail was archived for.
    SQLite::Statement& a = sql("SELECT address FROM accounts UNION SELECT DISTINCT account FROM locations");
    while (a.executeStep()) internal_.push_back(address_domain(to_lower(a.getColumn(0).getString())));
    SQLite::Statement& s = sql("SELECT value FROM settings WHERE key = 'internal_domains'");
    if (s.executeStep()) {
        std::string list = s.getColumn(0).getString();
        for (size_t b = 0; b <= list.size();) {
            size_t e = std::min(list.find(',', b), list.size());
            std::string x = to_lower(std::string(trim(std::string_view(list).substr(b, e - b))));
            if (!x.empty()) internal_.push_back(x);
            b = e + 1;
        }
    }
    std::sort(internal_.begin(), internal_.end());
    internal_.erase(std::unique(internal_.begin(), internal_.end()), internal_.end());
    domains_loaded_ = true;
}

// Loaded on first use: most readers (pages, listings) never need them.
const std::vector<std::string>& Crm::domains() {
    if (!domains_loaded_) load_domains();
    return internal_;
}

void Crm::add_internal(const std::string& domain) {
    domains();
    if (domain.empty() || std::binary_search(internal_.begin(), internal_.end(), domain)) return;
    internal_.insert(std::upper_bound(internal_.begin(), internal_.end(), domain), domain);
}

bool Crm::internal(std::string_view domain) { return rules::is_internal(domain, domains()); }

// A company customer still named after its domain takes the name its own mail gives (a user's name stays).
void Crm::name_company(const std::string& sender, const std::string& company) {
    SQLite::Statement& q = sql(
        "UPDATE customers SET name = ?1 WHERE id = (SELECT customer FROM contacts WHERE address = ?2) AND kind = 'company'"
        " AND named_by_user = 0 AND name IN (SELECT domain FROM customer_domains d WHERE d.customer = customers.id)");
    q.bind(1, company);
    q.bind(2, sender);
    q.exec();
}

void Crm::note_approval_mail(const StoredFacts& m, bool asks, bool revises, const rules::Decision& decision) {
    // Only mail among the firm's own people, whichever copy arrives first (the rep's INBOX too).
    if ((!asks && decision.outcome.empty()) || m.message.from.empty() || m.parties.empty() ||
        !internal(address_domain(m.message.from[0].normalized)))
        return;
    for (const auto& p : m.parties)
        if (!internal(address_domain(p.address))) return;
    SQLite::Statement& q = sql("INSERT OR REPLACE INTO approval_mail(message, asks, outcome, comment, revises) VALUES (?, ?, ?, ?, ?)");
    q.bind(1, m.row);
    q.bind(2, asks ? 1 : 0);
    q.bind(3, decision.outcome);
    q.bind(4, decision.comment);
    q.bind(5, revises ? 1 : 0);
    q.exec();
}

int64_t Crm::customer_for(const Party& p) {
    SQLite::Statement& c = sql("SELECT customer FROM contacts WHERE address = ?");
    c.bind(1, p.address);
    if (c.executeStep()) return c.getColumn(0).getInt64();
    std::string domain = address_domain(p.address);
    int64_t customer = 0;
    bool freemail = is_freemail(domain);
    if (!freemail) {
        SQLite::Statement& d = sql("SELECT customer FROM customer_domains WHERE domain = ?");
        d.bind(1, domain);
        if (d.executeStep()) customer = d.getColumn(0).getInt64();
    }
    if (!customer) {
        // A new customer: a company named after its domain, or the person.
        std::string name = freemail ? (p.name.empty() ? p.address : p.name) : domain;
        customer = new_customer(name, freemail ? "freemail" : "company", false);
        if (!freemail) {
            SQLite::Statement& dom = sql("INSERT INTO customer_domains(domain, customer) VALUES (?, ?)");
            dom.bind(1, domain);
            dom.bind(2, customer);
            dom.exec();
        }
    }
    SQLite::Statement& ins = sql("INSERT INTO contacts(address, name, customer) VALUES (?, ?, ?)");
    ins.bind(1, p.address);
    ins.bind(2, p.name);
    ins.bind(3, customer);
    ins.exec();
    return customer;
}

// Customer ids are never used twice (a deleted customer's history, conflicts
// and bookmarks must not pass to a new one): meta.customer_seq is the highest
// id ever given.
int64_t Crm::new_customer(const std::string& name, const char* kind, bool named_by_user) {
    SQLite::Statement& next = sql(
        "SELECT MAX(COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'customer_seq'), 0), "
        "COALESCE((SELECT MAX(id) FROM customers), 0)) + 1");
    next.executeStep();
    int64_t id = next.getColumn(0).getInt64();
    next.reset();
    SQLite::Statement& ins = sql("INSERT INTO customers(id, name, kind, named_by_user, created) VALUES (?, ?, ?, ?, ?)");
    ins.bind(1, id);
    ins.bind(2, name);
    ins.bind(3, kind);
    ins.bind(4, named_by_user ? 1 : 0);
    ins.bind(5, clock_());
    ins.exec();
    SQLite::Statement& seq = sql("INSERT INTO meta(key, value) VALUES ('customer_seq', ?) "
                                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    seq.bind(1, std::to_string(id));
    seq.exec();
    return id;
}

// The owner rule (rules::owner_after) over the customer's stored ownership.
void Crm::take_owner(int64_t customer) {
    SQLite::Statement& q = sql("SELECT owner, first_contact, owner_by_user FROM customers WHERE id = ?");
    q.bind(1, customer);
    if (!q.executeStep()) return;
    rules::Ownership was{q.getColumn(0).getString(), q.getColumn(1).getInt64(), q.getColumn(2).getInt() != 0};
    auto change = rules::owner_after(was, owner_, now_);
    if (!change) return;
    SQLite::Statement& u = sql("UPDATE customers SET owner = ?, first_contact = ? WHERE id = ?");
    u.bind(1, change->owner);
    u.bind(2, change->first_contact);
    u.bind(3, customer);
    u.exec();
    if (!change->reason.empty()) log_owner(customer, change->owner, change->first_contact, change->reason);
}

std::vector<int64_t> Crm::link_customers(int64_t row, int64_t thread, const std::vector<Party>& parties,
                                         const std::vector<Party>& forwarded, const std::vector<DocMention>& docs,
                                         bool backfill) {
    std::vector<int64_t> customers;
    auto add = [&](int64_t c) {
        if (std::find(customers.begin(), customers.end(), c) == customers.end()) customers.push_back(c);
    };
    auto take = [&](const std::vector<Party>& list) {
        for (const auto& p : list)
            if (p.address.find('@') != std::string::npos && !internal(address_domain(p.address))) add(customer_for(p));
    };
    take(parties);
    bool external = !customers.empty();
    if (customers.empty()) take(forwarded);
    bool direct = !customers.empty();  // mail with the customer, or forwarding it: the rest makes no owner
    if (customers.empty()) {
        // Internal mail (an approval, a note to a colleague): its conversation's customers.
        SQLite::Statement& t = sql("SELECT DISTINCT mc.customer FROM message_customers mc JOIN messages m ON m.id = mc.message "
                            "WHERE m.thread = ? AND m.id <> ? ORDER BY mc.customer");
        t.bind(1, thread);
        t.bind(2, row);
        while (t.executeStep()) add(t.getColumn(0).getInt64());
    }
    for (const auto& d : docs) {  // else the customers of the documents it names
        if (!customers.empty()) break;
        SQLite::Statement& q = sql("SELECT customer FROM documents WHERE number = ? AND customer IS NOT NULL");
        q.bind(1, d.number);
        if (q.executeStep()) add(q.getColumn(0).getInt64());
    }
    if (external && backfill) {
        // The conversation's internal messages stored before this one take its customers too.
        for (int64_t c : customers) {
            SQLite::Statement& t = sql("INSERT OR IGNORE INTO message_customers(message, customer) "
                                "SELECT m.id, ? FROM messages m WHERE m.thread = ? AND m.id <> ? AND NOT EXISTS "
                                "(SELECT 1 FROM message_customers x WHERE x.message = m.id)");
            t.bind(1, c);
            t.bind(2, thread);
            t.bind(3, row);
            t.exec();
        }
    }
    for (int64_t c : customers) {
        SQLite::Statement& ins = sql("INSERT OR IGNORE INTO message_customers(message, customer) VALUES (?, ?)");
        ins.bind(1, row);
        ins.bind(2, c);
        ins.exec();
    }
    if (direct)
        for (int64_t c : customers) take_owner(c);
    if (!customers.empty())
        for (const auto& d : docs) {  // a document's customer: the first one it is seen with (unless a user set it)
            SQLite::Statement& u = sql("UPDATE documents SET customer = ? WHERE number = ? AND customer IS NULL AND edited = 0");
            u.bind(1, customers.front());
            u.bind(2, d.number);
            u.exec();
        }
    return customers;
}

std::vector<int64_t> Crm::link(int64_t row, int64_t thread, const std::vector<Party>& parties,
                               const std::vector<DocMention>& docs, bool sent_by_firm, const std::vector<Party>& forwarded,
                               const std::string& account, int64_t date, const std::optional<Money>& total,
                               const std::optional<Money>& stated) {
    owner_ = rules::rep_of(parties, account, domains());
    now_ = date;
    for (const auto& f : forwarded) {
        SQLite::Statement& ins = sql("INSERT OR IGNORE INTO forwarded_parties(message, address, name) VALUES (?, ?, ?)");
        ins.bind(1, row);
        ins.bind(2, f.address);
        ins.bind(3, f.name);
        ins.exec();
    }
    std::vector<int64_t> customers = link_customers(row, thread, parties, forwarded, docs);
    record_documents(row, customers, docs, sent_by_firm, date, total, stated);
    // Approval mail that named these documents before they had a customer takes it now, and its index
    // document follows in this batch (IngestHook::take_relinked) rather than after the import.
    if (!customers.empty()) {
        std::set<std::string> seen;
        for (const auto& d : docs) {
            if (!seen.insert(d.number).second) continue;
            SQLite::Statement& q = sql(
                "SELECT DISTINCT a.message, d.customer FROM message_documents md JOIN approval_mail a ON a.message = md.message"
                " JOIN documents d ON d.number = md.number WHERE md.number = ? AND d.customer IS NOT NULL AND d.customer <> 0"
                " AND NOT EXISTS (SELECT 1 FROM message_customers x WHERE x.message = a.message)");
            q.bind(1, d.number);
            std::vector<std::pair<int64_t, int64_t>> found;
            while (q.executeStep()) found.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getInt64());
            q.reset();
            for (const auto& [message, customer] : found) {
                if (message == row) continue;
                SQLite::Statement& ins = sql("INSERT OR IGNORE INTO message_customers(message, customer) VALUES (?, ?)");
                ins.bind(1, message);
                ins.bind(2, customer);
                ins.exec();
                relinked_.push_back(message);
            }
        }
    }
    return customers;
}

void Crm::record_documents(int64_t row, const std::vector<int64_t>& customers, const std::vector<DocMention>& docs,
                           bool sent_by_firm, int64_t date, const std::optional<Money>& total,
                           const std::optional<Money>& stated) {
    // The total it states in its own words (or attachment) is kept with the document, when only one document of
    // the mail carries an amount (crm/approvals.cc: a later mail stating another total changes an approved
    // document); the attachment's sha256 with its name (what was approved, what was sent).
    auto to = rules::takes_total(docs);
    std::set<std::string> carriers;
    for (const auto& d : docs)
        if (d.type != "packing_list" && d.type != "bill_of_lading") carriers.insert(d.number);
    for (size_t k = 0; k < docs.size(); ++k) {
        const auto& d = docs[k];
        bool states = stated && carriers.size() == 1 && *carriers.begin() == d.number;
        SQLite::Statement& md = sql("INSERT OR IGNORE INTO message_documents(message, number, place, amount, currency, sha256,"
                                    " words) VALUES (?, ?, ?, ?, ?, ?, ?)");
        md.bind(1, row);
        md.bind(2, d.number);
        md.bind(3, d.place);
        md.bind(4, states ? stated->amount : std::string());
        md.bind(5, states ? stated->currency : std::string());
        md.bind(6, d.sha256);
        md.bind(7, d.words);
        md.exec();
        // Its earliest mail, whatever order mail arrives in, gives its customer and
        // whether the firm sent or received it (unless a user corrected the document).
        SQLite::Statement& q = sql("SELECT edited, COALESCE(first_seen, 0) FROM documents WHERE number = ?");
        q.bind(1, d.number);
        std::optional<rules::DocumentState> known;
        if (q.executeStep()) known = rules::DocumentState{q.getColumn(0).getInt() != 0, q.getColumn(1).getInt64()};
        q.reset();
        if (!rules::sighting_decides(known, date)) continue;
        SQLite::Statement& doc = sql(
            "INSERT INTO documents(number, type, customer, status, first_seen) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(number) DO UPDATE SET customer = excluded.customer, status = excluded.status, "
            "first_seen = excluded.first_seen");
        doc.bind(1, d.number);
        doc.bind(2, d.type);
        if (customers.empty()) doc.bind(3);
        else doc.bind(3, customers.front());
        doc.bind(4, rules::first_status(sent_by_firm));
        doc.bind(5, date);
        doc.exec();
    }
    // The amount the mail states goes to its first document that carries one.
    if (!total || !to) return;
    SQLite::Statement& u = sql("UPDATE documents SET amount = ?, currency = ? WHERE number = ? AND edited = 0 AND amount = ''");
    u.bind(1, total->amount);
    u.bind(2, total->currency);
    u.bind(3, docs[*to].number);
    u.exec();
}

void Crm::redo_documents(int64_t row, const std::vector<DocMention>& docs, bool sent_by_firm, int64_t date,
                         const std::optional<Money>& total, const std::optional<Money>& stated) {
    SQLite::Statement& del = sql("DELETE FROM message_documents WHERE message = ?");
    del.bind(1, row);
    del.exec();
    record_documents(row, customers_of(row), docs, sent_by_firm, date, total, stated);
}

void Crm::restored_all() {
    db_.exec("DELETE FROM documents WHERE edited = 0 AND number NOT IN (SELECT number FROM message_documents)");
    refresh_all_followups();
}

void Crm::note_automated(int64_t row, const std::string& why) {
    if (why.empty()) {
        SQLite::Statement& q = sql("DELETE FROM automated_mail WHERE message = ?");
        q.bind(1, row);
        q.exec();
        q.reset();
        return;
    }
    SQLite::Statement& q = sql("INSERT OR REPLACE INTO automated_mail(message, why) VALUES (?, ?)");
    q.bind(1, row);
    q.bind(2, why);
    q.exec();
    q.reset();
}

void Crm::relink_all() {
    load_domains();
    // The links are rebuilt; customers, their domains and contacts stay (ids
    // do not change, and users' decisions hold). Addresses that became
    // internal stop being contacts.
    db_.exec("DELETE FROM message_customers");
    db_.exec("UPDATE documents SET customer = NULL WHERE edited = 0");
    db_.exec("UPDATE customers SET first_contact = 0 WHERE owner_by_user = 0");  // found again in date order below
    {
        // Rows whose address or domain is now the firm's own.
        auto drop_internal = [&](const char* select, const char* remove, bool is_address) {
            std::vector<std::string> gone;
            SQLite::Statement& q = sql(select);
            while (q.executeStep()) {
                std::string v = q.getColumn(0).getString();
                if (internal(is_address ? address_domain(v) : v)) gone.push_back(v);
            }
            for (const auto& v : gone) {
                SQLite::Statement& d = sql(remove);
                d.bind(1, v);
                d.exec();
            }
        };
        drop_internal("SELECT address FROM contacts WHERE by_user = 0", "DELETE FROM contacts WHERE address = ?", true);
        drop_internal("SELECT domain FROM customer_domains", "DELETE FROM customer_domains WHERE domain = ?", false);
    }
    std::map<int64_t, std::vector<Party>> parties;  // in From, To, Cc order
    {
        SQLite::Statement& q = sql("SELECT message, address, name FROM parties ORDER BY message, rowid");
        while (q.executeStep()) parties[q.getColumn(0).getInt64()].push_back({q.getColumn(1).getString(), q.getColumn(2).getString()});
    }
    std::map<int64_t, std::vector<Party>> forwarded;
    {
        SQLite::Statement& q = sql("SELECT message, address, name FROM forwarded_parties ORDER BY message, rowid");
        while (q.executeStep()) forwarded[q.getColumn(0).getInt64()].push_back({q.getColumn(1).getString(), q.getColumn(2).getString()});
    }
    std::map<int64_t, std::vector<DocMention>> docs;  // only the numbers matter here (documents keep their rows)
    {
        SQLite::Statement& q = sql("SELECT DISTINCT message, number FROM message_documents");
        while (q.executeStep()) docs[q.getColumn(0).getInt64()].push_back({q.getColumn(1).getString(), "", "", "", ""});
    }
    // In date order, so the first correspondent names what it creates.
    std::vector<std::pair<int64_t, int64_t>> order;
    {
        SQLite::Statement& q = sql("SELECT id, thread FROM messages ORDER BY date, id");
        while (q.executeStep()) order.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getInt64());
    }
    std::map<int64_t, std::pair<std::string, int64_t>> first;  // message -> (account of its first location, date)
    {
        SQLite::Statement& q = sql("SELECT l.message, l.account, m.date FROM locations l JOIN messages m ON m.id = l.message "
                                   "ORDER BY l.rowid DESC");
        while (q.executeStep())
            first[q.getColumn(0).getInt64()] = {q.getColumn(1).getString(), q.getColumn(2).getInt64()};
    }
    for (const auto& [row, thread] : order) {
        std::tie(owner_, now_) = first[row];
        owner_ = rules::rep_of(parties[row], owner_, domains());
        link_customers(row, thread, parties[row], forwarded[row], docs[row], false);
    }
    // Messages still linked to nobody (internal mail older than the conversation's
    // customer mail) take their conversation's customers, as when they were stored.
    // (In the loop, all the later mail exists already: a backfill there would hand a
    // conversation's first customer to messages that have customers of their own.)
    db_.exec("INSERT OR IGNORE INTO message_customers(message, customer) "
             "SELECT DISTINCT m.id, mc.customer FROM messages m JOIN messages o ON o.thread = m.thread AND o.id <> m.id "
             "JOIN message_customers mc ON mc.message = o.id "
             "WHERE NOT EXISTS (SELECT 1 FROM message_customers x WHERE x.message = m.id)");
    link_approval_mail();  // and approval mail the customers of its documents, as when it was stored
    // Automatic customers nobody writes to any more go.
    db_.exec("DELETE FROM customers WHERE named_by_user = 0 AND id NOT IN (SELECT customer FROM message_customers)");
    db_.exec("DELETE FROM contacts WHERE customer NOT IN (SELECT id FROM customers)");
    db_.exec("DELETE FROM customer_domains WHERE customer NOT IN (SELECT id FROM customers)");
    refresh_all_followups();  // owners and the firm's domains may have changed
}

}  // namespace tw
