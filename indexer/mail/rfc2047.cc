#include "mail/rfc2047.h"

#include "mail/charset.h"
#include "mail/codec.h"
#include "mail/strutil.h"

namespace tw {
namespace {

struct Word {
    size_t begin = 0, end = 0;  // span in the input, "=?" .. "?="
    std::string charset;
    char encoding = 0;
    std::string_view payload;
};

// Finds the encoded word that starts at or after from. Lenient: the payload
// may contain spaces that a folding client inserted, but not "?=".
bool next_word(std::string_view s, size_t from, Word& w) {
    while (true) {
        size_t b = s.find("=?", from);
        if (b == std::string_view::npos) return false;
        size_t q1 = s.find('?', b + 2);
        if (q1 == std::string_view::npos) return false;
        size_t q2 = q1 + 2;
        std::string_view cs = s.substr(b + 2, q1 - b - 2);
        bool cs_ok = !cs.empty() && cs.size() < 64 && cs.find_first_of(" \t\"()<>,;:") == std::string_view::npos;
        if (!cs_ok || q2 >= s.size() || s[q2] != '?' || std::string_view("BbQq").find(s[q1 + 1]) == std::string_view::npos) {
            from = b + 2;
            continue;
        }
        size_t e = s.find("?=", q2 + 1);
        if (e == std::string_view::npos) return false;
        w.begin = b;
        w.end = e + 2;
        w.charset = std::string(cs);
        w.encoding = char(std::toupper(s[q1 + 1]));
        w.payload = s.substr(q2 + 1, e - q2 - 1);
        return true;
    }
}

int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool only_space(std::string_view s) {
    for (char c : s)
        if (!is_wsp(c)) return false;
    return true;
}

void note(const HeaderDecodeContext& ctx, std::string msg) {
    if (!ctx.problems) return;
    for (const auto& p : *ctx.problems)
        if (p == msg) return;
    ctx.problems->push_back(std::move(msg));
}

std::string plain_text(std::string_view s, const HeaderDecodeContext& ctx) {
    if (!has_8bit(s)) return std::string(s);
    if (is_valid_utf8(s)) return std::string(s);
    note(ctx, "raw 8-bit header text that is not UTF-8 (charset guessed)");
    return guess_to_utf8(s, ctx.fallback_charset, ctx.context_charset);
}

// Undoes folding. A fold inside an encoded word (clients that wrap long
// words) vanishes; elsewhere CRLF + white space is one space.
std::string unfold_words(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    size_t word_start = std::string::npos;  // where an unfinished "=?" in out begins
    int qmarks = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\r' || c == '\n') {
            while (i + 1 < s.size() && (s[i + 1] == '\r' || s[i + 1] == '\n' || s[i + 1] == ' ' || s[i + 1] == '\t')) ++i;
            bool inside = word_start != std::string::npos && qmarks >= 3;
            if (!inside && !out.empty() && out.back() != ' ') out += ' ';
            continue;
        }
        if (c == '\t') c = ' ';
        out += c;
        size_t n = out.size();
        if (n >= 2 && out[n - 2] == '=' && out[n - 1] == '?' && word_start == std::string::npos) {
            word_start = n - 2;
            qmarks = 1;
        } else if (word_start != std::string::npos && c == '?') {
            ++qmarks;
        } else if (word_start != std::string::npos && qmarks >= 4 && n >= 2 && out[n - 2] == '?' && c == '=') {
            word_start = std::string::npos;
        } else if (word_start != std::string::npos && c == '=' && qmarks >= 4) {
            word_start = std::string::npos;
        }
        if (word_start != std::string::npos && qmarks < 3 && c == ' ') word_start = std::string::npos;
    }
    return out;
}

}  // namespace

std::string decode_word_payload(char encoding, std::string_view payload, bool* bad) {
    std::string compact;
    compact.reserve(payload.size());
    bool b64 = encoding == 'B' || encoding == 'b';
    for (char c : payload)
        if (!(b64 ? is_wsp(c) : (c == '\r' || c == '\n'))) compact += c;  // Q: literal spaces are text
    if (b64) return decode_base64(compact, bad);
    std::string out;
    out.reserve(compact.size());
    for (size_t i = 0; i < compact.size(); ++i) {
        char c = compact[i];
        if (c == '_') out += ' ';
        else if (c == '=' && i + 2 < compact.size() + 0 && hexval(compact[i + 1]) >= 0 && hexval(compact[i + 2]) >= 0) {
            out += char(hexval(compact[i + 1]) * 16 + hexval(compact[i + 2]));
            i += 2;
        } else out += c;
    }
    return out;
}

std::string decode_header_text(std::string_view raw, const HeaderDecodeContext& ctx) {
    std::string s = unfold_words(raw);
    std::string_view in(s);
    std::string out;
    out.reserve(in.size());
    size_t pos = 0;
    Word w;
    // Bytes of consecutive encoded words in one charset are joined before
    // conversion, so a character split across two words survives.
    std::string pending_bytes, pending_charset;
    auto flush = [&] {
        if (pending_bytes.empty() && pending_charset.empty()) return;
        Utf8Result r = to_utf8(pending_bytes, pending_charset, ctx.context_charset);
        if (r.unknown_charset) note(ctx, "unknown charset \"" + pending_charset + "\" in an encoded word");
        else if (!r.relabelled.empty())
            note(ctx, "an encoded word labelled \"" + pending_charset + "\" reads as " + r.relabelled + " (taken)");
        else if (r.lossy) note(ctx, "encoded word not valid in its charset \"" + pending_charset + "\"");
        out += r.text;
        pending_bytes.clear();
        pending_charset.clear();
    };
    while (next_word(in, pos, w)) {
        std::string_view gap = in.substr(pos, w.begin - pos);
        bool adjacent = !pending_charset.empty() && only_space(gap);
        if (!adjacent) {
            flush();
            out += plain_text(gap, ctx);
        }
        bool bad = false;
        std::string bytes = decode_word_payload(w.encoding, w.payload, &bad);
        if (bad && w.encoding == 'B') note(ctx, "bad base64 in an encoded word");
        if (!pending_charset.empty() && normalize_charset(pending_charset) != normalize_charset(w.charset)) flush();
        pending_charset = w.charset.empty() ? "us-ascii" : w.charset;
        pending_bytes += bytes;
        pos = w.end;
    }
    flush();
    out += plain_text(in.substr(pos), ctx);
    // Decoded words may carry control characters (tabs, CR/LF): make them spaces.
    for (auto& c : out)
        if (c == '\r' || c == '\n' || c == '\t' || c == '\0') c = ' ';
    return std::string(trim(out));
}

}  // namespace tw
