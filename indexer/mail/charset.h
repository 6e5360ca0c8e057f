// Charset conversion to UTF-8 (glibc iconv, uchardet). The only code that
// touches iconv or uchardet.
#pragma once
#include <string>
#include <string_view>

namespace tw {

// The iconv name to use for a MIME charset label: lower-cased, trimmed,
// RFC 2231 language suffix removed, and labels glibc lacks mapped to what
// real mail means by them (gb2312 -> GB18030, ks_c_5601-1987 -> CP949, ...).
std::string normalize_charset(std::string_view label);

bool is_valid_utf8(std::string_view s);

// Cuts s to at most max bytes without splitting a UTF-8 character. True if it cut.
bool truncate_utf8(std::string& s, size_t max);

// Replaces every invalid UTF-8 sequence with U+FFFD. Valid input is returned unchanged.
std::string sanitize_utf8(std::string_view s);

struct Utf8Result {
    std::string text;          // always valid UTF-8
    bool unknown_charset = false;  // iconv does not know the label (text is a best guess)
    bool lossy = false;            // some bytes were invalid in the charset
    bool mislabelled = false;      // not valid in the charset, but valid UTF-8: taken as UTF-8
    std::string relabelled;        // a CJK label whose bytes read far better in this charset (taken)
};

// Converts bytes in the given charset label to UTF-8. Never fails: unknown
// labels fall back to detect-then-guess, invalid bytes become U+FFFD. A
// Chinese, Japanese or Korean label is a prior only: when the bytes read far
// better in another of those charsets (scored per character), that one is
// taken (relabelled). context: uchardet's answer over more of the message
// (its 8-bit header bytes), a second prior.
Utf8Result to_utf8(std::string_view bytes, std::string_view charset_label, std::string_view context = {});

// uchardet's guess for bytes ("" when unsure).
std::string detect_charset(std::string_view bytes);

// For bytes with no declared charset (raw 8-bit headers, text attachments):
// valid UTF-8 stays; a Latin hint on Latin-shaped bytes is taken; otherwise
// the candidates (GB18030, Big5, Shift_JIS, EUC-JP, EUC-KR, windows-1252,
// the hint, uchardet's answer) that convert cleanly are scored by how
// plausibly they read, the hint (usually the body's charset) and context
// (uchardet over the message's 8-bit header bytes) as priors.
std::string guess_to_utf8(std::string_view bytes, std::string_view hint_charset = {}, std::string_view context = {});

// The charset a message's raw 8-bit header bytes (all of them together)
// read best in, with hint (its body's charset) and uchardet's answer as
// priors: the context for its fields and unlabelled parts. "" for UTF-8.
std::string message_charset(std::string_view raw_header_bytes, std::string_view hint = {});

}  // namespace tw
