// The outbox's sender (daemon/notify.h). Each mail carries a Message-ID of its
// own outbox row. Its state goes to `sending` just before the end of the
// message reaches the server; a run killed after that point never sends it
// again (the server may hold it), one killed before it sends it on the next
// run (the server dropped the unfinished DATA).
#include "daemon/notify.h"

#include <sodium.h>

#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "archive/accounts.h"
#include "crm/crm.h"
#include "daemon/smtp.h"
#include "mail/address.h"
#include "mail/codec.h"
#include "mail/date.h"
#include "mail/strutil.h"
#include "web/server.h"

namespace tw {
namespace {

using json = nlohmann::json;

// For tests of a kill at the worst moments: TW_NOTIFY_DIE=before_end | after_send.
void die_if(const char* moment) {
    const char* want = std::getenv("TW_NOTIFY_DIE");
    if (want && std::string(want) == moment) _exit(9);
}

std::string rfc2822(int64_t t) {
    std::time_t tt = std::time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

std::string header_word(const std::string& s) {  // RFC 2047 for a non-ASCII subject
    for (unsigned char ch : s)
        if (ch >= 0x80) return "=?UTF-8?B?" + encode_base64(s) + "?=";
    return s;
}

std::string wrap76(const std::string& b64) {
    std::string out;
    for (size_t k = 0; k < b64.size(); k += 76) out += b64.substr(k, 76) + "\r\n";
    return out;
}

// The mail's model: its items with times in the recipient's calendar, and links.
json model_of(LinkedArchive& a, const Crm::Notification& n, const std::string& base, int64_t now) {
    calendar::Calendar c = a.crm.calendar_of(n.recipient);
    json items = json::array();
    for (auto x : json::parse(n.items)) {
        if (x.contains("due")) {  // a follow-up
            x["due_local"] = calendar::local_time(c.tz, x["due"].get<int64_t>());
            x["url"] = base + "/conversation/" + std::to_string(x["thread"].get<int64_t>());
        } else if (x.contains("document")) {  // an approval's request or decision
            x["url"] = base + "/document?number=" + x["document"].get<std::string>();
            std::string action = x.value("action", "");
            x["requested"] = action == "request", x["approved"] = action == "approve", x["rejected"] = action == "reject";
            x["changed"] = action == "changed", x["withdrawn"] = action == "withdraw";
            x["has_comment"] = !x.value("comment", "").empty();
        }
        x["has_customer"] = !x.value("customer_name", "").empty();
        items.push_back(x);
    }
    return {{"items", items}, {"count", std::to_string(items.size())}, {"recipient", n.recipient}, {"home", base + "/"},
            {"now_local", calendar::local_time(c.tz, now)}, {"zone", c.tz}};
}

std::string lang_of(LinkedArchive& a, const std::string& mailbox) {
    for (const auto& u : a.people.users())
        if (u.mailbox() == to_lower(mailbox)) return u.lang;
    return "";
}

}  // namespace

NotifyReport notify_once(const std::string& data_dir, const std::string& templates_dir, int64_t now, const std::string& base_url) {
    NotifyReport rep;
    LinkedArchive a(data_dir);
    rep.planned = a.crm.plan_notifications(now);
    Accounts accounts(data_dir);
    auto server = accounts.smtp();
    auto due = a.crm.notifications(true, now);
    if (!server) {
        rep.waiting = due.size();
        if (!due.empty()) rep.errors.push_back("no mail server is set: run `tradewind smtp set --url smtp://host:587 --from ADDRESS`");
        return rep;
    }
    std::string password = server->user.empty() ? "" : accounts.smtp_password();
    auto from = parse_address_list(server->from);
    std::string from_addr = from.empty() ? server->from : from.front().address;
    for (const auto& n : due) {
        std::string kind = n.kind == "test" ? "test" : n.kind == "escalation" ? "escalation" : n.kind == "approval" ? "approval" : "digest";
        std::string lang = lang_of(a, n.recipient);
        json model = model_of(a, n, base_url, now);
        std::string text, html, subject;
        try {
            text = render_mail(templates_dir, kind + ".txt", model.dump(), lang);
            html = render_mail(templates_dir, kind + ".html", model.dump(), lang);
            subject = render_mail(templates_dir, kind + ".subject.txt", model.dump(), lang);
        } catch (const std::exception& e) {
            a.crm.note_notification(n.id, "failed", now, e.what());
            rep.failed++, rep.errors.push_back(e.what());
            continue;
        }
        unsigned char h[16];
        crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(n.key.data()), n.key.size(), nullptr, 0);
        char hex[33];
        sodium_bin2hex(hex, sizeof hex, h, sizeof h);
        std::string boundary = std::string("tw-") + hex;
        std::string msg = "From: " + server->from + "\r\nTo: " + n.recipient + "\r\nSubject: " + header_word(std::string(trim(subject))) +
                          "\r\nDate: " + rfc2822(now) + "\r\nMessage-ID: <notification-" + std::to_string(n.id) + "." + hex +
                          "@tradewind>\r\nAuto-Submitted: auto-generated\r\nX-Tradewind-Notification: " + kind +
                          "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n--" +
                          boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                          wrap76(encode_base64(text)) + "--" + boundary +
                          "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                          wrap76(encode_base64(html)) + "--" + boundary + "--\r\n";
        SmtpResult r = smtp_send(*server, password, from_addr, {n.recipient}, msg, [&] {
            die_if("before_end");
            a.crm.note_notification(n.id, "sending", now);
        });
        if (r.ok) {
            die_if("after_send");
            a.crm.note_notification(n.id, "sent", now);
            rep.sent++;
        } else {
            // Refused before the end of the message: it was not taken, so it may go again.
            a.crm.note_notification(n.id, "failed", now, r.error);
            rep.failed++, rep.errors.push_back(n.recipient + ": " + r.error);
        }
    }
    return rep;
}

}  // namespace tw
