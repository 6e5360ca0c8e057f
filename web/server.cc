#include "web/server.h"

#include <httplib.h>
#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <ctime>

#include "archive/accounts.h"
#include "web/auth.h"
#include "mail/date.h"
#include "mail/codec.h"
#include "mail/html_text.h"
#include "archive/importer.h"
#include "mail/message.h"
#include "archive/search_index.h"
#include "archive/store.h"
#include "mail/strutil.h"

namespace tw {
namespace {

namespace mu = kainjow::mustache;
using json = nlohmann::json;

constexpr const char* kCookie = "tw_session";
constexpr int64_t kSessionSeconds = 12 * 3600;
// Our pages: no script at all, styles inline, frames only from ourselves.
constexpr const char* kPageCsp =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";
// Mail HTML: a sandbox without scripts, nothing loaded from outside (remote
// images stay blocked), shown only inside our own conversation page.
constexpr const char* kMailCsp =
    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'";
// The same, after the reader asked for this message's remote images.
constexpr const char* kMailCspImages =
    "sandbox; default-src 'none'; img-src data: https: http:; style-src 'unsafe-inline'; frame-ancestors 'self'";
// Inline (cid:) images larger than this are not shown inside the message.
constexpr size_t kMaxInlineImage = 5 << 20;

struct Context {
    const httplib::Request& req;
    httplib::Response& res;
    User user;
    bool json;  // answer in JSON
};

using Handler = std::function<void(Context&)>;

std::string cookie_value(const httplib::Request& req, const std::string& name) {
    std::string all = req.get_header_value("Cookie");
    size_t pos = 0;
    while (pos < all.size()) {
        size_t end = all.find(';', pos);
        if (end == std::string::npos) end = all.size();
        std::string part = all.substr(pos, end - pos);
        while (!part.empty() && part.front() == ' ') part.erase(0, 1);
        if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
        pos = end + 1;
    }
    return {};
}

bool wants_json(const httplib::Request& req) {
    return req.path.rfind("/api/", 0) == 0 || req.get_header_value("Accept").find("application/json") != std::string::npos;
}

// The snippet from the index is HTML-escaped with matches in [[ ]]: make them <mark>.
std::string mark_snippet(std::string s) {
    for (auto [from, to] : {std::pair<std::string, std::string>{"[[", "<mark>"}, {"]]", "</mark>"}}) {
        for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
    }
    return s;
}

std::string when(int64_t t) {
    if (t <= 0) return "";
    std::string iso = format_iso_utc(t);  // 2025-01-11T10:00:00Z
    return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

}  // namespace

struct WebServer::Impl {
    WebOptions o;
    httplib::Server svr;
    Auth auth;
    std::map<std::string, std::string> templates;
    int bound_port = 0;

    explicit Impl(const WebOptions& opts) : o(opts), auth(opts.data_dir) {
        namespace fs = std::filesystem;
        for (const char* name : {"layout", "login", "search", "conversation", "status", "customers", "customer", "pool",
                                 "documents", "document", "conflicts"}) {
            fs::path p = fs::path(o.templates_dir) / (std::string(name) + ".mustache");
            std::ifstream in(p);
            if (!in) throw StoreError("cannot read the template " + p.string() + ": give --templates DIR");
            templates[name] = std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
    }

    std::string render(const std::string& name, const mu::data& d) {
        mu::mustache t{templates.at(name)};
        return t.render(d);
    }

    void page(Context& c, const std::string& title, const std::string& name, const mu::data& d, int status = 200) {
        mu::data layout;
        layout.set("title", title);
        layout.set("body", render(name, d));
        layout.set("user", c.user.name);
        layout.set("logged_in", !c.user.name.empty());
        layout.set("manager", c.user.role == "manager");
        if (c.user.role == "manager") {  // raised by the sync as mail arrives
            size_t open = Store(o.data_dir).open_conflicts();
            if (open) layout.set("open_conflicts", std::to_string(open));
        }
        c.res.status = status;
        c.res.set_header("Content-Security-Policy", kPageCsp);
        c.res.set_content(render("layout", layout), "text/html; charset=utf-8");
    }

    void send_json(Context& c, const json& j, int status = 200) {
        c.res.status = status;
        c.res.set_content(j.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
    }

    // Every route but the login goes through here: no session, no page.
    Handler guarded(Handler h) {
        return [this, h](Context& c) {
            auto user = auth.session_user(cookie_value(c.req, kCookie));
            if (!user) {
                if (c.json) return send_json(c, {{"error", "not logged in: POST /login with name and password"}}, 401);
                c.res.status = 303;
                c.res.set_header("Location", "/login");
                return;
            }
            c.user = *user;
            h(c);
        };
    }

    void route(const char* method, const std::string& pattern, Handler h) {
        auto wrapped = [this, h](const httplib::Request& req, httplib::Response& res) {
            Context c{req, res, {}, wants_json(req)};
            res.set_header("X-Content-Type-Options", "nosniff");
            res.set_header("Referrer-Policy", "same-origin");  // nothing leaves; our own forms carry their Origin
            res.set_header("Cache-Control", "no-store");
            try {
                h(c);
            } catch (const std::exception& e) {
                // One catch-all per request: the error page says what happened.
                if (c.json) return send_json(c, {{"error", e.what()}}, 500);
                mu::data d;
                d.set("error", e.what());
                page(c, "Error", "login", d, 500);
            }
        };
        if (std::string(method) == "GET") svr.Get(pattern, wrapped);
        else svr.Post(pattern, wrapped);
    }

    void routes() {
        route("GET", "/login", [this](Context& c) { login_page(c, "", 200); });
        route("POST", "/login", [this](Context& c) { login(c); });
        route("POST", "/logout", guarded([this](Context& c) { logout(c); }));
        route("GET", "/", guarded([](Context& c) {
                  c.res.status = 303;
                  c.res.set_header("Location", "/search");
              }));
        for (const char* p : {"/search", "/api/v1/search"}) route("GET", p, guarded([this](Context& c) { search(c); }));
        for (const char* p : {R"(/conversation/(\d+))", R"(/api/v1/conversation/(\d+))"})
            route("GET", p, guarded([this](Context& c) { conversation(c); }));
        route("GET", R"(/message/(\d+)/html)", guarded([this](Context& c) { message_html(c); }));
        route("GET", R"(/message/(\d+)/attachment/(\d+))", guarded([this](Context& c) { attachment(c); }));
        for (const char* p : {"/status", "/api/v1/status"}) route("GET", p, guarded([this](Context& c) { status(c); }));
        for (const char* p : {"/customers", "/api/v1/customers"}) route("GET", p, guarded([this](Context& c) { customers(c); }));
        for (const char* p : {R"(/customers/(\d+))", R"(/api/v1/customers/(\d+))"})
            route("GET", p, guarded([this](Context& c) { customer(c); }));
        for (const char* p : {"/pool", "/api/v1/pool"}) route("GET", p, guarded([this](Context& c) { pool(c); }));
        for (const char* p : {"/documents", "/api/v1/documents"}) route("GET", p, guarded([this](Context& c) { documents(c); }));
        for (const char* p : {"/document", "/api/v1/document"}) route("GET", p, guarded([this](Context& c) { document(c); }));
        // Users' decisions. Claiming and correcting documents: everyone; the rest: managers.
        for (std::string api : {"", "/api/v1"}) {
            route("POST", api + R"(/customers/(\d+)/claim)", guarded(posted([this](Context& c) { claim(c); })));
            route("POST", api + R"(/customers/(\d+)/(assign|rename|merge|move|split))",
                  guarded(managers_only(posted([this](Context& c) { customer_edit(c); }))));
            route("POST", api + "/documents", guarded(posted([this](Context& c) { document_create(c); })));
            route("POST", api + "/documents/edit", guarded(posted([this](Context& c) { document_edit(c); })));
            route("POST", api + R"(/conflicts/(\d+)/(close|reopen))",
                  guarded(managers_only(posted([this](Context& c) { conflict_status(c); }))));
        }
        for (const char* p : {"/conflicts", "/api/v1/conflicts"})
            route("GET", p, guarded(managers_only([this](Context& c) { conflicts(c); })));
    }

    // Forms that change something: only from our own pages (the session
    // cookie is SameSite=Strict too); a bad value is a 400 that says why.
    Handler posted(Handler h) {
        return [this, h](Context& c) {
            std::string origin = c.req.get_header_value("Origin");
            std::string host = c.req.get_header_value("Host");
            if (!origin.empty() && origin != "http://" + host && origin != "https://" + host)
                return fail(c, 403, "this form was sent from another site (" + origin + ")");
            try {
                h(c);
            } catch (const std::invalid_argument& e) {
                fail(c, 400, e.what());
            }
        };
    }

    void fail(Context& c, int status, const std::string& error) {
        if (c.json) return send_json(c, {{"error", error}}, status);
        mu::data d;
        d.set("error", error);
        page(c, "Not done", "search", d, status);
    }

    // After a form: JSON says what happened; a browser goes back to the page.
    void done(Context& c, const json& j, const std::string& back) {
        if (c.json) return send_json(c, j);
        c.res.status = 303;
        c.res.set_header("Location", back);
    }

    // Routes for managers: a rep gets 403 (after guarded() has checked the session).
    Handler managers_only(Handler h) {
        return [this, h](Context& c) {
            if (c.user.role != "manager") {
                if (c.json) return send_json(c, {{"error", "managers only"}}, 403);
                mu::data d;
                d.set("error", "This page is for managers.");
                return page(c, "Managers only", "search", d, 403);
            }
            h(c);
        };
    }

    // A JSON answer as template data: each page builds its JSON once and the
    // HTML view renders the same values.
    static mu::data to_data(const json& j) {
        if (j.is_object()) {
            mu::data d;
            for (auto it = j.begin(); it != j.end(); ++it) d.set(it.key(), to_data(it.value()));
            return d;
        }
        if (j.is_array()) {
            mu::data list{mu::data::type::list};
            for (const auto& x : j) list.push_back(to_data(x));
            return list;
        }
        if (j.is_boolean()) return j.get<bool>() ? mu::data{mu::data::type::bool_true} : mu::data{mu::data::type::bool_false};
        if (j.is_string()) return mu::data{j.get<std::string>()};
        if (j.is_null()) return mu::data{std::string()};
        return mu::data{j.dump()};
    }

    // A page that is one list: JSON {name: [...]}, or the template of that name.
    void list_page(Context& c, const std::string& title, const std::string& name, const json& list) {
        if (c.json) return send_json(c, {{name, list}});
        mu::data d;
        d.set(name, to_data(list));
        d.set("none", list.empty());
        page(c, title, name, d);
    }

    static json customer_json(const CustomerRow& x) {
        json contacts = json::array();
        for (const auto& [addr, name] : x.contacts) contacts.push_back({{"address", addr}, {"name", name}});
        return {{"id", std::to_string(x.id)}, {"name", x.name}, {"kind", x.kind}, {"owner", x.owner},
                {"in_pool", x.in_pool}, {"domains", x.domains}, {"contacts", contacts}, {"messages", x.messages},
                {"last", x.last ? format_iso_utc(x.last) : ""}, {"last_day", when(x.last)}};
    }

    // The list, or with ?q= the answer to "is this customer taken?".
    void customers(Context& c) {
        Store store(o.data_dir);
        std::string q = c.req.get_param_value("q");
        json list = json::array();
        for (const auto& x : store.lookup(q)) list.push_back(customer_json(x));
        if (c.json) return send_json(c, {{"customers", list}, {"query", q}});
        mu::data d;
        d.set("customers", to_data(list));
        d.set("none", list.empty() && q.empty());
        d.set("q", q);
        d.set("not_found", list.empty() && !q.empty());
        page(c, q.empty() ? "Customers" : q + " - Customers", "customers", d);
    }

    void customer(Context& c) {
        int64_t id = std::stoll(c.req.matches[1]);
        Store store(o.data_dir);
        auto one = store.customers(id);
        if (one.empty()) return fail(c, 404, "no customer " + std::to_string(id));
        const CustomerRow& found = one.front();
        json j = customer_json(found);
        json history = json::array();
        for (const auto& [owner, reason] : store.owner_history(id)) history.push_back({{"owner", owner}, {"reason", reason}});
        json docs = json::array();
        for (const auto& x : store.documents(id)) docs.push_back(document_json(x));
        j["owner_history"] = history;
        j["documents"] = docs;
        if (c.json) return send_json(c, j);
        mu::data d = to_data(j);
        bool manager = c.user.role == "manager";
        d.set("manager", manager);
        d.set("can_claim", found.in_pool && !c.user.mailbox.empty());
        d.set("yours", !found.owner.empty() && found.owner == c.user.mailbox);
        mu::data reps{mu::data::type::list};
        if (manager) {
            Accounts accounts(o.data_dir);
            std::set<std::string> seen;
            for (const auto& a : accounts.list()) seen.insert(a.address);
            for (const auto& u : auth.users())
                if (!u.mailbox.empty()) seen.insert(u.mailbox);
            for (const auto& r : seen) {
                mu::data rd;
                rd.set("rep", r);
                rd.set("selected", r == found.owner);
                reps.push_back(rd);
            }
        }
        d.set("reps", reps);
        page(c, found.name + " - Customers", "customer", d);
    }

    // Customers nobody follows up (released now if idle for pool_days), for reps to claim.
    void pool(Context& c) {
        Store store(o.data_dir);
        std::string setting = store.setting("pool_days");
        int days = setting.empty() ? 30 : std::max(1, std::atoi(setting.c_str()));
        json list = json::array();
        for (const auto& x : store.pool(int64_t(std::time(nullptr)), days)) list.push_back(customer_json(x));
        if (c.json) return send_json(c, {{"pool", list}, {"pool_days", days}});
        mu::data d;
        d.set("pool", to_data(list));
        d.set("none", list.empty());
        d.set("days", std::to_string(days));
        d.set("can_claim", !c.user.mailbox.empty());
        page(c, "Public pool", "pool", d);
    }

    void claim(Context& c) {
        int64_t id = std::stoll(c.req.matches[1]);
        if (c.user.mailbox.empty())
            return fail(c, 400, "your user has no mailbox, so Tradewind cannot tell which rep you are: a manager adds it with "
                                "`tradewind user add --name " + c.user.name + " --mailbox you@firm.example ...`");
        Store store(o.data_dir);
        if (!store.claim(id, c.user.mailbox, int64_t(std::time(nullptr))))
            return fail(c, 409, "customer " + std::to_string(id) + " is not in the public pool (any more): see /pool");
        done(c, {{"customer", std::to_string(id)}, {"owner", c.user.mailbox}}, "/customers/" + std::to_string(id));
    }

    // assign (rep=), rename (name=), merge (into=), move (address=, to=), split (name=, address=...):
    // a manager's decisions, kept by every later relink.
    void customer_edit(Context& c) {
        int64_t id = std::stoll(c.req.matches[1]);
        std::string what = c.req.matches[2];
        Store store(o.data_dir);
        std::string back = "/customers/" + std::to_string(id);
        if (what == "assign") {
            std::string rep = to_lower(c.req.get_param_value("rep"));
            if (rep.find('@') == std::string::npos) throw std::invalid_argument("assign to a rep's mail address, not \"" + rep + "\"");
            if (!store.assign(id, rep, int64_t(std::time(nullptr)))) return fail(c, 404, "no customer " + std::to_string(id));
            return done(c, {{"customer", std::to_string(id)}, {"owner", rep}}, back);
        }
        if (what == "move" || what == "split") {  // only this customer's own contacts
            std::set<std::string> own;
            for (const auto& x : store.customers(id))
                for (const auto& contact : x.contacts) own.insert(contact.first);
            for (size_t k = 0; k < c.req.get_param_value_count("address"); ++k)
                if (!own.count(to_lower(c.req.get_param_value("address", k))))
                    throw std::invalid_argument(c.req.get_param_value("address", k) + " is not a contact of customer " +
                                                std::to_string(id));
        }
        bool ok = false;
        int64_t into = 0;  // where the messages went (merge, move, split)
        std::string name = c.req.get_param_value("name");
        if ((what == "rename" || what == "split") && (name.empty() || name.size() > 200))
            throw std::invalid_argument("a customer's name is 1 to 200 characters");
        store.begin();
        Crm& crm = store.crm_for_edits();
        if (what == "rename") {
            ok = crm.rename(id, name);
        } else if (what == "merge") {
            into = std::atoll(c.req.get_param_value("into").c_str());
            ok = crm.merge(id, into);
        } else if (what == "move") {
            into = std::atoll(c.req.get_param_value("to").c_str());
            ok = crm.move_contact(c.req.get_param_value("address"), into);
        } else {  // split: the chosen contacts become a customer of their own
            std::vector<std::string> addresses;
            for (size_t k = 0; k < c.req.get_param_value_count("address"); ++k)
                addresses.push_back(c.req.get_param_value("address", k));
            into = addresses.empty() ? 0 : crm.split(addresses, name);
            ok = into != 0;
        }
        if (!ok) {
            store.rollback();
            return fail(c, 404, what == "merge"  ? "merge needs two different customers that exist (into=" + c.req.get_param_value("into") + ")"
                                : what == "move"  ? "no such contact, or no customer " + c.req.get_param_value("to")
                                : what == "split" ? "choose at least one contact of the customer to split off"
                                                  : "no customer " + std::to_string(id));
        }
        store.commit();
        if (what != "rename") {
            // The messages follow at once in the archive; search follows at the running sync's next
            // pass, or now when no sync holds the index (serve --no-sync).
            store.relink();
            relink_index_or_ask(store, o.data_dir);
            if (what == "merge") back = "/customers/" + std::to_string(into);
        }
        json answer = {{"customer", std::to_string(id)}, {"done", what}};
        if (into) answer["into"] = std::to_string(into);
        done(c, answer, back);
    }

    void document_create(Context& c) {
        Store store(o.data_dir);
        std::string number = c.req.get_param_value("number");
        int64_t customer = std::atoll(c.req.get_param_value("customer").c_str());
        store.begin();
        bool ok;
        try {
            ok = store.crm_for_edits().create_document(number, c.req.get_param_value("type"), customer,
                                                       c.req.has_param("status") ? c.req.get_param_value("status") : "draft",
                                                       int64_t(std::time(nullptr)));
        } catch (...) {
            store.rollback();
            throw;
        }
        if (!ok) {
            store.rollback();
            return fail(c, 409, "document " + number + " exists already: correct it on /documents instead");
        }
        store.commit();
        done(c, {{"number", number}, {"created", true}}, "/documents");
    }

    // number= and any of status, amount, currency, type, customer.
    void document_edit(Context& c) {
        Store store(o.data_dir);
        std::string number = c.req.get_param_value("number");
        store.begin();
        json changed = json::object();
        try {
            for (const char* field : {"status", "amount", "currency", "type", "customer"}) {
                if (!c.req.has_param(field)) continue;
                std::string value = c.req.get_param_value(field);
                if (!store.crm_for_edits().edit_document(number, field, value)) {
                    store.rollback();
                    return fail(c, 404, "no document " + number + (std::string(field) == "customer" ? " or customer " + value : ""));
                }
                changed[field] = value;
            }
        } catch (...) {
            store.rollback();
            throw;
        }
        store.commit();
        done(c, {{"number", number}, {"changed", changed}}, "/documents");
    }

    void conflict_status(Context& c) {
        int64_t id = std::stoll(c.req.matches[1]);
        std::string status = std::string(c.req.matches[2]) == "close" ? "closed" : "open";
        Store store(o.data_dir);
        if (!store.set_conflict_status(id, status)) return fail(c, 404, "no conflict " + std::to_string(id));
        done(c, {{"conflict", id}, {"status", status}}, "/conflicts");
    }

    static json document_json(const DocumentRow& x) {
        return {{"number", x.number}, {"type", x.type}, {"status", x.status},
                {"customer", x.customer ? std::to_string(x.customer) : ""}, {"customer_name", x.customer_name},
                {"amount", x.amount}, {"currency", x.currency}, {"has_amount", !x.amount.empty()},
                {"has_customer", x.customer != 0}, {"messages", x.messages},
                {"conversations", x.threads}, {"first_seen", x.first_seen ? format_iso_utc(x.first_seen) : ""},
                {"first_day", when(x.first_seen)}};
    }

    void documents(Context& c) {
        Store store(o.data_dir);
        json list = json::array();
        for (const auto& x : store.documents()) list.push_back(document_json(x));
        list_page(c, "Documents", "documents", list);
    }

    // /document?number=PI-2025-0034: the record and every message and attachment that names it.
    void document(Context& c) {
        std::string number = c.req.get_param_value("number");
        Store store(o.data_dir);
        auto one = store.documents(0, number);
        if (one.empty()) return fail(c, 404, "no document " + number);
        json j = document_json(one.front());
        json mentions = json::array();
        for (const auto& m : store.document_mentions(number))
            mentions.push_back({{"row", m.row}, {"thread", m.thread}, {"date", format_iso_utc(m.date)}, {"day", when(m.date)},
                                {"from", m.from}, {"subject", m.subject.empty() ? "(no subject)" : m.subject}, {"place", m.place}});
        j["mentions"] = mentions;
        if (c.json) return send_json(c, j);
        page(c, number + " - Documents", "document", to_data(j));
    }

    void conflicts(Context& c) {
        Store store(o.data_dir);
        json list = json::array();
        for (const auto& x : store.conflicts())
            list.push_back({{"id", x.id}, {"customer", std::to_string(x.customer)}, {"customer_name", x.customer_name},
                            {"kind", x.kind}, {"rep", x.rep}, {"other_rep", x.other_rep}, {"message", x.message},
                            {"other_message", x.other_message}, {"subject", x.subject}, {"date", format_iso_utc(x.date)},
                            {"day", when(x.date)}, {"status", x.status}, {"open", x.status == "open"}});
        list_page(c, "Conflicts", "conflicts", list);
    }

    void login_page(Context& c, const std::string& error, int status) {
        if (c.json) return send_json(c, {{"error", error.empty() ? "POST /login with name and password" : error}}, status == 200 ? 401 : status);
        mu::data d;
        if (!error.empty()) d.set("error", error);
        page(c, "Log in", "login", d, status);
    }

    void login(Context& c) {
        auto user = auth.check(c.req.get_param_value("name"), c.req.get_param_value("password"));
        if (!user) return login_page(c, "Wrong name or password.", 401);
        std::string token = auth.open_session(user->name, kSessionSeconds);
        std::string cookie = std::string(kCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                             std::to_string(kSessionSeconds) + (o.secure_cookie ? "; Secure" : "");
        c.res.set_header("Set-Cookie", cookie);
        if (c.json) return send_json(c, {{"user", user->name}, {"role", user->role}});
        c.res.status = 303;
        c.res.set_header("Location", "/search");
    }

    void logout(Context& c) {
        auth.close_session(cookie_value(c.req, kCookie));
        c.res.set_header("Set-Cookie", std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        c.res.status = 303;
        c.res.set_header("Location", "/login");
    }

    void search(Context& c) {
        std::string q = c.req.get_param_value("q");
        SearchOptions so;
        so.collapse_threads = c.req.get_param_value("threads") == "1";
        so.limit = c.req.has_param("limit")
                       ? std::clamp<size_t>(std::strtoul(c.req.get_param_value("limit").c_str(), nullptr, 10), 1, 200)
                       : 50;
        json hits = json::array();
        mu::data list{mu::data::type::list};
        std::string error;
        if (!q.empty()) {
            try {
                Store store(o.data_dir);
                SearchIndex index(o.data_dir, false);
                so.owned_by = [&store](const std::string& rep) { return store.customers_owned_by(rep); };
                auto found = index.search(q, so);
                std::vector<int64_t> rows;
                for (const auto& h : found) rows.push_back(h.row);
                auto sums = store.summaries(rows);
                for (size_t i = 0; i < found.size(); ++i) {
                    const auto& s = sums[i];
                    hits.push_back({{"row", found[i].row}, {"message_id", s.message_id}, {"thread", s.thread},
                                    {"subject", s.subject}, {"from", s.from}, {"date", format_iso_utc(s.date)},
                                    {"snippet", found[i].snippet}, {"score", found[i].score}});
                    mu::data h;
                    h.set("subject", s.subject.empty() ? "(no subject)" : s.subject);
                    h.set("from", s.from);
                    h.set("date", when(s.date));
                    h.set("thread", std::to_string(s.thread));
                    h.set("snippet", mark_snippet(found[i].snippet));  // escaped by the index; marks added here
                    list.push_back(h);
                }
            } catch (const StoreError& e) {
                error = e.what();
            }
        }
        if (c.json) {
            if (!error.empty()) return send_json(c, {{"error", error}}, 400);
            return send_json(c, {{"query", q}, {"hits", hits}});
        }
        mu::data d;
        d.set("q", q);
        d.set("hits", list);
        d.set("count", std::to_string(hits.size()));
        d.set("searched", !q.empty() && error.empty());
        d.set("threads", so.collapse_threads);
        if (!error.empty()) d.set("error", error);
        page(c, q.empty() ? "Search" : q + " - Search", "search", d, error.empty() ? 200 : 400);
    }

    void conversation(Context& c) {
        int64_t thread = std::stoll(c.req.matches[1]);
        Store store(o.data_dir);
        std::vector<int64_t> rows = store.thread_rows(thread);
        if (rows.empty()) {
            if (c.json) return send_json(c, {{"error", "no such conversation"}}, 404);
            mu::data d;
            d.set("error", "No such conversation.");
            return page(c, "Not found", "search", d, 404);
        }
        json msgs = json::array();
        mu::data list{mu::data::type::list};
        std::string title;
        ParseLimits lim;
        lim.extract_attachment_text = false;  // not needed to show the mail (and no PDF parser in the web process)
        for (int64_t row : rows) {
            Message m = parse_message(store.raw(row), 0, lim);
            size_t blocked = m.html.empty() ? 0 : view_html(m, false).blocked_images;
            if (title.empty()) title = m.subject;
            json atts = json::array();
            mu::data alist{mu::data::type::list};
            for (size_t k = 0; k < m.attachments.size(); ++k) {
                const auto& a = m.attachments[k];
                std::string url = "/message/" + std::to_string(row) + "/attachment/" + std::to_string(k);
                atts.push_back({{"filename", a.filename}, {"content_type", a.content_type}, {"size", a.size}, {"url", url}});
                mu::data ad;
                ad.set("url", url);
                ad.set("filename", a.filename.empty() ? "(unnamed)" : a.filename);
                ad.set("size", std::to_string(a.size));
                alist.push_back(ad);
            }
            msgs.push_back({{"row", row}, {"message_id", m.message_id}, {"subject", m.subject}, {"from", format_addresses(m.from)},
                            {"to", format_addresses(m.to)}, {"cc", format_addresses(m.cc)}, {"date", format_iso_utc(m.date)}, {"text", m.text},
                            {"has_html", !m.html.empty()}, {"remote_images_blocked", blocked}, {"attachments", atts},
                            {"problems", m.problems}});
            mu::data md;
            md.set("row", std::to_string(row));
            md.set("subject", m.subject);
            md.set("from", format_addresses(m.from));
            md.set("to", format_addresses(m.to));
            md.set("date", when(m.date));
            md.set("text", m.text);
            md.set("has_html", !m.html.empty());
            if (blocked) md.set("blocked", std::to_string(blocked));
            md.set("attachments", alist);
            md.set("has_attachments", !m.attachments.empty());
            list.push_back(md);
        }
        Deal deal = store.deal(thread);
        json customers = json::array(), documents = json::array();
        for (const auto& x : deal.customers)
            customers.push_back({{"id", std::to_string(x.id)}, {"name", x.name}, {"owner", x.owner}, {"in_pool", x.in_pool}});
        for (const auto& x : deal.documents)
            documents.push_back({{"number", x.number}, {"type", x.type}, {"status", x.status}, {"amount", x.amount},
                                 {"currency", x.currency}, {"has_amount", !x.amount.empty()}});
        if (c.json) return send_json(c, {{"thread", thread}, {"messages", msgs}, {"customers", customers}, {"documents", documents}});
        mu::data d;
        d.set("subject", title.empty() ? "(no subject)" : title);
        d.set("messages", list);
        d.set("customers", to_data(customers));
        d.set("documents", to_data(documents));
        d.set("deal", !deal.customers.empty() || !deal.documents.empty());
        page(c, title, "conversation", d);
    }

    // The HTML part rebuilt from an allow-list, inside the sandbox the CSP sets up.
    // Inline images (cid:) come along as data: URLs: the sandboxed frame has
    // no origin, so it could not fetch them from us with the session cookie.
    // Remote images only with ?images=1 (the reader's choice, per message).
    void message_html(Context& c) {
        Store store(o.data_dir);
        ParseLimits lim;
        lim.extract_attachment_text = false;
        lim.keep_attachment_data = true;
        Message m = parse_message(store.raw(std::stoll(c.req.matches[1])), 0, lim);
        bool remote = c.req.get_param_value("images") == "1";
        c.res.set_header("Content-Security-Policy", remote ? kMailCspImages : kMailCsp);
        c.res.set_content(view_html(m, remote).html, "text/html; charset=utf-8");
    }

    static SanitizedHtml view_html(const Message& m, bool remote_images) {
        HtmlView view;
        view.remote_images = remote_images;
        view.inline_image = [&m](std::string_view cid) -> std::string {
            for (const auto& a : m.attachments)
                if (a.content_id == cid && a.content_type.starts_with("image/") && a.content_type.find("svg") == std::string::npos &&
                    !a.data.empty() && a.data.size() <= kMaxInlineImage)
                    return "data:" + a.content_type + ";base64," + encode_base64(a.data);
            return {};
        };
        return sanitize_html(m.html, view);
    }

    // An attachment as a download: never rendered by the browser, whatever its type.
    void attachment(Context& c) {
        Store store(o.data_dir);
        ParseLimits lim;
        lim.keep_attachment_data = true;
        lim.extract_attachment_text = false;
        Message m = parse_message(store.raw(std::stoll(c.req.matches[1])), 0, lim);
        size_t i = std::stoul(c.req.matches[2]);
        if (i >= m.attachments.size()) {
            c.res.status = 404;
            return c.res.set_content("no such attachment", "text/plain");
        }
        const Attachment& a = m.attachments[i];
        std::string name = a.filename.empty() ? "attachment-" + std::to_string(i) : a.filename;
        std::string ascii, encoded;
        for (unsigned char ch : name) {
            ascii += ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\' && ch != '/' ? char(ch) : '_';
            bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_';
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", ch);
            encoded += plain ? std::string(1, char(ch)) : std::string(hex);
        }
        c.res.set_header("Content-Disposition", "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded);
        c.res.set_header("Content-Security-Policy", "sandbox; default-src 'none'");
        c.res.set_content(a.data, "application/octet-stream");
    }

    void status(Context& c) {
        Accounts accounts(o.data_dir);
        json out = json::array();
        mu::data list{mu::data::type::list};
        std::map<std::string, SyncActivity> busy;  // passes under way in this process
        if (o.activity)
            for (auto& x : o.activity()) busy[x.account] = x;
        for (const auto& a : accounts.list()) {
            json folders = json::array();
            mu::data flist{mu::data::type::list};
            for (const auto& f : accounts.folders(a.address)) {
                folders.push_back({{"folder", f.folder}, {"messages", f.messages}, {"last_uid", f.last_uid},
                                   {"uidvalidity", f.uidvalidity}, {"last_sync", f.last_sync ? format_iso_utc(f.last_sync) : ""},
                                   {"error", f.last_error}});
                mu::data fd;
                fd.set("folder", f.folder);
                fd.set("messages", std::to_string(f.messages));
                fd.set("last_sync", when(f.last_sync));
                fd.set("error", f.last_error);
                flist.push_back(fd);
            }
            out.push_back({{"address", a.address}, {"imap_url", a.imap_url}, {"state", a.state},
                           {"last_sync", a.last_sync ? format_iso_utc(a.last_sync) : ""}, {"error", a.last_error},
                           {"folders", folders}});
            auto now = busy.find(a.address);
            if (now != busy.end()) {
                const SyncActivity& x = now->second;
                out.back()["syncing"] = {{"done", x.done}, {"total", x.total}, {"rate", std::round(x.rate)},
                                         {"eta_seconds", std::round(x.eta)}};
            }
            mu::data ad;
            ad.set("address", a.address);
            ad.set("state", a.state);
            ad.set("failing", a.state == "failing");
            ad.set("last_sync", when(a.last_sync));
            if (!a.last_error.empty()) ad.set("error", a.last_error);  // a section: "" would still show the box
            ad.set("folders", flist);
            if (now != busy.end()) {
                const SyncActivity& x = now->second;
                ad.set("syncing", true);
                ad.set("done", std::to_string(x.done));
                ad.set("total", std::to_string(x.total));
                ad.set("rate", std::to_string(int64_t(std::round(x.rate))));
                if (x.eta > 0) ad.set("eta", std::to_string(int64_t(std::ceil(x.eta))) + " s left");
            }
            list.push_back(ad);
        }
        if (c.json) return send_json(c, {{"accounts", out}});
        mu::data d;
        d.set("accounts", list);
        d.set("none", out.empty());
        page(c, "Sync status", "status", d);
    }
};

WebServer::WebServer(const WebOptions& opts) : d_(std::make_unique<Impl>(opts)) {
    int threads = std::max(1, opts.threads);
    d_->svr.new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
    d_->svr.set_payload_max_length(64 * 1024);  // forms only
    d_->routes();
}

WebServer::~WebServer() = default;

bool WebServer::run() {
    if (d_->o.port == 0) {
        d_->bound_port = d_->svr.bind_to_any_port(d_->o.host);
        if (d_->bound_port <= 0) return false;
        return d_->svr.listen_after_bind();
    }
    if (!d_->svr.bind_to_port(d_->o.host, d_->o.port)) return false;
    d_->bound_port = d_->o.port;
    return d_->svr.listen_after_bind();
}

void WebServer::stop() { d_->svr.stop(); }

int WebServer::port() const { return d_->bound_port; }

}  // namespace tw
