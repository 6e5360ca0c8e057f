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

#include "web/auth.h"
#include "web/server.h"

namespace tw {
struct DocumentRow;
}

namespace tw::web {

using json = nlohmann::json;

enum class Access { Anyone, User, Manager };

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
    Access access = Access::User;
    std::vector<std::string> captures;  // names of path captures (Int if also declared as such in params)
    std::vector<Param> params;
    Handler handler;
};

// What handlers share: the options and the users.
struct Context {
    const WebOptions& o;
    Auth& auth;
};

// Display helpers.
std::string when(int64_t t);                 // "2025-01-11 10:00 UTC", "" for 0
std::string mark_snippet(std::string s);     // the index's [[ ]] -> <mark>
// What a page shows for a stored value (proforma_invoice -> "Proforma invoice
// (PI)", not_owner -> ...): no raw enum name reaches a page. Unknown values
// (a firm's own document types) read with '_' as spaces.
std::string label(std::string_view value);

json document_row_json(const DocumentRow& x);  // customers.cc

// The routes of each area (web/<area>.cc).
std::vector<Route> search_routes(Context& c);
std::vector<Route> conversation_routes(Context& c);
std::vector<Route> customer_routes(Context& c);
std::vector<Route> document_routes(Context& c);
std::vector<Route> conflict_routes(Context& c);
std::vector<Route> status_routes(Context& c);

}  // namespace tw::web
