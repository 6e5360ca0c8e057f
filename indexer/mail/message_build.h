// Internal to the indexer: turning a MimePart tree into a Message.
#pragma once
#include "mail/codec.h"
#include "mail/message.h"
#include "mail/mime_tree.h"
#include "mail/rfc2047.h"

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

// A stable id for mail without Message-ID: the hash of what every delivered
// copy shares (From, To, Cc, Date, Subject, body), not the trace headers that
// differ per copy, and not the line endings that differ per store (Maildir LF,
// IMAP CRLF). raw: the message's bytes, header included.
std::string synthetic_id(const MimePart& root, std::string_view raw);

// The charset of the first text part, for guessing raw 8-bit headers.
std::string first_text_charset(const MimePart& root);

}  // namespace tw
