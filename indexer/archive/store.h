// The archive's metadata and raw messages (SQLite through SQLiteCpp, WAL).
// SQLiteCpp stays in the .cc files that own tables (store.cc, accounts.cc,
// archive_db.cc here; crm/ and web/auth.cc above). Not thread-safe: one
// Store per thread, one writer per archive.
#pragma once
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "archive/ingest_hook.h"
#include "mail/error.h"
#include "mail/message.h"

namespace tw {

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
    Labels labels;  // a new message's labels from the ingest hook (its customers)
    // Earlier messages whose labels changed because this one came (IngestHook::take_relinked), with them all.
    std::vector<std::pair<int64_t, Labels>> relinked;
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
    std::string subject_key;
    std::shared_ptr<const HookFacts> facts;  // what the ingest hook found (none without a hook)
};

struct StoredMessage {
    int64_t row = 0;
    std::string message_id, sha256;
    int64_t thread = 0;
    std::string subject;
    int64_t date = 0;
    std::vector<Location> locations;
    std::vector<std::string> problems;
};

struct MessageSummary {
    std::string message_id, sha256, subject, from;
    int64_t thread = 0, date = 0;
};

struct StoreStats {
    int64_t messages = 0, conversations = 0, locations = 0, accounts = 0, with_problems = 0;
    int64_t raw_bytes = 0, stored_bytes = 0;  // message bytes as received, and compressed on disk
};

// Whether e says the disk (or quota) holding the archive is full: a
// StorageFullError, or an SQLite error with SQLITE_FULL (the account and
// folder tables write through SQLiteCpp directly).
bool is_storage_full(const std::exception& e);

class Store {
public:
    // Opens or creates DIR/archive.db (and DIR). Throws StoreError with a hint.
    // hook: what a higher layer adds to each new message in the same
    // transaction (the CRM's linking: crm::linker()); none: the archive alone.
    explicit Store(const std::string& dir, const IngestHook::Factory& hook = {});
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

    // Thread-safe (touches no database; hook->prepare is too).
    static PreparedMessage prepare(const Message& m, const std::string& firm_domain, const IngestHook* hook);
    IngestHook* hook();  // null without one
    // The connection, for the layers above that keep their tables in the
    // archive (archive/schema.h): the ingest hook, the CRM.
    SQLite::Database& database();

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

    // Labels changed where the index could not be written (a user's decision
    // on the web beside a running sync): the archive is right, and the index's
    // terms follow when its writer next looks (ArchiveWriter::commit,
    // `tradewind relink`). requested() returns a
    // ticket; done(ticket) clears the request unless a newer one came.
    void request_index_relink();
    int64_t index_relink_requested();
    void index_relink_done(int64_t ticket);
private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace tw
