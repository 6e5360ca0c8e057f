// Customers, contacts, ownership, conflicts, the public pool and trade
// documents: what a trade firm sees in its mail. crm/ owns these tables
// (described beside the archive's in archive/schema.h) and every query on them.
//
// A customer is a company (one or more business domains, their contacts) or,
// for an address on a freemail domain, that one contact: freemail addresses
// never join a customer by domain. Addresses on the firm's own domains (its
// accounts' domains and the configured internal ones) are not customers.
// Every message is linked to the customers of its external participants
// (sent mail through its recipients); a message with none (an internal
// forward, an approval) takes the customers of its conversation.
//
// Crm is also the archive's ingest hook (archive/ingest_hook.h): linking runs
// in the transaction that stores the message. The rules themselves are pure
// functions (crm/rules.h); Crm loads the facts, calls them and writes results.
// Errors: NotFoundError, ConflictError, InvalidError (mail/error.h).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "archive/ingest_hook.h"
#include "archive/store.h"
#include "crm/access.h"
#include "crm/calendar.h"
#include "crm/documents.h"

namespace SQLite {
class Database;
class Statement;
class Transaction;
}  // namespace SQLite

namespace tw {

namespace rules {
struct Release;
struct FlowMessage;
struct Decision;
}

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

// The CRM side of one stored message (export).
struct MessageLinks {
    std::vector<std::pair<int64_t, std::string>> customers;  // (id, name)
    std::vector<std::string> documents;                       // numbers, sorted
};

class Crm : public IngestHook {
public:
    using Clock = std::function<int64_t()>;  // seconds since the epoch
    // On the store's own connection: the ingest hook (Store, ArchiveWriter);
    // the CLI and the web open a LinkedArchive. clock: what new records are
    // stamped with (none: the wall clock).
    explicit Crm(SQLite::Database& db, Clock clock = {});
    ~Crm() override;

    // ---- The ingest hook (archive/ingest_hook.h)
    std::shared_ptr<const HookFacts> prepare(const Message& m) const override;
    Labels labels(const HookFacts& facts) const override;
    Labels stored(const StoredFacts& m, const HookFacts& facts) override;
    std::vector<int64_t> take_relinked() override;
    Labels restored(const StoredFacts& m, const HookFacts& facts) override;
    void restored_all() override;
    Labels labels_of(int64_t row) override;
    std::vector<std::pair<int64_t, std::vector<std::string>>> field_values(const std::string& field) override;
    void before_commit() override;  // the follow-ups of the conversations the batch touched
    void reset() override;

    // ---- The firm's domains
    void load_domains();  // accounts, archived mailboxes, internal_domains
    bool internal(std::string_view domain);
    void add_internal(const std::string& domain);  // a domain of the firm's own mailboxes

    // ---- Linking
    // Links a stored message to its customers (creating customers and contacts
    // as needed) and records its documents. Returns the customer ids.
    std::vector<int64_t> link(int64_t row, int64_t thread, const std::vector<Party>& parties,
                              const std::vector<DocMention>& docs, bool sent_by_firm,
                              const std::vector<Party>& forwarded = {}, const std::string& account = {}, int64_t date = 0,
                              const std::optional<Money>& total = std::nullopt, const std::optional<Money>& stated = std::nullopt);
    // The whole archive again, from the stored parties: automatic links are
    // rebuilt, users' decisions (named customers, moved contacts) are kept.
    // Returns (row, customer ids) for every message.
    std::vector<std::pair<int64_t, std::vector<int64_t>>> relink();
    // Every message's customers (none for some), by row.
    std::vector<std::pair<int64_t, std::vector<int64_t>>> links();

    // ---- Reads
    std::vector<CustomerRow> customers(int64_t id = 0);  // all, or that one
    // All, or one customer's (customer != 0), or the one with that number.
    std::vector<DocumentRow> documents(int64_t customer = 0, const std::string& number = {});
    Deal deal(int64_t thread);
    std::vector<DocumentMention> document_mentions(const std::string& number);  // oldest mail first
    std::vector<std::pair<std::string, std::string>> owner_history(int64_t customer);  // (owner, reason), oldest first
    // "Is this customer taken?": the customers whose name or a contact's name
    // holds TEXT, or with TEXT as a contact's address, or as (a subdomain of)
    // one of their domains, or the domain of TEXT's address. "" : all.
    std::vector<CustomerRow> lookup(const std::string& text);
    // The customers a rep owns now (not in the pool): REP is the rep's address
    // or its local part, any case. For owner: searches.
    std::vector<int64_t> customers_owned_by(const std::string& rep);
    std::map<int64_t, MessageLinks> message_links();  // every linked message's

    // ---- Conflicts (撞单)
    // Found again over the whole archive as it is now (so the order mail
    // arrived in does not matter); new ones recorded, handled ones kept; in a
    // transaction of its own. Returns how many are open.
    size_t scan_conflicts();
    // As last found; scan: found again first (the command line; a page only reads).
    std::vector<ConflictRow> conflicts(bool scan = true);
    size_t open_conflicts();               // as last found
    void set_conflict_status(int64_t id, const std::string& status);  // open | closed

    // ---- The public pool (公海)
    // What the pool holds at `now` (those released, and those whose owner sent
    // them nothing for `days` days: due), without changing anything.
    std::vector<CustomerRow> pool(int64_t now, int days);
    // Releases the due ones (logged at the moment they fell due); their ids.
    std::vector<int64_t> release_idle(int64_t now, int days);
    // A rep takes a customer from the pool (releasing it first if it is due).
    // ConflictError: not in the pool; NotFoundError: no such customer.
    void claim(int64_t customer, const std::string& rep, int64_t now, int days);
    // A manager gives a customer to a rep; automatic ownership stops for it.
    void assign(int64_t customer, const std::string& rep, int64_t now);

    // ---- Users' decisions, kept by every later link and relink (between
    // begin() and commit(); relink afterwards so the messages follow).
    // NotFoundError: no such customer or contact.
    void rename(int64_t customer, const std::string& name);
    void merge(int64_t from, int64_t into);  // contacts, domains, documents and history move
    void move_contact(const std::string& address, int64_t to);
    int64_t split(const std::vector<std::string>& addresses, const std::string& name);  // the new customer
    // A user's correction of a document (status, amount, currency, type,
    // customer); recognition never overwrites it. NotFoundError: no such
    // document (or customer); InvalidError: a value that field cannot take.
    bool edit_document(const std::string& number, const std::string& field, const std::string& value);
    // A document a user records by hand; false if that number exists.
    bool create_document(const std::string& number, const std::string& type, int64_t customer, const std::string& status,
                         int64_t now);

    // ---- Business calendars (crm/calendar.h): the firm's (rep "") and reps' own. A rep's
    // calendar takes the firm's zone and hours unless set, and is closed on the firm's
    // holidays and the rep's leave. The firm's default: Asia/Shanghai, Mon-Fri 09:00-18:00.
    struct CalendarRow {
        std::string rep, tz, hours;        // "" : inherited
        std::vector<std::string> closed;   // days and ranges, as written
    };
    calendar::Calendar calendar_of(const std::string& rep = {});
    // Sets what is given (checked first: InvalidError); closed days are added (clear_closed: replaced).
    // Open follow-ups' deadlines are counted again in it.
    void set_calendar(const std::string& rep, const std::string& tz, const std::string& hours,
                      const std::vector<calendar::DayRange>& closed, bool clear_closed);
    std::vector<CalendarRow> calendars();

    // ---- Follow-ups (crm/followups.cc; the rule is rules::awaiting): kept up to date as mail is
    // stored, never recomputed from a time window.
    struct Followup {
        int64_t id = 0, message = 0, thread = 0, customer = 0, since = 0, due = 0, business_seconds = 0, until = 0, at = 0;
        std::string kind, rep, state, by_user, reason, note, message_id, customer_name, subject;
        std::vector<std::string> documents;
        bool overdue = false;    // at the `now` asked for
        bool escalated = false;  // overdue by more than escalate_after_hours in the rep's calendar (not reminders)
    };
    // Open (and snoozed ones whose time has come) at `now`; rep "": every rep's. closed: done,
    // dismissed, ended and still-snoozed ones too.
    // thread, customer: only that conversation's or customer's.
    std::vector<Followup> followups(int64_t now, const std::string& rep = {}, bool closed = false, int64_t thread = 0,
                                    int64_t customer = 0);
    int64_t escalate_after();  // the setting, in business seconds (default 8 hours)
    std::optional<Followup> followup(int64_t id, int64_t now);
    // action: snooze (until), done, dismiss (reason), open (again). NotFoundError, InvalidError.
    void set_followup(int64_t id, const std::string& action, const std::string& by, int64_t now, int64_t until = 0,
                      const std::string& reason = {});
    // "Remind me on DATE" on a conversation (thread) or customer; the new follow-up's id.
    int64_t remind(int64_t thread, int64_t customer, const std::string& rep, int64_t at, const std::string& note,
                   const std::string& by, int64_t now);
    void refresh_followups(int64_t thread);  // the conversation's, from its mail as it is now
    void refresh_all_followups();

    // ---- Notifications by mail (crm/notifications.cc): what is due to be announced, in an outbox
    // that the sender (daemon/notify.cc) works through. No follow-up is announced twice: the
    // outbox row and the items it announces are written in one transaction.
    struct Notification {
        int64_t id = 0, attempts = 0, next_try = 0, created = 0, sent = 0;
        std::string key, kind, recipient, items, state, last_error;  // items: JSON array
    };
    // The digests due at `now` (each rep's, once a local day at digest_at, on the days their calendar
    // opens: the due and overdue items no digest announced yet) and the escalations (items overdue by
    // escalate_after_hours, to the managers of the rep's team). Returns how many were added.
    size_t plan_notifications(int64_t now);
    // A test mail to `to` (smtp test): its id.
    int64_t queue_test_mail(const std::string& to, int64_t now);
    // due: those to send now (pending, or retrying whose time came); else the newest `limit` of all.
    std::vector<Notification> notifications(bool due, int64_t now, size_t limit = 100);
    // sending: the last byte goes to the server now (never sent again after this); sent; failed
    // (retried with backoff: 1, 2, 4 ... 60 min; given up after 10 tries).
    void note_notification(int64_t id, const std::string& what, int64_t now, const std::string& error = {});

    // ---- Approvals (crm/approvals.cc): rules, records read out of the mail, violations.
    struct ApprovalRule {
        int64_t id = 0, applies_from = 0, created = 0;
        std::vector<std::string> types;
        double min_amount = 0;
        std::string currency, approver, then_approver;
    };
    struct Approval {
        int64_t id = 0, customer = 0, tier = 1, requested = 0, decided = 0, request_message = 0, decision_message = 0;
        std::string document, type, amount, currency, rep, approver, state, comment, via, reason, customer_name;
        std::string outcome;             // the last decision (a superseded record keeps it)
        std::vector<std::string> chain;  // the approvers (users) in sequence; approver is chain[tier - 1]
        std::string superseded_by;       // the revised document that replaced it
        bool changed = false;            // fell back to pending after a change
    };
    // A record's transitions, oldest first (the approvers' change log).
    struct ApprovalStep {
        int64_t at = 0, message = 0, tier = 1;
        std::string state, approver, actor, via, comment, reason;
    };
    std::vector<ApprovalStep> approval_history(const std::string& number);
    // The mail the web's requests for it pointed at (the draft), oldest first.
    std::vector<int64_t> approval_request_messages(const std::string& number);
    // A draft uploaded with a request on the web (act_on_approval's draft): kept in the archive.
    struct ApprovalDraft {
        int64_t id = 0, action = 0, size = 0, at = 0;
        std::string document, filename, content_type, sha256, words, by_user, data;
    };
    // InvalidError: empty or over 10 MB. words: the hash of its text (rules as for attachments), "" if none.
    int64_t add_approval_draft(const std::string& number, const std::string& filename, const std::string& content_type,
                               const std::string& data, const std::string& words, const std::string& by_user, int64_t now);
    std::optional<ApprovalDraft> approval_draft(int64_t id);             // with its bytes
    void drop_approval_draft(int64_t id);                                // one no request took (the request failed)
    std::vector<ApprovalDraft> approval_drafts(const std::string& number);  // of a document, oldest first, without bytes
    struct Violation {
        std::string document, kind, message_id;  // kind: sent_before_approval | sent_after_rejection | sent_without_request
                                                 // | changed_after_approval
        int64_t sent = 0, message = 0, thread = 0;
        bool acknowledged = false;
        std::string ack_by, ack_comment;
    };
    // InvalidError for unknown types, a bad amount or currency, or an unknown approver.
    int64_t add_approval_rule(const ApprovalRule& r, int64_t now);
    bool remove_approval_rule(int64_t id);
    std::vector<ApprovalRule> approval_rules();
    void recheck_approvals();  // every rule applies to archived documents too, then a scan
    // The records found again from the mail as it is now (order of arrival does not matter); in a
    // transaction of its own. Returns how many records there are.
    // linked: how many approval messages it gave customers (their search labels change: the caller
    // brings the index along).
    size_t scan_approvals(std::vector<int64_t>* linked = nullptr);
    // Approval mail still linked to nobody takes the customers of the documents it names (scan_approvals and
    // relink do this first); linked: the messages that got one.
    size_t link_approval_mail(std::vector<int64_t>* linked = nullptr);
    std::vector<Approval> approvals(const std::string& state = {});
    std::vector<Violation> approval_violations();
    // A request or a decision made on the web or the command line (action: request | approve | reject |
    // withdraw; a reject needs a comment). NotFoundError: no such document; InvalidError: it needs no approval,
    // or no comment; ConflictError: not pending (decide, withdraw) or under way already (request).
    // note: the rep's word to the approver (the margin, why this price); message: the mail that carries the
    // draft (its attachments are what is approved), 0 for none.
    // A manager acknowledges a violation (a comment is required). NotFoundError: no such violation.
    void acknowledge_violation(const std::string& number, const std::string& kind, const std::string& by_user, int64_t now,
                               const std::string& comment);
    void act_on_approval(const std::string& number, const std::string& action, const std::string& by_user,
                         const std::string& mailbox, int64_t now, const std::string& comment, int64_t message = 0,
                         int64_t draft = 0);

    // ---- Reports (crm/reports.cc): one function over the archive each, the same numbers in every output.
    struct ReportFilter {
        int64_t from = 0, to = 0;  // the customer messages' dates, [from, to); 0: open
        int64_t now = 0;           // what is later has not happened yet; 0: the clock
        std::string rep, team;     // one rep's (mailbox) or one team's figures; "": all
        std::optional<std::vector<std::string>> mailboxes;  // visibility: the reps whose figures may be shown
    };
    struct ResponseItem {
        int64_t message = 0, thread = 0, at = 0, reply = 0, replied_at = 0, customer = 0;
        std::string rep;
        double business_minutes = 0, wall_minutes = 0;
    };
    struct ResponseFigures {
        std::string rep;  // a mailbox, or "" for everyone's
        size_t received = 0, replied = 0, unreplied = 0, within_sla = 0;
        double median_business_minutes = 0, p90_business_minutes = 0, mean_business_minutes = 0;
        double median_wall_minutes = 0, p90_wall_minutes = 0, mean_wall_minutes = 0;
        double within_sla_share = 0;  // of the messages received
    };
    struct ResponsesReport {
        std::vector<ResponseFigures> reps;  // by rep
        ResponseFigures total;
        std::vector<ResponseItem> messages;  // each customer message and its first reply, oldest first
        int64_t sla_seconds = 0;
    };
    // The conversations with customers up to `now`, by thread, oldest first: each message's direction.
    struct ConversationMessage;  // crm/reports.cc: the message's flow, its customer and the customer's owner
    std::map<int64_t, std::vector<ConversationMessage>> customer_conversations(int64_t now);
    std::set<std::string> reps_asked(const ReportFilter& f);  // the filter's rep or team as mailboxes ({}: any)
    // responses: the firm's first customer-facing reply in the conversation after each customer message (the
    // owner's calendar gives business minutes; auto-replies and internal mail do not count). InvalidError: an
    // unknown team.
    ResponsesReport report_responses(const ReportFilter& f);
    struct FunnelStage {
        std::string stage;  // inquiry | quotation | pi | po | shipping | invoice
        size_t deals = 0;
        double conversion = 0;  // of the stage before (1 for inquiry)
        double value = 0;       // in currency: the latest quotation (quotation) or PI (pi and later) of each deal
        std::string currency = "USD";
        double median_days = 0;  // from the stage before
        std::vector<int64_t> threads;  // the deals (conversations) at this stage
    };
    struct FunnelReport {
        std::vector<FunnelStage> stages;
        size_t unconverted = 0;  // amounts left out: no rate in fx_rates
    };
    // funnel: deals are conversations with a customer; a stage is reached by its document (a quotation, a PI
    // sent; a PO received; a B/L or packing list, an invoice sent) or a later one. from/to: the deal's start.
    FunnelReport report_funnel(const ReportFilter& f);

    // ---- Settings (internal_domains, doc_patterns, pool_days), checked when set.
    void set_setting(const std::string& key, const std::string& value);
    std::string setting(const std::string& key);
    int pool_days();  // the setting, default 30
    // When the pool was switched on: the archive's creation (or its upgrade to schema 6), or the
    // moment pool_days was first set, if later. Idle time counts from no earlier than this.
    int64_t pool_since();

private:
    // A transaction of the CRM's own, when none is open on the connection.
    bool in_transaction();
    void begin();
    void commit();
    void rollback();
    std::vector<rules::Release> due(int64_t customer, int64_t now, int days);
    void release(const rules::Release& r);
    void log_owner(int64_t customer, const std::string& owner, int64_t when, const std::string& reason);
    SQLite::Statement& sql(const char* text);  // prepared once, reset for each use
    int64_t customer_for(const Party& p);
    void name_company(const std::string& sender, const std::string& company);
    void note_approval_mail(const StoredFacts& m, bool asks, bool revises, const rules::Decision& decision);
    std::map<std::string, double> fx_rates();       // the fx_rates setting (rules::convert's rates)
    std::string own_mailbox(const std::string& user);  // a user's own (pos 0) mailbox, lower-case; "" for none
    int64_t new_customer(const std::string& name, const char* kind, bool named_by_user);
    void take_owner(int64_t customer);
    void record_documents(int64_t row, const std::vector<int64_t>& customers, const std::vector<DocMention>& docs,
                          bool sent_by_firm, int64_t date, const std::optional<Money>& total, const std::optional<Money>& stated);
    void redo_documents(int64_t row, const std::vector<DocMention>& docs, bool sent_by_firm, int64_t date,
                        const std::optional<Money>& total, const std::optional<Money>& stated);
    // backfill: the conversation's messages stored before this one and linked
    // to nobody take its customers (when storing; relink does that at the end).
    std::vector<int64_t> link_customers(int64_t row, int64_t thread, const std::vector<Party>& parties,
                                        const std::vector<Party>& forwarded, const std::vector<DocMention>& docs,
                                        bool backfill = true);
    bool sent_by_firm(const Message& m, const std::string& account);
    std::vector<int64_t> customers_of(int64_t row);
    void relink_all();
    void load_patterns();  // the firm's doc_patterns setting
    void note_automated(int64_t row, const std::string& why);
    void refresh_every_conversation();
    bool answered_elsewhere(int64_t message, int64_t thread, bool by_firm);  // a reply threaded apart
    // The firm's earliest reply to a customer message that the threading put apart: (row, date).
    std::optional<std::pair<int64_t, int64_t>> firm_reply_elsewhere(int64_t message, int64_t thread);
    void judge(Followup& f, int64_t now);  // overdue, escalated
    void end_answered_elsewhere(const std::vector<rules::FlowMessage>& flow, int64_t thread);
    std::set<int64_t> touched_;  // conversations stored into in this batch (follow-ups at its commit)
    std::vector<int64_t> relinked_;  // approval mail the last stored() gave customers (take_relinked)
    std::map<std::string, calendar::Calendar> calendars_;  // calendar_of, cached (cleared when one is set)
    struct FollowupSettings {
        bool loaded = false;
        int64_t reply_sla = 8 * 3600;
        int silent_days = 3;
        std::map<std::string, int> silent_after;  // by document type
    } followup_settings_;
    SQLite::Database& db_;
    std::unique_ptr<SQLite::Transaction> tx_;
    const std::vector<std::string>& domains();  // the firm's, loaded on first use
    std::vector<std::string> internal_;
    bool domains_loaded_ = false;
    std::map<const char*, std::unique_ptr<SQLite::Statement>> stmts_;  // keyed by the literal's address
    std::string owner_;  // the mailbox of the message being linked: new customers' owner
    int64_t now_ = 0;    // its date
    std::function<int64_t()> clock_;
};

// InvalidError unless VALUE is the silent_days_after setting's JSON ({"quotation": 5}).
void check_silent_days_after(const std::string& value);

// The archive's ingest hook factory: a Crm on the store's connection.
IngestHook::Factory crm_linker(Crm::Clock clock = {});

// The values the search's Expanded fields take (schema::kFields: owner:REP ->
// the ids of the customers REP owns now), for SearchOptions::expand.
std::function<std::vector<std::string>(const std::string&, const std::string&)> search_expander(Crm& crm);

// The archive with the CRM as its ingest hook, on one connection: what the
// CLI and the web open (store.begin() also covers the CRM's writes).
struct LinkedArchive {
    explicit LinkedArchive(const std::string& data_dir);
    Store store;
    Crm& crm;
    People people;  // users, teams and who sees what (crm/access.h)
};

}  // namespace tw
