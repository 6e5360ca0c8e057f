// The route table, sessions, access and form guards, typed parameters, and
// the one place a Page or an error becomes an HTTP response. Handlers live in
// one file per area (search.cc, conversations.cc, customers.cc, documents.cc,
// conflicts.cc, status.cc).
#include "web/server.h"

#include <httplib.h>
#include <kainjow/mustache.hpp>
#include <sodium.h>

#include <cstdio>
#include <ctime>
#include <mutex>
#include <filesystem>
#include <optional>
#include <fstream>
#include <iterator>
#include <regex>

#include "crm/audit.h"
#include "crm/crm.h"
#include "mail/error.h"
#include "mail/strutil.h"
#include "web/route.h"

namespace tw {
namespace {

namespace mu = kainjow::mustache;
using web::json;

constexpr const char* kCookie = "tw_session";
constexpr int64_t kSessionSeconds = 12 * 3600;
// Our pages: no script at all, styles inline, frames only from ourselves.
constexpr const char* kPageCsp =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

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

// A JSON model as template data: the HTML view renders the same values.
mu::data to_data(const json& j) {
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

// A parameter as declared, or an InvalidError that says what it wants.
void take_param(const web::Param& p, const std::string* given, web::Request& r) {
    using T = web::Param::Type;
    if (p.type == T::Flag) {
        r.flags[p.name] = given && *given == "1";
        return;
    }
    if (p.required && (!given || given->empty())) throw InvalidError("missing parameter " + p.name);
    std::string v = given ? *given : p.def;
    if (p.type == T::Text) {
        if (v.size() > p.max_length) throw InvalidError(p.name + " is longer than " + std::to_string(p.max_length) + " bytes");
        r.texts[p.name] = v;
        return;
    }
    auto n = parse_int(v);
    if (!n) throw InvalidError(p.name + " wants a whole number, not \"" + v + "\"");
    if (*n < p.min || *n > p.max) {
        if (!p.clamp)
            throw InvalidError(p.name + " wants a number from " + std::to_string(p.min) +
                               (p.max == INT64_MAX ? " up" : " to " + std::to_string(p.max)) + ", not " + v);
        n = std::clamp(*n, p.min, p.max);
    }
    r.ints[p.name] = *n;
    r.texts[p.name] = v;
}

}  // namespace

struct WebServer::Impl {
    WebOptions o;
    httplib::Server svr;
    Auth auth;
    AuditLog audit_log;
    web::Context ctx{o, auth, [this](const web::Request& r, AuditEntry e) { record(r, std::move(e)); }};
    std::map<std::string, std::string> templates;
    int bound_port = 0;

    void record(const web::Request& r, AuditEntry e) {
        if (e.actor.empty()) e.actor = r.user.name;
        if (e.role.empty()) e.role = r.user.role;
        e.ip = r.http.remote_addr;
        e.user_agent = r.http.get_header_value("User-Agent").substr(0, 300);
        audit_log.record(std::move(e));
    }

    explicit Impl(const WebOptions& opts) : o(opts), auth(opts.data_dir), audit_log(opts.data_dir) {
        namespace fs = std::filesystem;
        // Every template of the directory; those named _NAME are partials ({{> _NAME}}).
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(o.templates_dir, ec)) {
            if (entry.path().extension() != ".mustache") continue;
            std::ifstream in(entry.path());
            templates[entry.path().stem().string()] = std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        for (const char* name : {"layout", "login", "search", "home", "followups"})
            if (!templates.count(name))
                throw StoreError("cannot read the template " + (fs::path(o.templates_dir) / name).string() +
                                 ".mustache: give --templates DIR");
        for (const char* lang : {"en", "zh"}) {
            fs::path p = fs::path(o.templates_dir) / "i18n" / (std::string(lang) + ".json");
            std::ifstream in(p);
            auto j = json::parse(in, nullptr, false);
            if (!j.is_object()) throw StoreError("cannot read the message catalogue " + p.string() + ": give --templates DIR");
            for (auto it = j.begin(); it != j.end(); ++it)
                if (it.value().is_string()) words[lang][it.key()] = it.value().get<std::string>();
        }
    }

    std::map<std::string, web::Catalogue> words;  // by language

    // The language of the pages for this request: the user's choice, else the browser's first of ours.
    std::string language_of(const web::Request& r) const {
        if (!r.user.lang.empty()) return r.user.lang;
        std::string best = "en";
        double best_q = -1;
        for (auto part : split_trimmed(r.http.get_header_value("Accept-Language"), ',')) {
            std::string tag = to_lower(std::string(part.substr(0, part.find(';'))));
            double q = 1;
            if (auto at = part.find(";q="); at != std::string_view::npos) q = std::atof(std::string(part.substr(at + 3)).c_str());
            std::string lang = tag.rfind("zh", 0) == 0 ? "zh" : tag.rfind("en", 0) == 0 ? "en" : "";
            if (!lang.empty() && q > best_q) best = lang, best_q = q;
        }
        return best;
    }

    // The zone a user reads times in (their calendar's), looked up at most once a minute.
    std::mutex zones_mutex;
    std::map<std::string, std::pair<std::string, int64_t>> zones;
    std::string zone_of(const User& u) {
        if (u.name.empty()) return "UTC";
        int64_t now = int64_t(std::time(nullptr));
        {
            std::lock_guard<std::mutex> lock(zones_mutex);
            auto it = zones.find(u.name);
            if (it != zones.end() && now - it->second.second < 60) return it->second.first;
        }
        std::string tz = LinkedArchive(o.data_dir).crm.calendar_of(u.mailbox()).tz;
        std::lock_guard<std::mutex> lock(zones_mutex);
        zones[u.name] = {tz, now};
        return tz;
    }

    std::string render(const std::string& name, mu::data d) {
        d.set("t", mu::lambda{[](const std::string& text) { return web::tr(text); }});
        for (const auto& [k, v] : templates)
            if (!k.empty() && k[0] == '_') d.set(k, mu::partial{[&v = v] { return v; }});
        mu::mustache t{templates.at(name)};
        return t.render(d);
    }

    void send_json(httplib::Response& res, const json& j, int status) {
        res.status = status;
        res.set_content(j.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
    }

    void send_html(httplib::Response& res, const web::Request& r, const std::string& title, const std::string& body, int status) {
        const User& user = r.user;
        mu::data layout;
        layout.set("title", web::tr(title));
        layout.set("lang", language_of(r) == "zh" ? "zh-CN" : "en");
        layout.set("zone", web::viewer_zone_name());
        layout.set("zh", language_of(r) == "zh");
        layout.set("body", body);
        layout.set("user", user.name);
        layout.set("role", web::label(user.role));
        layout.set("csrf", r.csrf);
        layout.set("logged_in", !user.name.empty());
        unsigned bit = web::role_bit(user.role);
        bool overseer = bit & web::kOverseers;
        layout.set("manager", overseer);
        layout.set("reads_audit", bool(bit & web::kAuditors));
        layout.set("admin", bool(bit & web::kAdmins));
        if (overseer) {  // raised by the sync as mail arrives
            size_t open = web::open_conflicts_for(o.data_dir, user);
            if (open) layout.set("open_conflicts", std::to_string(open));
        } else if (!user.name.empty() && LinkedArchive(o.data_dir).crm.setting("audit_open_to_reps") == "1") {
            layout.set("audit_mine", true);
        }
        res.status = status;
        res.set_header("Content-Security-Policy", kPageCsp);
        res.set_content(render("layout", layout), "text/html; charset=utf-8");
    }

    void send(const web::Request& r, httplib::Response& res, const web::Page& p) {
        for (const auto& [k, v] : p.headers) res.set_header(k, v);
        if (p.body) {
            res.status = p.status;
            res.set_content(*p.body, p.content_type);
            return;
        }
        if (r.json) return send_json(res, p.model, p.status);
        if (!p.redirect.empty()) {
            res.status = 303;
            res.set_header("Location", p.redirect);
            return;
        }
        json model = p.model;
        for (auto it = p.view_only.begin(); it != p.view_only.end(); ++it) model[it.key()] = it.value();
        model["csrf"] = r.csrf;  // every form carries it
        send_html(res, r, p.title, render(p.view, to_data(model)), p.status);
    }

    void send_error(const web::Request& r, httplib::Response& res, int status, const std::string& error) {
        if (r.json) return send_json(res, {{"error", error}}, status);
        mu::data d;
        d.set("error", error);
        d.set("csrf", r.csrf);
        send_html(res, r, status == 403 ? "Not allowed" : status == 404 ? "Not found" : status == 429 ? "Wait" : "Not done",
                  render("error", d), status);
    }

    // The Host names served (DNS rebinding): the configured ones, else the listen address.
    bool host_ok(const std::string& host) const {
        std::vector<std::string> hosts = o.public_hosts;
        if (hosts.empty()) hosts.push_back(o.host + ":" + std::to_string(bound_port));
        std::string h = to_lower(host);
        for (const auto& allowed : hosts) {
            std::string a = to_lower(allowed);
            if (h == a) return true;
            if (a.find(':') == std::string::npos && h.substr(0, h.rfind(':')) == a) return true;  // any port
        }
        return false;
    }

    // A POST must come from our own pages: Origin, else Referer, names this host.
    std::string foreign_post(const httplib::Request& req) const {
        std::string host = req.get_header_value("Host"), origin = req.get_header_value("Origin");
        auto ours = [&](const std::string& url) {
            for (const char* scheme : {"http://", "https://"}) {
                std::string base = scheme + host;
                if (url == base || url.rfind(base + "/", 0) == 0) return true;
            }
            return false;
        };
        if (!origin.empty()) return ours(origin) ? "" : "this form was sent from another site (" + origin + ")";
        std::string referer = req.get_header_value("Referer");
        if (!referer.empty()) return ours(referer) ? "" : "this form was sent from another site (" + referer + ")";
        return "a POST must say where it comes from: send it from Tradewind's own page (an API client sends Origin: http://" +
               host + ")";
    }

    // Who is asking, and whether they may: false after answering.
    bool admit(const web::Route& route, web::Request& r, httplib::Response& res) {
        if (!host_ok(r.http.get_header_value("Host"))) {
            send_error(r, res, 421, "this server does not answer to the host name \"" + r.http.get_header_value("Host") +
                                        "\": open it as " + (o.public_hosts.empty() ? o.host + ":" + std::to_string(bound_port)
                                                                                    : o.public_hosts.front()) +
                                        " (or start it with --public-host)");
            return false;
        }
        if (route.method == "POST") {
            std::string why = foreign_post(r.http);
            if (!why.empty()) {
                send_error(r, res, 403, why);
                return false;
            }
        }
        if (route.access == web::kAnyone) return true;
        std::string token = cookie_value(r.http, kCookie);
        auto user = auth.session_user(token);
        if (!user) {
            if (r.json) send_json(res, {{"error", "not logged in: POST /login with name, password and csrf (from GET /login)"}}, 401);
            else res.status = 303, res.set_header("Location", "/login");
            return false;
        }
        r.user = *user;
        r.csrf = Auth::csrf_of(token);
        if (!(route.access & web::role_bit(r.user.role))) {
            std::string who = route.access == web::kAdmins ? "admins" : route.access == web::kAuditors ? "auditors and admins"
                              : route.access == web::kManagers ? "managers" : route.access == web::kOverseers ? "managers and auditors"
                              : "other roles";
            send_error(r, res, 403, "This page is for " + who + "; you are logged in as a " + r.user.role + ".");
            return false;
        }
        if (route.method == "POST") {
            std::string given = r.http.has_param("csrf") ? r.http.get_param_value("csrf") : r.http.get_header_value("X-CSRF-Token");
            if (given.size() != r.csrf.size() || sodium_memcmp(given.data(), r.csrf.data(), given.size()) != 0) {
                send_error(r, res, 403, "this form has no valid token (csrf): reload the page and send it again");
                return false;
            }
        }
        return true;
    }

    void serve(const web::Route& route, const httplib::Request& in, httplib::Response& res) {
        // A multipart form (one that uploads a file) gives its plain fields as parameters, as any form does.
        std::optional<httplib::Request> form;
        if (in.is_multipart_form_data()) {
            form = in;
            for (const auto& [name, f] : in.files)
                if (f.filename.empty()) form->params.emplace(name, f.content);
        }
        const httplib::Request& req = form ? *form : in;
        web::Request r{req, {}, wants_json(req), {}, {}, {}, {}};
        if (in.body.size() > route.max_body) {
            res.status = 413;
            res.set_content("this form is too large (" + std::to_string(in.body.size() / 1024) + " KB; at most " +
                                std::to_string(route.max_body / 1024) + " KB here)\n",
                            "text/plain; charset=utf-8");
            return;
        }
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_header("Referrer-Policy", "same-origin");  // nothing leaves; our own forms carry their Origin
        res.set_header("Cache-Control", "no-store");
        set_language(r);
        web::set_viewer_zone("UTC");
        try {
            if (!admit(route, r, res)) return;
            set_language(r);
            web::set_viewer_zone(zone_of(r.user));  // the pages' times and the API's *_local ones
            for (size_t k = 0; k < route.captures.size() && k + 1 < req.matches.size(); ++k) {
                std::string v = req.matches[k + 1];
                const web::Param* declared = nullptr;
                for (const auto& p : route.params)
                    if (p.name == route.captures[k]) declared = &p;
                if (declared) take_param(*declared, &v, r);
                else r.texts[route.captures[k]] = v;
            }
            for (const auto& p : route.params) {
                if (std::find(route.captures.begin(), route.captures.end(), p.name) != route.captures.end()) continue;
                std::string v = req.has_param(p.name.c_str()) ? req.get_param_value(p.name.c_str()) : std::string();
                take_param(p, req.has_param(p.name.c_str()) ? &v : nullptr, r);
            }
            send(r, res, route.handler(r));
        } catch (const std::exception& e) {
            // The one catch-all: a typed error is its status and its message;
            // anything else is a bug: a 500 that shows no internals (they go to the log).
            auto kind = kind_of(e);
            if (kind) return send_error(r, res, http_status(*kind), e.what());
            std::fprintf(stderr, "tradewind serve: %s %s failed: %s\n", req.method.c_str(), req.path.c_str(), e.what());
            send_error(r, res, 500, "Something went wrong on our side; the details are in the server's log.");
        }
    }

    void set_language(const web::Request& r) { web::set_viewer_language(&words.at(language_of(r)), &words.at("en")); }

    void add(web::Route route) {
        auto shared = std::make_shared<web::Route>(std::move(route));
        table.push_back(shared);
        for (const auto& path : shared->paths) {
            auto h = [this, shared](const httplib::Request& req, httplib::Response& res) { serve(*shared, req, res); };
            if (shared->method == "GET") svr.Get(path, h);
            else svr.Post(path, h);
        }
    }

    // The login form's token (login CSRF): a cookie of its own, set by GET /login, that the form repeats.
    static constexpr const char* kLoginCookie = "tw_login";

    web::Page login_page(const web::Request& r, const std::string& error, int status) {
        std::string token = cookie_value(r.http, kLoginCookie);
        bool fresh = token.size() != 64;
        if (fresh) {
            unsigned char raw[32];
            randombytes_buf(raw, sizeof raw);
            char hex[65];
            sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
            token = hex;
        }
        web::Page p = web::page("Log in", "login", json::object(), {{"csrf", token}});
        if (r.json) p.model = {{"error", error.empty() ? "POST /login with name, password and csrf" : error}, {"csrf", token}};
        else if (!error.empty()) p.model["error"] = error;
        p.status = r.json && status == 200 ? 401 : status;
        if (fresh)
            p.headers["Set-Cookie"] = std::string(kLoginCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600" +
                                      (o.secure_cookie ? "; Secure" : "");
        return p;
    }

    web::Page do_login(web::Request& r) {
        const std::string& name = r.text("name");
        std::string token = cookie_value(r.http, kLoginCookie), given = r.text("csrf");
        if (token.size() != 64 || given != token) {
            web::Page p = login_page(r, "This login form has expired or came from another site: log in again from this page.", 403);
            return p;
        }
        LoginResult got = auth.login(name, r.text("password"), r.http.remote_addr);
        AuditEntry e = web::audit_entry(got.user ? "login" : "login_failed", "user", name);
        e.actor = name;
        e.role = "-";
        if (got.retry_after > 0) {
            e.allowed = false;
            e.detail = got.busy ? "refused: too many logins being checked at once" : "refused: too many failed logins";
            ctx.audit(r, e);
            std::string wait = std::to_string(got.retry_after) + (got.retry_after == 1 ? " second" : " seconds");
            web::Page p = login_page(r, got.busy ? "Too many logins are being checked right now: try again in " + wait + "."
                                                 : "Too many failed logins: try again in " + wait + ".",
                                     got.busy ? 503 : 429);
            p.headers["Retry-After"] = std::to_string(got.retry_after);
            return p;
        }
        if (!got.user) {
            e.allowed = false;
            e.detail = "wrong name or password";
            ctx.audit(r, e);
            return login_page(r, "Wrong name or password.", 401);
        }
        r.user = *got.user;
        e.role = got.user->role;
        e.mailbox_owner = web::joined(got.user->mailboxes);
        ctx.audit(r, e);
        std::string session = auth.open_session(*got.user, kSessionSeconds);
        web::Page p = web::after_form({{"user", got.user->name}, {"role", got.user->role}, {"csrf", Auth::csrf_of(session)}},
                                      "/");
        p.headers["Set-Cookie"] = std::string(kCookie) + "=" + session + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                  std::to_string(kSessionSeconds) + (o.secure_cookie ? "; Secure" : "");
        return p;
    }

    std::vector<web::Route> session_routes() {
        using namespace web;
        return {
            {"GET", {"/login", "/api/v1/login"}, kAnyone, {}, {}, [this](const Request& r) { return login_page(r, "", 200); }, ""},
            {"POST", {"/login", "/api/v1/login"}, kAnyone, {},
             {text_param("name", true, "", 64), text_param("password", true, "", 1024), text_param("csrf", false, "", 64)},
             [this](const Request& r) {
                 Request copy = r;
                 return do_login(copy);
             }, ""},
            {"POST", {"/logout", "/api/v1/logout"}, kUsers, {}, {}, [this](const Request& r) {
                 auth.close_session(cookie_value(r.http, kCookie));
                 Page p = after_form({{"logged_out", true}}, "/login");
                 p.headers["Set-Cookie"] = std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
                 return p;
             }, ""},
            // The pages' language, the user's own choice (en, zh; "" : the browser's).
            {"POST", {"/me/language", "/api/v1/me/language"}, kUsers, {}, {text_param("lang", false, "", 8), text_param("back", false, "/", 300)},
             [this](const Request& r) {
                 LinkedArchive a(o.data_dir);
                 a.people.set_user(r.user.name, "lang", r.text("lang"));
                 return after_form({{"lang", r.text("lang")}}, web::local_path(r.text("back"), "/"));
             }, ""},
            // Who am I, and the form token an API client sends with its POSTs (csrf= or X-CSRF-Token).
            {"GET", {"/api/v1/me"}, kUsers, {}, {}, [](const Request& r) {
                 return page("", "", {{"name", r.user.name}, {"role", r.user.role}, {"team", r.user.team}, {"lang", r.user.lang},
                                      {"mailboxes", r.user.mailboxes}, {"leads", r.user.leads}, {"csrf", r.csrf}});
             }, ""},
        };
    }

    std::vector<std::shared_ptr<web::Route>> table;

    void routes() {
        for (auto* area : {&web::search_routes, &web::conversation_routes, &web::customer_routes, &web::document_routes,
                           &web::conflict_routes, &web::status_routes})
            for (auto& r : (*area)(ctx)) add(std::move(r));
        for (auto* area : {&web::admin_routes, &web::audit_routes, &web::followup_routes, &web::approval_routes})
            for (auto& r : (*area)(ctx)) add(std::move(r));
        for (auto& r : session_routes()) add(std::move(r));
    }
};

std::string render_mail(const std::string& templates_dir, const std::string& name, const std::string& model_json,
                        const std::string& lang) {
    namespace fs = std::filesystem;
    fs::path p = fs::path(templates_dir) / "mail" / (name + ".mustache");
    std::ifstream in(p);
    if (!in) throw StoreError("cannot read the mail template " + p.string() + ": give --templates DIR");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The catalogues, read once per templates directory (a digest run renders three parts of every mail).
    static std::mutex mu;
    static std::map<std::string, std::map<std::string, web::Catalogue>> loaded;
    std::unique_lock<std::mutex> lock(mu);
    auto& words = loaded[templates_dir];
    if (words.empty())
        for (const char* l : {"en", "zh"}) {
            std::ifstream cin(fs::path(templates_dir) / "i18n" / (std::string(l) + ".json"));
            auto j = json::parse(cin, nullptr, false);
            if (j.is_object())
                for (auto it = j.begin(); it != j.end(); ++it)
                    if (it.value().is_string()) words[l][it.key()] = it.value().get<std::string>();
        }
    const web::Catalogue* chosen = &words[lang == "zh" ? "zh" : "en"];
    const web::Catalogue* english = &words["en"];
    lock.unlock();
    web::set_viewer_language(chosen, english);
    mu::data d = to_data(json::parse(model_json));
    d.set("t", mu::lambda{[](const std::string& s) { return web::tr(s); }});
    mu::mustache t{text};
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".txt") == 0) t.set_custom_escape([](const std::string& s) { return s; });
    std::string out = t.render(d);
    web::set_viewer_language(nullptr, nullptr);
    return out;
}

WebServer::WebServer(const WebOptions& opts) : d_(std::make_unique<Impl>(opts)) {
    int threads = std::max(1, opts.threads);
    d_->svr.new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
    d_->svr.set_payload_max_length(11 * 1024 * 1024);  // forms, and a draft of up to 10 MB with an approval request
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

std::string WebServer::routes_json() const {
    json out = json::array();
    for (const auto& r : d_->table) {
        json roles = json::array();
        for (const char* role : {"rep", "manager", "auditor", "admin"})
            if (r->access & web::role_bit(role)) roles.push_back(role);
        out.push_back({{"method", r->method}, {"paths", r->paths}, {"anyone", r->access == web::kAnyone}, {"roles", roles},
                       {"object", r->object}, {"captures", r->captures}});
    }
    return out.dump(1);
}

int WebServer::port() const { return d_->bound_port; }

}  // namespace tw
