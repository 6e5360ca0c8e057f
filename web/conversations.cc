// A conversation (a deal: its customers and documents), one message's HTML
// in a sandbox, and attachments as downloads.
#include "archive/store.h"
#include "crm/crm.h"
#include "mail/codec.h"
#include "mail/date.h"
#include "mail/html_text.h"
#include "mail/attachment_text.h"
#include "mail/message.h"
#include "mail/text_worker.h"
#include "web/route.h"

namespace tw::web {
namespace {

// Mail HTML: a sandbox without scripts, nothing loaded from outside (remote
// images stay blocked), shown only inside our own conversation page.
constexpr const char* kMailCsp =
    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'";
// The same, after the reader asked for this message's remote images.
constexpr const char* kMailCspImages =
    "sandbox; default-src 'none'; img-src data: https: http:; style-src 'unsafe-inline'; frame-ancestors 'self'";
// Inline (cid:) images larger than this are not shown inside the message.
constexpr size_t kMaxInlineImage = 5 << 20;

SanitizedHtml view_html(const Message& m, bool remote_images) {
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

json message_json(int64_t row, const Message& m, size_t blocked) {
    json atts = json::array();
    for (size_t k = 0; k < m.attachments.size(); ++k) {
        const auto& a = m.attachments[k];
        atts.push_back({{"filename", a.filename}, {"content_type", a.content_type}, {"size", a.size},
                        {"url", "/message/" + std::to_string(row) + "/attachment/" + std::to_string(k)}});
    }
    return {{"row", row}, {"message_id", m.message_id}, {"subject", m.subject}, {"from", format_addresses(m.from)},
            {"to", format_addresses(m.to)}, {"cc", format_addresses(m.cc)}, {"date", format_iso_utc(m.date)}, {"text", m.text},
            {"has_html", !m.html.empty()}, {"remote_images_blocked", blocked}, {"attachments", atts}, {"problems", m.problems}};
}

// The template's view of a message: display dates and names.
json message_view(const json& j, const Message& m, size_t blocked) {
    json atts = json::array();
    for (const auto& a : j["attachments"])
        atts.push_back({{"url", a["url"]}, {"filename", a["filename"] == "" ? json(tr("(unnamed)")) : a["filename"]},
                        {"size", std::to_string(a["size"].get<size_t>())}});
    json v = {{"row", std::to_string(j["row"].get<int64_t>())}, {"subject", m.subject}, {"from", j["from"]}, {"to", j["to"]},
              {"date", when(m.date)}, {"text", m.text}, {"has_html", !m.html.empty()}, {"attachments", atts},
              {"has_attachments", !m.attachments.empty()}};
    if (blocked) v["blocked"] = std::to_string(blocked);
    return v;
}

// The rows of a conversation the reader may see (none: 404, as if it did not exist).
std::vector<int64_t> visible_rows(LinkedArchive& a, const Visibility& v, int64_t thread) {
    std::vector<int64_t> out;
    for (int64_t row : a.store.thread_rows(thread))
        if (a.people.sees_message(v, row)) out.push_back(row);
    return out;
}

// Reading someone else's mail (a manager auditing a rep, an auditor) is recorded.
void audit_read(Context& ctx, const Request& r, LinkedArchive& a, int64_t row, const char* action, const std::string& target,
                bool allowed, const std::string& detail = {}) {
    auto boxes = a.people.mailboxes_of(row);
    if (allowed && !others_mail(r.user, boxes) && r.user.role != "auditor") return;
    ctx.audit(r, audit_entry(action, action == std::string("view_message") ? "message" : "attachment", target, joined(boxes), allowed, detail));
}

Page conversation(Context& ctx, const Request& r) {
    int64_t thread = r.id("thread");
    LinkedArchive a(ctx.o.data_dir);
    std::vector<int64_t> rows = visible_rows(a, a.people.visibility(r.user), thread);
    if (rows.empty()) throw NotFoundError("No such conversation.");
    for (int64_t row : rows) audit_read(ctx, r, a, row, "view_message", std::to_string(row), true, "conversation " + std::to_string(thread));
    json msgs = json::array(), shown = json::array();
    std::string title;
    ParseLimits lim;
    lim.extract_attachment_text = false;  // not needed to show the mail (and no PDF parser in the web process)
    for (int64_t row : rows) {
        Message m = parse_message(a.store.raw(row), 0, lim);
        size_t blocked = m.html.empty() ? 0 : view_html(m, false).blocked_images;
        if (title.empty()) title = m.subject;
        msgs.push_back(message_json(row, m, blocked));
        shown.push_back(message_view(msgs.back(), m, blocked));
    }
    Deal deal = a.crm.deal(thread);
    json customers = json::array(), documents = json::array();
    for (const auto& x : deal.customers)
        customers.push_back({{"id", std::to_string(x.id)}, {"name", x.name}, {"owner", x.owner}, {"in_pool", x.in_pool}});
    for (const auto& x : deal.documents)
        documents.push_back({{"number", x.number}, {"type", x.type}, {"type_label", label(x.type)}, {"status", x.status},
                             {"status_label", label(x.status)}, {"amount", x.amount},
                             {"currency", x.currency}, {"has_amount", !x.amount.empty()}});
    json followups = followups_of(a, r.user, thread, 0);
    // The deal's internal thread: the approvals of its documents, their requests and answers, and violations.
    std::set<std::string> numbers;
    for (const auto& x : deal.documents) numbers.insert(x.number);
    json approvals = approvals_of(a, r.user, numbers);
    return page(title, "conversation",
                {{"thread", thread}, {"messages", msgs}, {"customers", customers}, {"documents", documents}, {"followups", followups},
                 {"approvals", approvals}},
                {{"subject", title.empty() ? tr("(no subject)") : title}, {"messages", shown},
                 {"deal", !deal.customers.empty() || !deal.documents.empty()}, {"back", "/conversation/" + std::to_string(thread)},
                 {"may_remind", bool(role_bit(r.user.role) & kEditors)}, {"has_approvals", !approvals.empty()}});
}

// A message the reader may see, or a 404 (recorded as denied when it exists).
Message load(Context& ctx, const Request& r, const char* action, const std::string& target) {
    int64_t row = r.id("row");
    LinkedArchive a(ctx.o.data_dir);
    if (row > a.store.max_row()) throw NotFoundError("no message " + std::to_string(row));
    if (!a.people.sees_message(a.people.visibility(r.user), row)) {
        audit_read(ctx, r, a, row, action, target, false, "not visible to this user");
        throw NotFoundError("no message " + std::to_string(row));
    }
    audit_read(ctx, r, a, row, action, target, true);
    ParseLimits lim;
    lim.extract_attachment_text = false;
    lim.keep_attachment_data = true;
    return parse_message(a.store.raw(row), 0, lim);
}

// The HTML part rebuilt from an allow-list, inside the sandbox the CSP sets up.
// Inline images (cid:) come along as data: URLs: the sandboxed frame has no
// origin, so it could not fetch them from us with the session cookie.
// Remote images only with ?images=1 (the reader's choice, per message).
Page message_html(Context& ctx, const Request& r) {
    Message m = load(ctx, r, "view_message", std::to_string(r.id("row")));
    bool remote = r.flag("images");
    Page p;
    p.body = view_html(m, remote).html;
    p.content_type = "text/html; charset=utf-8";
    p.headers["Content-Security-Policy"] = remote ? kMailCspImages : kMailCsp;
    return p;
}

// An attachment as a download: never rendered by the browser, whatever its type.
Page attachment(Context& ctx, const Request& r) {
    Message m = load(ctx, r, "download", std::to_string(r.id("row")) + "/" + std::to_string(r.id("part")));
    size_t i = size_t(r.id("part"));
    if (i >= m.attachments.size()) throw NotFoundError("no such attachment");
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
    Page p;
    p.body = a.data;
    p.content_type = "application/octet-stream";
    p.headers["Content-Disposition"] = "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
    p.headers["Content-Security-Policy"] = "sandbox; default-src 'none'";
    return p;
}

// A PDF attachment's first page as a PNG: the draft shown inline in the approver's queue. It is drawn in
// the attachment worker (a crash or a hang there costs the picture), and an image runs nothing.
Page preview(Context& ctx, const Request& r) {
    Message m = load(ctx, r, "view_attachment", std::to_string(r.id("row")) + "/" + std::to_string(r.id("part")) + "/preview");
    size_t i = size_t(r.id("part"));
    if (i >= m.attachments.size()) throw NotFoundError("no such attachment");
    const Attachment& a = m.attachments[i];
    if (doc_format(a.content_type, a.filename) != DocFormat::Pdf) throw NotFoundError("only a PDF has a preview; download it instead");
    if (ctx.o.worker_command.empty()) throw NotFoundError("previews are drawn by the attachment worker, which this server has not");
    TextWorker worker(ctx.o.worker_command, WorkerLimits{10000, size_t(1) << 30});
    std::string error;
    std::string png = worker.extract(DocFormat::PdfPreview, a.data, 0, &error);
    if (png.empty()) throw NotFoundError(error.empty() ? "the PDF could not be drawn" : error);
    Page p;
    p.body = std::move(png);
    p.content_type = "image/png";
    p.headers["Cache-Control"] = "private, max-age=3600";
    p.headers["Content-Security-Policy"] = "sandbox; default-src 'none'";
    return p;
}

}  // namespace

std::vector<Route> conversation_routes(Context& ctx) {
    return {
        {"GET", {R"(/conversation/([^/]+))", R"(/api/v1/conversation/([^/]+))"}, kUsers, {"thread"},
         {int_param("thread", true, 0, 1)}, [&ctx](const Request& r) { return conversation(ctx, r); }, "conversation"},
        {"GET", {R"(/message/([^/]+)/html)"}, kUsers, {"row"}, {int_param("row", true, 0, 1), flag_param("images")},
         [&ctx](const Request& r) { return message_html(ctx, r); }, "message"},
        {"GET", {R"(/message/([^/]+)/attachment/([^/]+))"}, kUsers, {"row", "part"},
         {int_param("row", true, 0, 1), int_param("part", true, 0, 0)}, [&ctx](const Request& r) { return attachment(ctx, r); },
         "message"},
        {"GET", {R"(/message/([^/]+)/attachment/([^/]+)/preview)"}, kUsers, {"row", "part"},
         {int_param("row", true, 0, 1), int_param("part", true, 0, 0)}, [&ctx](const Request& r) { return preview(ctx, r); },
         "message"},
    };
}

}  // namespace tw::web
