#include "mail/message.h"

#include <algorithm>
#include <cstdlib>

#include "mail/charset.h"
#include "mail/codec.h"
#include "mail/date.h"
#include "mail/message_build.h"
#include "mail/msgid.h"
#include "mail/params.h"
#include "mail/strutil.h"
#include "mail/subject.h"

namespace tw {
namespace {

std::vector<Address> addresses(const MimePart& p, const char* name, BuildContext& ctx) {
    std::vector<Address> out;
    for (const std::string* v : p.fields(name)) {
        auto list = parse_address_list(*v, ctx.headers);
        out.insert(out.end(), std::make_move_iterator(list.begin()), std::make_move_iterator(list.end()));
    }
    return out;
}

// The latest date among the Received fields (the text after their last ';').
std::optional<int64_t> received_date(const MimePart& p) {
    std::optional<int64_t> best;
    for (const std::string* v : p.fields("Received")) {
        size_t semi = v->rfind(';');
        if (semi == std::string::npos) continue;
        if (auto t = parse_date(std::string_view(*v).substr(semi + 1)); t && (!best || *t > *best)) best = t;
    }
    return best;
}

// How far a Date may run ahead of the latest Received before it is distrusted.
constexpr int64_t kFutureSlack = 2 * 86400;

void fill_date(const MimePart& p, BuildContext& ctx, int64_t arrival, Message& m) {
    const std::string* d = p.field("Date");
    if (d) {
        if (auto parts = parse_date_parts(*d)) {
            m.date = to_unix_time(*parts);
            m.date_source = DateSource::Header;
            if (!parts->tz_known) ctx.problems.push_back("Date has no time zone; UTC assumed");
            // A sender's clock set days ahead would sort the mail above everything
            // for months: when the servers that carried it disagree, trust them.
            auto received = received_date(p);
            if (received && m.date > *received + kFutureSlack) {
                ctx.problems.push_back("Date is " + std::to_string((m.date - *received) / 86400) +
                                       " days after the mail was received; the Received date is used");
                m.date = *received;
                m.date_source = DateSource::Received;
            } else if (!parts->tz_known && arrival > 0 && std::llabs(m.date - arrival) > kFutureSlack) {
                // A date without a zone, days away from when the mail reached the mailbox, is a broken
                // client's guess ("2025-07-04 10:00"): the arrival is the better witness.
                ctx.problems.push_back("Date without a time zone is " + std::to_string(std::llabs(m.date - arrival) / 86400) +
                                       " days from the mail's arrival; its arrival time is used");
                m.date = arrival;
                m.date_source = DateSource::Arrival;
            } else if (!received && arrival > 0 && m.date > arrival + kFutureSlack) {
                // No Received (the firm's own sent mail): the mailbox's arrival time is the witness.
                ctx.problems.push_back("Date is " + std::to_string((m.date - arrival) / 86400) +
                                       " days after the mail reached the mailbox; its arrival time is used");
                m.date = arrival;
                m.date_source = DateSource::Arrival;
            }
            return;
        }
        ctx.problems.push_back("unparseable Date \"" + sanitize_utf8(std::string(trim(*d)).substr(0, 80)) + "\"");
    } else {
        ctx.problems.push_back("no Date header");
    }
    if (auto r = received_date(p)) {
        m.date = *r;
        m.date_source = DateSource::Received;
        return;
    }
    m.date = arrival;
    m.date_source = DateSource::Arrival;
}

}  // namespace

std::string synthetic_id(const MimePart& p, std::string_view raw) {
    Sha256 h;
    for (const char* f : {"From", "To", "Cc", "Date", "Subject"}) {
        if (const std::string* v = p.field(f)) h.update(unfold(*v));
        h.update("\n");
    }
    size_t body = raw.find("\r\n\r\n");
    size_t body_lf = raw.find("\n\n");
    size_t at = std::min(body == std::string_view::npos ? raw.size() : body + 4,
                         body_lf == std::string_view::npos ? raw.size() : body_lf + 2);
    h.update_without_newlines(raw.substr(at));  // the body without CR and LF
    return h.hex().substr(0, 32) + "@synthetic.tradewind";
}

const char* to_string(DateSource s) {
    switch (s) {
        case DateSource::Header: return "header";
        case DateSource::Received: return "received";
        case DateSource::Arrival: return "arrival";
    }
    return "arrival";
}

std::string first_text_charset(const MimePart& p) {
    if (p.type == "text") {
        if (const std::string* ct = p.field("Content-Type")) {
            std::string cs = parse_param_header(*ct).param("charset");
            if (!cs.empty()) return cs;
        }
    }
    for (const auto& c : p.children)
        if (!c.is_message())
            if (auto cs = first_text_charset(c); !cs.empty()) return cs;
    return {};
}

void fill_header_fields(const MimePart& p, BuildContext& ctx, int64_t arrival, Message& m) {
    std::string cs = first_text_charset(p);
    std::string lcs = to_lower(cs);
    if (lcs != "us-ascii" && lcs != "utf-8") ctx.headers.fallback_charset = cs;
    // Raw 8-bit header bytes are one text to uchardet: more bytes than any one field.
    std::string raw8;
    for (const auto& [name, value] : p.headers)
        if (has_8bit(value) && !is_valid_utf8(value)) raw8 += value + "\n";
    // A single unlabelled 8-bit text body is the same writer's: its bytes count too.
    const std::string* cte = p.field("Content-Transfer-Encoding");
    std::string enc = cte ? to_lower(trim(*cte)) : std::string();
    if (!raw8.empty() && p.type == "text" && cs.empty() && enc != "base64" && enc != "quoted-printable" &&
        has_8bit(p.body) && !is_valid_utf8(p.body))
        raw8 += p.body.substr(0, 4096);
    if (!raw8.empty()) ctx.headers.context_charset = message_charset(raw8, ctx.headers.fallback_charset);
    ctx.headers.problems = &ctx.problems;
    m.from = addresses(p, "From", ctx);
    m.sender = addresses(p, "Sender", ctx);
    m.reply_to = addresses(p, "Reply-To", ctx);
    m.to = addresses(p, "To", ctx);
    m.cc = addresses(p, "Cc", ctx);
    m.bcc = addresses(p, "Bcc", ctx);
    if (m.from.empty()) ctx.problems.push_back(p.field("From") ? "From header has no address" : "no From header");
    if (const std::string* s = p.field("Subject")) m.subject = decode_header_text(*s, ctx.headers);
    m.base_subject = base_subject(m.subject);
    if (const std::string* v = p.field("Message-ID")) m.message_id = parse_msgid(*v);
    if (const std::string* v = p.field("In-Reply-To")) m.in_reply_to = parse_in_reply_to(*v);
    if (const std::string* v = p.field("References")) m.references = parse_msgid_list(*v);
    // Ids are byte strings to us; keep them valid UTF-8 for JSON and the index.
    m.message_id = sanitize_utf8(m.message_id);
    m.in_reply_to = sanitize_utf8(m.in_reply_to);
    for (auto& r : m.references) r = sanitize_utf8(r);
    fill_date(p, ctx, arrival, m);
}

namespace {

// The bytes the parser reads: the header alone for an oversized message, bare
// CRs turned into LFs (mimetic needs LF; scratch holds that copy), no mbox
// "From " line at the top.
std::string_view parse_input(std::string_view input, const ParseLimits& limits, std::string& scratch,
                             std::vector<std::string>& problems) {
    if (input.size() > limits.max_message_bytes) {
        problems.push_back("message over " + std::to_string(limits.max_message_bytes) +
                           " bytes: only the header is parsed");
        size_t end = input.find("\n\r\n");
        if (end == std::string_view::npos) end = input.find("\n\n");
        input = input.substr(0, std::min(end == std::string_view::npos ? input.size() : end + 1,
                                         limits.max_header_block_bytes));
    }
    // Bare-CR line endings (old Mac clients).
    if (input.find('\n') == std::string_view::npos && input.find('\r') != std::string_view::npos) {
        scratch.assign(input);
        std::replace(scratch.begin(), scratch.end(), '\r', '\n');
        input = scratch;
    }
    // An mbox "From " separator line left at the top (files cut from mbox) is not a header.
    if (input.starts_with("From ")) {
        size_t nl = input.find('\n');
        input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    }
    return input;
}

// The header block of input, up to and including the line that ends it.
std::string_view header_block(std::string_view input) {
    size_t lf = input.find("\n\n");
    size_t crlf = input.find("\n\r\n");
    size_t end = std::min(lf == std::string_view::npos ? input.size() : lf + 1,
                          crlf == std::string_view::npos ? input.size() : crlf + 1);
    return input.substr(0, end);
}

}  // namespace

Message parse_message(std::string raw, int64_t arrival, const ParseLimits& limits) {
    Message m;
    m.raw = std::move(raw);
    std::string scratch;
    std::string_view input = parse_input(m.raw, limits, scratch, m.problems);
    bool header_only = m.raw.size() > limits.max_message_bytes;
    if (input.empty()) m.problems.push_back("empty message");
    else if (!header_only && input.find("\n\n") == std::string_view::npos && input.find("\n\r\n") == std::string_view::npos)
        m.problems.push_back("no blank line after the header (truncated, or no body)");
    MimePart root = parse_mime(input, limits, m.problems);
    BuildContext ctx{limits, m.problems, {}, 0};
    fill_header_fields(root, ctx, arrival, m);
    if (m.message_id.empty()) {
        m.problems.push_back(root.field("Message-ID") ? "empty or unreadable Message-ID" : "no Message-ID");
        m.content_key = synthetic_id(root, input);
        m.message_id = m.content_key;
        m.synthetic_id = true;
    }
    fill_body(root, ctx, m);
    return m;
}

std::string content_key(std::string_view raw, const ParseLimits& limits) {
    std::string scratch;
    std::vector<std::string> problems;
    std::string_view input = parse_input(raw, limits, scratch, problems);
    MimePart root = parse_mime(header_block(input), limits, problems);
    return synthetic_id(root, input);
}

}  // namespace tw
