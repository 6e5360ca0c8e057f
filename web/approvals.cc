// Approvals on the web: the list ("Needs my review" first for an approver), filtered by state and paged, a
// rep's request for a document, and the approver's decision (a reject needs a comment). What a user sees is
// the documents' visibility; who decides is the rule's approver (or an admin). Every action is audited.
#include <algorithm>
#include <ctime>
#include <map>

#include "crm/crm.h"
#include "crm/rules.h"
#include "mail/attachment_text.h"
#include "mail/charset.h"
#include "mail/date.h"
#include "mail/message.h"
#include "mail/text_worker.h"
#include "mail/strutil.h"
#include "web/route.h"

namespace tw::web {
namespace {

const std::vector<std::string> kApprovalSorts = {"requested", "document", "amount", "customer", "state"};

const std::vector<std::string> kApprovalStates = {"mine", "pending", "approved", "rejected", "withdrawn", "superseded", "not_requested"};

json approval_json(const Crm::Approval& a, const User& u) {
    bool asked_by_me = !a.rep.empty() && a.rep == to_lower(u.mailbox());
    json chain = json::array();
    for (size_t k = 0; k < a.chain.size(); ++k)
        chain.push_back({{"user", a.chain[k]}, {"tier", k + 1}, {"current", int64_t(k + 1) == a.tier && a.state == "pending"}});
    return {{"id", a.id}, {"document", a.document}, {"type", a.type}, {"type_label", label(a.type)}, {"amount", a.amount},
            {"currency", a.currency}, {"customer", a.customer}, {"customer_name", a.customer_name}, {"has_customer", a.customer != 0},
            {"rep", a.rep}, {"approver", a.approver}, {"tier", a.tier}, {"state", a.state}, {"state_label", label("approval_" + a.state)},
            {"chain", chain}, {"has_tiers", a.chain.size() > 1}, {"outcome", a.outcome}, {"superseded_by", a.superseded_by},
            {"has_superseded_by", !a.superseded_by.empty()}, {"changed", a.changed},
            {"requested", a.requested ? format_iso_utc(a.requested) : ""}, {"requested_local", when(a.requested)},
            {"decided", a.decided ? format_iso_utc(a.decided) : ""}, {"decided_local", when(a.decided)}, {"has_decided", a.decided != 0},
            {"has_requested", a.requested != 0}, {"comment", a.comment},
            {"has_comment", !a.comment.empty()}, {"via", a.via}, {"reason", a.reason}, {"has_reason", !a.reason.empty()},
            {"pending", a.state == "pending"}, {"mine", a.approver == u.name && a.state == "pending"},
            {"may_decide", a.state == "pending" && (a.approver == u.name || u.role == "admin")},
            {"may_withdraw", a.state == "pending" && (asked_by_me || u.role == "admin")},
            {"may_request", a.approver != u.name && (a.state == "not_requested" || a.state == "rejected" || a.state == "withdrawn" || (a.state == "pending" && a.changed)) &&
                                u.role != "auditor"}};
}

int64_t thread_of(LinkedArchive& a, int64_t row) {
    auto s = a.store.summaries({row});
    return s.empty() ? 0 : s.front().thread;
}

// A record with its change log, the rep's note, the draft (the attachments of the mail it points at) and
// its violations: the deal's internal thread, as the queue, the document, the conversation and the
// customer show it.
json approval_detail(LinkedArchive& a, const Visibility& v, const Crm::Approval& x, const User& u,
                     const std::vector<Crm::Violation>& violations) {
    json j = approval_json(x, u);
    json steps = json::array();
    std::string note;
    int64_t draft = x.request_message;
    for (const auto& st : a.crm.approval_history(x.document)) {
        bool seen = st.message && a.people.sees_message(v, st.message);
        int64_t thread = seen ? thread_of(a, st.message) : 0;
        steps.push_back({{"state", st.state}, {"state_label", label("approval_" + st.state)}, {"at", format_iso_utc(st.at)},
                         {"at_local", when(st.at)}, {"tier", st.tier}, {"approver", st.approver}, {"actor", st.actor},
                         {"has_actor", !st.actor.empty()}, {"via_label", label("via_" + st.via)}, {"comment", st.comment},
                         {"has_comment", !st.comment.empty()}, {"reason", st.reason}, {"has_reason", !st.reason.empty()},
                         {"message", st.message}, {"has_message", seen}, {"thread", thread}});
        if (st.state == "pending" && st.tier == 1 && st.via == "web") note = st.comment;
    }
    j["history"] = steps;
    j["has_history"] = !steps.empty();
    j["note"] = note;
    j["has_note"] = !note.empty();
    // The draft uploaded with the latest web request, else the mail a request pointed at, else the request
    // mail's own attachments.
    for (const auto& act : a.crm.approval_request_messages(x.document)) draft = act;
    json files = json::array();
    auto uploads = a.crm.approval_drafts(x.document);
    if (!uploads.empty()) {
        const auto& d = uploads.back();
        bool pdf = doc_format(d.content_type, d.filename) == DocFormat::Pdf;
        std::string base = "/approvals/drafts/" + std::to_string(d.id);
        files.push_back({{"name", d.filename.empty() ? tr("(no name)") : d.filename}, {"url", base}, {"pdf", pdf},
                         {"preview", base + "/preview"}, {"size", d.size}, {"uploaded", true}});
        draft = 0;
    }
    if (draft && a.people.sees_message(v, draft)) {
        ParseLimits lim;
        lim.extract_attachment_text = false;
        Message m = parse_message(a.store.raw(draft), 0, lim);
        for (size_t k = 0; k < m.attachments.size(); ++k) {
            const auto& f = m.attachments[k];
            if (f.message) continue;
            std::string base = "/message/" + std::to_string(draft) + "/attachment/" + std::to_string(k);
            bool pdf = doc_format(f.content_type, f.filename) == DocFormat::Pdf;
            files.push_back({{"name", f.filename.empty() ? tr("(no name)") : f.filename}, {"url", base}, {"pdf", pdf},
                             {"preview", base + "/preview"}, {"size", f.size}});
        }
        j["draft_message"] = draft;
        j["draft_thread"] = thread_of(a, draft);
        if (note.empty() && draft == x.request_message) {  // a request by mail: its own words are the rep's note
            std::string own(trim(rules::own_words(m.text)));
            if (truncate_utf8(own, 400)) own += "…";
            j["note"] = own;
            j["has_note"] = !own.empty();
        }
    }
    j["files"] = files;
    j["has_files"] = !files.empty();
    json vs = json::array();
    for (const auto& w : violations)
        if (w.document == x.document)
            vs.push_back({{"kind", w.kind}, {"kind_label", label(w.kind)}, {"sent_local", when(w.sent)}, {"thread", w.thread},
                          {"acknowledged", w.acknowledged}, {"ack_by", w.ack_by}, {"ack_comment", w.ack_comment}});
    j["violations"] = vs;
    j["has_violations"] = !vs.empty();
    return j;
}

Page list(Context& ctx, const Request& r) {
    const std::string &state = r.text("state"), &sort = r.text("sort");
    check_sort(sort, kApprovalSorts);
    LinkedArchive a(ctx.o.data_dir);
    Visibility v = a.people.visibility(r.user);
    std::vector<Crm::Approval> rows;
    // Each customer's record so far (what the approver weighs): its decided approvals, by outcome.
    std::map<int64_t, std::pair<size_t, size_t>> decided;  // customer -> (approved, rejected)
    for (auto& x : a.crm.approvals()) {
        if (!a.people.sees_document(v, x.document)) continue;
        if (x.customer && x.outcome == "approved") ++decided[x.customer].first;
        if (x.customer && x.outcome == "rejected") ++decided[x.customer].second;
        bool in_state = state.empty() || (state == "mine" ? x.state == "pending" && x.approver == r.user.name : x.state == state);
        if (in_state) rows.push_back(std::move(x));
    }
    bool desc = r.has("desc") ? r.flag("desc") : sort == "requested" || sort == "amount";
    auto less = [&](const Crm::Approval& x, const Crm::Approval& y) {
        if (sort == "document") return x.document < y.document;
        if (sort == "amount") return std::atof(x.amount.c_str()) < std::atof(y.amount.c_str());
        if (sort == "customer") return std::make_pair(to_lower(x.customer_name), x.document) < std::make_pair(to_lower(y.customer_name), y.document);
        if (sort == "state") return std::make_pair(x.state, x.document) < std::make_pair(y.state, y.document);
        return std::make_pair(x.requested, x.document) < std::make_pair(y.requested, y.document);
    };
    std::stable_sort(rows.begin(), rows.end(), [&](const auto& x, const auto& y) { return desc ? less(y, x) : less(x, y); });
    size_t offset = size_t(r.id("offset")), limit = size_t(r.id("limit"));
    json items = json::array();
    auto violations = a.crm.approval_violations();
    for (size_t k = offset; k < rows.size() && items.size() < limit; ++k) {
        items.push_back(approval_detail(a, v, rows[k], r.user, violations));
        auto [ok, no] = decided[rows[k].customer];
        items.back()["customer_approved"] = ok, items.back()["customer_rejected"] = no;
        items.back()["has_customer_history"] = rows[k].customer && ok + no > 0;
    }
    std::string base = "/approvals?state=" + query_escape(state);
    json view = paging_view(base, sort, desc, rows.size(), offset, limit);
    view["sorts"] = sort_links(base, kApprovalSorts, sort, desc);
    json filters = json::array();
    for (const char* s : {"mine", "pending", "approved", "rejected", "withdrawn", "superseded", "not_requested", ""})
        filters.push_back({{"url", std::string("/approvals?state=") + s}, {"label", label(std::string("approvals_") + (*s ? s : "all"))},
                           {"current", state == s}});
    view["filters"] = filters;
    view["none"] = rows.empty();
    view["back"] = view["here"];
    return page("Approvals", "approvals", {{"approvals", items}, {"total", rows.size()}, {"offset", offset}, {"limit", limit}}, view);
}

// The documents that reached the customer without a valid approval, for managers (their teams' documents).
// A draft uploaded with a request: for whoever sees its document (a download, or a PDF's first page as PNG).
Page draft(Context& ctx, const Request& r, bool preview) {
    LinkedArchive a(ctx.o.data_dir);
    auto d = a.crm.approval_draft(r.id("id"));
    if (!d || !d->action || !a.people.sees_document(a.people.visibility(r.user), d->document))
        throw NotFoundError("no draft " + std::to_string(r.id("id")));
    if (d->by_user != r.user.name)
        ctx.audit(r, audit_entry(preview ? "view_attachment" : "download", "document", d->document, "", true, "draft " + d->filename));
    Page p;
    p.headers["Content-Security-Policy"] = "sandbox; default-src 'none'";
    if (preview) {
        if (doc_format(d->content_type, d->filename) != DocFormat::Pdf) throw NotFoundError("only a PDF has a preview; download it instead");
        if (ctx.o.worker_command.empty()) throw NotFoundError("previews are drawn by the attachment worker, which this server has not");
        TextWorker worker(ctx.o.worker_command, WorkerLimits{10000, size_t(1) << 30});
        std::string error;
        std::string png = worker.extract(DocFormat::PdfPreview, d->data, 0, &error);
        if (png.empty()) throw NotFoundError(error.empty() ? "the PDF could not be drawn" : error);
        p.body = std::move(png);
        p.content_type = "image/png";
        p.headers["Cache-Control"] = "private, max-age=3600";
        return p;
    }
    std::string ascii;
    for (unsigned char ch : d->filename) ascii += ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\' && ch != '/' ? char(ch) : '_';
    p.body = std::move(d->data);
    p.content_type = "application/octet-stream";
    p.headers["Content-Disposition"] = "attachment; filename=\"" + (ascii.empty() ? std::string("draft") : ascii) + "\"";
    return p;
}

Page violations(Context& ctx, const Request& r) {
    LinkedArchive a(ctx.o.data_dir);
    Visibility v = a.people.visibility(r.user);
    json items = json::array();
    size_t open = 0;
    for (const auto& x : a.crm.approval_violations()) {
        if (!a.people.sees_document(v, x.document)) continue;
        open += !x.acknowledged;
        items.push_back({{"document", x.document}, {"kind", x.kind}, {"kind_label", label(x.kind)}, {"sent", format_iso_utc(x.sent)},
                         {"sent_local", when(x.sent)}, {"message_id", x.message_id}, {"thread", x.thread},
                         {"acknowledged", x.acknowledged}, {"ack_by", x.ack_by}, {"ack_comment", x.ack_comment}});
    }
    return page("Approval violations", "violations", {{"violations", items}, {"open", open}},
                {{"none", items.empty()}, {"may_ack", bool(role_bit(r.user.role) & kManagers)}});
}

Page acknowledge(Context& ctx, const Request& r) {
    const std::string &number = r.text("number"), &kind = r.text("kind");
    LinkedArchive a(ctx.o.data_dir);
    if (!a.people.sees_document(a.people.visibility(r.user), number)) throw NotFoundError("no document " + number);
    a.crm.acknowledge_violation(number, kind, r.user.name, int64_t(std::time(nullptr)), r.text("comment"));
    ctx.audit(r, audit_entry("violation_acknowledge", "document", number, "", true, kind + ": " + r.text("comment")));
    return after_form({{"document", number}, {"kind", kind}, {"acknowledged", true}}, "/approvals/violations");
}

Page act(Context& ctx, const Request& r) {
    const std::string &number = r.text("number"), &what = r.text("what");
    LinkedArchive a(ctx.o.data_dir);
    if (!a.people.sees_document(a.people.visibility(r.user), number)) throw NotFoundError("no document " + number);
    std::optional<Crm::Approval> now;
    for (auto& x : a.crm.approvals())
        if (x.document == number) now = x;
    if (what == "approve" || what == "reject") {
        if (!(role_bit(r.user.role) & kManagers)) throw ForbiddenError("only the approver decides");
        if (now && now->approver != r.user.name && r.user.role != "admin")
            throw ForbiddenError(number + " waits for " + now->approver + "'s approval, not yours");
    }
    if (what == "withdraw" && now && now->rep != to_lower(r.user.mailbox()) && r.user.role != "admin")
        throw ForbiddenError("only the rep who asked (or an admin) withdraws the request for " + number);
    int64_t message = r.id("message"), now_t = int64_t(std::time(nullptr));
    if (message && !a.people.sees_message(a.people.visibility(r.user), message)) throw NotFoundError("no message " + std::to_string(message));
    // A draft uploaded with the request: kept with it; a PDF's words are read in the attachment worker.
    int64_t draft = 0;
    if (r.http.has_file("draft") && !r.http.get_file_value("draft").filename.empty()) {
        if (what != "request") throw InvalidError("a draft goes with a request, not with " + what);
        const auto& f = r.http.get_file_value("draft");
        std::string words;
        if (doc_format(f.content_type, f.filename) == DocFormat::Pdf && !ctx.o.worker_command.empty()) {
            TextWorker worker(ctx.o.worker_command, WorkerLimits{20000, size_t(1) << 30});
            std::string error;
            words = words_hash(worker.extract(DocFormat::Pdf, f.content, 0, &error));
        }
        draft = a.crm.add_approval_draft(number, f.filename, f.content_type, f.content, words, r.user.name, now_t);
    }
    try {
        a.crm.act_on_approval(number, what, r.user.name, r.user.mailbox(), now_t, r.text("comment"), message, draft);
    } catch (...) {
        if (draft) a.crm.drop_approval_draft(draft);
        throw;
    }
    ctx.audit(r, audit_entry("approval_" + what, "document", number, now ? now->rep : "", true, r.text("comment")));
    return after_form({{"document", number}, {"done", what}}, local_path(r.text("back"), "/document?number=" + query_escape(number)));
}

}  // namespace

json approvals_of(LinkedArchive& a, const User& u, const std::set<std::string>& numbers) {
    json out = json::array();
    Visibility v = a.people.visibility(u);
    std::vector<Crm::Violation> violations;
    for (const auto& x : a.crm.approvals())
        if (numbers.count(x.document) && a.people.sees_document(v, x.document)) {
            if (violations.empty()) violations = a.crm.approval_violations();
            out.push_back(approval_detail(a, v, x, u, violations));
        }
    return out;
}

std::vector<Route> approval_routes(Context& ctx) {
    return {
        {"GET", {"/approvals", "/api/v1/approvals"}, kUsers, {},
         {text_param("state", false, "", 16), text_param("sort", false, "requested", 16), flag_param("desc"),
          int_param("limit", false, 50, 1, 1000, true), int_param("offset", false, 0, 0, 100000000)},
         [&ctx](const Request& r) {
             const std::string& s = r.text("state");
             if (!s.empty() && std::find(kApprovalStates.begin(), kApprovalStates.end(), s) == kApprovalStates.end())
                 throw InvalidError("state is mine, pending, approved, rejected, withdrawn, superseded or not_requested, not \"" + s + "\"");
             return list(ctx, r);
         }, ""},
        {"GET", {"/approvals/violations", "/api/v1/approvals/violations"}, kOverseers, {}, {},
         [&ctx](const Request& r) { return violations(ctx, r); }, ""},
        {"POST", {"/approvals/violations/acknowledge", "/api/v1/approvals/violations/acknowledge"}, kManagers, {},
         {text_param("number", true, "", 64), text_param("kind", true, "", 32), text_param("comment", false, "", 1000)},
         [&ctx](const Request& r) { return acknowledge(ctx, r); }, "document"},
        {"POST", {R"(/api/v1/approvals/(request|approve|reject|withdraw))", R"(/approvals/(request|approve|reject|withdraw))"}, kEditors,
         {"what"}, {text_param("number", true, "", 64), text_param("comment", false, "", 1000), text_param("back", false, "", 300),
                    int_param("message", false, 0, 0)},
         [&ctx](const Request& r) { return act(ctx, r); }, "document", 10 * 1024 * 1024 + 64 * 1024},
        {"GET", {R"(/approvals/drafts/([^/]+))"}, kUsers, {"id"}, {int_param("id", true, 0, 1)},
         [&ctx](const Request& r) { return draft(ctx, r, false); }, "document"},
        {"GET", {R"(/approvals/drafts/([^/]+)/preview)"}, kUsers, {"id"}, {int_param("id", true, 0, 1)},
         [&ctx](const Request& r) { return draft(ctx, r, true); }, "document"},
    };
}

}  // namespace tw::web
