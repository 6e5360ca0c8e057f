// The CRM's rules as pure functions over plain structs, with the clock passed
// in: who owns a customer, when it goes to the public pool, what is a
// conflict (撞单), what a document's first sighting says. No database: Crm
// (crm.h) loads the facts, calls these and writes the results, and the rules
// are tested as tables (tests/unit/crm/test_rules.cc). Model: mu's mu-flags.hh.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archive/ingest_hook.h"  // Party
#include "crm/documents.h"

namespace tw::rules {

// ---- The firm's domains

// domain is one of the firm's (or a subdomain of one); internal: sorted, lower-case.
bool is_internal(std::string_view domain, const std::vector<std::string>& internal);

// The rep a message belongs to: the first of the firm's addresses among its
// parties (From first: the sender of sent mail, else the first rep it was
// addressed to); else the mailbox it was found in.
std::string rep_of(const std::vector<Party>& parties, const std::string& mailbox, const std::vector<std::string>& internal);

// ---- Ownership

struct Ownership {
    std::string owner;          // "" : none yet
    int64_t first_contact = 0;  // the date of the mail that made the owner; 0: not known yet
    bool by_user = false;       // a manager chose (or a claim, a release): automatic ownership stops
};

struct OwnerChange {
    std::string owner;
    int64_t first_contact = 0;
    std::string reason;  // for the history; "" : the owner stays (only the date moved)
};

// A customer's owner is the rep of its earliest mail, whatever order mail
// arrives in, unless a user decided. rep's mail dated `date` was just linked.
std::optional<OwnerChange> owner_after(const Ownership& now, const std::string& rep, int64_t date);

// ---- The public pool (公海)

struct OwnedCustomer {
    int64_t id = 0;
    std::string owner;
    int64_t first_contact = 0;
    std::optional<int64_t> last_sent;    // the last mail its owner sent it
    std::optional<int64_t> owner_since;  // when the owner got it last (claim, assignment)
};

struct Release {
    int64_t id = 0;
    std::string owner;  // who lost it
    int64_t at = 0;     // when the silence reached `days`: the release is dated then
    std::string reason;
};

// The customers whose owner sent them nothing for `days` days before now.
// A claim or an assignment starts the owner's time afresh, and so does the
// moment the pool was switched on (pool_since): a firm that imports years of
// history does not lose every owner at its first sync.
std::vector<Release> due_for_pool(const std::vector<OwnedCustomer>& owned, int64_t now, int days, int64_t pool_since = 0);

// ---- Conflicts (撞单)

struct FirmMail {  // mail the firm sent to a customer, with the customer's owner
    int64_t message = 0, customer = 0, thread = 0, date = 0;
    std::string from, owner;
};

struct Quotation {  // a message naming a quotation, linked to a customer
    int64_t message = 0, customer = 0, date = 0;
    std::string from;
};

struct Conflict {
    int64_t customer = 0;
    std::string rep, other_rep;
    std::string kind;  // "not_owner" | "double_quote"
    int64_t message = 0, other_message = 0, date = 0;
};

// not_owner: a rep who is not the owner opened a conversation with the customer
// (opener: thread -> its first message); double_quote: a second rep quoted a
// customer (the first quotation's sender is the other side). Mail in date order.
std::vector<Conflict> find_conflicts(const std::vector<FirmMail>& sent, const std::map<int64_t, int64_t>& opener,
                                     const std::vector<Quotation>& quotes, const std::vector<std::string>& internal);

// ---- Documents

struct DocumentState {
    bool edited = false;     // a user corrected it: recognition never overwrites it
    int64_t first_seen = 0;  // the date of its earliest mail
};

// A document seen in a mail dated `date`: its status at first sight, and
// whether this mail gives it its customer and status (the earliest mail does,
// whatever order mail arrives in, unless a user corrected the document).
std::string first_status(bool sent_by_firm);
bool sighting_decides(const std::optional<DocumentState>& known, int64_t date);

// Which of a message's documents takes the total it states: the first that
// carries an amount (not a packing list or B/L); nullopt: none.
std::optional<size_t> takes_total(const std::vector<DocMention>& docs);

// ---- Roles (crm/access.h applies them)

enum class Role { Rep, Manager, Auditor, Admin };
std::optional<Role> role_named(std::string_view name);  // "rep" ... "admin"; nullopt for anything else
bool sees_all_mail(Role r);    // auditor, admin
bool may_change(Role r);       // every role but the auditor
bool changes_everything(Role r);  // admin
bool manages_users(Role r);    // admin
bool always_audited(Role r);   // auditor: every read is recorded
bool reads_audit(Role r);      // auditor, admin

// ---- Follow-ups (crm/followups.cc stores them)

// One message of a conversation, as the follow-up rule sees it.
struct FlowMessage {
    int64_t row = 0, date = 0;
    enum class Dir { In, Out, Internal } dir = Dir::Internal;  // from a customer / from the firm to one / among the firm
    bool automated = false;  // an auto-reply, bounce, newsletter or list mail: never a customer's word
};

// ---- Reports

// Each customer message of a conversation (oldest first in flow) with the firm's first customer-facing reply
// after it (reply 0: none yet). Auto-replies and internal mail are no customer message and no reply.
struct Response {
    int64_t message = 0, at = 0, reply = 0, replied_at = 0;
};
std::vector<Response> first_responses(std::vector<FlowMessage> flow);
// The median (the mean of the two middle values for an even count) and the nearest-rank percentile
// (p in (0, 1]: the smallest value with at least p of them at or below it); 0 for none.
double median_of(std::vector<double> v);
double percentile_of(std::vector<double> v, double p);

// A message's direction: from a customer (a sender outside the firm), from the firm to one (a party outside it
// besides the sender), or among the firm's people (or no sender address at all).
FlowMessage::Dir direction_of(std::string_view from, bool from_internal, bool outside_party);

// What a conversation waits for: reply_due (the customer wrote last: the firm owes a reply), customer_silent
// (the firm wrote last and the deal is not finished: chase the customer), or nothing.
struct Awaiting {
    std::string kind;  // "reply_due" | "customer_silent" | "" (nothing)
    int64_t message = 0, since = 0;  // the message that opened it, and its date
};
Awaiting awaiting(std::vector<FlowMessage> messages, bool finished);

// An automated mail, from its header block (Auto-Submitted, Precedence, List-Id, X-Autoreply/X-Autorespond,
// delivery reports, mailer-daemon senders): why, or "".
std::string automated_by(std::string_view header, std::string_view from);

// ---- Approvals (审批)

// The writer's own words: the text above the first quote of earlier mail ("> ", "-----Original Message-----",
// "------------------ 原始邮件 ------------------", "On ... wrote:", "发件人:").
std::string_view own_words(std::string_view text);
// Does this internal mail ask for approval (approve, approval, please confirm, 审批, 请批准, 请审核, 請核准,
// 承認お願いします, Freigabe ...)? Subject and own words.
bool asks_approval(std::string_view subject, std::string_view text);
// An approver's answer in their own words: approved, rejected (with the words as the comment), or nothing.
// Negation decides ("不同意" holds "同意", "not approved" holds "approved"), so refusals are read first.
struct Decision {
    std::string outcome;  // "approved" | "rejected" | ""
    std::string comment;
};
Decision decision_in(std::string_view text);
// Does this mail revise a document ("this replaces QT-2025-0012", "revised", "disregard", 替换, 修改后)? Own words
// and subject.
bool revises(std::string_view subject, std::string_view text);

// One approval record's life, replayed from what happened to its document in time order (crm/approvals.cc
// gathers the events from the mail and the web). The chain is the approvers' mailboxes, tier 1 first: an
// approval at one tier asks the next; the last tier's approval approves.
struct ApprovalEvent {
    enum Kind {
        Request,     // the rep asks (mail to a chain approver, or the web): pending at tier 1
        Approve,     // a chain approver's answer (or the web's: any_tier)
        Reject,      // the same, refusing; comment: the reason
        Withdraw,    // the rep takes the request back (the web)
        Revised,     // a request for by_document, which replaces this one (words of revision: supersedes at once)
        Stated,      // the firm's own mail states a total for it (amount, currency)
        Sent,        // the firm's mail names it to a party outside the firm (sha256, words: the attachment sent, if any;
                     // another attachment than the approved one, by its words when both have text, is a change)
    };
    Kind kind = Request;
    int64_t at = 0, message = 0;  // message: the mail behind it (0: the web)
    std::string actor;            // a mailbox (mail) or a user (web)
    bool any_tier = false;        // a web decision (the web checked who may decide)
    bool says_revision = false;   // Revised: the mail says it replaces this document
    std::string comment, amount, currency, sha256, words, by_document;  // words: of the attachment's text
};
struct ApprovalStep {
    int64_t at = 0, message = 0;
    std::string state, approver, actor, via, comment, reason;
    int tier = 1;
};
struct ApprovalRun {
    std::string state = "not_requested", outcome, rep, comment, via = "mail", reason, superseded_by;
    int tier = 1;
    int64_t requested = 0, decided = 0, request_message = 0, decision_message = 0;
    bool changed = false;                      // fell back to pending after a change
    std::string amount, currency, sha256, words;  // the terms as they stand (the latest stated total, the request's attachment)
    std::string approved_amount, approved_currency, approved_sha256, approved_words;  // the terms of the last approval
    std::vector<ApprovalStep> steps;
    struct Breach {
        std::string kind;  // sent_before_approval | sent_after_rejection | sent_without_request | changed_after_approval
        int64_t at = 0, message = 0;
    };
    std::vector<Breach> breaches;  // the first of each kind
};
// Events at the same second: decisions before what is sent (a document sent the second it is approved is
// approved). amount/currency: the document's known total before any event states one.
ApprovalRun replay_approval(std::vector<ApprovalEvent> events, const std::vector<std::string>& chain,
                            const std::string& amount, const std::string& currency);
// Two stated totals are the same amount (12500 and 12500.00).
bool same_amount(const std::string& a, const std::string& b);

// An amount in another currency through the firm's rates (fx_rates: the value of one unit in a common base,
// {"USD": 1, "EUR": 1.08, "CNY": 0.138}); nullopt when a rate is missing. USD is 1 unless given.
std::optional<double> convert(double amount, const std::string& from, const std::string& to,
                              const std::map<std::string, double>& rates);

// ---- Customers' names

// The company a customer's own mail names, or "": a display name that carries a legal form ("Carter
// Supply Inc.", "Anna Schmidt (Nordhandel GmbH)", "Lee | Hongda Trading Co., Ltd.") or, failing that, a
// line of the signature (the last lines of the sender's own words, above any quoted mail) that is a
// company with a legal form (GmbH, Ltd., Inc., S.r.l., 有限公司, 株式会社 ...). Lines with addresses,
// links, phone numbers or more than 8 words are no company's name.
std::string company_from(std::string_view display_name, std::string_view text);

}  // namespace tw::rules
