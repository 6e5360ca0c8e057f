// Customers: the list and "is this customer taken?", a page per customer,
// the public pool, and the decisions reps (claim) and managers (assign,
// rename, merge, move, split) take on them.
#include <algorithm>
#include <ctime>
#include <set>
#include <tuple>

#include "archive/accounts.h"
#include "archive/importer.h"
#include "crm/crm.h"
#include "mail/date.h"
#include "mail/strutil.h"
#include "web/route.h"

namespace tw::web {
namespace {

json customer_json(const CustomerRow& x) {
    json contacts = json::array();
    for (const auto& [addr, name] : x.contacts) contacts.push_back({{"address", addr}, {"name", name}});
    return {{"id", std::to_string(x.id)}, {"name", x.name}, {"kind", x.kind}, {"kind_label", label(x.kind)}, {"owner", x.owner},
            {"in_pool", x.in_pool}, {"domains", x.domains}, {"contacts", contacts}, {"messages", x.messages},
            {"last", x.last ? format_iso_utc(x.last) : ""}, {"last_day", when(x.last)}, {"has_last", x.last > 0}};
}

}  // namespace

json document_row_json(const DocumentRow& x) {
    return {{"number", x.number}, {"type", x.type}, {"type_label", label(x.type)}, {"status", x.status},
            {"customer", x.customer ? std::to_string(x.customer) : ""}, {"customer_name", x.customer_name},
            {"status_label", label(x.status)}, {"amount", x.amount}, {"currency", x.currency}, {"has_amount", !x.amount.empty()},
            {"has_customer", x.customer != 0}, {"messages", x.messages},
            {"conversations", x.threads}, {"first_seen", x.first_seen ? format_iso_utc(x.first_seen) : ""},
            {"first_day", when(x.first_seen)}};
}

namespace {

int64_t now() { return int64_t(std::time(nullptr)); }

// Why the owner changed, in the reader's words (crm/ writes the English).
std::string reason_label(const std::string& reason) {
    if (reason == "first correspondent") return tr("first correspondent");
    if (reason == "earlier correspondence found") return tr("earlier correspondence found");
    if (reason == "claimed from the pool") return tr("claimed from the pool");
    if (reason == "assigned by a manager") return tr("assigned by a manager");
    const std::string head = "released to the pool: ", mid = " sent nothing for ";
    size_t m = reason.find(mid);
    if (reason.rfind(head, 0) == 0 && m != std::string::npos && reason.size() > m + mid.size() + 5)
        return tr("released to the pool: {owner} sent nothing for {days} days",
                  {{"owner", reason.substr(head.size(), m - head.size())},
                   {"days", reason.substr(m + mid.size(), reason.size() - m - mid.size() - 5)}});
    return reason;
}

// Anyone may see that a customer exists and who owns it; how much mail it has, and when the last came,
// only as far as the reader may see that mail.
CustomerRow& counted(LinkedArchive& a, const Visibility& v, CustomerRow& x) {
    if (!v.all && !std::binary_search(v.customers.begin(), v.customers.end(), x.id))
        std::tie(x.messages, x.last) = a.people.visible_mail(v, x.id);
    return x;
}

const std::vector<std::string> kCustomerSorts = {"last", "name", "messages", "owner"};

// The list, or with ?q= the answer to "is this customer taken?": sorted and paged (latest mail first).
Page customers(Context& ctx, const Request& r) {
    const std::string &q = r.text("q"), &sort = r.text("sort");
    check_sort(sort, kCustomerSorts);
    bool desc = r.has("desc") ? r.flag("desc") : sort == "last" || sort == "messages";
    LinkedArchive a(ctx.o.data_dir);
    Visibility v = a.people.visibility(r.user);
    std::vector<CustomerRow> rows = a.crm.lookup(q);
    for (auto& x : rows) counted(a, v, x);
    auto less = [&](const CustomerRow& x, const CustomerRow& y) {
        if (sort == "name") return std::make_pair(to_lower(x.name), x.id) < std::make_pair(to_lower(y.name), y.id);
        if (sort == "messages") return std::make_pair(x.messages, x.id) < std::make_pair(y.messages, y.id);
        if (sort == "owner") return std::make_tuple(x.in_pool, x.owner, to_lower(x.name)) < std::make_tuple(y.in_pool, y.owner, to_lower(y.name));
        return std::make_pair(x.last, x.id) < std::make_pair(y.last, y.id);
    };
    std::stable_sort(rows.begin(), rows.end(), [&](const auto& x, const auto& y) { return desc ? less(y, x) : less(x, y); });
    size_t offset = size_t(r.id("offset")), limit = size_t(r.id("limit"));
    json list = json::array();
    for (size_t k = offset; k < rows.size() && list.size() < limit; ++k) list.push_back(customer_json(rows[k]));
    std::string base = "/customers?q=" + query_escape(q);
    json view = paging_view(base, sort, desc, rows.size(), offset, limit);
    view["sorts"] = sort_links(base, kCustomerSorts, sort, desc);
    view["none"] = rows.empty() && q.empty();
    view["q"] = q;
    view["not_found"] = rows.empty() && !q.empty();
    return page(q.empty() ? "Customers" : q + " - Customers", "customers",
                {{"customers", list}, {"query", q}, {"total", rows.size()}, {"offset", offset}, {"limit", limit}}, view);
}

// The reps a manager may give a customer to: their teams' mailboxes (an
// admin: every account and user's mailbox).
json reps_for(Context& ctx, LinkedArchive& a, const User& u, const std::string& owner) {
    std::set<std::string> seen;
    Visibility e = a.people.editable(u);
    if (e.all) {
        for (const auto& acc : Accounts(ctx.o.data_dir).list()) seen.insert(acc.address);
        for (const auto& x : ctx.auth.users()) seen.insert(x.mailboxes.begin(), x.mailboxes.end());
    } else {
        seen.insert(e.mailboxes.begin(), e.mailboxes.end());
    }
    json reps = json::array();
    for (const auto& rep : seen) reps.push_back({{"rep", rep}, {"selected", rep == owner}});
    return reps;
}

Page customer(Context& ctx, const Request& r) {
    int64_t id = r.id("id");
    LinkedArchive a(ctx.o.data_dir);
    auto one = a.crm.customers(id);
    if (one.empty()) throw NotFoundError("no customer " + std::to_string(id));
    Visibility v = a.people.visibility(r.user);
    const CustomerRow& found = counted(a, v, one.front());
    json j = customer_json(found);
    json history = json::array();
    for (const auto& [owner, reason] : a.crm.owner_history(id))
        history.push_back({{"owner", owner}, {"reason", reason}, {"reason_label", reason_label(reason)}});
    // Anyone may see that a customer exists and who owns it; its documents only where visible.
    json docs = json::array();
    for (const auto& x : a.crm.documents(id))
        if (a.people.sees_document(v, x.number)) docs.push_back(document_row_json(x));
    j["owner_history"] = history;
    j["documents"] = docs;
    // The timeline: every visible message with this customer, newest first, paged.
    size_t offset = size_t(r.id("offset")), limit = size_t(r.id("limit"));
    auto [rows, total] = a.people.timeline(v, id, int64_t(offset), int64_t(limit));
    json timeline = json::array();
    for (const auto& m : rows)
        timeline.push_back({{"row", m.row}, {"thread", m.thread}, {"date", format_iso_utc(m.date)}, {"day", when(m.date)},
                            {"subject", m.subject.empty() ? tr("(no subject)") : m.subject},
                            {"from", m.from_name.empty() ? m.from_addr : m.from_name + " <" + m.from_addr + ">"},
                            {"ours", a.crm.internal(address_domain(m.from_addr))}});
    j["timeline"] = timeline;
    j["timeline_total"] = total;
    j["followups"] = followups_of(a, r.user, 0, id);
    std::set<std::string> numbers;
    for (const auto& d : a.crm.documents(id)) numbers.insert(d.number);
    j["approvals"] = approvals_of(a, r.user, numbers);
    j["has_approvals"] = !j["approvals"].empty();
    bool may_edit = !found.in_pool && a.people.may_edit_customer(r.user, found.owner);
    bool assigns = may_edit && (role_bit(r.user.role) & kManagers);
    if (r.user.role == "auditor")
        ctx.audit(r, audit_entry("view_customer", "customer", std::to_string(id), found.owner, true, found.name));
    return page(found.name + " - Customers", "customer", j,
                {{"manager", assigns}, {"may_edit", may_edit}, {"can_claim", found.in_pool && !r.user.mailbox().empty() && r.user.role != "auditor"},
                 {"yours", !found.owner.empty() && found.owner == r.user.mailbox()},
                 {"reps", assigns ? reps_for(ctx, a, r.user, found.owner) : json::array()},
                 {"pages", paging_view("/customers/" + std::to_string(id) + "?", "date", true, size_t(total), offset, limit)},
                 {"back", "/customers/" + std::to_string(id)}, {"may_remind", bool(role_bit(r.user.role) & kEditors)},
                 {"has_followups", !j["followups"].empty()}});
}

// Customers nobody follows up (and those idle for pool_days: shown as they
// will be; a GET changes nothing), for reps to claim.
const std::vector<std::string> kPoolSorts = {"last", "name", "messages"};

Page pool(Context& ctx, const Request& r) {
    const std::string& sort = r.text("sort");
    check_sort(sort, kPoolSorts);
    bool desc = r.has("desc") ? r.flag("desc") : sort != "name";
    LinkedArchive a(ctx.o.data_dir);
    int days = a.crm.pool_days();
    Visibility v = a.people.visibility(r.user);
    std::vector<CustomerRow> rows = a.crm.pool(now(), days);
    for (auto& x : rows) counted(a, v, x);
    auto less = [&](const CustomerRow& x, const CustomerRow& y) {
        if (sort == "name") return std::make_pair(to_lower(x.name), x.id) < std::make_pair(to_lower(y.name), y.id);
        if (sort == "messages") return std::make_pair(x.messages, x.id) < std::make_pair(y.messages, y.id);
        return std::make_pair(x.last, x.id) < std::make_pair(y.last, y.id);
    };
    std::stable_sort(rows.begin(), rows.end(), [&](const auto& x, const auto& y) { return desc ? less(y, x) : less(x, y); });
    size_t offset = size_t(r.id("offset")), limit = size_t(r.id("limit"));
    json list = json::array();
    for (size_t k = offset; k < rows.size() && list.size() < limit; ++k) list.push_back(customer_json(rows[k]));
    json view = paging_view("/pool?", sort, desc, rows.size(), offset, limit);
    view["sorts"] = sort_links("/pool?", kPoolSorts, sort, desc);
    view["none"] = rows.empty();
    view["days"] = std::to_string(days);
    view["can_claim"] = !r.user.mailbox().empty() && r.user.role != "auditor";
    return page("Public pool", "pool", {{"pool", list}, {"pool_days", days}, {"total", rows.size()}, {"offset", offset}, {"limit", limit}},
                view);
}

Page claim(Context& ctx, const Request& r) {
    int64_t id = r.id("id");
    if (r.user.mailbox().empty())
        throw InvalidError("your user has no mailbox, so Tradewind cannot tell which rep you are: an admin adds it on the "
                           "Users page, or with `tradewind user set " + r.user.name + " mailboxes you@firm.example`");
    LinkedArchive a(ctx.o.data_dir);
    a.crm.claim(id, r.user.mailbox(), now(), a.crm.pool_days());
    ctx.audit(r, audit_entry("claim", "customer", std::to_string(id), r.user.mailbox(), true, "from the pool"));
    return after_form({{"customer", std::to_string(id)}, {"owner", r.user.mailbox()}}, "/customers/" + std::to_string(id));
}

// Only this customer's own contacts may be moved or split off.
void check_own_contacts(Crm& crm, int64_t id, const std::vector<std::string>& addresses) {
    std::set<std::string> own;
    for (const auto& x : crm.customers(id))
        for (const auto& contact : x.contacts) own.insert(contact.first);
    for (const auto& address : addresses)
        if (!own.count(to_lower(address))) throw InvalidError(address + " is not a contact of customer " + std::to_string(id));
}

int64_t number_of(const Request& r, const char* field) {
    auto v = parse_int(r.http.get_param_value(field));
    if (!v) throw InvalidError(std::string(field) + " wants a customer number, not \"" + r.http.get_param_value(field) + "\"");
    return *v;
}

// assign (rep=), rename (name=), merge (into=), move (address=, to=), split (name=, address=...):
// a manager's decisions, kept by every later relink.
Page customer_edit(Context& ctx, const Request& r, const std::string& fixed) {
    int64_t id = r.id("id");
    const std::string what = fixed.empty() ? r.text("what") : fixed;
    LinkedArchive a(ctx.o.data_dir);
    std::string back = "/customers/" + std::to_string(id);
    // Only the owner, their manager or an admin changes a customer.
    auto check_edit = [&](int64_t c) -> std::string {
        auto one = a.crm.customers(c);
        if (one.empty()) throw NotFoundError("no customer " + std::to_string(c));
        const auto& x = one.front();
        if (x.in_pool && r.user.role != "admin")
            throw ForbiddenError(x.name + " is in the public pool: claim it first");
        if (!a.people.may_edit_customer(r.user, x.owner))
            throw ForbiddenError(x.name + " is " + (x.owner.empty() ? "nobody's" : x.owner + "'s") +
                                 ": only its owner, their manager or an admin may change it");
        return x.owner;
    };
    std::string owner = check_edit(id);
    auto record = [&](const std::string& detail) {
        ctx.audit(r, audit_entry(what, "customer", std::to_string(id), owner, true, detail));
    };
    if (what == "assign") {
        std::string rep = to_lower(r.http.get_param_value("rep"));
        if (rep.find('@') == std::string::npos) throw InvalidError("assign to a rep's mail address, not \"" + rep + "\"");
        if (!a.crm.internal(address_domain(rep)))
            throw InvalidError(rep + " is not an address of the firm (its accounts' domains, or `tradewind settings set "
                               "internal_domains`): assign customers to the firm's reps");
        Visibility e = a.people.editable(r.user);
        if (!e.all && !std::binary_search(e.mailboxes.begin(), e.mailboxes.end(), rep))
            throw ForbiddenError(rep + " is not in a team you lead: ask an admin, or the rep's manager");
        a.crm.assign(id, rep, now());
        record("to " + rep);
        return after_form({{"customer", std::to_string(id)}, {"owner", rep}}, back);
    }
    if (what == "merge") check_edit(number_of(r, "into"));
    if (what == "move") check_edit(number_of(r, "to"));
    if (what == "move" || what == "split") check_own_contacts(a.crm, id, r.all("address"));
    int64_t into = 0;  // where the messages went (merge, move, split)
    a.store.begin();
    try {
        if (what == "rename") a.crm.rename(id, r.http.get_param_value("name"));
        else if (what == "merge") a.crm.merge(id, into = number_of(r, "into"));
        else if (what == "move") a.crm.move_contact(r.http.get_param_value("address"), into = number_of(r, "to"));
        else into = a.crm.split(r.all("address"), r.http.get_param_value("name"));
    } catch (...) {
        a.store.rollback();
        throw;
    }
    a.store.commit();
    if (what != "rename") {
        // The messages follow at once in the archive; search follows at the running sync's next
        // pass, or now when no sync holds the index (serve --no-sync).
        a.crm.relink();
        relink_index_or_ask(a.store, ctx.o.data_dir);
        if (what == "merge") back = "/customers/" + std::to_string(into);
    }
    json answer = {{"customer", std::to_string(id)}, {"done", what}};
    if (into) answer["into"] = std::to_string(into);
    record(what == "rename" ? "name " + r.http.get_param_value("name")
                            : what == "split" ? "new customer " + std::to_string(into) + ": " + joined(r.all("address"))
                            : what == "move" ? r.http.get_param_value("address") + " to " + std::to_string(into)
                                             : "into " + std::to_string(into));
    return after_form(answer, back);
}

}  // namespace

std::vector<Route> customer_routes(Context& ctx) {
    std::vector<Route> out = {
        {"GET", {"/customers", "/api/v1/customers"}, kUsers, {},
         {text_param("q", false, "", 320), text_param("sort", false, "last", 16), flag_param("desc"),
          int_param("limit", false, 50, 1, 1000, true), int_param("offset", false, 0, 0, 100000000)},
         [&ctx](const Request& r) { return customers(ctx, r); }, ""},
        {"GET", {R"(/customers/([^/]+))", R"(/api/v1/customers/([^/]+))"}, kUsers, {"id"},
         {int_param("id", true, 0, 1), int_param("limit", false, 25, 1, 500, true), int_param("offset", false, 0, 0, 100000000),
          text_param("sort", false, "date", 8), flag_param("desc")},
         [&ctx](const Request& r) { return customer(ctx, r); }, "customer"},
        {"GET", {"/pool", "/api/v1/pool"}, kUsers, {},
         {text_param("sort", false, "last", 16), flag_param("desc"), int_param("limit", false, 50, 1, 1000, true),
          int_param("offset", false, 0, 0, 100000000)},
         [&ctx](const Request& r) { return pool(ctx, r); }, ""},
    };
    for (std::string api : {"", "/api/v1"}) {
        out.push_back({"POST", {api + R"(/customers/([^/]+)/claim)"}, kEditors, {"id"}, {int_param("id", true, 0, 1)},
                       [&ctx](const Request& r) { return claim(ctx, r); }, "customer"});
        out.push_back({"POST", {api + R"(/customers/([^/]+)/assign)"}, kManagers, {"id"}, {int_param("id", true, 0, 1)},
                       [&ctx](const Request& r) { return customer_edit(ctx, r, "assign"); }, "customer"});
        out.push_back({"POST", {api + R"(/customers/([^/]+)/(rename|merge|move|split))"}, kEditors, {"id", "what"},
                       {int_param("id", true, 0, 1)}, [&ctx](const Request& r) { return customer_edit(ctx, r, ""); }, "customer"});
    }
    return out;
}

}  // namespace tw::web
