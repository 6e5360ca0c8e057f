#include "mail/mime_tree.h"

#include "mail/mime_guard.h"
#include "mail/strutil.h"

#include <mimetic/mimetic.h>

#include <sstream>

namespace tw {
namespace {

struct Converter {
    const ParseLimits& lim;
    std::vector<std::string>& problems;
    std::string_view input;
    size_t leaves = 0;
    bool deep_noted = false, many_noted = false;

    MimePart convert(mimetic::MimeEntity& me, int depth) {
        MimePart p;
        auto& h = me.header();
        p.headers.reserve(h.size());
        for (const auto& f : h) p.headers.emplace_back(std::string(f.name()), f.value());
        const auto& ct = h.contentType();
        if (!std::string(ct.type()).empty()) {
            p.type = to_lower(std::string(ct.type()));
            p.subtype = to_lower(std::string(ct.subtype()));
        }
        auto& parts = me.body().parts();
        if (p.is_multipart()) p.boundary = ct.param("boundary");
        if (!parts.empty() && depth >= lim.max_depth) {
            if (!deep_noted) problems.push_back("parts nested deeper than " + std::to_string(lim.max_depth) +
                                               " levels are kept raw, not parsed");
            deep_noted = true;
            p.type = "application";
            p.subtype = "octet-stream";
            return p;
        }
        if (parts.empty()) {
            if (p.is_multipart()) {
                if (p.boundary.empty()) problems.push_back("multipart part without a boundary parameter");
                else problems.push_back("multipart boundary \"" + p.boundary + "\" never appears");
                // What mimetic saw is the preamble: keep it readable as text.
                p.body = std::move(me.body().preamble());
                p.type = "text";
                p.subtype = "plain";
            } else {
                if (++leaves > lim.max_parts) {
                    if (!many_noted) problems.push_back("more than " + std::to_string(lim.max_parts) +
                                                        " parts; the rest are not decoded");
                    many_noted = true;
                    p.dropped = true;
                    return p;
                }
                p.body = std::move(static_cast<std::string&>(me.body()));
            }
            return p;
        }
        if (p.is_multipart() && p.boundary.empty())
            problems.push_back("multipart part without a boundary parameter");
        else if (p.is_multipart() && !closed(p.boundary))
            problems.push_back("multipart boundary \"" + p.boundary + "\" is never closed (truncated or broken message)");
        if (p.is_message()) {
            std::ostringstream os;
            os << *parts.front();
            p.message_bytes = os.str();
            // A base64/QP-encoded message (not allowed, but sent): mimetic parsed the
            // encoded text. Keep it as a leaf; the body walk decodes and parses it.
            const std::string* cte = p.field("Content-Transfer-Encoding");
            std::string enc = cte ? to_lower(*cte) : std::string();
            if (enc.find("base64") != std::string::npos || enc.find("quoted-printable") != std::string::npos) {
                p.body = std::move(p.message_bytes);
                p.message_bytes.clear();
                return p;
            }
        }
        p.children.reserve(parts.size());
        for (auto* child : parts) p.children.push_back(convert(*child, depth + 1));
        return p;
    }

    bool closed(const std::string& boundary) const {
        std::string close = "--" + boundary + "--";
        return input.find(close) != std::string_view::npos;
    }
};

}  // namespace

const std::string* MimePart::field(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (iequals(n, name)) return &v;
    return nullptr;
}

std::vector<const std::string*> MimePart::fields(std::string_view name) const {
    std::vector<const std::string*> out;
    for (const auto& [n, v] : headers)
        if (iequals(n, name)) out.push_back(&v);
    return out;
}

MimePart parse_mime(std::string_view raw, const ParseLimits& lim, std::vector<std::string>& problems) {
    std::string guard_storage;
    std::string_view guarded = guard_for_mimetic(raw, lim, guard_storage, problems);
    // mimetic reads one byte before a part body when it trims a one-byte
    // block, so the bytes it sees start one byte into the buffer. It also
    // drops the last header field when no blank line follows it.
    std::string buf;
    buf.reserve(guarded.size() + 5);
    buf += '\n';
    buf.append(guarded);
    if (guarded.find("\n\n") == std::string_view::npos && guarded.find("\n\r\n") == std::string_view::npos)
        buf += guarded.ends_with('\n') ? "\r\n" : "\r\n\r\n";
    std::string_view input = std::string_view(buf).substr(1);
    try {
        // load() rather than the parsing constructor: if mimetic throws, the
        // entity's destructor still frees the parts it had built.
        mimetic::MimeEntity me;
        me.load(input.begin(), input.end());
        Converter conv{lim, problems, input};
        return conv.convert(me, 0);
    } catch (const std::exception& e) {
        // mimetic computes a negative block size on some broken boundaries and
        // throws from std::string. Keep what is safe: the top-level header.
        problems.push_back(std::string("MIME structure could not be parsed (") + e.what() +
                           "); only the header is used, the raw message is kept");
    }
    try {
        mimetic::MimeEntity top;
        top.load(input.begin(), input.end(), mimetic::imChildParts | mimetic::imBody);
        MimePart p;
        for (const auto& f : top.header()) p.headers.emplace_back(std::string(f.name()), f.value());
        return p;
    } catch (const std::exception&) {
        return MimePart{};
    }
}

}  // namespace tw
