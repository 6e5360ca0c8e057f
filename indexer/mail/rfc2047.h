// RFC 2047 encoded words, and raw 8-bit header text, to UTF-8.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace tw {

struct HeaderDecodeContext {
    // Charset to try first for raw 8-bit bytes that are not UTF-8
    // (usually the message's body charset). May be empty.
    std::string fallback_charset;
    // Where to note what went wrong; may be null.
    std::vector<std::string>* problems = nullptr;
    // The charset all of the message's raw 8-bit header bytes together read
    // best in (message_charset: more bytes than any one field, uchardet's
    // answer included): a second prior. May be empty.
    std::string context_charset;
};

// Decodes unstructured header text (Subject, display names, filenames):
// encoded words in any charset iconv knows, with the broken forms real
// clients send: words glued to text, words inside quoted strings, multibyte
// characters split across adjacent words, unknown labels. White space between
// adjacent encoded words is dropped; folding is undone. Always valid UTF-8.
std::string decode_header_text(std::string_view raw, const HeaderDecodeContext& ctx = {});

// Decodes the payload of one encoded word ("B" or "Q") to bytes.
std::string decode_word_payload(char encoding, std::string_view payload, bool* bad = nullptr);

}  // namespace tw
