// The audit trail: who read or changed what, whose mailbox it was, from
// where, and whether it was allowed. Append-only (SQLite triggers refuse
// UPDATE and DELETE on the table) and tamper-evident: every row stores the
// SHA-256 of the previous row's hash and its own fields, so `verify` finds the
// first row that was altered, inserted or removed. Model: mailpiler's audit
// codes (VIEW_MESSAGE, DOWNLOAD_ATTACHMENT, SEARCH, LOGIN_FAILED ...), with
// every field filled for every action ("-" where a field does not apply).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite {
class Database;
}

namespace tw {

// The actions recorded, with what a page shows for each.
struct AuditAction {
    std::string_view name, label;
};
inline constexpr AuditAction kAuditActions[] = {
    {"login", "Logged in"},
    {"login_failed", "Failed login"},
    {"view_message", "Read a message"},
    {"view_attachment", "Opened an attachment"},
    {"download", "Downloaded an attachment"},
    {"search", "Searched"},
    {"view_customer", "Opened a customer"},
    {"view_document", "Opened a document"},
    {"view_audit", "Read the audit trail"},
    {"claim", "Claimed a customer"},
    {"assign", "Assigned a customer"},
    {"rename", "Renamed a customer"},
    {"merge", "Merged customers"},
    {"move", "Moved a contact"},
    {"split", "Split a customer"},
    {"document_edit", "Corrected a document"},
    {"document_create", "Recorded a document"},
    {"followup_snooze", "Snoozed a follow-up"},
    {"followup_done", "Marked a follow-up done"},
    {"followup_dismiss", "Dismissed a follow-up"},
    {"followup_open", "Opened a follow-up again"},
    {"followup_remind", "Set a reminder"},
    {"approval_request", "Asked for an approval"},
    {"approval_approve", "Approved a document"},
    {"approval_reject", "Rejected a document"},
    {"approval_withdraw", "Withdrew an approval request"},
    {"approval_mail", "An approval step read out of the mail"},
    {"approval_changed", "An approved document changed"},
    {"violation_acknowledge", "Acknowledged a violation"},
    {"conflict_close", "Closed a conflict"},
    {"conflict_reopen", "Reopened a conflict"},
    {"user_add", "Added a user"},
    {"user_set", "Changed a user"},
    {"team_add", "Added a team"},
    {"setting_set", "Changed a setting"},
};
bool is_audit_action(std::string_view name);

struct AuditEntry {
    int64_t id = 0, time = 0;  // set by record() (time: now, unless given)
    std::string actor, role, action;
    std::string target_kind;    // message, attachment, customer, document, conflict, user, team, setting, query
    std::string target;         // its id, number, name or the query text
    std::string mailbox_owner;  // the mailboxes affected, comma-separated
    std::string ip, user_agent;
    bool allowed = true;
    std::string detail;  // what changed (field=value), why it was denied
    std::string prev_hash, hash;
};

struct AuditFilter {
    std::string actor, action, mailbox, target;  // "" : any (action: one or several, comma-separated;
                                                 // mailbox: rows whose mailbox_owner names it)
    int64_t since = 0;
    size_t limit = 100, offset = 0;
};

struct AuditCheck {
    bool ok = true;
    int64_t rows = 0;
    int64_t first_bad = 0;  // the first row that does not hold (0: none)
    std::string what;       // why
};

class AuditTrail {
public:
    explicit AuditTrail(SQLite::Database& db);  // no transaction may be open on db while recording
    // Appends one row (fills id, time, the hashes; an empty field becomes "-"). InvalidError: an unknown action.
    AuditEntry record(AuditEntry e);
    std::vector<AuditEntry> record_all(std::vector<AuditEntry> entries);  // in one transaction, in order
    // Newest first; total: how many match.
    std::vector<AuditEntry> list(const AuditFilter& f, size_t* total = nullptr);
    AuditCheck verify();
    // The hash a row must have: SHA-256 of prev_hash and every field, each length-prefixed.
    static std::string row_hash(const AuditEntry& e);

private:
    SQLite::Database& db_;
};

// The trail on a connection of its own, for a process that records from
// several threads (serve).
class AuditLog {
public:
    explicit AuditLog(const std::string& data_dir);
    ~AuditLog();
    AuditEntry record(AuditEntry e);
    std::vector<AuditEntry> list(const AuditFilter& f, size_t* total = nullptr);

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace tw
