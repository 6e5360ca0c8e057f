#include "mail/charset.h"

#include <iconv.h>
#include <uchardet.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

namespace tw {
namespace {

std::string lower_trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '"')) s.remove_suffix(1);
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// Labels seen in real mail that glibc iconv lacks or that mean a superset.
const std::map<std::string, std::string, std::less<>>& aliases() {
    static const std::map<std::string, std::string, std::less<>> m = {
        {"gb2312", "GB18030"}, {"gbk", "GB18030"}, {"x-gbk", "GB18030"}, {"cp936", "GB18030"},
        {"csgb2312", "GB18030"}, {"euc-cn", "GB18030"}, {"x-euc-cn", "GB18030"}, {"gb_2312-80", "GB18030"},
        {"chinese", "GB18030"}, {"windows-936", "GB18030"}, {"ms936", "GB18030"}, {"gb18030", "GB18030"},
        {"big5", "BIG5-HKSCS"}, {"x-big5", "BIG5-HKSCS"}, {"big-5", "BIG5-HKSCS"}, {"cn-big5", "BIG5-HKSCS"},
        {"big5-hkscs", "BIG5-HKSCS"}, {"cp950", "BIG5-HKSCS"},
        {"ks_c_5601-1987", "CP949"}, {"ks_c_5601", "CP949"}, {"ksc5601", "CP949"}, {"ksc_5601", "CP949"},
        {"euc-kr", "CP949"}, {"x-euc-kr", "CP949"}, {"cp949", "CP949"}, {"windows-949", "CP949"},
        {"shift_jis", "CP932"}, {"shift-jis", "CP932"}, {"x-sjis", "CP932"}, {"sjis", "CP932"},
        {"ms_kanji", "CP932"}, {"windows-31j", "CP932"}, {"cp932", "CP932"}, {"x-ms-cp932", "CP932"},
        {"iso-2022-jp", "ISO-2022-JP-3"}, {"iso-2022-jp-1", "ISO-2022-JP-3"}, {"iso-2022-jp-2", "ISO-2022-JP-2"},
        {"euc-jp", "EUC-JP-MS"}, {"x-euc-jp", "EUC-JP-MS"},
        {"x-mac-roman", "MACINTOSH"}, {"macintosh", "MACINTOSH"}, {"mac", "MACINTOSH"},
        {"iso-8859-8-i", "ISO-8859-8"}, {"iso-8859-6-i", "ISO-8859-6"}, {"iso-8859-8-e", "ISO-8859-8"},
        {"unicode-1-1-utf-7", "UTF-7"}, {"utf-7", "UTF-7"}, {"x-unicode20utf7", "UTF-7"},
        {"utf8", "UTF-8"}, {"uft-8", "UTF-8"}, {"utf-8", "UTF-8"}, {"x-utf-8", "UTF-8"}, {"unicode-1-1-utf-8", "UTF-8"},
        {"us-ascii", "WINDOWS-1252"}, {"ascii", "WINDOWS-1252"}, {"ansi_x3.4-1968", "WINDOWS-1252"},
        {"iso-8859-1", "WINDOWS-1252"}, {"latin1", "WINDOWS-1252"}, {"iso8859-1", "WINDOWS-1252"},
        {"x-user-defined", "WINDOWS-1252"}, {"unknown-8bit", "WINDOWS-1252"}, {"default", "WINDOWS-1252"},
        {"utf-16", "UTF-16"}, {"unicode", "UTF-16"}, {"ucs-2", "UTF-16"},
        {"tis-620", "CP874"}, {"windows-874", "CP874"}, {"koi8-u", "KOI8-U"},
    };
    return m;
}

bool starts_with_bom(std::string_view s) { return s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF"; }

// One cached iconv descriptor per target charset and thread (iconv_open is slow).
struct IconvCache {
    std::map<std::string, iconv_t, std::less<>> open;
    ~IconvCache() {
        for (auto& [k, cd] : open)
            if (cd != (iconv_t)-1) iconv_close(cd);
    }
    iconv_t get(const std::string& from) {
        auto it = open.find(from);
        if (it == open.end()) it = open.emplace(from, iconv_open("UTF-8", from.c_str())).first;
        if (it->second != (iconv_t)-1) iconv(it->second, nullptr, nullptr, nullptr, nullptr);
        return it->second;
    }
};

thread_local IconvCache t_iconv;

// Converts with cd; invalid or incomplete input bytes become U+FFFD.
bool run_iconv(iconv_t cd, std::string_view in, std::string& out) {
    bool lossy = false;
    out.clear();
    out.reserve(in.size() * 3 / 2 + 16);
    char buf[8192];
    char* src = const_cast<char*>(in.data());
    size_t left = in.size();
    while (true) {
        char* dst = buf;
        size_t room = sizeof buf;
        size_t r = left ? iconv(cd, &src, &left, &dst, &room) : iconv(cd, nullptr, nullptr, &dst, &room);
        out.append(buf, dst - buf);
        if (r != (size_t)-1) {
            if (left == 0) {
                // flush shift state (ISO-2022-JP, UTF-7)
                dst = buf;
                room = sizeof buf;
                iconv(cd, nullptr, nullptr, &dst, &room);
                out.append(buf, dst - buf);
                break;
            }
            continue;
        }
        if (errno == E2BIG) continue;
        // EILSEQ or EINVAL: skip one byte, mark it, reset the state.
        lossy = true;
        out += "\xEF\xBF\xBD";
        ++src;
        --left;
        iconv(cd, nullptr, nullptr, nullptr, nullptr);
        if (left == 0) break;
    }
    return lossy;
}

}  // namespace

std::string normalize_charset(std::string_view label) {
    std::string l = lower_trim(label);
    if (auto star = l.find('*'); star != std::string::npos) l.erase(star);  // RFC 2231 language
    auto it = aliases().find(l);
    if (it != aliases().end()) return it->second;
    if (l.starts_with("x-")) {
        auto inner = aliases().find(std::string_view(l).substr(2));
        if (inner != aliases().end()) return inner->second;
    }
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::toupper(c); });
    return l;
}

bool is_valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* e = p + s.size();
    while (p < e) {
        unsigned c = *p;
        if (c < 0x80) { ++p; continue; }
        int n;
        unsigned min;
        if ((c & 0xE0) == 0xC0) { n = 1; c &= 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { n = 2; c &= 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { n = 3; c &= 0x07; min = 0x10000; }
        else return false;
        if (e - p <= n) return false;
        for (int i = 1; i <= n; ++i) {
            if ((p[i] & 0xC0) != 0x80) return false;
            c = (c << 6) | (p[i] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
        p += n + 1;
    }
    return true;
}

bool truncate_utf8(std::string& s, size_t max) {
    if (s.size() <= max) return false;
    size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    s.resize(n);
    return true;
}

std::string sanitize_utf8(std::string_view s) {
    if (is_valid_utf8(s)) return std::string(s);
    std::string out;
    out.reserve(s.size() + 16);
    size_t i = 0;
    while (i < s.size()) {
        // find the longest valid prefix of length 1..4 at i
        size_t len = 0;
        unsigned char c = s[i];
        size_t want = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (want && i + want <= s.size() && is_valid_utf8(s.substr(i, want))) len = want;
        if (len) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

std::string detect_charset(std::string_view bytes) {
    struct Del { void operator()(uchardet_t u) const { uchardet_delete(u); } };
    thread_local std::unique_ptr<std::remove_pointer_t<uchardet_t>, Del> ud(uchardet_new());
    uchardet_reset(ud.get());
    if (uchardet_handle_data(ud.get(), bytes.data(), bytes.size()) != 0) return {};
    uchardet_data_end(ud.get());
    const char* cs = uchardet_get_charset(ud.get());
    return cs ? std::string(cs) : std::string();
}

Utf8Result to_utf8(std::string_view bytes, std::string_view label) {
    Utf8Result r;
    std::string name = normalize_charset(label);
    if (name == "UTF-8" || name.empty()) {
        if (starts_with_bom(bytes)) bytes.remove_prefix(3);
        if (is_valid_utf8(bytes)) {
            r.text.assign(bytes);
            return r;
        }
        if (name.empty()) {
            r.text = guess_to_utf8(bytes);
            return r;
        }
        // Labelled UTF-8 but is not: real clients do this with GBK and Latin-1.
        r.text = guess_to_utf8(bytes);
        r.lossy = true;
        return r;
    }
    // Fast path: ASCII-compatible charsets map 7-bit bytes to themselves. Not
    // so for UTF-16/32, for ISO-2022 escapes, or for UTF-7's '+' shifts.
    bool wide = name.starts_with("UTF-16") || name.starts_with("UTF-32") || name.starts_with("UCS");
    bool utf7 = name == "UTF-7";
    bool ascii = !wide && std::all_of(bytes.begin(), bytes.end(), [utf7](unsigned char c) {
        return c < 0x80 && c != 0x1B && c != 0 && !(utf7 && c == '+');
    });
    if (ascii) {
        r.text.assign(bytes);
        return r;
    }
    if (name == "WINDOWS-1252" && is_valid_utf8(bytes)) {  // "us-ascii"/Latin-1 labels on UTF-8 text
        r.text.assign(bytes);
        return r;
    }
    iconv_t cd = t_iconv.get(name);
    if (cd == (iconv_t)-1) {
        r.unknown_charset = true;
        r.text = guess_to_utf8(bytes);
        return r;
    }
    r.lossy = run_iconv(cd, bytes, r.text);
    if (r.lossy && is_valid_utf8(bytes)) {
        // Mislabelled UTF-8 (a 7-bit label such as ISO-2022-JP on 8-bit text, or
        // a gateway that re-encoded the body but kept the header): trust the bytes.
        r.text.assign(bytes);
        r.lossy = false;
        r.mislabelled = true;
        return r;
    }
    if (!is_valid_utf8(r.text)) r.text = sanitize_utf8(r.text);
    return r;
}

namespace {

// Double-byte CJK text (GBK, Big5) has its 8-bit bytes in runs of even
// length; Latin text mostly has single accented letters between ASCII ones.
bool cjk_shaped(std::string_view bytes) {
    size_t run = 0, runs = 0;
    for (size_t i = 0; i <= bytes.size(); ++i) {
        bool high = i < bytes.size() && static_cast<unsigned char>(bytes[i]) >= 0x80;
        if (high) {
            ++run;
        } else if (run) {
            if (run % 2) return false;
            ++runs;
            run = 0;
        }
    }
    return runs > 0;
}

bool is_common_mail_charset(const std::string& name) {
    static const char* common[] = {"WINDOWS-125", "ISO-8859-", "KOI8-", "GB18030", "BIG5", "CP932", "CP949",
                                   "EUC-JP", "EUC-KR", "SHIFT_JIS", "ISO-2022-", "CP874", "TIS-620"};
    for (const char* c : common)
        if (name.rfind(c, 0) == 0) return true;
    return false;
}

// Converts with the named charset; "" unless every byte was valid.
std::string clean_convert(std::string_view bytes, const std::string& name) {
    std::string out;
    iconv_t cd = t_iconv.get(name);
    if (cd == (iconv_t)-1 || run_iconv(cd, bytes, out) || !is_valid_utf8(out)) return {};
    return out;
}

}  // namespace

std::string guess_to_utf8(std::string_view bytes, std::string_view hint) {
    if (is_valid_utf8(bytes)) return std::string(bytes);
    std::string out;
    if (!hint.empty()) {
        std::string name = normalize_charset(hint);
        if (name != "UTF-8" && !(out = clean_convert(bytes, name)).empty()) return out;
    }
    std::string guess = detect_charset(bytes);
    std::string guessed = guess.empty() ? std::string() : normalize_charset(guess);
    // uchardet is unreliable on a few bytes: CJK-shaped bytes are read as
    // Chinese (Big5 only when uchardet says so), which this trade sees most.
    if (cjk_shaped(bytes)) {
        if (guessed == "BIG5-HKSCS" && !(out = clean_convert(bytes, guessed)).empty()) return out;
        if (!(out = clean_convert(bytes, "GB18030")).empty()) return out;
    }
    // On little text uchardet also picks charsets mail hardly uses (Mac
    // Central European for a German "ä"): only the common ones are trusted.
    if (!guessed.empty() && guessed != "UTF-8" && is_common_mail_charset(guessed) &&
        !(out = clean_convert(bytes, guessed)).empty())
        return out;
    if (!(out = clean_convert(bytes, "WINDOWS-1252")).empty()) return out;
    iconv_t cd = t_iconv.get("WINDOWS-1252");
    if (cd != (iconv_t)-1) run_iconv(cd, bytes, out);
    return sanitize_utf8(out);
}

}  // namespace tw
