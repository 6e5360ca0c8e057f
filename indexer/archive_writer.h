// Adds mail that arrives one message at a time (IMAP sync) to the archive:
// parse, store, thread and index, committed in batches the caller closes.
// The bulk path for files is import_mail (parallel parsing).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "store.h"

namespace tw {

class ArchiveWriter {
public:
    // Opens the archive for writing and recovers from an earlier crash.
    ArchiveWriter(const std::string& data_dir, const std::vector<std::string>& worker_command);
    ~ArchiveWriter();  // an uncommitted batch is rolled back

    bool has_location(const Location& loc);
    // New, Copy or Known (the location was archived already). flagged: it had
    // problems. loc.flags, when given, are kept as the location's state.
    AddOutcome add(std::string raw, const Location& loc, int64_t arrival, bool* flagged = nullptr);
    // The archive itself, for location state (flags, deletions); inside the batch.
    Store& store();
    // Makes the batch durable: SQLite first, then the index.
    void commit();

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace tw
