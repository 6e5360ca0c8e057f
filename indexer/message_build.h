// Internal to the indexer: turning a MimePart tree into a Message.
#pragma once
#include "codec.h"
#include "message.h"
#include "mime_tree.h"
#include "rfc2047.h"

namespace tw {

struct BuildContext {
    const ParseLimits& limits;
    std::vector<std::string>& problems;
    HeaderDecodeContext headers;  // fallback charset for raw 8-bit headers
    int depth = 0;                // message/rfc822 nesting
};

// Fills msg's header fields (addresses, subject, ids, date) from the part's header.
void fill_header_fields(const MimePart& root, BuildContext& ctx, int64_t arrival_time, Message& msg);

// Fills msg.text, msg.html and msg.attachments by walking the part tree.
void fill_body(const MimePart& root, BuildContext& ctx, Message& msg);

// The charset of the first text part, for guessing raw 8-bit headers.
std::string first_text_charset(const MimePart& root);

}  // namespace tw
