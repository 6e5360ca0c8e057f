// Adds mail that arrives in batches (IMAP sync) to the archive: parsed on
// every core, then stored, threaded and indexed in order, committed when the
// caller says. The bulk path for files is import_mail.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "mail/message.h"
#include "archive/search_index.h"
#include "archive/store.h"

namespace tw {

class TextWorker;

// A message ready for the archive's writer: parsed, hashed, compressed and
// turned into index terms, off the writer's thread.
struct Parsed {
    Message message;
    PreparedMessage prepared;
    IndexDocument doc;
};

// One parsing thread's tools: its own extraction worker (none: in-process)
// and the limits that use it.
class Parser {
public:
    // hook: the store's ingest hook (its prepare runs here), or none.
    Parser(const std::vector<std::string>& worker_command, const IngestHook* hook);
    ~Parser();
    Parsed parse(std::string raw, int64_t arrival, const std::string& account);

private:
    std::unique_ptr<TextWorker> worker_;
    const IngestHook* hook_;
    ParseLimits limits_;
};

struct Incoming {
    std::string raw;
    Location loc;          // loc.flags, when given, are kept as the location's state
    int64_t arrival = 0;   // when it reached the mailbox (IMAP INTERNALDATE)
};

struct AddCounts {
    size_t imported = 0, copies = 0, known = 0, flagged = 0;
    std::vector<AddOutcome> outcomes;  // per message, in the batch's order
    std::vector<bool> problems;        // per message: flagged with problems
};

class ArchiveWriter {
public:
    // Opens the archive for writing and recovers from an earlier crash.
    // parsers: parsing threads (0 = every core). hook: see Store.
    ArchiveWriter(const std::string& data_dir, const std::vector<std::string>& worker_command, unsigned parsers = 0,
                  const IngestHook::Factory& hook = {});
    ~ArchiveWriter();  // an uncommitted batch is rolled back

    bool has_location(const Location& loc);
    // Parses the batch on every core (takes each raw; the locations stay).
    // Needs no lock: callers on several threads take turns on the pool, while
    // another thread adds what it parsed.
    std::vector<Parsed> parse(std::vector<Incoming>& batch);
    // Adds a parsed batch in order; counts what happened.
    AddCounts add(const std::vector<Incoming>& batch, std::vector<Parsed> parsed);
    // Both: parses, then adds.
    AddCounts add(std::vector<Incoming> batch);
    // The archive itself, for location state (flags, deletions); inside the batch.
    Store& store();
    // Makes the batch durable: SQLite first, then the index. With
    // index_now=false the index is committed only every few thousand messages
    // (or at the next commit()): the stored mail is durable either way, and
    // what the index had not committed is caught up when it is next opened.
    void commit(bool index_now = true);
    // Drops the batch (the archive could not take it: disk full, say).
    void rollback();
    // The ingest hook (for work of its own between batches: call commit() first).
    IngestHook* hook();
    // The index follows the labels the hook now gives these rows (its work between batches changed them).
    void relabel(const std::vector<int64_t>& rows);

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace tw
