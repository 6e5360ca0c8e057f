#include "mime_tree.h"

#include <mimetic/mimetic.h>

#include <algorithm>
#include <cstring>
#include <sstream>
#include <strings.h>

namespace tw {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

bool icontains(std::string_view hay, std::string_view needle) {
    if (needle.size() > hay.size()) return false;
    for (size_t i = 0; i + needle.size() <= hay.size(); ++i)
        if (strncasecmp(hay.data() + i, needle.data(), needle.size()) == 0) return true;
    return false;
}

// Cuts what would make mimetic stall or recurse too deep, before it parses.
// Header blocks can start at the top, after any line that begins with "--"
// (a boundary, as mimetic sees it) and after the header block of a message/*
// part. Over-approximating those positions is safe: only lines longer than
// the field limit are ever cut.
class Guard {
public:
    Guard(std::string_view raw, const ParseLimits& lim, std::vector<std::string>& problems)
        : raw_(raw), lim_(lim), problems_(problems) {}

    // The bytes to hand to mimetic: raw itself when nothing had to be cut.
    std::string_view run() {
        size_t pos = 0;
        bool in_header = true;
        size_t field_len = 0, block_len = 0, block_start = 0;
        bool block_container = false, block_message = false, in_ctype = false;
        while (pos < raw_.size()) {
            const char* nl = static_cast<const char*>(memchr(raw_.data() + pos, '\n', raw_.size() - pos));
            size_t end = nl ? size_t(nl - raw_.data()) + 1 : raw_.size();
            std::string_view line = raw_.substr(pos, end - pos);
            std::string_view content = line;
            while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.remove_suffix(1);
            if (!in_header) {
                bool padded = content.starts_with("--") && (content.back() == ' ' || content.back() == '\t');
                if (padded) {
                    // RFC 2046 transport padding after a boundary: mimetic does not accept it.
                    std::string_view bare = content;
                    while (bare.back() == ' ' || bare.back() == '\t') bare.remove_suffix(1);
                    skip(pos, end);
                    out_.append(bare);
                    out_.append(line.substr(content.size()));
                } else {
                    keep(pos, end);
                }
                if (content.starts_with("--")) {
                    in_header = true;
                    field_len = block_len = 0;
                    block_start = end;
                    block_container = block_message = in_ctype = false;
                }
                pos = end;
                continue;
            }
            if (content.empty()) {  // end of a header block
                keep(pos, end);
                in_header = block_message;
                field_len = block_len = 0;
                block_start = end;
                block_container = block_message = in_ctype = false;
                pos = end;
                continue;
            }
            bool continuation = line[0] == ' ' || line[0] == '\t';
            if (!continuation) {
                field_len = 0;
                in_ctype = content.size() >= 13 && strncasecmp(content.data(), "content-type:", 13) == 0;
            }
            if (in_ctype) {
                bool is_msg = icontains(content, "message/") || icontains(content, "message /");
                bool is_multi = icontains(content, "multipart");
                if ((is_msg || is_multi) && !block_container) {
                    block_container = true;
                    if (++containers_ > lim_.max_containers) {
                        problems_.push_back("more than " + std::to_string(lim_.max_containers) +
                                            " multipart/message parts; the rest of the message is not parsed");
                        truncate_at(block_start);
                        return view();
                    }
                }
                block_message = block_message || is_msg;
            }
            // What of this line fits the field limit, then the block limit.
            size_t field_room = lim_.max_header_field_bytes > field_len ? lim_.max_header_field_bytes - field_len : 0;
            size_t keep_len = std::min(line.size(), field_room);
            field_len += line.size();
            if (keep_len < line.size())
                note_once(cut_field_, "header field over " + std::to_string(lim_.max_header_field_bytes) +
                                          " bytes was cut before parsing");
            if (block_len + keep_len > lim_.max_header_block_bytes) {
                note_once(cut_block_, "header block over " + std::to_string(lim_.max_header_block_bytes) +
                                          " bytes; the surplus fields are not parsed");
                keep_len = 0;
            }
            block_len += keep_len;
            if (keep_len == line.size()) {
                keep(pos, end);
            } else {
                skip(pos, end);
                // A cut field keeps its first bytes; a cut new field keeps at least its name.
                if (keep_len > 0 || !continuation) {
                    out_.append(raw_.substr(pos, std::min(std::max<size_t>(keep_len, 1), content.size())));
                    out_ += "\r\n";
                }
            }
            // A line that is neither a field nor a continuation ends mimetic's header.
            if (!continuation && content.find(':') == std::string_view::npos) in_header = false;
            pos = end;
        }
        return view();
    }

private:
    void keep(size_t from, size_t to) {
        if (copying_) out_.append(raw_.substr(from, to - from));
    }
    void skip(size_t from, size_t) {
        if (!copying_) {
            copying_ = true;
            out_.assign(raw_.substr(0, from));
        }
    }
    void truncate_at(size_t at) {
        if (!copying_) {
            copying_ = true;
            out_.assign(raw_.substr(0, at));
        } else {
            // at is a raw offset; everything kept so far precedes it, so keep as is
        }
    }
    void note_once(bool& flag, std::string msg) {
        if (!flag) problems_.push_back(std::move(msg));
        flag = true;
    }
    std::string_view view() const { return copying_ ? std::string_view(out_) : raw_; }

    std::string_view raw_;
    const ParseLimits& lim_;
    std::vector<std::string>& problems_;
    std::string out_;
    bool copying_ = false, cut_field_ = false, cut_block_ = false;
    size_t containers_ = 0;
};

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
            p.type = lower(std::string(ct.type()));
            p.subtype = lower(std::string(ct.subtype()));
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
            std::string enc = cte ? lower(*cte) : std::string();
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
        if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) return &v;
    return nullptr;
}

std::vector<const std::string*> MimePart::fields(std::string_view name) const {
    std::vector<const std::string*> out;
    for (const auto& [n, v] : headers)
        if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) out.push_back(&v);
    return out;
}

MimePart parse_mime(std::string_view raw, const ParseLimits& lim, std::vector<std::string>& problems) {
    Guard guard(raw, lim, problems);
    std::string_view guarded = guard.run();
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
