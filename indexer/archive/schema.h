// The archive's on-disk layout, in one place, as data (notmuch's database.cc
// comment and mu's field table are the models): the tables below (kTables),
// with the columns they hold and what they are for, the meta keys (kMeta)
// and settings (kSettings), the search fields and value slots of the Xapian
// index (kFields, kSlot*). tests/unit/archive/test_schema.cc checks the live
// SQLite schema, meta and settings against these tables.
//
// DATA/archive.db  SQLite (WAL), the source of truth. The archive's tables
//   (indexer/archive/) and the CRM's (crm/) sit side by side in one file, so
//   the CRM's links are written in the transaction that stores a message
//   (archive/ingest_hook.h). The web's users and sessions live here too.
// DATA/index/      Xapian, rebuildable from archive.db (`tradewind reindex`).
//   Document id = messages.id. Metadata "last_row" = the highest messages.id
//   indexed, committed with the documents.
// DATA/secret.key  the libsodium secretbox key for account passwords (0600).
#pragma once
#include <string_view>

namespace tw::schema {

struct Table {
    std::string_view name;
    std::string_view owner;    // the code that owns it: archive, crm, web
    std::string_view columns;  // in order, space-separated
    std::string_view what;
};

inline constexpr Table kTables[] = {
    {"meta", "archive", "key value", "key -> value: the keys of kMeta"},
    {"blobs", "archive", "sha256 size data", "sha256 -> zstd(raw bytes) of a message's first copy, stored once"},
    {"messages", "archive",
     "id message_id synthetic body_key sha256 thread subject base_subject from_name from_addr date date_source in_reply_to "
     "refs size header_len attachments problems subject_key",
     "one row per distinct message. body_key: hash of what every copy shares (NULL until a second mail with the same "
     "Message-ID asks for it); sha256: of the first copy's raw bytes; header_len: where its body starts (further copies "
     "with the same body are stored as their header only); subject_key: base_subject without document numbers and "
     "punctuation (the subject fallback); refs and problems: JSON"},
    {"locations", "archive", "account folder source message blob header",
     "(account, folder, source) -> message. A copy whose body equals the stored one keeps only its own header block "
     "(header); a copy that differs otherwise has its own blob (blob). IMAP sources are imap:UIDVALIDITY:UID"},
    {"parties", "archive", "message address name", "every From/To/Cc address of a message, lower-cased, with its display name"},
    {"docs", "archive", "message doc", "document-number tokens seen in subject and text (threading hints)"},
    {"thread_ids", "archive", "msgid thread soft",
     "every Message-ID seen, own or referenced (ghosts too); soft: placed by the subject fallback and not yet confirmed "
     "by a reference (a later reference moves that message rather than merging two conversations)"},
    {"relabeled", "archive", "message", "messages whose conversation changed and whose index document may still name the old one"},
    {"location_state", "archive", "account folder source flags deleted",
     "as last seen on the server: IMAP flags (space-separated, sorted) and deleted (when sync found the mail gone; it stays archived)"},
    {"accounts", "archive",
     "address imap_url user secret since folders verify_tls allow_plaintext state last_sync last_error ca_file",
     "the reps' IMAP mailboxes; secret: the password sealed with libsodium secretbox (nonce || box) under DATA/secret.key; "
     "ca_file: the firm's own CA certificates (PEM) to trust for this server, '' the system's"},
    {"users", "crm", "name role password_hash created team disabled epoch lang",
     "users: role (rep, manager, auditor, admin), argon2id hash, team (the team a rep belongs to), disabled, epoch "
     "(raised by a password change or disabling: older sessions end), lang (the pages' language, en or zh; \"\" : the browser's)"},
    {"user_mailboxes", "crm", "user address pos",
     "the mailboxes granted to a user (a shared sales@ may be granted to several); pos 0 is the user's own address, "
     "what they own and claim"},
    {"teams", "crm", "name created", "teams of reps"},
    {"team_managers", "crm", "team user", "the managers who lead a team (a manager may lead several)"},
    {"sessions", "web", "token_hash user expires epoch",
     "SHA-256 of the cookie's random token -> user, expiry, the user's epoch when it was opened"},
    {"audit", "crm", "id time actor role action target_kind target mailbox_owner ip user_agent allowed detail prev_hash hash",
     "the audit trail, append-only (triggers refuse UPDATE and DELETE): who did or read what, whose mailbox it was, from "
     "where, allowed or denied; hash = SHA-256 of prev_hash and the row's fields (a hash chain, `tradewind audit verify`)"},
    {"folder_sync", "archive", "account folder server_name uidvalidity last_uid highestmodseq last_sync last_error",
     "per (account, folder): the server's name, UIDVALIDITY, the highest UID archived (committed after the messages it "
     "covers), HIGHESTMODSEQ, last sync and error"},
    {"settings", "crm", "key value", "key -> value: the keys of kSettings"},
    {"customers", "crm", "id name kind named_by_user owner owner_by_user first_contact in_pool created",
     "kind: company | freemail; owner: the rep of its earliest mail (owner_by_user: a manager or a claim decided); "
     "first_contact: that mail's date; in_pool: released to the public pool (公海); named_by_user: a user's name survives relinking"},
    {"conflicts", "crm", "id customer rep other_rep kind message other_message date status",
     "撞单: kind not_owner (a rep who is not the owner opened a conversation) or double_quote (a second rep quoted the "
     "customer); other_rep: the owner, or the rep who quoted first; status: open | closed"},
    {"customer_owners", "crm", "customer owner since reason", "ownership history; the current owner is customers.owner"},
    {"customer_domains", "crm", "domain customer", "business domain -> customer (never a freemail domain)"},
    {"contacts", "crm", "address name customer by_user", "address -> name as first written, customer; by_user: moved by a user"},
    {"message_customers", "crm", "message customer", "the links of every message to its customers"},
    {"documents", "crm", "number type customer status amount currency edited first_seen",
     "trade documents: status (sent, received, draft, confirmed, cancelled, paid, shipped, closed); edited: a user's "
     "correction, never overwritten by recognition; first_seen: the date of its earliest mail"},
    {"calendars", "crm", "rep tz hours closed",
     "business calendars: rep '' is the firm's, an address a rep's own; tz (IANA), hours (Mon-Fri 09:00-18:00), closed "
     "(JSON list of days and ranges: holidays, a rep's leave); '' inherits the firm's (crm/calendar.h)"},
    {"automated_mail", "crm", "message why",
     "messages that are no person's word (auto-replies, bounces, newsletters, lists): why; follow-ups pass them over"},
    {"followups", "crm", "id kind message thread customer rep since due business_seconds state until by_user at reason note ended_by",
     "what a conversation waits for: kind reply_due | customer_silent (opened by `message`, at `since`, due at `due`, "
     "business_seconds of the owner's calendar later) | manual (message NULL); state open | snoozed (until) | done | "
     "dismissed (reason) | ended (by the message ended_by); by_user and at: who decided, when"},
    {"smtp", "archive", "id url from_addr user secret allow_plaintext",
     "the one mail server Tradewind sends through (digests, escalations): secret sealed like the accounts' passwords"},
    {"notifications", "crm", "id key kind recipient items state attempts next_try last_error created sent",
     "the outbox: kind digest | escalation | test, one per key (digest:REP:DAY, escalation:MANAGER:IDS); items JSON; "
     "state pending | retrying (next_try, backoff) | sending (the last byte was handed to the server: never sent again) | "
     "sent | given_up"},
    {"announced", "crm", "followup kind notification",
     "which notification announced a follow-up (kind digest, or escalation:MANAGER): no item is announced twice"},
    {"approval_rules", "crm", "id types min_amount currency approver then_approver applies_from created",
     "which documents need whose approval: types (comma-separated), from min_amount in currency (fx_rates convert), "
     "approver (a user) and then_approver (the next tier); applies to documents first seen from applies_from on"},
    {"approval_mail", "crm", "message asks outcome comment revises",
     "internal mail read as approval: asks (a request), outcome approved | rejected and its comment (a decision), "
     "revises (it says it replaces a document)"},
    {"approval_violations", "crm", "document kind at message",
     "documents that reached a customer without a valid approval (rebuilt by each scan): kind sent_before_approval | "
     "sent_after_rejection | sent_without_request | changed_after_approval, the first such mail"},
    {"approvals", "crm", "id document type amount currency customer rep approver tier state requested decided comment via "
     "request_message decision_message reason outcome chain superseded_by changed",
     "approval records, found again from the mail (via mail) and the web's actions by each scan: state not_requested | "
     "pending | approved | rejected | withdrawn | superseded (by superseded_by, a revised document); tier of chain (the "
     "approvers in sequence, comma-separated); outcome: the last decision; changed: fell back to pending after a change"},
    {"approval_acks", "crm", "document kind by_user at comment", "a manager's acknowledgement of a violation, with a comment"},
    {"approval_actions", "crm", "id document action by_user mailbox at comment message",
     "approvals done on the web or the command line (action request | approve | reject | withdraw; message: the mail "
     "with the draft a request points at; comment: a request's note, a decision's reason), kept through every scan: the "
     "latest decision stands over the mail's"},
    {"message_documents", "crm", "message number place amount currency sha256 words",
     "where a message names a document: subject, body, filename, attachment; amount and currency: the total the message "
     "states for it; sha256: of the attachment that names it; words: of that attachment's text, spaces removed (the same "
     "document saved again has new bytes and the same words)"},
    {"approval_history", "crm", "document seq at state tier approver actor via message comment reason",
     "each record's transitions in order (rebuilt by each scan): the state entered, at which tier and whose, who moved it "
     "(via mail: the message; via web), the comment and reason"},
    {"approval_terms", "crm", "document decided amount currency customer sha256 hash changed_at",
     "what was approved, kept from the first scan that saw the approval: number, amount, currency, customer and the "
     "attachment's sha256, and the SHA-256 of them; a document that differs afterwards (changed_at: first seen so) falls "
     "back to pending"},
    {"approval_audited", "crm", "key", "the transitions read out of the mail already written to the audit trail (once each)"},
    {"approval_drafts", "crm", "id document action filename content_type size sha256 words data by_user at",
     "drafts a rep attached to a request on the web (action: the approval_actions row): the file as uploaded, its "
     "sha256 and the hash of its words (what was approved)"},
    {"forwarded_parties", "crm", "message address name", "the From/To/Cc of the mail a message forwards (message/rfc822 parts)"},
};

struct Key {
    std::string_view name;
    std::string_view what;
};

inline constexpr Key kMeta[] = {
    {"schema", "the schema version (kVersion)"},
    {"customer_seq", "the highest customer id ever given: ids are never used twice (crm/)"},
    {"pool_since", "when the public pool was switched on (the archive's creation or upgrade, or pool_days first set): idle time counts from then (crm/)"},
    {"index_relink", "a ticket: labels changed where the index could not be written; its writer brings them along"},
};

inline constexpr Key kSettings[] = {
    {"internal_domains", "the firm's own domains, comma-separated (its accounts' domains are internal without it)"},
    {"doc_patterns", "the firm's own document numbering: JSON {\"type\": [\"regex\", ...]}"},
    {"pool_days", "days without mail from the owner before a customer goes to the public pool (default 30)"},
    {"audit_open_to_reps", "1: reps see who read their mail (/audit/mine); default 0"},
    {"reply_sla_hours", "business hours in which a customer's mail is to be answered (reply_due), in the owner's calendar; default 8"},
    {"silent_days", "business days after the firm's last mail before a silent customer is chased (customer_silent); default 3"},
    {"escalate_after_hours", "business hours a follow-up may be overdue before it goes to the rep's manager; default 8"},
    {"digest_at", "the local time (HH:MM, each rep's calendar) of the daily digest of due and overdue follow-ups; default 08:30"},
    {"fx_rates", "the value of one unit of each currency in a common base, for approval thresholds: JSON {\"USD\": 1, \"EUR\": 1.08, \"CNY\": 0.138}"},
    {"silent_days_after", "per document type, its own silent period: JSON {\"quotation\": 5, \"proforma_invoice\": 7}"},
};

inline constexpr int kVersion = 7;

inline constexpr const char* kSql = R"SQL(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL,
  synthetic INTEGER NOT NULL,
  body_key TEXT,
  sha256 TEXT NOT NULL REFERENCES blobs(sha256),
  thread INTEGER NOT NULL,
  subject TEXT NOT NULL,
  base_subject TEXT NOT NULL,
  from_name TEXT NOT NULL,
  from_addr TEXT NOT NULL,
  date INTEGER NOT NULL,
  date_source TEXT NOT NULL,
  in_reply_to TEXT NOT NULL,
  refs TEXT NOT NULL,
  size INTEGER NOT NULL,
  header_len INTEGER NOT NULL,
  attachments INTEGER NOT NULL,
  problems TEXT NOT NULL,
  subject_key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_mid ON messages(message_id);
CREATE INDEX IF NOT EXISTS messages_thread ON messages(thread);
CREATE INDEX IF NOT EXISTS messages_subject ON messages(subject_key, date);
CREATE TABLE IF NOT EXISTS locations (
  account TEXT NOT NULL, folder TEXT NOT NULL, source TEXT NOT NULL,
  message INTEGER NOT NULL REFERENCES messages(id),
  blob TEXT,
  header BLOB,
  PRIMARY KEY (account, folder, source));
CREATE INDEX IF NOT EXISTS locations_message ON locations(message);
CREATE TABLE IF NOT EXISTS parties (message INTEGER NOT NULL, address TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (message, address));
CREATE INDEX IF NOT EXISTS parties_address ON parties(address);
CREATE TABLE IF NOT EXISTS docs (message INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (message, doc));
CREATE INDEX IF NOT EXISTS docs_doc ON docs(doc);
CREATE TABLE IF NOT EXISTS thread_ids (msgid TEXT PRIMARY KEY, thread INTEGER NOT NULL, soft INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS thread_ids_thread ON thread_ids(thread);
CREATE TABLE IF NOT EXISTS relabeled (message INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS location_state (
  account TEXT NOT NULL, folder TEXT NOT NULL, source TEXT NOT NULL,
  flags TEXT NOT NULL DEFAULT '', deleted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account, folder, source));
CREATE TABLE IF NOT EXISTS accounts (
  address TEXT PRIMARY KEY, imap_url TEXT NOT NULL, user TEXT NOT NULL, secret BLOB NOT NULL,
  since TEXT NOT NULL DEFAULT '', folders TEXT NOT NULL DEFAULT '',
  verify_tls INTEGER NOT NULL DEFAULT 1, allow_plaintext INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'new', last_sync INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',
  ca_file TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, created INTEGER NOT NULL,
  team TEXT NOT NULL DEFAULT '', disabled INTEGER NOT NULL DEFAULT 0, epoch INTEGER NOT NULL DEFAULT 0,
  lang TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS user_mailboxes (user TEXT NOT NULL, address TEXT NOT NULL, pos INTEGER NOT NULL,
  PRIMARY KEY (user, address));
CREATE INDEX IF NOT EXISTS user_mailboxes_address ON user_mailboxes(address);
CREATE TABLE IF NOT EXISTS teams (name TEXT PRIMARY KEY, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS team_managers (team TEXT NOT NULL, user TEXT NOT NULL, PRIMARY KEY (team, user));
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name), expires INTEGER NOT NULL,
  epoch INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY, time INTEGER NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,
  target_kind TEXT NOT NULL, target TEXT NOT NULL, mailbox_owner TEXT NOT NULL, ip TEXT NOT NULL,
  user_agent TEXT NOT NULL, allowed INTEGER NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_actor ON audit(actor, time);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE IF NOT EXISTS folder_sync (
  account TEXT NOT NULL, folder TEXT NOT NULL, server_name TEXT NOT NULL,
  uidvalidity INTEGER NOT NULL, last_uid INTEGER NOT NULL, highestmodseq INTEGER NOT NULL DEFAULT 0,
  last_sync INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (account, folder));
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, named_by_user INTEGER NOT NULL DEFAULT 0,
  owner TEXT NOT NULL DEFAULT '', owner_by_user INTEGER NOT NULL DEFAULT 0, first_contact INTEGER NOT NULL DEFAULT 0,
  in_pool INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS conflicts (
  id INTEGER PRIMARY KEY, customer INTEGER NOT NULL, rep TEXT NOT NULL, other_rep TEXT NOT NULL, kind TEXT NOT NULL,
  message INTEGER NOT NULL, other_message INTEGER NOT NULL DEFAULT 0, date INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'open', UNIQUE (customer, rep, kind, message));
CREATE TABLE IF NOT EXISTS customer_owners (customer INTEGER NOT NULL, owner TEXT NOT NULL, since INTEGER NOT NULL,
  reason TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS customer_owners_customer ON customer_owners(customer);
CREATE TABLE IF NOT EXISTS customer_domains (domain TEXT PRIMARY KEY, customer INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS customer_domains_customer ON customer_domains(customer);
CREATE TABLE IF NOT EXISTS contacts (
  address TEXT PRIMARY KEY, name TEXT NOT NULL, customer INTEGER NOT NULL, by_user INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS contacts_customer ON contacts(customer);
CREATE TABLE IF NOT EXISTS message_customers (message INTEGER NOT NULL, customer INTEGER NOT NULL,
  PRIMARY KEY (message, customer));
CREATE INDEX IF NOT EXISTS message_customers_customer ON message_customers(customer);
CREATE TABLE IF NOT EXISTS documents (
  number TEXT PRIMARY KEY, type TEXT NOT NULL, customer INTEGER, status TEXT NOT NULL,
  amount TEXT NOT NULL DEFAULT '', currency TEXT NOT NULL DEFAULT '', edited INTEGER NOT NULL DEFAULT 0, first_seen INTEGER);
CREATE TABLE IF NOT EXISTS calendars (rep TEXT PRIMARY KEY, tz TEXT NOT NULL DEFAULT '', hours TEXT NOT NULL DEFAULT '',
  closed TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS smtp (id INTEGER PRIMARY KEY CHECK (id = 1), url TEXT NOT NULL, from_addr TEXT NOT NULL,
  user TEXT NOT NULL DEFAULT '', secret BLOB, allow_plaintext INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS notifications (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
  recipient TEXT NOT NULL, items TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
  next_try INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL, sent INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS notifications_state ON notifications(state, next_try);
CREATE TABLE IF NOT EXISTS announced (followup INTEGER NOT NULL, kind TEXT NOT NULL, notification INTEGER NOT NULL,
  PRIMARY KEY (followup, kind));
CREATE TABLE IF NOT EXISTS approval_rules (id INTEGER PRIMARY KEY, types TEXT NOT NULL, min_amount REAL NOT NULL,
  currency TEXT NOT NULL, approver TEXT NOT NULL, then_approver TEXT NOT NULL DEFAULT '', applies_from INTEGER NOT NULL,
  created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS approval_mail (message INTEGER PRIMARY KEY, asks INTEGER NOT NULL, outcome TEXT NOT NULL,
  comment TEXT NOT NULL, revises INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS approval_violations (document TEXT NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL,
  message INTEGER NOT NULL, PRIMARY KEY (document, kind));
CREATE TABLE IF NOT EXISTS approvals (id INTEGER PRIMARY KEY, document TEXT NOT NULL, type TEXT NOT NULL, amount TEXT NOT NULL,
  currency TEXT NOT NULL, customer INTEGER NOT NULL, rep TEXT NOT NULL, approver TEXT NOT NULL, tier INTEGER NOT NULL,
  state TEXT NOT NULL, requested INTEGER NOT NULL, decided INTEGER NOT NULL, comment TEXT NOT NULL, via TEXT NOT NULL,
  request_message INTEGER, decision_message INTEGER, reason TEXT NOT NULL DEFAULT '', outcome TEXT NOT NULL DEFAULT '',
  chain TEXT NOT NULL DEFAULT '', superseded_by TEXT NOT NULL DEFAULT '', changed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS approval_history (document TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL,
  state TEXT NOT NULL, tier INTEGER NOT NULL, approver TEXT NOT NULL, actor TEXT NOT NULL, via TEXT NOT NULL,
  message INTEGER NOT NULL DEFAULT 0, comment TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '', PRIMARY KEY (document, seq));
CREATE TABLE IF NOT EXISTS approval_terms (document TEXT NOT NULL, decided INTEGER NOT NULL, amount TEXT NOT NULL,
  currency TEXT NOT NULL, customer INTEGER NOT NULL, sha256 TEXT NOT NULL, hash TEXT NOT NULL,
  changed_at INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (document, decided));
CREATE TABLE IF NOT EXISTS approval_audited (key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS approval_drafts (id INTEGER PRIMARY KEY, document TEXT NOT NULL, action INTEGER NOT NULL DEFAULT 0,
  filename TEXT NOT NULL, content_type TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, words TEXT NOT NULL,
  data BLOB NOT NULL, by_user TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS approvals_document ON approvals(document);
CREATE TABLE IF NOT EXISTS approval_acks (document TEXT NOT NULL, kind TEXT NOT NULL, by_user TEXT NOT NULL,
  at INTEGER NOT NULL, comment TEXT NOT NULL, PRIMARY KEY (document, kind));
CREATE TABLE IF NOT EXISTS approval_actions (id INTEGER PRIMARY KEY, document TEXT NOT NULL, action TEXT NOT NULL,
  by_user TEXT NOT NULL, mailbox TEXT NOT NULL DEFAULT '', at INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '',
  message INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS automated_mail (message INTEGER PRIMARY KEY, why TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS followups (
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, message INTEGER, thread INTEGER NOT NULL, customer INTEGER NOT NULL DEFAULT 0,
  rep TEXT NOT NULL DEFAULT '', since INTEGER NOT NULL, due INTEGER NOT NULL, business_seconds INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'open', until INTEGER NOT NULL DEFAULT 0, by_user TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL DEFAULT 0, reason TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '', ended_by INTEGER NOT NULL DEFAULT 0,
  UNIQUE (kind, message));
CREATE INDEX IF NOT EXISTS followups_thread ON followups(thread);
CREATE INDEX IF NOT EXISTS followups_message ON followups(message);
CREATE INDEX IF NOT EXISTS followups_rep ON followups(rep, state, due);
CREATE TABLE IF NOT EXISTS message_documents (message INTEGER NOT NULL, number TEXT NOT NULL, place TEXT NOT NULL,
  amount TEXT NOT NULL DEFAULT '', currency TEXT NOT NULL DEFAULT '', sha256 TEXT NOT NULL DEFAULT '',
  words TEXT NOT NULL DEFAULT '', PRIMARY KEY (message, number, place));
CREATE INDEX IF NOT EXISTS message_documents_number ON message_documents(number);
CREATE TABLE IF NOT EXISTS forwarded_parties (message INTEGER NOT NULL, address TEXT NOT NULL, name TEXT NOT NULL,
  PRIMARY KEY (message, address));
)SQL";

// Search fields: the query prefix, the Xapian term prefix and its kind. Both
// the indexer (search_index.cc) and the query parser take prefixes from here
// only (schema::prefix("subject") fails to compile for a name not listed).
enum class FieldKind {
    Text,      // free text, indexed with positions
    Boolean,   // exact terms
    Label,     // exact terms a higher layer gives (ingest hook labels, archive/ingest_hook.h)
    Expanded,  // looked up when searching: becomes terms of the field `into` (SearchOptions::expand)
};

struct Field {
    std::string_view name;
    std::string_view prefix;
    FieldKind kind;
    std::string_view example;
    std::string_view into = {};  // Expanded only
};

inline constexpr Field kFields[] = {
    {"from", "XFROM", FieldKind::Text, "from:anna"},
    {"to", "XTO", FieldKind::Text, "to:lily.zhou"},
    {"cc", "XCC", FieldKind::Text, "cc:wei.chen"},
    {"subject", "XSUBJECT", FieldKind::Text, "subject:quotation"},
    {"attachment", "XATTACH", FieldKind::Text, "attachment:COSU6182736450"},
    {"filename", "XFILENAME", FieldKind::Text, "filename:报价单"},
    {"folder", "XFOLDER:", FieldKind::Boolean, "folder:Sent"},
    {"account", "XACCOUNT:", FieldKind::Boolean, "account:lily.zhou@acme-trading.example"},
    {"thread", "G", FieldKind::Boolean, "thread:42"},
    {"id", "Q", FieldKind::Boolean, "id:abc@host"},
    {"has", "XHAS:", FieldKind::Boolean, "has:attachment"},
    {"customer", "XCUST:", FieldKind::Label, "customer:12"},   // crm/: the message's customers (change with merges)
    {"doc", "XDOC:", FieldKind::Label, "doc:PI-2025-0034"},    // crm/: the trade documents it names
    // owner:REP (an address or its local part): the customers REP owns when searching.
    {"owner", "", FieldKind::Expanded, "owner:lily.zhou", "customer"},
};

consteval std::string_view prefix(std::string_view name) {
    for (const auto& f : kFields)
        if (f.name == name) return f.prefix;
    throw "not a search field of schema::kFields";  // reached only at compile time: a build error
}

// The same at run time (labels name their field); nullptr if none.
inline const Field* field(std::string_view name) {
    for (const auto& f : kFields)
        if (f.name == name) return &f;
    return nullptr;
}

// What a word without a prefix searches: the body ("") and every free-text field.
inline constexpr std::string_view kDefaultFields[] = {"", prefix("subject"), prefix("from"), prefix("to"), prefix("cc"),
                                                     prefix("filename"), prefix("attachment")};

// Value slots: fixed numbers, never enum order.
inline constexpr unsigned kSlotDate = 0;  // YYYYMMDD, for date: ranges
inline constexpr unsigned kSlotTime = 1;  // sortable seconds since the epoch
inline constexpr unsigned kSlotSize = 2;  // sortable size in bytes
inline constexpr unsigned kSlotThread = 3;  // conversation id (collapse key)

}  // namespace tw::schema
