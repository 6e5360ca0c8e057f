// Approvals read out of the mail: the rules (which documents need whose
// approval), the records (a rep's internal request naming the document, the
// approver's answer to it) and the violations (a document that needed
// approval reaching the customer without one). The records are found again
// over the whole archive by each scan, like the conflicts, so the order in
// which mailboxes arrive does not matter. The language is rules::asks_approval
// and rules::decision_in, noted for each internal message as it is stored.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "crm/audit.h"
#include "crm/crm.h"
#include "crm/rules.h"
#include "mail/codec.h"
#include "mail/date.h"
#include "mail/error.h"
#include "mail/strutil.h"

namespace tw {
namespace {

constexpr int64_t kDecisionWindow = 30 * 86400;  // an answer without references counts this long after the request

const std::set<std::string>& known_types() {
    static const std::set<std::string> t = {"quotation", "proforma_invoice", "purchase_order", "contract", "commercial_invoice",
                                            "packing_list", "bill_of_lading", "letter_of_credit", "other"};
    return t;
}

std::optional<double> amount_of(const std::string& text) {
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str()) return std::nullopt;
    return v;
}

constexpr int64_t kNoticeWindow = 3 * 86400;  // a step read out of the mail tells the approver only this recent

struct Mail {
    int64_t row = 0, date = 0, thread = 0;
    std::string from, outcome, comment;
    bool asks = false, revises = false;
    std::set<std::string> parties, documents;
    std::map<std::string, std::pair<std::string, std::string>> sha256;  // document -> the attachment that names it (bytes, words)
};

}  // namespace

int64_t Crm::add_approval_rule(const ApprovalRule& r, int64_t now) {
    if (r.types.empty()) throw InvalidError("--types names the document types that need approval: quotation,proforma_invoice,contract");
    for (const auto& t : r.types)
        if (!known_types().count(t)) throw InvalidError("\"" + t + "\" is no document type (quotation, proforma_invoice, contract, ...)");
    if (r.min_amount < 0) throw InvalidError("--min-amount wants an amount of 0 or more");
    if (r.currency.size() != 3) throw InvalidError("--currency wants a currency code such as USD, not \"" + r.currency + "\"");
    std::vector<std::string> approvers = {r.approver};
    if (!r.then_approver.empty()) approvers.push_back(r.then_approver);
    for (const auto& who : approvers) {
        SQLite::Statement q(db_, "SELECT 1 FROM users u JOIN user_mailboxes m ON m.user = u.name AND m.pos = 0 WHERE u.name = ?");
        q.bind(1, who);
        if (!q.executeStep())
            throw InvalidError("the approver " + who + " is no user with a mailbox: `tradewind user add --name " + who +
                               " --role manager --mailbox ADDRESS` first");
    }
    SQLite::Statement q(db_, "INSERT INTO approval_rules(types, min_amount, currency, approver, then_approver, applies_from, created)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, join(r.types, ","));
    q.bind(2, r.min_amount);
    std::string currency = r.currency;
    for (char& ch : currency) ch = char(std::toupper(static_cast<unsigned char>(ch)));
    q.bind(3, currency);
    q.bind(4, r.approver);
    q.bind(5, r.then_approver);
    q.bind(6, now);
    q.bind(7, now);
    q.exec();
    return db_.getLastInsertRowid();
}

bool Crm::remove_approval_rule(int64_t id) {
    SQLite::Statement q(db_, "DELETE FROM approval_rules WHERE id = ?");
    q.bind(1, id);
    return q.exec() > 0;
}

std::vector<Crm::ApprovalRule> Crm::approval_rules() {
    std::vector<ApprovalRule> out;
    SQLite::Statement q(db_, "SELECT id, types, min_amount, currency, approver, then_approver, applies_from, created FROM approval_rules ORDER BY id");
    while (q.executeStep()) {
        ApprovalRule r;
        r.id = q.getColumn(0).getInt64();
        std::string types = q.getColumn(1).getString();  // the views below point into it
        for (auto t : split_trimmed(types, ',')) r.types.emplace_back(t);
        r.min_amount = q.getColumn(2).getDouble();
        r.currency = q.getColumn(3).getString();
        r.approver = q.getColumn(4).getString();
        r.then_approver = q.getColumn(5).getString();
        r.applies_from = q.getColumn(6).getInt64();
        r.created = q.getColumn(7).getInt64();
        out.push_back(std::move(r));
    }
    return out;
}

void Crm::recheck_approvals() {
    db_.exec("UPDATE approval_rules SET applies_from = 0");
    scan_approvals();
}

std::map<std::string, double> Crm::fx_rates() {
    std::map<std::string, double> rates;
    auto fx = nlohmann::json::parse(setting("fx_rates"), nullptr, false);
    if (fx.is_object())
        for (auto it = fx.begin(); it != fx.end(); ++it)
            if (it.value().is_number()) rates[it.key()] = it.value().get<double>();
    return rates;
}

std::string Crm::own_mailbox(const std::string& user) {
    SQLite::Statement& q = sql("SELECT lower(address) FROM user_mailboxes WHERE user = ? AND pos = 0");
    q.bind(1, user);
    std::string out = q.executeStep() ? q.getColumn(0).getString() : std::string();
    q.reset();
    return out;
}

size_t Crm::link_approval_mail(std::vector<int64_t>* linked) {
    // Approval mail belongs to the deal: a request that went to the manager before the document reached the
    // customer, and its answer, take the customers of the documents they name once those have one.
    {
        std::vector<int64_t> before;
        if (linked) {
            SQLite::Statement u(db_, "SELECT a.message FROM approval_mail a WHERE NOT EXISTS (SELECT 1 FROM message_customers mc"
                                     " WHERE mc.message = a.message)");
            while (u.executeStep()) before.push_back(u.getColumn(0).getInt64());
        }
        // From the approval mail still linked to nobody (CROSS JOIN: SQLite's join order, smallest set first).
        const std::string unlinked =
            "WITH u AS (SELECT a.message FROM approval_mail a WHERE NOT EXISTS (SELECT 1 FROM message_customers mc"
            " WHERE mc.message = a.message)) ";
        SQLite::Statement q(db_, unlinked +
            "INSERT OR IGNORE INTO message_customers(message, customer) SELECT DISTINCT u.message, d.customer"
            " FROM u CROSS JOIN message_documents md ON md.message = u.message CROSS JOIN documents d ON d.number = md.number"
            " WHERE d.customer IS NOT NULL AND d.customer <> 0");
        size_t n = size_t(q.exec());
        // A document that never reached the customer (rejected, then revised under a new number) takes the
        // customers of the documents named beside it in approval mail ("replaces QT-2025-0012").
        SQLite::Statement beside(db_, unlinked +
            "INSERT OR IGNORE INTO message_customers(message, customer) SELECT DISTINCT u.message, d.customer"
            " FROM u CROSS JOIN message_documents md ON md.message = u.message CROSS JOIN message_documents md2 ON md2.number = md.number"
            " CROSS JOIN approval_mail a2 ON a2.message = md2.message CROSS JOIN message_documents md3 ON md3.message = md2.message"
            " CROSS JOIN documents d ON d.number = md3.number WHERE d.customer IS NOT NULL AND d.customer <> 0");
        n += size_t(beside.exec());
        if (linked && n) {
            SQLite::Statement has(db_, "SELECT 1 FROM message_customers WHERE message = ?");
            for (int64_t row : before) {
                has.bind(1, row);
                if (has.executeStep()) linked->push_back(row);
                has.reset();
            }
        }
    }
    return linked ? linked->size() : 0;
}

size_t Crm::scan_approvals(std::vector<int64_t>* linked) {
    link_approval_mail(linked);
    auto rules = approval_rules();
    if (rules.empty()) {  // no approval needed: nothing to read (records of removed rules go)
        if (db_.execAndGet("SELECT EXISTS (SELECT 1 FROM approvals)").getInt())
            db_.exec("DELETE FROM approvals; DELETE FROM approval_history; DELETE FROM approval_violations");
        return 0;
    }
    const int64_t now = clock_();
    const auto rates = fx_rates();
    // The internal mail read as approval, with its parties and documents.
    std::map<int64_t, Mail> mail;
    {
        SQLite::Statement q(db_, "SELECT a.message, m.date, m.thread, lower(m.from_addr), a.outcome, a.comment, a.asks, a.revises"
                                 " FROM approval_mail a JOIN messages m ON m.id = a.message");
        while (q.executeStep()) {
            Mail x;
            x.row = q.getColumn(0).getInt64();
            x.date = q.getColumn(1).getInt64();
            x.thread = q.getColumn(2).getInt64();
            x.from = q.getColumn(3).getString();
            x.outcome = q.getColumn(4).getString();
            x.comment = q.getColumn(5).getString();
            x.asks = q.getColumn(6).getInt() != 0;
            x.revises = q.getColumn(7).getInt() != 0;
            mail[x.row] = std::move(x);
        }
        SQLite::Statement p(db_, "SELECT p.message, lower(p.address) FROM parties p JOIN approval_mail a ON a.message = p.message");
        while (p.executeStep())
            if (auto it = mail.find(p.getColumn(0).getInt64()); it != mail.end()) it->second.parties.insert(p.getColumn(1).getString());
        SQLite::Statement d(db_, "SELECT md.message, md.number, md.sha256, md.words FROM message_documents md JOIN approval_mail a"
                                 " ON a.message = md.message");
        while (d.executeStep())
            if (auto it = mail.find(d.getColumn(0).getInt64()); it != mail.end()) {
                it->second.documents.insert(d.getColumn(1).getString());
                std::string sha = d.getColumn(2).getString();
                if (!sha.empty()) it->second.sha256[d.getColumn(1).getString()] = {sha, d.getColumn(3).getString()};
            }
    }
    std::map<std::string, std::vector<const Mail*>> decisions;  // by the approver who wrote them
    std::map<std::string, std::vector<const Mail*>> requests;   // by the document they name
    std::map<int64_t, std::vector<const Mail*>> requests_in;    // by conversation
    for (const auto& [row, m] : mail) {
        if (!m.outcome.empty()) decisions[m.from].push_back(&m);
        if (m.asks) {
            for (const auto& d : m.documents) requests[d].push_back(&m);
            requests_in[m.thread].push_back(&m);
        }
    }
    // The firm's own mail naming documents: the totals it states, and what reached a customer.
    struct Mention {
        int64_t row = 0, date = 0;
        std::string amount, currency, sha256, words;
        bool outside = false;  // a party outside the firm
    };
    std::map<std::string, std::vector<Mention>> mentions;  // by document
    {
        std::map<int64_t, bool> outside;  // by message
        SQLite::Statement p(db_, "SELECT address FROM parties WHERE message = ?");
        SQLite::Statement q(db_, "SELECT md.number, m.id, m.date, md.amount, md.currency, md.sha256, lower(m.from_addr), md.words"
                                 " FROM message_documents md JOIN messages m ON m.id = md.message");
        std::map<std::pair<std::string, int64_t>, Mention> merged;  // one per (document, message)
        while (q.executeStep()) {
            std::string from = q.getColumn(6).getString();
            if (!internal(address_domain(from))) continue;
            int64_t row = q.getColumn(1).getInt64();
            auto [o, fresh] = outside.try_emplace(row, false);
            if (fresh) {
                p.bind(1, row);
                while (p.executeStep()) o->second = o->second || !internal(address_domain(p.getColumn(0).getString()));
                p.reset();
            }
            Mention& x = merged[{q.getColumn(0).getString(), row}];
            x.row = row, x.date = q.getColumn(2).getInt64(), x.outside = o->second;
            if (x.amount.empty()) x.amount = q.getColumn(3).getString(), x.currency = q.getColumn(4).getString();
            if (x.sha256.empty()) x.sha256 = q.getColumn(5).getString(), x.words = q.getColumn(7).getString();
        }
        for (auto& [key, x] : merged) mentions[key.first].push_back(std::move(x));
    }
    std::map<std::string, std::string> user_of;  // mailbox -> user, for the history
    {
        SQLite::Statement q(db_, "SELECT lower(address), user FROM user_mailboxes WHERE pos = 0");
        while (q.executeStep()) user_of[q.getColumn(0).getString()] = q.getColumn(1).getString();
    }
    struct Action {
        std::string action, by_user, mailbox, comment;
        int64_t at = 0, message = 0;
        std::string sha256, words;  // of the draft uploaded with it
    };
    std::map<std::string, std::vector<Action>> actions;  // by document, oldest first
    {
        SQLite::Statement q(db_, "SELECT a.document, a.action, a.by_user, a.mailbox, a.comment, a.at, a.message,"
                                 " COALESCE(d.sha256, ''), COALESCE(d.words, '') FROM approval_actions a"
                                 " LEFT JOIN approval_drafts d ON d.action = a.id ORDER BY a.at, a.id");
        while (q.executeStep())
            actions[q.getColumn(0).getString()].push_back({q.getColumn(1).getString(), q.getColumn(2).getString(),
                                                           q.getColumn(3).getString(), q.getColumn(4).getString(),
                                                           q.getColumn(5).getInt64(), q.getColumn(6).getInt64(),
                                                           q.getColumn(7).getString(), q.getColumn(8).getString()});
    }
    std::set<std::string> edited;  // documents a user corrected: their amount is the user's
    {
        SQLite::Statement q(db_, "SELECT number FROM documents WHERE edited = 1");
        while (q.executeStep()) edited.insert(q.getColumn(0).getString());
    }
    auto docs = documents();
    std::map<std::string, const DocumentRow*> by_number;
    for (const auto& d : docs) by_number[d.number] = &d;
    struct Notice {
        std::string key, to;
        nlohmann::json item;
    };
    std::vector<Notice> notices;
    std::vector<AuditEntry> audit;
    SQLite::Transaction t(db_);
    db_.exec("DELETE FROM approvals; DELETE FROM approval_history; DELETE FROM approval_violations");
    SQLite::Statement ins(db_, "INSERT INTO approvals(document, type, amount, currency, customer, rep, approver, tier, state,"
                               " requested, decided, comment, via, request_message, decision_message, reason, outcome, chain,"
                               " superseded_by, changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    SQLite::Statement hist(db_, "INSERT INTO approval_history(document, seq, at, state, tier, approver, actor, via, message, comment,"
                                " reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    SQLite::Statement vio(db_, "INSERT OR IGNORE INTO approval_violations(document, kind, at, message) VALUES (?, ?, ?, ?)");
    SQLite::Statement terms(db_, "SELECT amount, currency, customer, sha256, changed_at FROM approval_terms WHERE document = ? AND decided = ?");
    SQLite::Statement keep(db_, "INSERT INTO approval_terms(document, decided, amount, currency, customer, sha256, hash)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?)");
    SQLite::Statement mark(db_, "UPDATE approval_terms SET changed_at = ? WHERE document = ? AND decided = ? AND changed_at = 0");
    SQLite::Statement audited(db_, "INSERT OR IGNORE INTO approval_audited(key) VALUES (?)");
    size_t count = 0;
    for (const auto& doc : docs) {
        // The first rule that asks for it (a document needs one approval chain).
        const ApprovalRule* rule = nullptr;
        std::string reason;
        for (const auto& r : rules) {
            if (std::find(r.types.begin(), r.types.end(), doc.type) == r.types.end() || doc.first_seen < r.applies_from) continue;
            auto amount = amount_of(doc.amount);
            if (!amount) {
                rule = &r, reason = "amount unknown";
                break;
            }
            auto in_rule = rules::convert(*amount, doc.currency.empty() ? r.currency : doc.currency, r.currency, rates);
            if (!in_rule) {
                rule = &r, reason = "no rate for " + doc.currency + " in fx_rates";
                break;
            }
            if (*in_rule >= r.min_amount) {
                rule = &r;
                break;
            }
        }
        if (!rule) continue;
        std::vector<std::string> chain_users = {rule->approver};
        if (!rule->then_approver.empty()) chain_users.push_back(rule->then_approver);
        std::vector<std::string> chain;
        for (const auto& u : chain_users) chain.push_back(own_mailbox(u));
        auto in_chain = [&](const std::string& box) { return std::find(chain.begin(), chain.end(), box) != chain.end(); };
        // What happened to it, from the mail and the web, for rules::replay_approval.
        using E = rules::ApprovalEvent;
        std::vector<E> events;
        auto newer = [&](const std::string& other) {
            auto it = by_number.find(other);
            return other != doc.number && it != by_number.end() && it->second->type == doc.type &&
                   std::tie(it->second->first_seen, it->second->number) > std::tie(doc.first_seen, doc.number);
        };
        auto revision_of_it = [&](const Mail* m) {  // "QT-2025-0013 replaces QT-2025-0012" asks for the new one
            return m->revises && std::any_of(m->documents.begin(), m->documents.end(), newer);
        };
        std::vector<const Mail*> asked;  // the requests, oldest first
        for (const Mail* m : requests[doc.number])
            if (!in_chain(m->from) && !revision_of_it(m) &&
                std::any_of(chain.begin(), chain.end(), [&](const std::string& c) { return m->parties.count(c) > 0; }))
                asked.push_back(m);
        std::sort(asked.begin(), asked.end(), [](const Mail* x, const Mail* y) { return std::tie(x->date, x->row) < std::tie(y->date, y->row); });
        for (const Mail* m : asked) {
            E e;
            e.kind = E::Request, e.at = m->date, e.message = m->row, e.actor = m->from;
            if (auto it = m->sha256.find(doc.number); it != m->sha256.end()) e.sha256 = it->second.first, e.words = it->second.second;
            events.push_back(std::move(e));
        }
        // The approvers' answers: to the rep (or the tier before), in a request's conversation or naming the
        // document, within the window after the latest request before them.
        for (const auto& approver : chain)
            for (const Mail* m : decisions[approver]) {
                const Mail* before = nullptr;
                for (const Mail* r : asked)
                    if (r->date <= m->date && (m->thread == r->thread || m->documents.count(doc.number)) &&
                        (m->parties.count(r->from) || std::any_of(chain.begin(), chain.end(), [&](const std::string& c) {
                             return c != approver && m->parties.count(c) > 0;
                         })))
                        before = r;
                if (!before || m->date - before->date > kDecisionWindow) continue;
                E e;
                e.kind = m->outcome == "approved" ? E::Approve : E::Reject;
                e.at = m->date, e.message = m->row, e.actor = approver, e.comment = m->comment;
                events.push_back(std::move(e));
            }
        // A revised document: a request naming this one beside a newer one of its type that says it replaces it,
        // or, after a rejection, a request for a newer one of its type in the same conversation.
        std::set<int64_t> threads_asked;
        for (const Mail* m : asked) threads_asked.insert(m->thread);
        for (const Mail* m : requests[doc.number])
            if (revision_of_it(m)) threads_asked.insert(m->thread);
        for (int64_t th : threads_asked)
            for (const Mail* m : requests_in[th])
                for (const auto& other : m->documents)
                    if (newer(other) && (!m->documents.count(doc.number) || m->revises)) {
                        E e;
                        e.kind = E::Revised, e.at = m->date, e.message = m->row, e.actor = m->from, e.by_document = other;
                        e.says_revision = m->revises && m->documents.count(doc.number);
                        events.push_back(std::move(e));
                    }
        for (const auto& x : mentions[doc.number]) {
            if (!x.amount.empty()) {
                E e;
                e.kind = E::Stated, e.at = x.date, e.message = x.row, e.amount = x.amount, e.currency = x.currency;
                events.push_back(std::move(e));
            }
            if (x.outside) {
                E e;
                e.kind = E::Sent, e.at = x.date, e.message = x.row, e.sha256 = x.sha256, e.words = x.words;
                events.push_back(std::move(e));
            }
        }
        // Requests and decisions made on the web or the command line.
        for (const auto& act : actions[doc.number]) {
            E e;
            e.kind = act.action == "request" ? E::Request : act.action == "approve" ? E::Approve : act.action == "reject" ? E::Reject : E::Withdraw;
            e.at = act.at, e.actor = act.by_user, e.any_tier = true, e.comment = act.comment;
            if (e.kind == E::Request) {
                e.actor = act.mailbox;
                if (!act.sha256.empty()) e.sha256 = act.sha256, e.words = act.words;
                else if (act.message)
                    for (const auto& x : mentions[doc.number])
                        if (x.row == act.message && !x.sha256.empty()) e.sha256 = x.sha256, e.words = x.words;
            }
            events.push_back(std::move(e));
        }
        // The amount before any mail states one: the document's first (recognition keeps the earliest).
        bool known_edit = edited.count(doc.number) > 0;
        auto run = rules::replay_approval(std::move(events), chain, doc.amount, doc.currency);
        if (known_edit) run.amount = doc.amount, run.currency = doc.currency;
        // What was approved is kept from the first scan that saw it: a user's later correction of the amount,
        // the currency or the customer takes it back to pending, and the approver is told.
        if (run.state == "approved") {
            terms.bind(1, doc.number);
            terms.bind(2, run.decided);
            std::string t_amount = known_edit ? doc.amount : run.approved_amount;
            std::string t_currency = known_edit ? doc.currency : run.approved_currency;
            int64_t t_customer = doc.customer, changed_at = 0;
            if (terms.executeStep()) {
                t_amount = terms.getColumn(0).getString();
                t_currency = terms.getColumn(1).getString();
                t_customer = terms.getColumn(2).getInt64();
                changed_at = terms.getColumn(4).getInt64();
                terms.reset();
            } else {
                terms.reset();
                keep.bind(1, doc.number);
                keep.bind(2, run.decided);
                keep.bind(3, t_amount);
                keep.bind(4, t_currency);
                keep.bind(5, t_customer);
                keep.bind(6, run.approved_sha256);
                keep.bind(7, sha256_hex(doc.number + "\n" + t_amount + "\n" + t_currency + "\n" + std::to_string(t_customer) + "\n" +
                                        run.approved_sha256));
                keep.exec();
                keep.reset();
            }
            std::string what;
            if (!rules::same_amount(run.amount, t_amount) || run.currency != t_currency)
                what = t_amount + " " + t_currency + " -> " + run.amount + " " + run.currency;
            else if (t_customer && doc.customer != t_customer)
                what = "customer " + std::to_string(t_customer) + " -> " + std::to_string(doc.customer);
            if (!what.empty()) {
                if (!changed_at) {
                    changed_at = now;
                    mark.bind(1, now);
                    mark.bind(2, doc.number);
                    mark.bind(3, run.decided);
                    mark.exec();
                    mark.reset();
                }
                run.state = "pending", run.changed = true, run.tier = 1, run.outcome.clear();
                run.reason = "changed after approval: " + what;
                run.steps.push_back({changed_at, 0, "pending", chain[0], "", "edit", "", run.reason, 1});
            }
        }
        Approval a;
        a.document = doc.number, a.type = doc.type, a.amount = doc.amount, a.currency = doc.currency, a.customer = doc.customer;
        if (run.changed) a.amount = run.amount, a.currency = run.currency;  // the terms that now wait for approval
        a.approver = chain_users[size_t(std::min<int>(run.tier, int(chain_users.size()))) - 1], a.tier = run.tier;
        a.state = run.state, a.via = run.via, a.reason = run.reason.empty() ? reason : run.reason, a.rep = run.rep;
        a.requested = run.requested, a.decided = run.decided, a.comment = run.comment;
        a.request_message = run.request_message, a.decision_message = run.decision_message;
        a.outcome = run.outcome, a.superseded_by = run.superseded_by, a.changed = run.changed;
        if (a.state == "not_requested" || a.state == "withdrawn") a.decided = 0, a.comment.clear();
        ins.bind(1, a.document);
        ins.bind(2, a.type);
        ins.bind(3, a.amount);
        ins.bind(4, a.currency);
        ins.bind(5, a.customer);
        ins.bind(6, a.rep);
        ins.bind(7, a.approver);
        ins.bind(8, a.tier);
        ins.bind(9, a.state);
        ins.bind(10, a.requested);
        ins.bind(11, a.decided);
        ins.bind(12, a.comment);
        ins.bind(13, a.via);
        if (a.request_message) ins.bind(14, a.request_message);
        else ins.bind(14);
        if (a.decision_message) ins.bind(15, a.decision_message);
        else ins.bind(15);
        ins.bind(16, a.reason);
        ins.bind(17, a.outcome);
        ins.bind(18, join(chain_users, ","));
        ins.bind(19, a.superseded_by);
        ins.bind(20, a.changed ? 1 : 0);
        ins.exec();
        ins.reset();
        int seq = 0;
        for (const auto& st : run.steps) {
            std::string actor = user_of.count(st.actor) ? user_of[st.actor] : st.actor;
            std::string approver_user = user_of.count(st.approver) ? user_of[st.approver] : st.approver;
            hist.bind(1, doc.number);
            hist.bind(2, ++seq);
            hist.bind(3, st.at);
            hist.bind(4, st.state);
            hist.bind(5, st.tier);
            hist.bind(6, approver_user);
            hist.bind(7, actor);
            hist.bind(8, st.via);
            hist.bind(9, st.message);
            hist.bind(10, st.comment);
            hist.bind(11, st.reason);
            hist.exec();
            hist.reset();
            // The steps read out of the mail, and the changes, go into the audit trail once each (the web's
            // actions are audited by the handlers).
            if (st.via == "web") continue;
            audited.bind(1, doc.number + "|" + std::to_string(st.at) + "|" + st.state + "|" + std::to_string(st.tier) + "|" +
                                std::to_string(st.message));
            bool fresh = audited.exec() > 0;
            audited.reset();
            if (!fresh) continue;
            AuditEntry e;
            e.actor = actor.empty() ? "tradewind" : actor, e.role = st.via, e.target_kind = "document", e.target = doc.number;
            e.action = st.via == "edit" ? "approval_changed" : "approval_mail", e.mailbox_owner = run.rep;
            e.detail = st.state + (st.tier > 1 ? " (tier " + std::to_string(st.tier) + ")" : "") + " at " + format_iso_utc(st.at) +
                       (st.message ? ", message " + std::to_string(st.message) : "") + (st.reason.empty() ? "" : ": " + st.reason) +
                       (st.comment.empty() ? "" : ": " + st.comment);
            audit.push_back(std::move(e));
            // The approver is told of a change, and the next tier of its turn (a recent step only: history
            // read into a new archive tells nobody).
            bool recent = st.at >= now - kNoticeWindow;
            bool tells = recent && st.state == "pending" && (!st.reason.empty() || st.tier > 1);
            if (tells && !st.approver.empty())
                notices.push_back({"approval:" + doc.number + ":" + std::to_string(st.at) + ":" + std::to_string(st.tier), st.approver,
                                   {{"document", doc.number}, {"type", doc.type}, {"amount", doc.amount}, {"currency", doc.currency},
                                    {"customer_name", doc.customer_name}, {"action", st.reason.empty() ? "request" : "changed"},
                                    {"by", actor}, {"comment", st.reason}}});
        }
        for (const auto& b : run.breaches) {
            vio.bind(1, doc.number);
            vio.bind(2, b.kind);
            vio.bind(3, b.at);
            vio.bind(4, b.message);
            vio.exec();
            vio.reset();
        }
        ++count;
    }
    for (const auto& n : notices) {
        SQLite::Statement q(db_, "INSERT OR IGNORE INTO notifications(key, kind, recipient, items, created) VALUES (?, 'approval', ?, ?, ?)");
        q.bind(1, n.key);
        q.bind(2, n.to);
        q.bind(3, nlohmann::json::array({n.item}).dump());
        q.bind(4, now);
        q.exec();
    }
    t.commit();
    if (!audit.empty()) AuditTrail(db_).record_all(std::move(audit));
    return count;
}

void Crm::act_on_approval(const std::string& number, const std::string& action, const std::string& by_user,
                          const std::string& mailbox, int64_t now, const std::string& comment, int64_t message, int64_t draft) {
    if (action != "request" && action != "approve" && action != "reject" && action != "withdraw")
        throw InvalidError("an approval is requested, approved, rejected or withdrawn, not \"" + action + "\"");
    if (documents(0, number).empty()) throw NotFoundError("no document " + number);
    if (message) {
        SQLite::Statement q(db_, "SELECT 1 FROM message_documents WHERE message = ? AND number = ?");
        q.bind(1, message);
        q.bind(2, number);
        if (!q.executeStep()) throw InvalidError("message " + std::to_string(message) + " does not name " + number + ": point at the mail with the draft");
    }
    scan_approvals();
    std::optional<Approval> now_;
    for (auto& x : approvals())
        if (x.document == number) now_ = x;
    if (!now_) throw InvalidError(number + " needs no approval: no rule asks for one (see `tradewind approvals rule list`)");
    if (action == "reject" && trim(comment).empty()) throw InvalidError("say why it is rejected: a reject needs a comment");
    if (action == "request" && now_->state == "superseded")
        throw ConflictError(number + " was replaced by " + now_->superseded_by + ": ask for that one");
    if (action == "request" && (now_->state == "approved" || (now_->state == "pending" && !now_->changed)))
        throw ConflictError(number + " is " + now_->state + " already: no new request is needed");
    if (action != "request" && now_->state != "pending")
        throw ConflictError(number + (now_->state == "not_requested" ? " was never sent for approval: the rep asks first"
                                                                      : " is " + now_->state + ", not waiting for a decision"));
    SQLite::Statement q(db_, "INSERT INTO approval_actions(document, action, by_user, mailbox, at, comment, message) VALUES (?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, number);
    q.bind(2, action);
    q.bind(3, by_user);
    q.bind(4, to_lower(mailbox));
    q.bind(5, now);
    q.bind(6, comment);
    q.bind(7, message);
    q.exec();
    int64_t action_id = db_.getLastInsertRowid();
    if (draft) {
        SQLite::Statement d(db_, "UPDATE approval_drafts SET action = ? WHERE id = ? AND document = ?");
        d.bind(1, action_id);
        d.bind(2, draft);
        d.bind(3, number);
        d.exec();
    }
    scan_approvals();
    std::optional<Approval> after;
    for (auto& x : approvals())
        if (x.document == number) after = x;
    // The other side is told by mail (the outbox of crm/notifications.cc): the approver of a request (or the
    // next tier of its turn), the rep of a decision. A decision made in the mail needs no notice: the mail is it.
    std::string to, told = action;
    if (action == "request" || (action == "approve" && after && after->state == "pending")) {
        to = own_mailbox(after ? after->approver : now_->approver);
        told = "request";
    } else if (action != "withdraw") {
        to = now_->rep;
    } else {
        to = own_mailbox(now_->approver);
    }
    if (!to.empty() && to != to_lower(mailbox)) {
        nlohmann::json item = {{"document", number}, {"type", now_->type}, {"amount", now_->amount}, {"currency", now_->currency},
                               {"customer_name", now_->customer_name}, {"action", told}, {"by", by_user}, {"comment", comment}};
        SQLite::Statement n(db_, "INSERT OR IGNORE INTO notifications(key, kind, recipient, items, created) VALUES (?, 'approval', ?, ?, ?)");
        n.bind(1, "approval:" + std::to_string(action_id));
        n.bind(2, to);
        n.bind(3, nlohmann::json::array({item}).dump());
        n.bind(4, now);
        n.exec();
    }
}

std::vector<Crm::Approval> Crm::approvals(const std::string& state) {
    std::vector<Approval> out;
    SQLite::Statement q(db_, "SELECT a.id, a.document, a.type, a.amount, a.currency, a.customer, a.rep, a.approver, a.tier, a.state,"
                             " a.requested, a.decided, a.comment, a.via, COALESCE(a.request_message, 0), COALESCE(a.decision_message, 0),"
                             " a.reason, COALESCE(c.name, ''), a.outcome, a.chain, a.superseded_by, a.changed"
                             " FROM approvals a LEFT JOIN customers c ON c.id = a.customer"
                             " WHERE ?1 = '' OR a.state = ?1 ORDER BY a.requested, a.document");
    q.bind(1, state);
    while (q.executeStep()) {
        Approval a;
        a.id = q.getColumn(0).getInt64();
        a.document = q.getColumn(1).getString();
        a.type = q.getColumn(2).getString();
        a.amount = q.getColumn(3).getString();
        a.currency = q.getColumn(4).getString();
        a.customer = q.getColumn(5).getInt64();
        a.rep = q.getColumn(6).getString();
        a.approver = q.getColumn(7).getString();
        a.tier = q.getColumn(8).getInt64();
        a.state = q.getColumn(9).getString();
        a.requested = q.getColumn(10).getInt64();
        a.decided = q.getColumn(11).getInt64();
        a.comment = q.getColumn(12).getString();
        a.via = q.getColumn(13).getString();
        a.request_message = q.getColumn(14).getInt64();
        a.decision_message = q.getColumn(15).getInt64();
        a.reason = q.getColumn(16).getString();
        a.customer_name = q.getColumn(17).getString();
        a.outcome = q.getColumn(18).getString();
        std::string chain = q.getColumn(19).getString();
        for (auto c : split_trimmed(chain, ',')) a.chain.emplace_back(c);
        a.superseded_by = q.getColumn(20).getString();
        a.changed = q.getColumn(21).getInt() != 0;
        out.push_back(std::move(a));
    }
    return out;
}

std::vector<Crm::ApprovalStep> Crm::approval_history(const std::string& number) {
    std::vector<ApprovalStep> out;
    SQLite::Statement q(db_, "SELECT at, message, tier, state, approver, actor, via, comment, reason FROM approval_history"
                             " WHERE document = ? ORDER BY seq");
    q.bind(1, number);
    while (q.executeStep())
        out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(), q.getColumn(3).getString(),
                       q.getColumn(4).getString(), q.getColumn(5).getString(), q.getColumn(6).getString(), q.getColumn(7).getString(),
                       q.getColumn(8).getString()});
    return out;
}

int64_t Crm::add_approval_draft(const std::string& number, const std::string& filename, const std::string& content_type,
                                const std::string& data, const std::string& words, const std::string& by_user, int64_t now) {
    if (data.empty()) throw InvalidError("the draft is empty: choose the file again");
    if (data.size() > (10u << 20)) throw InvalidError("the draft is over 10 MB: attach a smaller file, or point at the mail that carries it");
    SQLite::Statement q(db_, "INSERT INTO approval_drafts(document, filename, content_type, size, sha256, words, data, by_user, at)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, number);
    q.bind(2, filename);
    q.bind(3, content_type);
    q.bind(4, int64_t(data.size()));
    q.bind(5, sha256_hex(data));
    q.bind(6, words);
    q.bind(7, data.data(), int(data.size()));
    q.bind(8, by_user);
    q.bind(9, now);
    q.exec();
    return db_.getLastInsertRowid();
}

std::optional<Crm::ApprovalDraft> Crm::approval_draft(int64_t id) {
    SQLite::Statement q(db_, "SELECT id, action, size, at, document, filename, content_type, sha256, words, by_user, data"
                             " FROM approval_drafts WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    ApprovalDraft d{q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(), q.getColumn(3).getInt64(),
                    q.getColumn(4).getString(), q.getColumn(5).getString(), q.getColumn(6).getString(), q.getColumn(7).getString(),
                    q.getColumn(8).getString(), q.getColumn(9).getString(), {}};
    d.data.assign(static_cast<const char*>(q.getColumn(10).getBlob()), size_t(q.getColumn(10).getBytes()));
    return d;
}

void Crm::drop_approval_draft(int64_t id) {
    SQLite::Statement q(db_, "DELETE FROM approval_drafts WHERE id = ? AND action = 0");
    q.bind(1, id);
    q.exec();
}

std::vector<Crm::ApprovalDraft> Crm::approval_drafts(const std::string& number) {
    std::vector<ApprovalDraft> out;
    SQLite::Statement q(db_, "SELECT id, action, size, at, document, filename, content_type, sha256, words, by_user"
                             " FROM approval_drafts WHERE document = ? AND action <> 0 ORDER BY at, id");
    q.bind(1, number);
    while (q.executeStep())
        out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(), q.getColumn(3).getInt64(),
                       q.getColumn(4).getString(), q.getColumn(5).getString(), q.getColumn(6).getString(), q.getColumn(7).getString(),
                       q.getColumn(8).getString(), q.getColumn(9).getString(), {}});
    return out;
}

std::vector<int64_t> Crm::approval_request_messages(const std::string& number) {
    std::vector<int64_t> out;
    SQLite::Statement q(db_, "SELECT message FROM approval_actions WHERE document = ? AND action = 'request' AND message <> 0 ORDER BY at, id");
    q.bind(1, number);
    while (q.executeStep()) out.push_back(q.getColumn(0).getInt64());
    return out;
}

std::vector<Crm::Violation> Crm::approval_violations() {
    std::vector<Violation> out;
    SQLite::Statement q(db_, "SELECT v.document, v.kind, v.at, v.message, COALESCE(m.message_id, ''), COALESCE(m.thread, 0),"
                             " k.by_user, k.comment FROM approval_violations v LEFT JOIN messages m ON m.id = v.message"
                             " LEFT JOIN approval_acks k ON k.document = v.document AND k.kind = v.kind ORDER BY v.at, v.document");
    while (q.executeStep()) {
        Violation v;
        v.document = q.getColumn(0).getString();
        v.kind = q.getColumn(1).getString();
        v.sent = q.getColumn(2).getInt64();
        v.message = q.getColumn(3).getInt64();
        v.message_id = q.getColumn(4).getString();
        v.thread = q.getColumn(5).getInt64();
        v.acknowledged = !q.getColumn(6).isNull();
        if (v.acknowledged) v.ack_by = q.getColumn(6).getString(), v.ack_comment = q.getColumn(7).getString();
        out.push_back(std::move(v));
    }
    return out;
}

void Crm::acknowledge_violation(const std::string& number, const std::string& kind, const std::string& by_user, int64_t now,
                                const std::string& comment) {
    if (trim(comment).empty()) throw InvalidError("say why the violation is acknowledged: a comment is required");
    bool found = false;
    for (const auto& v : approval_violations()) found = found || (v.document == number && v.kind == kind);
    if (!found) throw NotFoundError("no violation " + kind + " of " + number);
    SQLite::Statement q(db_, "INSERT OR REPLACE INTO approval_acks(document, kind, by_user, at, comment) VALUES (?, ?, ?, ?, ?)");
    q.bind(1, number);
    q.bind(2, kind);
    q.bind(3, by_user);
    q.bind(4, now);
    q.bind(5, comment);
    q.exec();
}

}  // namespace tw
