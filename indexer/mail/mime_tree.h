// The MIME structure of a message, as mimetic parses it. mime_tree.cc is the
// only code that touches mimetic: its types stay behind this header.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mail/parse_limits.h"

namespace tw {

struct MimePart {
    // Header fields in order: name as written, value unfolded but not decoded.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string type = "text", subtype = "plain";  // lower-case, from mimetic
    std::string boundary;                          // multipart only
    std::string body;                              // leaves: still transfer-encoded
    std::vector<MimePart> children;                // multipart parts, or the one message/rfc822 message
    std::string message_bytes;                     // message/rfc822: the enclosed message, re-serialised
    bool dropped = false;                          // over the part limit: not decoded

    // First field with this name (case-insensitive), or nullptr.
    const std::string* field(std::string_view name) const;
    std::vector<const std::string*> fields(std::string_view name) const;
    bool is_multipart() const { return type == "multipart"; }
    bool is_message() const { return type == "message" && (subtype == "rfc822" || subtype == "global"); }
};

// Parses raw bytes into a tree. Cuts over-long header fields and surplus
// containers before mimetic sees them (STACK.md: it stalls and crashes on
// those), and reports what it cut and what was malformed into problems.
MimePart parse_mime(std::string_view raw, const ParseLimits& limits, std::vector<std::string>& problems);

}  // namespace tw
