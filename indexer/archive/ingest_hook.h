// The one narrow hook through which a higher layer (the CRM) adds to every
// message the archive stores, inside the same SQLite transaction, so what it
// derives (customers, documents) is committed or rolled back with the message.
// The archive defines it and knows nothing of what the hook does: it only
// carries the hook's facts from the parsing threads to the writer and its
// labels (boolean search fields of archive/schema.h) to the index.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace SQLite {
class Database;
}

namespace tw {

struct Message;
struct Location;

// A participant of a message: normalized address and the name it came with.
struct Party {
    std::string address;
    std::string name;  // as written ("" if none)
};

// A boolean search term a higher layer gives a message: a field of
// schema::kFields and its value, e.g. {"customer", "12"}, {"doc", "PI-2025-0034"}.
struct Label {
    std::string field, value;
    bool operator==(const Label&) const = default;
};
using Labels = std::vector<Label>;

// What the hook found in a message on a parsing thread (its own type).
struct HookFacts {
    virtual ~HookFacts() = default;
};

// A message the store has just written, in its open transaction.
struct StoredFacts {
    int64_t row = 0, thread = 0, date = 0;
    const Message& message;
    const Location& loc;
    const std::vector<Party>& parties;          // From, To, Cc, once each
    const std::vector<Party>& forwarded;        // of the messages it forwards (message/rfc822 parts)
};

class IngestHook {
public:
    // Builds the hook on the store's own connection (one per Store).
    using Factory = std::function<std::unique_ptr<IngestHook>(SQLite::Database&)>;
    virtual ~IngestHook() = default;
    // Thread-safe; touches no database.
    virtual std::shared_ptr<const HookFacts> prepare(const Message& m) const = 0;
    // The labels known from the message alone (for its index document at once).
    virtual Labels labels(const HookFacts& facts) const = 0;
    // After the store wrote a new message: the labels known only now.
    virtual Labels stored(const StoredFacts& m, const HookFacts& facts) = 0;
    // Reindex: a stored message parsed again; what the hook derives from its
    // content is derived again. Returns every label of the message.
    virtual Labels restored(const StoredFacts& m, const HookFacts& facts) = 0;
    // After every message was restored.
    virtual void restored_all() = 0;
    // Every label of a stored message (index catch-up).
    virtual Labels labels_of(int64_t row) = 0;
    // The values of `field` for every stored message, for fields whose values
    // change after storing (customer: merges, moves): (row, values), by row.
    virtual std::vector<std::pair<int64_t, std::vector<std::string>>> field_values(const std::string& field) = 0;
    // Other stored messages whose labels the last stored() changed (approval mail that takes the customer of
    // the document this message gave one): their index documents follow in the same batch.
    virtual std::vector<int64_t> take_relinked() { return {}; }
    // The batch is about to commit (in its transaction): work left for the end
    // of a batch is done here (follow-ups of the conversations it touched).
    virtual void before_commit() {}
    // Lets go of every statement (before a commit or rollback) and of work the
    // batch left (a rollback drops it).
    virtual void reset() = 0;
};

}  // namespace tw
