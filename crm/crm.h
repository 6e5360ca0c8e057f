// Customers, contacts and trade documents: what a trade firm sees in its mail.
//
// A customer is a company (one or more business domains, their contacts) or,
// for an address on a freemail domain, that one contact: freemail addresses
// never join a customer by domain. Addresses on the firm's own domains (its
// accounts' domains and the configured internal ones) are not customers.
// Every message is linked to the customers of its external participants
// (sent mail through its recipients); a message with none (an internal
// forward, an approval) takes the customers of its conversation.
//
// Trade documents are recognised by number, per type, in the subject, the
// body, attachment file names and attachment text.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite {
class Database;
class Statement;
}

namespace tw {

struct Message;

// gmail.com, qq.com, 163.com, gmx.* ... (and tradegen's mail.example,
// webmail.example). Lower-case domain.
bool is_freemail(std::string_view domain);

// The document type a number belongs to ("quotation", "proforma_invoice",
// "purchase_order", "contract", "commercial_invoice", "packing_list",
// "bill_of_lading", "letter_of_credit"), or "" for a token that is no
// document number (ISO-9001, USD12000, a model number).
std::string doc_type(std::string_view number);

struct DocMention {
    std::string number, type;
    std::string place;  // "subject", "body", "filename", "attachment"
};

// Every document number in the message, once per (number, place).
std::vector<DocMention> trade_documents(const Message& m);

// The total a mail states for a deal: "Total: USD 12,500.00", "Amount US$3,200",
// "合计金额：人民币 8,000 元", "Grand total EUR 1.234,50". Labeled amounts win
// (grand total, then total, then amount/value); without a label, the one
// amount of the text if it has exactly one. Unit prices ("USD 3.50/pc") and
// quoted lines ("> ...") are not totals.
struct Money {
    std::string amount;    // "12500.00": '.' for decimals, no separators
    std::string currency;  // ISO 4217: USD, EUR, CNY ...
};
std::optional<Money> stated_total(std::string_view text);

// A firm's own numbering, on top of the defaults: JSON {"type": ["regex", ...]}
// (ECMAScript, matched against whole tokens of letters, digits, '-' and '/'),
// e.g. {"purchase_order": ["BEST-\\d{5}"]}. Applies to mail parsed from now on
// in this process (the archive keeps it in the doc_patterns setting). Throws
// std::invalid_argument with what is wrong; "" clears them.
void set_doc_patterns(const std::string& json);

struct Party {
    std::string address;  // normalized
    std::string name;     // as written ("" if none)
};

// The CRM tables of an archive, on the store's own connection (so links are
// written in the same transaction as the message).
class Crm {
public:
    explicit Crm(SQLite::Database& db);
    ~Crm();
    // Lets go of every statement (before a commit or rollback).
    void reset();
    // Re-reads the firm's domains (accounts and the internal_domains setting).
    void load_domains();
    bool internal(std::string_view domain) const;
    // A domain of the firm's own mailboxes (an import's --account).
    void add_internal(const std::string& domain);

    // Links a stored message to its customers (creating customers and contacts
    // as needed) and records its documents. Returns the customer ids.
    // Internal mail takes the customers of what it forwards, else of its
    // conversation, else of the documents it names.
    // total: what the message states (stated_total), given to its first
    // document that carries an amount unless that already has one.
    std::vector<int64_t> link(int64_t row, int64_t thread, const std::vector<Party>& parties,
                              const std::vector<DocMention>& docs, bool sent_by_firm,
                              const std::vector<Party>& forwarded = {}, const std::string& account = {}, int64_t date = 0,
                              const std::optional<Money>& total = std::nullopt);
    // A stored message's documents found again (reindex, after the firm's
    // patterns changed): its mentions are replaced; users' documents stay.
    void redo_documents(int64_t row, const std::vector<DocMention>& docs, bool sent_by_firm, int64_t date,
                        const std::optional<Money>& total);
    // After every message was done again: documents no mail names any more
    // (and no user made or corrected) go. Returns how many.
    size_t drop_unmentioned_documents();
    // The whole archive again, from the stored parties: automatic links are
    // rebuilt, users' decisions (named customers, moved contacts) are kept.
    // Returns the number of messages linked.
    size_t relink();

    // Finds conflicts (撞单) over the whole archive as it is now, so the order
    // mail arrived in does not matter; new ones are recorded, handled ones kept.
    // Returns how many are open.
    size_t scan_conflicts();
    // The public pool (公海): customers whose owner sent them nothing for
    // `days` days before `now` are released (logged); returns those released.
    std::vector<int64_t> release_idle(int64_t now, int days);
    // A rep takes a customer from the pool (logged). False if it is not in the pool.
    bool claim(int64_t customer, const std::string& rep, int64_t now);
    // A manager gives a customer to a rep (logged); automatic ownership stops for it.
    void assign(int64_t customer, const std::string& rep, int64_t now);

    // Users' decisions, kept by every later link and relink (false: no such
    // customer or contact). Relink afterwards to move the messages.
    bool rename(int64_t customer, const std::string& name);
    bool merge(int64_t from, int64_t into);          // contacts, domains, documents and history move
    bool move_contact(const std::string& address, int64_t to);
    int64_t split(const std::vector<std::string>& addresses, const std::string& name);  // a new customer; 0 if none moved
    // A user's correction of a document (status, amount, currency, type,
    // customer); recognition never overwrites it. False: no such document
    // (or customer); std::invalid_argument: a value that field cannot take.
    bool edit_document(const std::string& number, const std::string& field, const std::string& value);
    // A document a user records by hand (a PI drafted outside mail, say);
    // false if that number exists. Mail that names it later links to it.
    bool create_document(const std::string& number, const std::string& type, int64_t customer, const std::string& status,
                         int64_t now);

private:
    void log_owner(int64_t customer, const std::string& owner, int64_t when, const std::string& reason);
    SQLite::Statement& sql(const char* text);  // prepared once, reset for each use
    int64_t customer_for(const Party& p);
    int64_t new_customer(const std::string& name, const char* kind, bool named_by_user);
    void take_owner(int64_t customer);
    std::string rep_of(const std::vector<Party>& parties, const std::string& account) const;
    void record_documents(int64_t row, const std::vector<int64_t>& customers, const std::vector<DocMention>& docs,
                          bool sent_by_firm, int64_t date, const std::optional<Money>& total);
    // backfill: the conversation's messages stored before this one and linked
    // to nobody take its customers (when storing; relink does that at the end).
    std::vector<int64_t> link_customers(int64_t row, int64_t thread, const std::vector<Party>& parties,
                                        const std::vector<Party>& forwarded, const std::vector<DocMention>& docs,
                                        bool backfill = true);
    SQLite::Database& db_;
    std::vector<std::string> internal_;
    std::map<const char*, std::unique_ptr<SQLite::Statement>> stmts_;  // keyed by the literal's address
    std::string owner_;  // the mailbox of the message being linked: new customers' owner
    int64_t now_ = 0;    // its date
};

}  // namespace tw
