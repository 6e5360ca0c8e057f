// The normalised message: every field clean UTF-8, whatever the raw bytes
// were. parse_message() is the one entry point; it never throws for bad
// mail, never loses the raw bytes, and lists what was wrong in problems.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mail/address.h"
#include "mail/parse_limits.h"

namespace tw {

struct Message;

struct Attachment {
    std::string filename;      // decoded (RFC 2231, encoded words, raw 8-bit); may be ""
    std::string content_type;  // lower-case "type/subtype"
    std::string disposition;   // "attachment", "inline" or ""
    std::string content_id;    // without brackets
    size_t size = 0;           // decoded bytes
    std::string sha256;        // of the decoded bytes, lower-case hex
    std::string text;          // extracted searchable text (PDF, XLSX, DOCX, CSV, TXT, HTML, forwarded mail)
    std::shared_ptr<const Message> message;  // a forwarded message/rfc822 part, parsed
    std::string data;  // the decoded bytes, only with ParseLimits::keep_attachment_data
};

enum class DateSource { Header, Received, Arrival };
const char* to_string(DateSource s);

struct Message {
    std::string message_id;  // without brackets
    bool synthetic_id = false;
    std::string subject;       // decoded
    std::string base_subject;  // without Re:/Fwd:/回复: prefixes (threading)
    std::vector<Address> from, sender, reply_to, to, cc, bcc;
    int64_t date = 0;  // seconds since the epoch, UTC
    DateSource date_source = DateSource::Arrival;
    std::string in_reply_to;
    std::vector<std::string> references;
    std::string text;  // what a person reads: text/plain, else the HTML as text
    std::string html;  // the HTML part, UTF-8, unsanitised (sanitise before display)
    std::vector<Attachment> attachments;
    std::vector<std::string> problems;
    // What every delivered copy shares (From, To, Cc, Date, Subject, body without
    // line endings), hashed: tells copies of one mail from different mails that
    // reuse a Message-ID. Computed here only for mail without a Message-ID
    // (it is then the synthetic id); content_key() gives it for any mail.
    std::string content_key;
    std::string raw;  // the bytes as received, untouched
};

// arrival_time: when the mail reached us (file mtime, IMAP INTERNALDATE),
// used when neither Date nor Received gives a date.
Message parse_message(std::string raw, int64_t arrival_time, const ParseLimits& limits = {});

// The content key of raw mail (see Message::content_key), from its header and
// body alone: the archive asks only when a Message-ID is already stored.
std::string content_key(std::string_view raw, const ParseLimits& limits = {});

}  // namespace tw
