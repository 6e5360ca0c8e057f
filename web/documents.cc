// Trade documents: the list, a page per document with every message that
// names it, and users' records and corrections.
#include <algorithm>
#include <ctime>
#include <set>

#include "crm/crm.h"
#include "mail/date.h"
#include "mail/strutil.h"
#include "web/route.h"

namespace tw::web {
namespace {

// A document's conversations and mail, as far as the reader may see them.
DocumentRow& visible_part(LinkedArchive& a, const Visibility& v, DocumentRow& x) {
    if (v.all) return x;
    std::vector<int64_t> threads;
    for (int64_t t : x.threads)
        if (a.people.sees_thread(v, t)) threads.push_back(t);
    x.threads = threads;
    std::set<int64_t> seen;  // a message may name it in several places
    for (const auto& m : a.crm.document_mentions(x.number))
        if (!seen.count(m.row) && a.people.sees_message(v, m.row)) seen.insert(m.row);
    x.messages = int64_t(seen.size());
    return x;
}


Page documents(Context& ctx, const Request& r) {
    json list = json::array();
    LinkedArchive a(ctx.o.data_dir);
    Visibility v = a.people.visibility(r.user);
    for (auto& x : a.crm.documents())
        if (a.people.sees_document(v, x.number)) list.push_back(document_row_json(visible_part(a, v, x)));
    return page("Documents", "documents", {{"documents", list}},
                {{"none", list.empty()}, {"may_change", bool(role_bit(r.user.role) & kEditors)}});
}

// /document?number=PI-2025-0034: the record and every message and attachment that names it.
Page document(Context& ctx, const Request& r) {
    const std::string& number = r.text("number");
    LinkedArchive a(ctx.o.data_dir);
    auto one = a.crm.documents(0, number);
    Visibility v = a.people.visibility(r.user);
    if (one.empty() || !a.people.sees_document(v, number)) throw NotFoundError("no document " + number);
    if (r.user.role == "auditor")
        ctx.audit(r, audit_entry("view_document", "document", number, "", true, ""));
    json j = document_row_json(visible_part(a, v, one.front()));
    json mentions = json::array();
    for (const auto& m : a.crm.document_mentions(number))
        if (a.people.sees_message(v, m.row)) mentions.push_back({{"row", m.row}, {"thread", m.thread}, {"date", format_iso_utc(m.date)}, {"day", when(m.date)},
                            {"from", m.from}, {"subject", m.subject.empty() ? "(no subject)" : m.subject}, {"place", m.place}});
    j["mentions"] = mentions;
    return page(number + " - Documents", "document", j);
}

// A rep changes the documents of customers they own (a manager their teams', an admin any);
// a document of no customer, where its mail is visible.
void check_customer(LinkedArchive& a, const User& u, int64_t customer) {
    if (!customer) return;
    auto c = a.crm.customers(customer);
    if (c.empty()) throw NotFoundError("no customer " + std::to_string(customer));
    if (!a.people.may_edit_customer(u, c.front().owner))
        throw ForbiddenError(c.front().name + " is " + (c.front().owner.empty() ? "nobody's" : c.front().owner + "'s") +
                             ": its documents are changed by its owner, their manager or an admin");
}

void check_document(LinkedArchive& a, const User& u, const std::string& number) {
    auto one = a.crm.documents(0, number);
    if (one.empty() || !a.people.sees_document(a.people.visibility(u), number)) throw NotFoundError("no document " + number);
    if (one.front().customer) check_customer(a, u, one.front().customer);
}

Page create(Context& ctx, const Request& r) {
    const std::string& number = r.text("number");
    LinkedArchive a(ctx.o.data_dir);
    check_customer(a, r.user, r.id("customer"));
    a.store.begin();
    bool ok = a.crm.create_document(number, r.text("type"), r.id("customer"), r.text("status"), int64_t(std::time(nullptr)));
    if (!ok) {
        a.store.rollback();
        throw ConflictError("document " + number + " exists already: correct it on /documents instead");
    }
    a.store.commit();
    ctx.audit(r, audit_entry("document_create", "document", number, "", true,
                  "type " + r.text("type") + ", customer " + std::to_string(r.id("customer")) + ", status " + r.text("status")));
    return after_form({{"number", number}, {"created", true}}, "/documents");
}

// number= and any of status, amount, currency, type, customer.
Page edit(Context& ctx, const Request& r) {
    const std::string& number = r.text("number");
    LinkedArchive a(ctx.o.data_dir);
    check_document(a, r.user, number);
    if (r.has("customer")) {
        auto to = parse_int(r.http.get_param_value("customer"));
        if (to && *to > 0) check_customer(a, r.user, *to);
    }
    a.store.begin();
    json changed = json::object();
    try {
        for (const char* field : {"status", "amount", "currency", "type", "customer"}) {
            if (!r.has(field)) continue;
            std::string value = r.http.get_param_value(field);
            if (!a.crm.edit_document(number, field, value))
                throw NotFoundError("no document " + number + (std::string(field) == "customer" ? " or customer " + value : ""));
            changed[field] = value;
        }
    } catch (...) {
        a.store.rollback();
        throw;
    }
    a.store.commit();
    std::string detail;
    for (auto it = changed.begin(); it != changed.end(); ++it) detail += (detail.empty() ? "" : ", ") + it.key() + "=" + it.value().get<std::string>();
    auto now = a.crm.documents(0, number);
    std::string owner = now.empty() || !now.front().customer ? "" : a.crm.customers(now.front().customer).front().owner;
    ctx.audit(r, audit_entry("document_edit", "document", number, owner, true, detail));
    return after_form({{"number", number}, {"changed", changed}}, "/documents");
}

}  // namespace

std::vector<Route> document_routes(Context& ctx) {
    std::vector<Route> out = {
        {"GET", {"/documents", "/api/v1/documents"}, kUsers, {}, {}, [&ctx](const Request& r) { return documents(ctx, r); }, ""},
        {"GET", {"/document", "/api/v1/document"}, kUsers, {}, {text_param("number", true, "", 64)},
         [&ctx](const Request& r) { return document(ctx, r); }, "document"},
    };
    for (std::string api : {"", "/api/v1"}) {
        out.push_back({"POST", {api + "/documents"}, kEditors, {},
                       {text_param("number", true, "", 64), text_param("type", true, "", 64), int_param("customer", false, 0, 0),
                        text_param("status", false, "draft", 32)},
                       [&ctx](const Request& r) { return create(ctx, r); }, "customer"});
        out.push_back({"POST", {api + "/documents/edit"}, kEditors, {}, {text_param("number", true, "", 64)},
                       [&ctx](const Request& r) { return edit(ctx, r); }, "document"});
    }
    return out;
}

}  // namespace tw::web
