// IMAP sync: every account's folders into the archive. Read-only on the
// server (EXAMINE, BODY.PEEK), incremental per folder (UIDVALIDITY + highest
// UID archived, saved only after the messages it covers are committed), and
// one failing account or folder never stops the others.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tw {

struct SyncOptions {
    std::string data_dir;
    std::vector<std::string> worker_command;  // text extraction worker; empty = in-process
    std::string only_account;                 // empty: all accounts
    size_t fetch_batch = 200;                 // UIDs per FETCH command (and per commit)
    uint64_t fetch_bytes = 16 << 20;          // and at most this many message bytes (a bigger message: alone)
    int flags_every = 600;                    // servers without CONDSTORE: every folder's flags read again this often (s)
    size_t connections = 8;                   // accounts synced at once by sync_once (one connection each)
    int poll_seconds = 30;                    // sync_live: how often every folder is looked at
    bool idle = true;                         // sync_live: IDLE on INBOX where the server has it
};

struct FolderReport {
    std::string folder;
    size_t found = 0, imported = 0, copies = 0, flagged = 0;
    size_t deleted = 0;        // locations found gone from the server in this run
    size_t flags_changed = 0;  // archived mail whose flags changed on the server (CONDSTORE)
    std::string error;
};

struct AccountReport {
    std::string address;
    std::string error;  // empty: the account synced (folders may still report errors)
    int retry_in = 0;   // live sync after an error: seconds until the next try
    std::vector<FolderReport> folders;
};

struct SyncProgress {
    std::string account;
    size_t folders = 0;           // folders synced in this pass
    size_t done = 0, total = 0;   // new messages taken / found on the server
};

std::vector<AccountReport> sync_once(const SyncOptions& opts, const std::function<void(const SyncProgress&)>& progress);

// Keeps every account in sync until stop: one thread and connection per
// account; new INBOX mail arrives through IDLE within about a second, other
// folders every poll_seconds; a failing account is retried with backoff
// (5 s doubling to 5 min) while the others go on. on_pass reports each pass.
// progress: as sync_once's, during each pass (from the accounts' threads).
void sync_live(const SyncOptions& opts, const std::atomic<bool>& stop,
               const std::function<void(const AccountReport&)>& on_pass,
               const std::function<void(const SyncProgress&)>& progress = {});

// Folders sync skips unless asked for: Trash, Junk and Drafts, by SPECIAL-USE
// flag or by the usual names (English, Chinese, German, ...).
bool skipped_by_default(const std::string& display_name, const std::vector<std::string>& lowercase_flags);

// True if name matches one of the comma-separated patterns (* and ? wildcards, case-insensitive).
bool folder_matches(const std::string& name, const std::string& patterns);

}  // namespace tw
