// Import of Maildir folders (with Maildir++ subfolders), mbox files and
// single .eml files into the archive: parsed on every core, stored and
// indexed in batches, idempotent, and safe to kill at any point.
#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "archive/search_index.h"
#include "archive/store.h"

namespace tw {

struct ImportOptions {
    std::string data_dir;
    std::string account;             // the rep's address these mailboxes belong to
    std::vector<std::string> paths;  // Maildir roots, mbox files, .eml files
    unsigned threads = 0;            // parsing threads; 0 = every core
    std::vector<std::string> worker_command;  // text extraction worker; empty = in-process
    size_t batch = 1000;             // messages per transaction
    IngestHook::Factory hook;        // what the layer above adds to each message (Store)
};

struct ImportProgress {
    size_t done = 0, total = 0;
    double seconds = 0;
};

struct ImportSummary {
    size_t found = 0;     // message files/entries seen
    size_t imported = 0;  // new messages
    size_t copies = 0;    // new locations of messages already stored (duplicates)
    size_t skipped = 0;   // locations already in the archive (re-import)
    size_t flagged = 0;   // imported with at least one problem
    double seconds = 0;
};

// Throws StoreError (with a hint) for an unusable archive or a path that is
// neither a Maildir, an mbox nor a mail file.
ImportSummary import_mail(const ImportOptions& opts, const std::function<void(const ImportProgress&)>& progress);

// After a crash: indexes stored rows the index lacks and replays conversation
// changes it missed. Run before writing to an archive.
void recover(Store& store, SearchIndex& index, const std::vector<std::string>& worker_command);

// Brings the index's label terms (customer:) in line with the ingest hook's
// (after a relink or users' decisions) and commits; clears a request made with
// Store::request_index_relink. Returns the messages whose terms changed.
size_t relink_index(Store& store, SearchIndex& index);

// The same, opening DIR/index for writing; while another tradewind holds it
// (a running sync or serve), asks that one to do it at its next pass
// (Store::request_index_relink) and returns nullopt (why: what opening said).
std::optional<size_t> relink_index_or_ask(Store& store, const std::string& data_dir, std::string* why = nullptr);
// The same for some rows only (their Label fields as the hook gives them now); a ticket when the index is held.
std::optional<size_t> relabel_rows_or_ask(Store& store, const std::string& data_dir, const std::vector<int64_t>& rows);
// The same through an index the caller holds (the writer's own).
size_t relabel_rows(Store& store, SearchIndex& index, const std::vector<int64_t>& rows);

// Rebuilds DIR/index from the archive (re-parsing every stored message); the
// hook derives what it derives from each message again (the CRM: trade
// documents, after the firm's patterns changed; users' corrections stay).
size_t reindex(const std::string& data_dir, const std::vector<std::string>& worker_command, const IngestHook::Factory& hook = {});

}  // namespace tw
