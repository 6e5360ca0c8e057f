// The archive's metadata and raw messages (SQLite through SQLiteCpp, WAL).
// store.cc is the only code that touches SQLiteCpp. Not thread-safe: one
// Store per thread, one writer per archive.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "crm/crm.h"
#include "mail/message.h"

namespace tw {

// An error the user can act on: what went wrong and what to do.
class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Location {
    std::string account;  // the rep's address
    std::string folder;   // "INBOX", "Sent", ...
    std::string source;   // stable name within the folder (Maildir unique name, mbox ordinal, IMAP UID)
    // As last seen on the server (filled when read back; set with set_location_state):
    std::string flags;    // IMAP flags, space-separated: "\\Seen $Forwarded"
    int64_t deleted = 0;  // when sync found it gone from the server (the mail stays archived); 0: present
};

enum class AddOutcome {
    New,        // a message not seen before
    Copy,       // another location of a stored message
    Known,      // this location was already stored: nothing changed
};

struct AddResult {
    AddOutcome outcome = AddOutcome::Known;
    int64_t row = 0;     // messages.id
    int64_t thread = 0;  // conversation id
    // Messages whose conversation changed because this one joined two of them.
    std::vector<std::pair<int64_t, int64_t>> relabeled;  // (row, new thread)
    std::vector<int64_t> customers;  // a new message's customers (crm.h)
};

// What store.add needs that can be computed without the database: hashes,
// the compressed bytes, parties, document numbers. Prepared on the parsing
// threads so the single writer only runs SQL.
struct PreparedMessage {
    std::string sha256;      // of the raw bytes
    std::string compressed;  // zstd(raw)
    size_t header_len = 0;
    std::vector<std::string> parties, externals, docs;
    std::vector<std::string> party_names;  // the display name of each of parties ("" if none)
    std::vector<Party> forwarded;          // the parties of forwarded messages (message/rfc822 parts)
    std::vector<DocMention> trade_docs;    // typed document numbers, with where they were seen
    std::optional<Money> total;            // the amount the mail (or else an attachment) states
    std::string subject_key;
};

struct StoredMessage {
    int64_t row = 0;
    std::string message_id, sha256;
    int64_t thread = 0;
    std::string subject;
    int64_t date = 0;
    std::vector<Location> locations;
    std::vector<std::string> problems;
    std::vector<std::pair<int64_t, std::string>> customers;  // (id, name)
    std::vector<std::string> documents;                       // numbers, sorted
};

struct CustomerRow {
    int64_t id = 0;
    std::string name, kind, owner;
    bool in_pool = false;
    std::vector<std::string> domains;
    std::vector<std::pair<std::string, std::string>> contacts;  // (address, name)
    int64_t messages = 0, last = 0;                               // linked messages, newest date
};

struct ConflictRow {
    int64_t id = 0, customer = 0, message = 0, other_message = 0, date = 0;
    std::string customer_name, rep, other_rep, kind, status, subject;
};

struct DocumentRow {
    std::string number, type, status, amount, currency;
    int64_t customer = 0;
    std::string customer_name;
    int64_t messages = 0, first_seen = 0;
    std::vector<int64_t> threads;
};

// Where a document is named: a message (and its conversation), and the
// place: subject, body, filename (an attachment's name), attachment (its text).
struct DocumentMention {
    int64_t row = 0, thread = 0, date = 0;
    std::string subject, from, place;
};

// A conversation as a deal: its customers and the documents its mail names.
struct Deal {
    std::vector<CustomerRow> customers;  // id, name, owner, in_pool
    std::vector<DocumentRow> documents;  // number, type, status, amount, currency
};

struct MessageSummary {
    std::string message_id, sha256, subject, from;
    int64_t thread = 0, date = 0;
};

struct StoreStats {
    int64_t messages = 0, conversations = 0, locations = 0, accounts = 0, with_problems = 0;
    int64_t raw_bytes = 0, stored_bytes = 0;  // message bytes as received, and compressed on disk
};

class Store {
public:
    // Opens or creates DIR/archive.db (and DIR). Throws StoreError with a hint.
    explicit Store(const std::string& dir);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Batches writes: everything between begin() and commit() lands together or not at all.
    void begin();
    void commit();
    void rollback();  // drops the unfinished batch

    bool has_location(const Location& loc);
    // The server-side state of a location: its flags.
    void set_location_flags(const Location& loc, const std::string& flags);
    // The flags last seen of the locations in account/folder whose source
    // starts with prefix: source -> flags.
    std::map<std::string, std::string> location_flags(const std::string& account, const std::string& folder,
                                                      const std::string& prefix);
    // Locations in account/folder whose source starts with prefix and is not in
    // present are marked deleted (at when); returns how many were newly marked.
    size_t mark_deleted(const std::string& account, const std::string& folder, const std::string& prefix,
                        const std::vector<std::string>& present, int64_t when);
    // After a folder was renumbered (new IMAP UIDVALIDITY): locations under the
    // old prefix whose message was found again under the new one are dropped.
    size_t drop_relocated(const std::string& account, const std::string& folder, const std::string& old_prefix,
                          const std::string& new_prefix);

    // Stores m at loc: a new message, a copy of a stored one (same Message-ID and
    // same content key), or nothing new. Assigns the conversation. firm_domain:
    // the domain of the firm's own addresses (the other parties are external).
    AddResult add(const Message& m, const Location& loc, const std::string& firm_domain);
    AddResult add(const Message& m, const PreparedMessage& p, const Location& loc);

    // Thread-safe (touches no database).
    static PreparedMessage prepare(const Message& m, const std::string& firm_domain);

    void for_each(const std::function<void(const StoredMessage&)>& fn);
    std::vector<Location> locations(int64_t row);
    // One summary per row, in the order given (empty summaries for unknown rows).
    std::vector<MessageSummary> summaries(const std::vector<int64_t>& rows);
    // The messages of a conversation, oldest first.
    std::vector<int64_t> thread_rows(int64_t thread);
    // The bytes of a stored copy, exactly as received.
    std::string raw(int64_t row, const Location* loc = nullptr);
    int64_t max_row();
    // Messages whose conversation changed since the index last confirmed it
    // (row, current thread). Clear them once the index has committed them.
    std::vector<std::pair<int64_t, int64_t>> pending_relabels();
    void clear_relabels();
    void clear_relabel(int64_t row);
    StoreStats stats();

    // The CRM side (indexer/crm.h).
    std::vector<CustomerRow> customers(int64_t id = 0);  // all, or that one
    // All, or one customer's (customer != 0), or the one with that number.
    std::vector<DocumentRow> documents(int64_t customer = 0, const std::string& number = {});
    Deal deal(int64_t thread);
    // A stored message's documents recognised again (its mention rows
    // replaced; users' values kept), between begin() and commit(); then
    // drop_unmentioned_documents() once all are done. account: a mailbox it is in.
    std::vector<DocMention> redo_documents(int64_t row, const Message& m, const std::string& account);
    size_t drop_unmentioned_documents();
    // Every mention of a document, oldest mail first.
    std::vector<DocumentMention> document_mentions(const std::string& number);
    // Relinks every message to its customers; (row, customer ids) for each.
    std::vector<std::pair<int64_t, std::vector<int64_t>>> relink();
    // Conflicts (撞单), found again over the archive; open and handled ones.
    std::vector<ConflictRow> conflicts();
    // Finds them (outside a batch) and returns how many are open; the sync
    // does it after storing new mail, so the manager sees them at once.
    size_t scan_conflicts();
    size_t open_conflicts();  // as last found
    // The public pool: releases customers idle for `days` before `now`, then
    // lists the pool. claim/assign: false if no such customer (in the pool).
    std::vector<CustomerRow> pool(int64_t now, int days, std::vector<int64_t>* released = nullptr);
    bool claim(int64_t customer, const std::string& rep, int64_t now);
    bool assign(int64_t customer, const std::string& rep, int64_t now);
    // For users' decisions on customers and documents (crm.h), between
    // begin() and commit(); relink afterwards so the messages follow.
    Crm& crm_for_edits();
    // A customer's ownership history, oldest first: (owner, reason).
    std::vector<std::pair<std::string, std::string>> owner_history(int64_t customer);
    // "Is this customer taken?": the customers whose name or a contact's name
    // holds TEXT, or with TEXT as a contact's address, or as (a subdomain of)
    // one of their domains, or the domain of TEXT's address. "" : all.
    std::vector<CustomerRow> lookup(const std::string& text);
    // The customers a rep owns now (not in the pool): REP is the rep's address
    // or its local part, any case. For owner: searches.
    std::vector<int64_t> customers_owned_by(const std::string& rep);
    // Every message's customers (none for some), for the index.
    std::vector<std::pair<int64_t, std::vector<int64_t>>> links();
    // Users' decisions made where the index could not be written (the web
    // beside a running sync): the links are right in the archive, and the
    // index's customer: terms follow when its writer next looks
    // (ArchiveWriter::commit, `tradewind relink`). requested() returns a
    // ticket; done(ticket) clears the request unless a newer one came.
    void request_index_relink();
    int64_t index_relink_requested();
    void index_relink_done(int64_t ticket);
    // A manager closes or reopens a conflict. False: no such conflict.
    bool set_conflict_status(int64_t id, const std::string& status);
    void set_setting(const std::string& key, const std::string& value);
    std::string setting(const std::string& key);

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace tw
