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

#include "crm/crm.h"
#include "crm/rules.h"
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

struct Mail {
    int64_t row = 0, date = 0, thread = 0;
    std::string from, outcome, comment;
    std::set<std::string> parties, documents;
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

size_t Crm::scan_approvals(std::vector<int64_t>* linked) {
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
    auto rules = approval_rules();
    if (rules.empty()) {  // no approval needed: nothing to read (records of removed rules go)
        if (db_.execAndGet("SELECT EXISTS (SELECT 1 FROM approvals)").getInt()) db_.exec("DELETE FROM approvals");
        return 0;
    }
    std::map<std::string, double> rates;
    auto fx = nlohmann::json::parse(setting("fx_rates"), nullptr, false);
    if (fx.is_object())
        for (auto it = fx.begin(); it != fx.end(); ++it)
            if (it.value().is_number()) rates[it.key()] = it.value().get<double>();
    // The internal mail read as approval, with its parties and documents.
    std::map<int64_t, Mail> mail;
    {
        SQLite::Statement q(db_, "SELECT a.message, m.date, m.thread, lower(m.from_addr), a.outcome, a.comment, a.asks"
                                 " FROM approval_mail a JOIN messages m ON m.id = a.message");
        while (q.executeStep()) {
            Mail x;
            x.row = q.getColumn(0).getInt64();
            x.date = q.getColumn(1).getInt64();
            x.thread = q.getColumn(2).getInt64();
            x.from = q.getColumn(3).getString();
            x.outcome = q.getColumn(4).getString();
            x.comment = q.getColumn(5).getString();
            mail[x.row] = std::move(x);
        }
        SQLite::Statement p(db_, "SELECT p.message, lower(p.address) FROM parties p JOIN approval_mail a ON a.message = p.message");
        while (p.executeStep())
            if (auto it = mail.find(p.getColumn(0).getInt64()); it != mail.end()) it->second.parties.insert(p.getColumn(1).getString());
        SQLite::Statement d(db_, "SELECT DISTINCT md.message, md.number FROM message_documents md JOIN approval_mail a ON a.message = md.message");
        while (d.executeStep())
            if (auto it = mail.find(d.getColumn(0).getInt64()); it != mail.end()) it->second.documents.insert(d.getColumn(1).getString());
    }
    std::map<std::string, std::vector<const Mail*>> decisions;  // by the approver who wrote them
    for (const auto& [row, m] : mail)
        if (!m.outcome.empty()) decisions[m.from].push_back(&m);
    std::map<std::string, std::vector<const Mail*>> requests;  // by the document they name
    {
        SQLite::Statement q(db_, "SELECT message FROM approval_mail WHERE asks = 1");
        while (q.executeStep())
            if (auto it = mail.find(q.getColumn(0).getInt64()); it != mail.end())
                for (const auto& d : it->second.documents) requests[d].push_back(&it->second);
    }
    auto mailbox_of = [&](const std::string& user) {
        SQLite::Statement q(db_, "SELECT lower(address) FROM user_mailboxes WHERE user = ? AND pos = 0");
        q.bind(1, user);
        return q.executeStep() ? q.getColumn(0).getString() : std::string();
    };
    struct Action {
        std::string action, mailbox, comment;
        int64_t at = 0;
    };
    std::map<std::string, std::vector<Action>> actions;  // by document, oldest first
    {
        SQLite::Statement q(db_, "SELECT document, action, mailbox, comment, at FROM approval_actions ORDER BY at, id");
        while (q.executeStep())
            actions[q.getColumn(0).getString()].push_back(
                {q.getColumn(1).getString(), q.getColumn(2).getString(), q.getColumn(3).getString(), q.getColumn(4).getInt64()});
    }
    SQLite::Transaction t(db_);
    db_.exec("DELETE FROM approvals");
    size_t count = 0;
    for (const auto& doc : documents()) {
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
        std::string approver = mailbox_of(rule->approver);
        // The request: the earliest internal mail to the approver naming the document and asking.
        const Mail* request = nullptr;
        for (const Mail* mp : requests[doc.number]) {
            const Mail& m = *mp;
            if (m.parties.count(approver) && m.from != approver &&
                (!request || std::tie(m.date, m.row) < std::tie(request->date, request->row)))
                request = &m;
        }
        Approval a;
        a.document = doc.number, a.type = doc.type, a.amount = doc.amount, a.currency = doc.currency, a.customer = doc.customer;
        a.approver = rule->approver, a.tier = 1, a.state = "pending", a.via = "mail", a.reason = reason;
        if (!request) {
            a.state = "not_requested";
        } else {
            a.rep = request->from, a.requested = request->date, a.request_message = request->row;
            // The answer: the approver's first decision to the rep after the request, in its conversation or naming it.
            const Mail* answer = nullptr;
            for (const Mail* mp : decisions[approver]) {
                const Mail& m = *mp;
                if (!m.parties.count(request->from) || m.date < request->date ||
                    m.date - request->date > kDecisionWindow || (m.thread != request->thread && !m.documents.count(doc.number)))
                    continue;
                if (!answer || std::tie(m.date, m.row) < std::tie(answer->date, answer->row)) answer = &m;
            }
            if (answer) a.state = answer->outcome, a.decided = answer->date, a.decision_message = answer->row, a.comment = answer->comment;
        }
        // Requests and decisions made on the web or the command line: a request where the mail has none, and the
        // latest decision over the mail's.
        for (const auto& act : actions[doc.number]) {
            if (act.action == "request" && a.state == "not_requested")
                a.state = "pending", a.rep = act.mailbox, a.requested = act.at, a.via = "web";
            if ((act.action == "approve" || act.action == "reject") && act.at >= a.decided) {
                if (a.state == "not_requested") a.requested = act.at;
                a.state = act.action == "approve" ? "approved" : "rejected", a.decided = act.at, a.comment = act.comment,
                a.via = "web", a.decision_message = 0;
            }
        }
        SQLite::Statement ins(db_, "INSERT INTO approvals(document, type, amount, currency, customer, rep, approver, tier, state,"
                                   " requested, decided, comment, via, request_message, decision_message, reason)"
                                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
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
        if (a.decision_message) ins.bind(15, a.decision_message);
        ins.bind(16, a.reason);
        ins.exec();
        ++count;
    }
    t.commit();
    return count;
}

void Crm::act_on_approval(const std::string& number, const std::string& action, const std::string& by_user,
                          const std::string& mailbox, int64_t now, const std::string& comment) {
    if (action != "request" && action != "approve" && action != "reject")
        throw InvalidError("an approval is requested, approved or rejected, not \"" + action + "\"");
    if (documents(0, number).empty()) throw NotFoundError("no document " + number);
    scan_approvals();
    std::optional<Approval> now_;
    for (auto& x : approvals())
        if (x.document == number) now_ = x;
    if (!now_) throw InvalidError(number + " needs no approval: no rule asks for one (see `tradewind approvals rule list`)");
    if (action == "reject" && trim(comment).empty()) throw InvalidError("say why it is rejected: a reject needs a comment");
    if (action == "request" && now_->state != "not_requested" && now_->state != "rejected")
        throw ConflictError(number + " is " + now_->state + " already: no new request is needed");
    if (action != "request" && now_->state == "not_requested")
        throw ConflictError(number + " was never sent for approval: the rep asks first");
    SQLite::Statement q(db_, "INSERT INTO approval_actions(document, action, by_user, mailbox, at, comment) VALUES (?, ?, ?, ?, ?, ?)");
    q.bind(1, number);
    q.bind(2, action);
    q.bind(3, by_user);
    q.bind(4, to_lower(mailbox));
    q.bind(5, now);
    q.bind(6, comment);
    q.exec();
    int64_t action_id = db_.getLastInsertRowid();
    scan_approvals();
    // The other side is told by mail (the outbox of crm/notifications.cc): the approver of a request, the rep of a
    // decision. A decision made in the mail needs no notice: the mail is it.
    std::string to;
    if (action == "request") {
        SQLite::Statement m(db_, "SELECT address FROM user_mailboxes WHERE user = ? AND pos = 0");
        m.bind(1, now_->approver);
        if (m.executeStep()) to = m.getColumn(0).getString();
    } else {
        to = now_->rep;
    }
    if (!to.empty() && to != to_lower(mailbox)) {
        nlohmann::json item = {{"document", number}, {"type", now_->type}, {"amount", now_->amount}, {"currency", now_->currency},
                               {"customer_name", now_->customer_name}, {"action", action}, {"by", by_user}, {"comment", comment}};
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
                             " a.reason, COALESCE(c.name, '') FROM approvals a LEFT JOIN customers c ON c.id = a.customer"
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
        out.push_back(std::move(a));
    }
    return out;
}

std::vector<Crm::Violation> Crm::approval_violations() {
    // When each document first reached a customer: the firm's mail naming it with a party outside the firm.
    std::string firm = "[]";
    {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& d : domains()) j.push_back(d);
        firm = j.dump();
    }
    SQLite::Statement sent(db_,
        "SELECT m.id, m.date, m.message_id, m.thread FROM message_documents md JOIN messages m ON m.id = md.message"
        " WHERE md.number = ?1 AND EXISTS (SELECT 1 FROM json_each(?2) d WHERE lower(m.from_addr) LIKE '%@' || d.value)"
        " AND EXISTS (SELECT 1 FROM parties p WHERE p.message = m.id AND NOT EXISTS (SELECT 1 FROM json_each(?2) d"
        "  WHERE lower(p.address) LIKE '%@' || d.value)) ORDER BY m.date, m.id LIMIT 1");
    std::vector<Violation> out;
    for (const auto& a : approvals()) {
        sent.bind(1, a.document);
        sent.bind(2, firm);
        if (sent.executeStep()) {
            Violation v;
            v.document = a.document;
            v.message = sent.getColumn(0).getInt64();
            v.sent = sent.getColumn(1).getInt64();
            v.message_id = sent.getColumn(2).getString();
            v.thread = sent.getColumn(3).getInt64();
            if (a.state == "not_requested") v.kind = "sent_without_request";
            else if (a.state == "pending" || (a.decided && v.sent < a.decided)) v.kind = "sent_before_approval";
            else if (a.state == "rejected") v.kind = "sent_after_rejection";
            if (!v.kind.empty()) out.push_back(std::move(v));
        }
        sent.reset();
    }
    SQLite::Statement ack(db_, "SELECT by_user, comment FROM approval_acks WHERE document = ? AND kind = ?");
    for (auto& v : out) {
        ack.bind(1, v.document);
        ack.bind(2, v.kind);
        if (ack.executeStep()) v.acknowledged = true, v.ack_by = ack.getColumn(0).getString(), v.ack_comment = ack.getColumn(1).getString();
        ack.reset();
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
