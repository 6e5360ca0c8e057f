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
            {"last", x.last ? format_iso_utc(x.last) : ""}, {"last_day", when(x.last)}};
}

}  // namespace

json document_row_json(const DocumentRow& x) {
    return {{"number", x.number}, {"type", x.type}, {"type_label", label(x.type)}, {"status", x.status},
            {"customer", x.customer ? std::to_string(x.customer) : ""}, {"customer_name", x.customer_name},
            {"amount", x.amount}, {"currency", x.currency}, {"has_amount", !x.amount.empty()},
            {"has_customer", x.customer != 0}, {"messages", x.messages},
            {"conversations", x.threads}, {"first_seen", x.first_seen ? format_iso_utc(x.first_seen) : ""},
            {"first_day", when(x.first_seen)}};
}

namespace {

int64_t now() { return int64_t(std::time(nullptr)); }

// Anyone may see that a customer exists and who owns it; how much mail it has, and when the last came,
// only as far as the reader may see that mail.
CustomerRow& counted(LinkedArchive& a, const Visibility& v, CustomerRow& x) {
    if (!v.all && !std::binary_search(v.customers.begin(), v.customers.end(), x.id))
        std::tie(x.messages, x.last) = a.people.visible_mail(v, x.id);
    return x;
}

// The list, or with ?q= the answer to "is this customer taken?".
Page customers(Context& ctx, const Request& r) {
    const std::string& q = r.text("q");
    json list = json::array();
    LinkedArchive a(ctx.o.data_dir);
    Visibility v = a.people.visibility(r.user);
    for (auto x : a.crm.lookup(q)) list.push_back(customer_json(counted(a, v, x)));
    return page(q.empty() ? "Customers" : q + " - Customers", "customers", {{"customers", list}, {"query", q}},
                {{"none", list.empty() && q.empty()}, {"q", q}, {"not_found", list.empty() && !q.empty()}});
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
    for (const auto& [owner, reason] : a.crm.owner_history(id)) history.push_back({{"owner", owner}, {"reason", reason}});
    // Anyone may see that a customer exists and who owns it; its documents only where visible.
    json docs = json::array();
    for (const auto& x : a.crm.documents(id))
        if (a.people.sees_document(v, x.number)) docs.push_back(document_row_json(x));
    j["owner_history"] = history;
    j["documents"] = docs;
    bool may_edit = !found.in_pool && a.people.may_edit_customer(r.user, found.owner);
    bool assigns = may_edit && (role_bit(r.user.role) & kManagers);
    if (r.user.role == "auditor")
        ctx.audit(r, audit_entry("view_customer", "customer", std::to_string(id), found.owner, true, found.name));
    return page(found.name + " - Customers", "customer", j,
                {{"manager", assigns}, {"may_edit", may_edit}, {"can_claim", found.in_pool && !r.user.mailbox().empty() && r.user.role != "auditor"},
                 {"yours", !found.owner.empty() && found.owner == r.user.mailbox()},
                 {"reps", assigns ? reps_for(ctx, a, r.user, found.owner) : json::array()}});
}

// Customers nobody follows up (and those idle for pool_days: shown as they
// will be; a GET changes nothing), for reps to claim.
Page pool(Context& ctx, const Request& r) {
    LinkedArchive a(ctx.o.data_dir);
    int days = a.crm.pool_days();
    json list = json::array();
    Visibility v = a.people.visibility(r.user);
    for (auto x : a.crm.pool(now(), days)) list.push_back(customer_json(counted(a, v, x)));
    return page("Public pool", "pool", {{"pool", list}, {"pool_days", days}},
                {{"none", list.empty()}, {"days", std::to_string(days)},
                 {"can_claim", !r.user.mailbox().empty() && r.user.role != "auditor"}});
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
        {"GET", {"/customers", "/api/v1/customers"}, kUsers, {}, {text_param("q", false, "", 320)},
         [&ctx](const Request& r) { return customers(ctx, r); }, ""},
        {"GET", {R"(/customers/([^/]+))", R"(/api/v1/customers/([^/]+))"}, kUsers, {"id"}, {int_param("id", true, 0, 1)},
         [&ctx](const Request& r) { return customer(ctx, r); }, "customer"},
        {"GET", {"/pool", "/api/v1/pool"}, kUsers, {}, {}, [&ctx](const Request& r) { return pool(ctx, r); }, ""},
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
