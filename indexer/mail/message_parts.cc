// The body walk: which parts are the text a person reads, which are
// attachments, and what text each attachment holds.
#include <algorithm>

#include "mail/attachment_text.h"
#include "mail/charset.h"
#include "mail/date.h"
#include "mail/flowed.h"
#include "mail/html_text.h"
#include "mail/message_build.h"
#include "mail/msgid.h"
#include "mail/params.h"
#include "mail/strutil.h"

namespace tw {
namespace {

std::string describe(const std::string& ct, const std::string& filename) {
    return filename.empty() ? ct : "\"" + filename + "\"";
}

struct Walk {
    BuildContext& ctx;
    Message& m;

    void part(const MimePart& p) {
        if (p.dropped) return;
        if (p.is_multipart()) {
            for (const auto& c : p.children) part(c);
            return;
        }
        if (p.is_message() && !p.children.empty()) {
            forwarded(p);
            return;
        }
        if (p.is_message() && !p.body.empty() && ctx.depth + 1 < ctx.limits.max_depth) {
            encoded_forward(p);
            return;
        }
        leaf(p);
    }

    // Transfer-decoded body bytes.
    std::string decode(const MimePart& p, const std::string& what) {
        const std::string* cte = p.field("Content-Transfer-Encoding");
        std::string enc = cte ? to_lower(trim(*cte)) : std::string();
        if (enc == "base64") {
            bool bad = false;
            std::string out = decode_base64(p.body, &bad);
            if (bad) ctx.problems.push_back("bad base64 in " + what + " (invalid characters or truncated)");
            return out;
        }
        if (enc == "quoted-printable") return decode_qp(p.body);
        if (!enc.empty() && enc != "7bit" && enc != "8bit" && enc != "binary" && enc != "x-uuencode" &&
            enc != "uuencode" && enc != "x-uue")
            ctx.problems.push_back("unknown Content-Transfer-Encoding \"" + sanitize_utf8(enc) + "\" in " + what +
                                   "; kept as is");
        return p.body;
    }

    std::string to_text(const std::string& bytes, const std::string& charset, const std::string& what) {
        if (charset.empty()) return guess_to_utf8(bytes, {}, ctx.headers.context_charset);
        Utf8Result r = to_utf8(bytes, charset, ctx.headers.context_charset);
        if (r.unknown_charset)
            ctx.problems.push_back("unknown charset \"" + sanitize_utf8(charset) + "\" in " + what + " (guessed)");
        else if (r.lossy)
            ctx.problems.push_back("bytes not valid in charset \"" + sanitize_utf8(charset) + "\" in " + what);
        else if (r.mislabelled)
            ctx.problems.push_back(what + " is labelled \"" + sanitize_utf8(charset) + "\" but is UTF-8");
        else if (!r.relabelled.empty())
            ctx.problems.push_back(what + " is labelled \"" + sanitize_utf8(charset) + "\" but reads as " + r.relabelled);
        return r.text;
    }

    void leaf(const MimePart& p) {
        const std::string* ct_raw = p.field("Content-Type");
        ParamHeader ct = ct_raw ? parse_param_header(*ct_raw, ctx.headers) : ParamHeader{};
        // mimetic's type when the header's is unusable, or when a multipart without parts was degraded to text.
        std::string type = ct.value.find('/') != std::string::npos && !ct.value.starts_with("multipart/")
                               ? ct.value
                               : p.type + "/" + p.subtype;
        const std::string* cd_raw = p.field("Content-Disposition");
        ParamHeader cd = cd_raw ? parse_param_header(*cd_raw, ctx.headers) : ParamHeader{};
        std::string filename = cd.param("filename");
        if (filename.empty()) filename = ct.param("name");
        std::string charset = ct.param("charset");
        bool is_attachment = cd.value == "attachment" || !filename.empty();
        if (!is_attachment && type == "text/plain") {
            std::string t = to_text(decode(p, "the text part"), charset, "the text part");
            if (iequals(ct.param("format"), "flowed")) t = unflow(t, iequals(ct.param("delsp"), "yes"));
            if (!m.text.empty() && !t.empty()) m.text += "\n\n";
            m.text += t;
            return;
        }
        if (!is_attachment && type == "text/html" && m.html.empty()) {
            std::string bytes = decode(p, "the HTML part");
            m.html = to_text(bytes, charset.empty() ? html_meta_charset(bytes) : charset, "the HTML part");
            return;
        }
        Attachment a;
        a.filename = filename;
        a.content_type = type;
        a.disposition = cd.value;
        if (const std::string* cid = p.field("Content-ID")) a.content_id = sanitize_utf8(parse_msgid(*cid));
        std::string data = decode(p, describe(type, filename));
        a.size = data.size();
        a.sha256 = sha256_hex(data);
        if (ctx.limits.extract_attachment_text) {
            std::vector<std::string> problems;
            a.text = extract_attachment_text(doc_format(type, filename), data, ctx.limits, problems, charset);
            for (auto& p : problems) ctx.problems.push_back(describe(type, filename) + ": " + p);
        }
        if (ctx.limits.keep_attachment_data) a.data = std::move(data);
        m.attachments.push_back(std::move(a));
    }

    // A message/rfc822 part sent base64- or QP-encoded: decode, then parse it whole.
    void encoded_forward(const MimePart& p) {
        std::string bytes = decode(p, "a forwarded message");
        std::vector<std::string> problems;
        MimePart inner = parse_mime(bytes, ctx.limits, problems);
        auto nested = std::make_shared<Message>();
        nested->problems = std::move(problems);
        forwarded_from_tree(p, inner, bytes, std::move(nested));
    }

    void forwarded(const MimePart& p) {
        forwarded_from_tree(p, p.children.front(), p.message_bytes, std::make_shared<Message>());
    }

    void forwarded_from_tree(const MimePart& p, const MimePart& inner, const std::string& bytes,
                             std::shared_ptr<Message> nested) {
        BuildContext sub{ctx.limits, nested->problems, {}, ctx.depth + 1};
        fill_header_fields(inner, sub, m.date, *nested);
        if (nested->message_id.empty()) {
            nested->message_id = synthetic_id(inner, bytes);
            nested->synthetic_id = true;
        }
        fill_body(inner, sub, *nested);
        Attachment a;
        const std::string* cd_raw = p.field("Content-Disposition");
        ParamHeader cd = cd_raw ? parse_param_header(*cd_raw, ctx.headers) : ParamHeader{};
        a.filename = cd.param("filename");
        if (a.filename.empty()) a.filename = (nested->subject.empty() ? "forwarded message" : nested->subject) + ".eml";
        a.content_type = "message/" + p.subtype;
        a.disposition = cd.value;
        a.size = bytes.size();
        a.sha256 = sha256_hex(bytes);
        if (ctx.limits.keep_attachment_data) a.data = bytes;
        // Searchable: who wrote it, when, about what, and everything it says.
        std::string& t = a.text;
        t = "From: " + format_addresses(nested->from) + "\nTo: " + format_addresses(nested->to) + "\nDate: " + format_iso_utc(nested->date) +
            "\nSubject: " + nested->subject + "\n\n" + nested->text;
        for (const auto& na : nested->attachments) t += "\n\n" + na.filename + "\n" + na.text;
        truncate_utf8(t, ctx.limits.max_attachment_text_bytes);
        a.message = std::move(nested);
        m.attachments.push_back(std::move(a));
    }
};

}  // namespace

void fill_body(const MimePart& root, BuildContext& ctx, Message& m) {
    Walk w{ctx, m};
    w.part(root);
    // Mail whose plain part is empty or missing: the HTML is what people read.
    if (trim(m.text).empty() && !m.html.empty()) m.text = html_to_text(m.html);
    m.text = normalize_newlines(m.text);
    if (truncate_utf8(m.text, ctx.limits.max_text_bytes))
        ctx.problems.push_back("body text over " + std::to_string(ctx.limits.max_text_bytes) + " bytes was cut");
}

}  // namespace tw
