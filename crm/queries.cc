// The CRM's reads: customers, documents, deals, conflicts, owners.
#include <SQLiteCpp/SQLiteCpp.h>

#include "crm/crm.h"
#include "mail/strutil.h"

namespace tw {

std::vector<CustomerRow> Crm::customers(int64_t id) {
    std::vector<CustomerRow> out;
    SQLite::Statement q(db_,
                        "SELECT c.id, c.name, c.kind, c.owner, c.in_pool, "
                        "(SELECT COUNT(*) FROM message_customers mc WHERE mc.customer = c.id), "
                        "(SELECT MAX(m.date) FROM message_customers mc JOIN messages m ON m.id = mc.message WHERE mc.customer = c.id) "
                        "FROM customers c WHERE ?1 = 0 OR c.id = ?1 ORDER BY c.id");
    q.bind(1, id);
    SQLite::Statement dom(db_, "SELECT domain FROM customer_domains WHERE customer = ? ORDER BY domain");
    SQLite::Statement con(db_, "SELECT address, name FROM contacts WHERE customer = ? ORDER BY address");
    while (q.executeStep()) {
        CustomerRow c;
        c.id = q.getColumn(0).getInt64();
        c.name = q.getColumn(1).getString();
        c.kind = q.getColumn(2).getString();
        c.owner = q.getColumn(3).getString();
        c.in_pool = q.getColumn(4).getInt() != 0;
        c.messages = q.getColumn(5).getInt64();
        c.last = q.getColumn(6).isNull() ? 0 : q.getColumn(6).getInt64();
        dom.reset();
        dom.bind(1, c.id);
        while (dom.executeStep()) c.domains.push_back(dom.getColumn(0).getString());
        con.reset();
        con.bind(1, c.id);
        while (con.executeStep()) c.contacts.emplace_back(con.getColumn(0).getString(), con.getColumn(1).getString());
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<DocumentRow> Crm::documents(int64_t customer, const std::string& number) {
    std::vector<DocumentRow> out;
    SQLite::Statement q(db_,
                        "SELECT d.number, d.type, d.status, d.amount, d.currency, COALESCE(d.customer, 0), "
                        "COALESCE(c.name, ''), COALESCE(d.first_seen, 0), "
                        "(SELECT COUNT(DISTINCT md.message) FROM message_documents md WHERE md.number = d.number) "
                        "FROM documents d LEFT JOIN customers c ON c.id = d.customer "
                        "WHERE (?1 = 0 OR d.customer = ?1) AND (?2 = '' OR d.number = ?2) ORDER BY d.first_seen, d.number");
    q.bind(1, customer);
    q.bind(2, number);
    SQLite::Statement th(db_, "SELECT DISTINCT m.thread FROM message_documents md JOIN messages m ON m.id = md.message "
                                 "WHERE md.number = ? ORDER BY m.thread");
    while (q.executeStep()) {
        DocumentRow d;
        d.number = q.getColumn(0).getString();
        d.type = q.getColumn(1).getString();
        d.status = q.getColumn(2).getString();
        d.amount = q.getColumn(3).getString();
        d.currency = q.getColumn(4).getString();
        d.customer = q.getColumn(5).getInt64();
        d.customer_name = q.getColumn(6).getString();
        d.first_seen = q.getColumn(7).getInt64();
        d.messages = q.getColumn(8).getInt64();
        th.reset();
        th.bind(1, d.number);
        while (th.executeStep()) d.threads.push_back(th.getColumn(0).getInt64());
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<DocumentMention> Crm::document_mentions(const std::string& number) {
    SQLite::Statement q(db_, "SELECT m.id, m.thread, m.date, m.subject, m.from_addr, md.place FROM message_documents md "
                                "JOIN messages m ON m.id = md.message WHERE md.number = ? ORDER BY m.date, m.id, md.place");
    q.bind(1, number);
    std::vector<DocumentMention> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
                       q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString()});
    return out;
}

Deal Crm::deal(int64_t thread) {
    Deal d;
    SQLite::Statement cq(db_, "SELECT DISTINCT c.id, c.name, c.owner, c.in_pool FROM messages m "
                                 "JOIN message_customers mc ON mc.message = m.id JOIN customers c ON c.id = mc.customer "
                                 "WHERE m.thread = ? ORDER BY c.id");
    cq.bind(1, thread);
    while (cq.executeStep()) {
        CustomerRow c;
        c.id = cq.getColumn(0).getInt64();
        c.name = cq.getColumn(1).getString();
        c.owner = cq.getColumn(2).getString();
        c.in_pool = cq.getColumn(3).getInt() != 0;
        d.customers.push_back(std::move(c));
    }
    SQLite::Statement dq(db_, "SELECT DISTINCT d.number, d.type, d.status, d.amount, d.currency, d.first_seen FROM messages m "
                                 "JOIN message_documents md ON md.message = m.id JOIN documents d ON d.number = md.number "
                                 "WHERE m.thread = ? ORDER BY d.first_seen, d.number");
    dq.bind(1, thread);
    while (dq.executeStep()) {
        DocumentRow x;
        x.number = dq.getColumn(0).getString();
        x.type = dq.getColumn(1).getString();
        x.status = dq.getColumn(2).getString();
        x.amount = dq.getColumn(3).getString();
        x.currency = dq.getColumn(4).getString();
        d.documents.push_back(std::move(x));
    }
    return d;
}

std::vector<ConflictRow> Crm::conflicts(bool scan) {
    if (scan) scan_conflicts();
    std::vector<ConflictRow> out;
    SQLite::Statement q(db_,
                        "SELECT x.id, x.customer, COALESCE(c.name, ''), x.rep, x.other_rep, x.kind, x.message, x.other_message, "
                        "x.date, x.status, COALESCE(m.subject, '') FROM conflicts x LEFT JOIN customers c ON c.id = x.customer "
                        "LEFT JOIN messages m ON m.id = x.message ORDER BY x.date, x.id");
    while (q.executeStep()) {
        ConflictRow r;
        r.id = q.getColumn(0).getInt64();
        r.customer = q.getColumn(1).getInt64();
        r.customer_name = q.getColumn(2).getString();
        r.rep = q.getColumn(3).getString();
        r.other_rep = q.getColumn(4).getString();
        r.kind = q.getColumn(5).getString();
        r.message = q.getColumn(6).getInt64();
        r.other_message = q.getColumn(7).getInt64();
        r.date = q.getColumn(8).getInt64();
        r.status = q.getColumn(9).getString();
        r.subject = q.getColumn(10).getString();
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> Crm::owner_history(int64_t customer) {
    std::vector<std::pair<std::string, std::string>> out;
    SQLite::Statement q(db_, "SELECT owner, reason FROM customer_owners WHERE customer = ? ORDER BY rowid");
    q.bind(1, customer);
    while (q.executeStep()) out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString());
    return out;
}

std::vector<CustomerRow> Crm::lookup(const std::string& text) {
    std::string q = to_lower(text);
    while (!q.empty() && q.back() == ' ') q.pop_back();
    while (!q.empty() && q.front() == ' ') q.erase(0, 1);
    std::string domain = q.find('@') != std::string::npos ? address_domain(q) : q;
    std::vector<CustomerRow> out;
    for (auto& x : customers()) {
        bool hit = q.empty() || to_lower(x.name).find(q) != std::string::npos;
        for (const auto& d : x.domains) hit = hit || d == domain || (domain.size() > d.size() && domain.ends_with("." + d));
        for (const auto& [addr, name] : x.contacts) hit = hit || addr == q || to_lower(name).find(q) != std::string::npos;
        if (hit) out.push_back(std::move(x));
    }
    return out;
}

std::vector<int64_t> Crm::customers_owned_by(const std::string& rep) {
    std::string want = to_lower(rep);
    SQLite::Statement q(db_, "SELECT id, owner FROM customers WHERE in_pool = 0 AND owner <> '' ORDER BY id");
    std::vector<int64_t> out;
    while (q.executeStep()) {
        std::string owner = to_lower(q.getColumn(1).getString());
        if (owner == want || owner.substr(0, owner.find('@')) == want) out.push_back(q.getColumn(0).getInt64());
    }
    return out;
}

std::function<std::vector<std::string>(const std::string&, const std::string&)> search_expander(Crm& crm) {
    return [&crm](const std::string& field, const std::string& text) {
        std::vector<std::string> out;
        if (field == "owner")
            for (int64_t id : crm.customers_owned_by(text)) out.push_back(std::to_string(id));
        return out;
    };
}

std::map<int64_t, MessageLinks> Crm::message_links() {
    std::map<int64_t, MessageLinks> out;
    SQLite::Statement cust(db_, "SELECT mc.message, c.id, c.name FROM message_customers mc JOIN customers c ON c.id = mc.customer "
                                "ORDER BY mc.message, c.id");
    while (cust.executeStep())
        out[cust.getColumn(0).getInt64()].customers.emplace_back(cust.getColumn(1).getInt64(), cust.getColumn(2).getString());
    SQLite::Statement docs(db_, "SELECT DISTINCT message, number FROM message_documents ORDER BY message, number");
    while (docs.executeStep()) out[docs.getColumn(0).getInt64()].documents.push_back(docs.getColumn(1).getString());
    return out;
}

}  // namespace tw
