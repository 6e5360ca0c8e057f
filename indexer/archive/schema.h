// The archive's on-disk layout, in one place (notmuch's database.cc comment
// and mu's field table are the models).
//
// DATA/archive.db  SQLite (WAL), the source of truth:
//   messages   one row per distinct message: id, message_id, synthetic, body_key
//              (hash of what every copy shares; NULL until a second mail with the
//              same Message-ID asks for it), sha256 (of the first copy's raw
//              bytes), header_len (where its body starts: further copies with the
//              same body are stored as their header only),
//              thread, subject, base_subject, subject_key (base_subject without
//              document numbers and punctuation, for the subject fallback), from_name, from_addr, date,
//              date_source, in_reply_to, refs (JSON), size, attachments, problems (JSON)
//   blobs      sha256 -> zstd(raw bytes) of a message's first copy, stored once
//   locations  (account, folder, source) -> message. A copy whose body equals the
//              stored one keeps only its own header block (`header`, trace headers
//              differ per copy): the copy is that header + the blob's body, byte-exact.
//              A copy that differs otherwise has its own blob (`blob`).
//   location_state (account, folder, source) -> flags (IMAP, space-separated) and
//              deleted (when sync found the mail gone from the server; it stays archived)
//   parties    (message, address, name): every From/To/Cc address, lower-cased, and
//              the display name it came with
//   docs       (message, doc): trade document numbers seen in subject and text
//   thread_ids (msgid, thread, soft): every Message-ID seen, own or referenced (ghosts
//              too). soft = the id of a message placed by the subject fallback and not
//              yet confirmed by a reference: a later reference moves that message
//              rather than merging two conversations.
//   relabeled  messages whose conversation changed and whose index document may
//              still name the old one; cleared once the index has committed them
//   meta       key -> value (schema version)
//   accounts   the reps' IMAP mailboxes: address, imap_url, user, secret (the
//              password sealed with libsodium secretbox: nonce || box, under the key
//              in DATA/secret.key, mode 0600), since, folders (patterns), verify_tls,
//              allow_plaintext, and the last sync's state, time and error
//   folder_sync per (account, folder): the server's name for it, UIDVALIDITY, the
//              highest UID archived (committed after the messages it covers),
//              HIGHESTMODSEQ, last sync time and error (its message count is read
//              from locations, not stored).
//              IMAP locations have source "imap:UIDVALIDITY:UID".
//   users      web users: name, role (rep, manager), password_hash (argon2id, libsodium),
//              mailbox (the rep's own address: what they own and claim; schema 4)
//   sessions   token_hash (SHA-256 of the cookie's random token) -> user, expires
//   settings   key -> value: internal_domains (comma-separated; the accounts'
//              domains are internal without it)
//   customers  id, name, kind (company | freemail), named_by_user (a user's name
//              survives relinking), owner (the rep of its earliest mail: the sender of
//              sent mail, else the first of the firm's recipients), owner_by_user (a
//              manager assigned it: kept), first_contact (that mail's date), created
//              in_pool: released to the public pool (公海): no owner until a rep claims it
//   conflicts  (撞单) customer, rep, other_rep (the owner, or the rep who quoted first),
//              kind (not_owner: a rep who is not the owner started a conversation with
//              the customer; double_quote: a second rep quoted the same customer),
//              message, other_message, date, status (open | resolved)
//   customer_owners  ownership history: (customer, owner, since, reason); the current
//              owner is also customers.owner (first: the rep whose mailbox first had it)
//   customer_domains  business domain -> customer (never a freemail domain)
//   contacts   address -> name as first written, customer, by_user (moved by a
//              user: relinking keeps it)
//   message_customers (message, customer): automatic links (indexer/crm.cc)
//   documents  number -> type, customer, status (sent | received | draft |
//              confirmed | cancelled ...), amount, currency, edited (a user's
//              correction: recognition never overwrites it), first_seen
//   forwarded_parties (message, address, name): the From/To/Cc of the mail a
//              message forwards (message/rfc822 parts): internal forwards link through them
//   message_documents (message, number, place): where a message mentions a
//              document: subject, body, filename, attachment
// DATA/index/      Xapian, rebuildable from archive.db (`tradewind reindex`).
//   Document id = messages.id. Value slots and prefixes: kFields below.
//   Metadata "last_row" = the highest messages.id indexed, committed with the docs.
#pragma once
#include <string_view>

namespace tw::schema {

inline constexpr int kVersion = 4;

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
  state TEXT NOT NULL DEFAULT 'new', last_sync INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, created INTEGER NOT NULL,
  mailbox TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name), expires INTEGER NOT NULL);
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
CREATE TABLE IF NOT EXISTS message_documents (message INTEGER NOT NULL, number TEXT NOT NULL, place TEXT NOT NULL,
  PRIMARY KEY (message, number, place));
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
