#include "mail/message_json.h"

#include <nlohmann/json.hpp>

#include "mail/charset.h"
#include "mail/date.h"

namespace tw {
namespace {

using nlohmann::json;

json addresses(const std::vector<Address>& v) {
    json out = json::array();
    for (const auto& a : v) {
        json j = {{"name", a.name}, {"address", a.address}, {"normalized", a.normalized}};
        if (!a.group.empty()) j["group"] = a.group;
        out.push_back(std::move(j));
    }
    return out;
}

json message_json(const Message& m) {
    json j;
    j["message_id"] = m.message_id;
    j["synthetic_id"] = m.synthetic_id;
    j["subject"] = m.subject;
    j["base_subject"] = m.base_subject;
    j["from"] = addresses(m.from);
    j["to"] = addresses(m.to);
    j["cc"] = addresses(m.cc);
    if (!m.bcc.empty()) j["bcc"] = addresses(m.bcc);
    if (!m.reply_to.empty()) j["reply_to"] = addresses(m.reply_to);
    j["date"] = format_iso_utc(m.date);
    j["date_source"] = to_string(m.date_source);
    j["in_reply_to"] = m.in_reply_to;
    j["references"] = m.references;
    j["text"] = m.text;
    j["has_html"] = !m.html.empty();
    json atts = json::array();
    for (const auto& a : m.attachments) {
        json x = {{"filename", a.filename}, {"content_type", a.content_type}, {"size", a.size},
                  {"sha256", a.sha256}, {"text", a.text}};
        if (!a.disposition.empty()) x["disposition"] = a.disposition;
        if (!a.content_id.empty()) x["content_id"] = a.content_id;
        if (a.message) x["message"] = message_json(*a.message);
        atts.push_back(std::move(x));
    }
    j["attachments"] = std::move(atts);
    j["problems"] = m.problems;
    return j;
}

std::string dump(const json& j) {
    // Every field is valid UTF-8 by construction; replace is a last guard.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string message_to_json_line(const Message& m, const std::string& file) {
    json j = message_json(m);
    j["file"] = sanitize_utf8(file);
    j["size"] = m.raw.size();
    return dump(j);
}

std::string error_json_line(const std::string& file, const std::string& error) {
    return dump(json{{"file", sanitize_utf8(file)}, {"error", error}});
}

}  // namespace tw
