// What a route declares and what its handler returns (web/ only). Each route
// states its method and paths, who may use it, whether it is a form, and its
// typed parameters with defaults and bounds, all checked before the handler
// runs: a bad one is a 400 that says why. A handler returns one Page: the
// model, answered as JSON (Accept: application/json or /api/v1/...) or
// rendered into its template. Errors are thrown (mail/error.h) and turned
// into the status and error page once, in server.cc. Model: libkiwix's
// internalServer.cpp and mu's command table.
#pragma once
#include <httplib.h>

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crm/access.h"
#include "crm/audit.h"
#include "web/auth.h"
#include "web/server.h"

namespace tw {
struct DocumentRow;
struct LinkedArchive;
}

namespace tw::web {

using json = nlohmann::json;

// Who may use a route: a set of roles (crm/rules.h), or anyone (the login page).
// What they may then see or change of the object it names is the visibility
// rule's (crm/access.h), applied by the handler: an object the user may not
// see is a 404, as if it did not exist.
enum Role : unsigned { kRep = 1, kManager = 2, kAuditor = 4, kAdmin = 8 };
enum Access : unsigned {
    kAnyone = 0,
    kUsers = kRep | kManager | kAuditor | kAdmin,
    kEditors = kRep | kManager | kAdmin,  // the auditor changes nothing
    kManagers = kManager | kAdmin,
    kOverseers = kManager | kAuditor | kAdmin,  // read what managers read
    kAuditors = kAuditor | kAdmin,
    kAdmins = kAdmin,
};
unsigned role_bit(const std::string& role);  // 0 for an unknown role

struct Param {
    enum class Type { Int, Text, Flag } type = Type::Text;
    std::string name;
    bool required = false;
    std::string def;  // used when absent (Int: a number)
    int64_t min = 0, max = INT64_MAX;  // Int bounds (a value outside is clamped to them when `clamp`, else a 400)
    bool clamp = false;
    size_t max_length = 4096;  // Text
};
Param int_param(const std::string& name, bool required, int64_t def = 0, int64_t min = 0, int64_t max = INT64_MAX,
                bool clamp = false);
Param text_param(const std::string& name, bool required = false, const std::string& def = {}, size_t max_length = 4096);
Param flag_param(const std::string& name);

struct Request {
    const httplib::Request& http;
    User user;
    bool json = false;
    std::string csrf;  // the session's form token (every form carries it)
    std::map<std::string, int64_t> ints;       // declared Int parameters (path captures included)
    std::map<std::string, std::string> texts;  // declared Text parameters and path captures
    std::map<std::string, bool> flags;
    int64_t id(const std::string& name) const { return ints.at(name); }
    const std::string& text(const std::string& name) const { return texts.at(name); }
    bool flag(const std::string& name) const { return flags.at(name); }
    std::vector<std::string> all(const std::string& name) const;  // a repeated form field (address=...)
    bool has(const std::string& name) const { return http.has_param(name.c_str()); }
};

// One answer: a page (model + template), a redirect after a form, or raw bytes.
struct Page {
    int status = 200;
    std::string title, view;  // view: the template's name
    json model = json::object();
    json view_only = json::object();  // extra keys for the HTML view (display forms, flags)
    std::string redirect;             // a browser after a form goes here (JSON gets the model)
    std::optional<std::string> body;  // raw content (mail HTML, attachments)
    std::string content_type;
    std::map<std::string, std::string> headers;
};

Page page(const std::string& title, const std::string& view, json model, json view_only = json::object());
Page after_form(json model, const std::string& back);

using Handler = std::function<Page(const Request&)>;

struct Route {
    std::string method;              // GET | POST
    std::vector<std::string> paths;  // regexes; captures fill `captures` in order
    unsigned access = kUsers;        // Access: the roles that may use it
    std::vector<std::string> captures;  // names of path captures (Int if also declared as such in params)
    std::vector<Param> params;
    Handler handler;
    // What the route's id names, for the access matrix (`serve --routes`):
    // message, conversation, customer, document, conflict, user, or "" (none).
    std::string object;
    // The largest body it takes: a form's 64 KB, unless it takes a file.
    size_t max_body = 64 * 1024;
};

// What handlers share: the options, the users, and the audit trail.
struct Context {
    const WebOptions& o;
    Auth& auth;
    // Appends to the audit trail with the request's actor, role, address and
    // user agent filled in.
    std::function<void(const Request&, AuditEntry)> audit;
};

// An audit row (actor, role, address and agent are filled in by Context::audit).
AuditEntry audit_entry(std::string action, std::string kind, std::string target, std::string mailbox = {}, bool allowed = true,
                       std::string detail = {});

// The mailboxes a message was archived from, and whether reading it is
// reading someone else's mail (to be audited): none of them is the reader's.
bool others_mail(const User& u, const std::vector<std::string>& mailboxes);
std::string joined(const std::vector<std::string>& v, const char* sep = ",");

// Display helpers.
// "2025-01-11 18:00 CST", "" for 0: in the zone of the user being answered (their calendar's), which
// server.cc sets for the request's thread before the handler runs.
std::string when(int64_t t);
void set_viewer_zone(const std::string& tz);
const std::string& viewer_zone_name();
std::string mark_snippet(std::string s);     // the index's [[ ]] -> <mark>
std::string query_escape(const std::string& s);  // for a URL's query (percent-encoded UTF-8)
// Where a form goes back to: `wanted` when it is a path of ours ("/x", not "//host" or "/\\host"), else fallback.
std::string local_path(const std::string& wanted, const std::string& fallback);
// The pages' words: English text -> its translation (templates/i18n/LANG.json;
// the enum values as "enum:VALUE"). The catalogue of the user being answered
// is set for the request's thread by server.cc, like the zone.
using Catalogue = std::map<std::string, std::string>;
void set_viewer_language(const Catalogue* words, const Catalogue* english);
std::string tr(std::string_view english);  // the reader's words for it (itself when the catalogue lacks it)
// The same with {name} placeholders filled in: tr("{n} results", {{"n", "5"}}).
std::string tr(std::string_view english, std::initializer_list<std::pair<const char*, std::string>> values);
// What a page shows for a stored value (proforma_invoice -> "Proforma invoice
// (PI)", not_owner -> ...), in the reader's language: no raw enum name reaches
// a page. Unknown values (a firm's own document types) read with '_' as spaces.
std::string label(std::string_view value);

json document_row_json(const DocumentRow& x);  // customers.cc

// Lists that grow: the page's links (prev, next, first_shown, last_shown, total) and the sort links
// (key, label, current, url; the current key again reverses it). base: the list's URL with its
// filters and a '?'; the sort, order, limit and offset are appended.
json paging_view(const std::string& base, const std::string& sort, bool desc, size_t total, size_t offset, size_t limit);
json sort_links(const std::string& base, const std::vector<std::string>& keys, const std::string& sort, bool desc);
// InvalidError unless sort is one of keys.
void check_sort(const std::string& sort, const std::vector<std::string>& keys);

// The follow-ups of a conversation (with closed ones) or a customer (open ones) that u may see (followups.cc).
json followups_of(LinkedArchive& a, const User& u, int64_t thread, int64_t customer);

// The routes of each area (web/<area>.cc).
std::vector<Route> search_routes(Context& c);
std::vector<Route> conversation_routes(Context& c);
std::vector<Route> customer_routes(Context& c);
std::vector<Route> document_routes(Context& c);
std::vector<Route> conflict_routes(Context& c);
std::vector<Route> status_routes(Context& c);
std::vector<Route> admin_routes(Context& c);
std::vector<Route> audit_routes(Context& c);
std::vector<Route> followup_routes(Context& c);
std::vector<Route> approval_routes(Context& c);
// A document's approval record as the pages show it: a list of one, or none when it needs none (approvals.cc).
// The approval records of these documents the user may see, each with its change log, note, draft and violations.
json approvals_of(LinkedArchive& a, const User& u, const std::set<std::string>& numbers);

// The open conflicts the user may see (the menu's badge): a manager's teams', all for auditors and admins.
size_t open_conflicts_for(const std::string& data_dir, const User& u);

}  // namespace tw::web
