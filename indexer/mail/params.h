// Structured MIME header values with parameters (Content-Type,
// Content-Disposition): RFC 2045 syntax plus RFC 2231 continuations,
// charsets and languages, and the broken forms clients send.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mail/rfc2047.h"

namespace tw {

struct ParamHeader {
    std::string value;  // "text/plain", "attachment": lower-case, white space removed
    // Parameter names lower-case; values decoded to UTF-8 (RFC 2231 or
    // encoded words), continuations joined, in first-seen order.
    std::vector<std::pair<std::string, std::string>> params;

    // Value of a parameter, "" when absent.
    const std::string& param(std::string_view name) const;
    bool has(std::string_view name) const;
};

ParamHeader parse_param_header(std::string_view raw, const HeaderDecodeContext& ctx = {});

// "%E6%8A%A5" -> bytes (RFC 2231 extended values).
std::string percent_decode(std::string_view s);

}  // namespace tw
