// Trade documents: the list, a page per document with every message that
// names it, and users' records and corrections.
#include <algorithm>
#include <ctime>
#include <set>
#include <tuple>

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


const std::vector<std::string> kDocumentSorts = {"first_seen", "number", "type", "customer", "messages"};
const std::vector<std::string> kStatuses = {"draft", "sent", "received", "confirmed", "cancelled", "paid", "shipped", "closed"};
const std::vector<std::string> kTypes = {"quotation", "proforma_invoice", "purchase_order", "contract", "commercial_invoice",
                                         "packing_list", "bill_of_lading", "letter_of_credit", "other"};

// The list: what the reader may see, filtered by type and text, sorted and paged (newest first by default).
Page documents(Context& ctx, const Request& r) {
    const std::string &sort = r.text("sort"), &type = r.text("type"), &q = r.text("q");
    check_sort(sort, kDocumentSorts);
    bool desc = r.has("desc") ? r.flag("desc") : sort == "first_seen" || sort == "messages";
    LinkedArchive a(ctx.o.data_dir);
    Visibility v = a.people.visibility(r.user);
    std::vector<DocumentRow> rows;
    for (auto& x : a.crm.documents()) {
        if (!type.empty() && x.type != type) continue;
        if (!q.empty() && to_lower(x.number).find(to_lower(q)) == std::string::npos &&
            to_lower(x.customer_name).find(to_lower(q)) == std::string::npos)
            continue;
        if (a.people.sees_document(v, x.number)) rows.push_back(std::move(x));
    }
    auto less = [&](const DocumentRow& x, const DocumentRow& y) {
        if (sort == "number") return x.number < y.number;
        if (sort == "type") return std::tie(x.type, x.number) < std::tie(y.type, y.number);
        if (sort == "customer") return std::make_pair(to_lower(x.customer_name), x.number) < std::make_pair(to_lower(y.customer_name), y.number);
        if (sort == "messages") return std::make_pair(x.messages, x.number) < std::make_pair(y.messages, y.number);
        return std::make_pair(x.first_seen, x.number) < std::make_pair(y.first_seen, y.number);
    };
    size_t offset = size_t(r.id("offset")), limit = size_t(r.id("limit"));
    // Counting visible mail costs a look at every mention: the page's rows only (sorting by it counts all).
    if (sort == "messages")
        for (auto& x : rows) visible_part(a, v, x);
    std::stable_sort(rows.begin(), rows.end(), [&](const auto& x, const auto& y) { return desc ? less(y, x) : less(x, y); });
    json list = json::array();
    for (size_t k = offset; k < rows.size() && list.size() < limit; ++k)
        list.push_back(document_row_json(sort == "messages" ? rows[k] : visible_part(a, v, rows[k])));
    std::string base = "/documents?q=" + query_escape(q) + "&type=" + query_escape(type);
    json view = paging_view(base, sort, desc, rows.size(), offset, limit);
    view["sorts"] = sort_links(base, kDocumentSorts, sort, desc);
    view["none"] = rows.empty() && q.empty() && type.empty();
    view["q"] = q;
    json types = json::array();
    for (const auto& t : kTypes) types.push_back({{"value", t}, {"label", label(t)}, {"selected", t == type}});
    view["types"] = types;
    view["may_change"] = bool(role_bit(r.user.role) & kEditors);
    return page("Documents", "documents", {{"documents", list}, {"total", rows.size()}, {"offset", offset}, {"limit", limit}}, view);
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
                            {"from", m.from}, {"subject", m.subject.empty() ? tr("(no subject)") : m.subject}, {"place", m.place},
                            {"place_label", label("in_" + m.place)}});
    j["mentions"] = mentions;
    json statuses = json::array();
    for (const auto& st : kStatuses) statuses.push_back({{"value", st}, {"label", label(st)}, {"selected", st == j["status"]}});
    bool may_change = one.front().customer == 0 || a.people.may_edit_customer(r.user, a.crm.customers(one.front().customer).front().owner);
    j["approval"] = approvals_of(a, r.user, {number});
    // A request points at the mail that carries the draft: those of its mail the reader may see.
    json drafts = json::array();
    for (const auto& m : j["mentions"])
        if (m["place"] == "filename") drafts.push_back({{"row", m["row"]}, {"label", m["day"].get<std::string>() + " · " + m["subject"].get<std::string>()}});
    j["drafts"] = drafts;
    j["has_drafts"] = !drafts.empty();
    return page(number + " - Documents", "document", j,
                {{"statuses", statuses}, {"may_change", may_change && (role_bit(r.user.role) & kEditors)},
                 {"back", "/document?number=" + query_escape(number)}});
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
    return after_form({{"number", number}, {"created", true}}, "/document?number=" + query_escape(number));
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
    return after_form({{"number", number}, {"changed", changed}}, local_path(r.text("back"), "/document?number=" + query_escape(number)));
}

}  // namespace

std::vector<Route> document_routes(Context& ctx) {
    std::vector<Route> out = {
        {"GET", {"/documents", "/api/v1/documents"}, kUsers, {},
         {text_param("q", false, "", 200), text_param("type", false, "", 64), text_param("sort", false, "first_seen", 16),
          flag_param("desc"), int_param("limit", false, 50, 1, 1000, true), int_param("offset", false, 0, 0, 10000000)},
         [&ctx](const Request& r) { return documents(ctx, r); }, ""},
        {"GET", {"/document", "/api/v1/document"}, kUsers, {}, {text_param("number", true, "", 64)},
         [&ctx](const Request& r) { return document(ctx, r); }, "document"},
    };
    for (std::string api : {"", "/api/v1"}) {
        out.push_back({"POST", {api + "/documents"}, kEditors, {},
                       {text_param("number", true, "", 64), text_param("type", true, "", 64), int_param("customer", false, 0, 0),
                        text_param("status", false, "draft", 32)},
                       [&ctx](const Request& r) { return create(ctx, r); }, "customer"});
        out.push_back({"POST", {api + "/documents/edit"}, kEditors, {}, {text_param("number", true, "", 64), text_param("back", false, "", 300)},
                       [&ctx](const Request& r) { return edit(ctx, r); }, "document"});
    }
    return out;
}

}  // namespace tw::web
