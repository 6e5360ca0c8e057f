// Trade documents: the list, a page per document with every message that
// names it, and users' records and corrections.
#include <ctime>

#include "crm/crm.h"
#include "mail/date.h"
#include "web/route.h"

namespace tw::web {
namespace {

Page documents(Context& ctx, const Request&) {
    json list = json::array();
    for (const auto& x : LinkedArchive(ctx.o.data_dir).crm.documents()) list.push_back(document_row_json(x));
    return page("Documents", "documents", {{"documents", list}}, {{"none", list.empty()}});
}

// /document?number=PI-2025-0034: the record and every message and attachment that names it.
Page document(Context& ctx, const Request& r) {
    const std::string& number = r.text("number");
    LinkedArchive a(ctx.o.data_dir);
    auto one = a.crm.documents(0, number);
    if (one.empty()) throw NotFoundError("no document " + number);
    json j = document_row_json(one.front());
    json mentions = json::array();
    for (const auto& m : a.crm.document_mentions(number))
        mentions.push_back({{"row", m.row}, {"thread", m.thread}, {"date", format_iso_utc(m.date)}, {"day", when(m.date)},
                            {"from", m.from}, {"subject", m.subject.empty() ? "(no subject)" : m.subject}, {"place", m.place}});
    j["mentions"] = mentions;
    return page(number + " - Documents", "document", j);
}

Page create(Context& ctx, const Request& r) {
    const std::string& number = r.text("number");
    LinkedArchive a(ctx.o.data_dir);
    a.store.begin();
    bool ok = a.crm.create_document(number, r.text("type"), r.id("customer"), r.text("status"), int64_t(std::time(nullptr)));
    if (!ok) {
        a.store.rollback();
        throw ConflictError("document " + number + " exists already: correct it on /documents instead");
    }
    a.store.commit();
    return after_form({{"number", number}, {"created", true}}, "/documents");
}

// number= and any of status, amount, currency, type, customer.
Page edit(Context& ctx, const Request& r) {
    const std::string& number = r.text("number");
    LinkedArchive a(ctx.o.data_dir);
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
    return after_form({{"number", number}, {"changed", changed}}, "/documents");
}

}  // namespace

std::vector<Route> document_routes(Context& ctx) {
    std::vector<Route> out = {
        {"GET", {"/documents", "/api/v1/documents"}, Access::User, {}, {}, [&ctx](const Request& r) { return documents(ctx, r); }},
        {"GET", {"/document", "/api/v1/document"}, Access::User, {}, {text_param("number", true, "", 64)},
         [&ctx](const Request& r) { return document(ctx, r); }},
    };
    for (std::string api : {"", "/api/v1"}) {
        out.push_back({"POST", {api + "/documents"}, Access::User, {},
                       {text_param("number", true, "", 64), text_param("type", true, "", 64), int_param("customer", false, 0, 0),
                        text_param("status", false, "draft", 32)},
                       [&ctx](const Request& r) { return create(ctx, r); }});
        out.push_back({"POST", {api + "/documents/edit"}, Access::User, {}, {text_param("number", true, "", 64)},
                       [&ctx](const Request& r) { return edit(ctx, r); }});
    }
    return out;
}

}  // namespace tw::web
