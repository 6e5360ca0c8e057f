// Table-driven tests of RFC 2047 decoding, including the broken forms.
#include <catch2/catch.hpp>

#include "mail/rfc2047.h"

using tw::decode_header_text;
using tw::HeaderDecodeContext;

namespace {
// A context whose only hint is the body charset.
HeaderDecodeContext hint(const char* charset) {
    HeaderDecodeContext c;
    c.fallback_charset = charset;
    return c;
}
}  // namespace

TEST_CASE("encoded words decode in the charsets of the trade", "[rfc2047]") {
    struct Row { const char* raw; const char* want; };
    const Row rows[] = {
        {"=?UTF-8?B?5oql5Lu35Y2V?=", "报价单"},
        {"=?utf-8?q?Caf=C3=A9_au_lait?=", "Café au lait"},
        {"=?gb2312?B?sai827Wl?=", "报价单"},                       // GBK bytes labelled gb2312
        {"=?GBK?B?u9i4tDog0a+827Wl?=", "回复: 询价单"},
        {"=?gb18030?B?sai827Wl?=", "报价单"},
        {"=?x-gbk?B?sai827Wl?=", "报价单"},
        {"=?big5?B?s/i7+bPm?=", "報價單"},
        {"=?ISO-2022-JP?B?GyRCOCtAUT1xGyhC?=", "見積書"},
        {"=?shift_jis?B?jKmQz4+R?=", "見積書"},
        {"=?euc-kr?B?sKG55g==?=", "가방"},
        {"=?ks_c_5601-1987?B?sKG55g==?=", "가방"},
        {"=?koi8-r?B?8NLJ18XU?=", "Привет"},
        {"=?iso-8859-1?q?M=FCller?=", "Müller"},
        {"=?windows-1252?q?=93quoted=94?=", "\u201Cquoted\u201D"},
        {"=?iso-8859-15?q?=A4uro?=", "€uro"},
        {"=?utf-7?Q?+ThZ1TA-?=", "世界"},
        {"=?unicode-1-1-utf-7?Q?+ThZ1TA-?=", "世界"},
        {"=?UTF-8*zh?B?5oql5Lu35Y2V?=", "报价单"},                  // RFC 2231 language suffix
    };
    for (const auto& r : rows) {
        INFO(r.raw);
        CHECK(decode_header_text(r.raw) == r.want);
    }
}

TEST_CASE("white space between adjacent encoded words is dropped, not elsewhere", "[rfc2047]") {
    CHECK(decode_header_text("=?utf-8?q?a?= =?utf-8?q?b?=") == "ab");
    CHECK(decode_header_text("=?utf-8?q?a?=\r\n =?utf-8?q?b?=") == "ab");
    CHECK(decode_header_text("x =?utf-8?q?a?= y") == "x a y");
    CHECK(decode_header_text("RE: =?utf-8?B?5oql5Lu3?= PI-2025-0001") == "RE: 报价 PI-2025-0001");
    CHECK(decode_header_text("Fwd:\r\n\t Saying\r\n Hello") == "Fwd: Saying Hello");
}

TEST_CASE("a multibyte character split across two words survives", "[rfc2047]") {
    // "报价" in UTF-8 is E6 8A A5 E4 BB B7; the first word ends mid-character.
    CHECK(decode_header_text("=?UTF-8?B?5oql5A==?= =?UTF-8?B?u7c=?=") == "报价");
    // GBK: B1 A8 BC DB split after B1
    CHECK(decode_header_text("=?GBK?Q?=B1?= =?GBK?Q?=A8=BC=DB?=") == "报价");
}

TEST_CASE("broken forms real clients send", "[rfc2047]") {
    CHECK(decode_header_text("\"=?utf-8?B?5ZGo5Li95Li9?=\"") == "\"周丽丽\"");      // inside quotes
    CHECK(decode_header_text("abc=?utf-8?q?d?=") == "abcd");                       // glued to text
    CHECK(decode_header_text("=?utf-8?Q?Hello\r\n _there!?=") == "Hello there!");  // folded inside a word
    CHECK(decode_header_text("=?utf-8?B?5oql5Lu35Y2V?") == "=?utf-8?B?5oql5Lu35Y2V?");  // unterminated: as is
    CHECK(decode_header_text("=?utf-8?X?abc?=") == "=?utf-8?X?abc?=");             // unknown encoding: as is
    CHECK(decode_header_text("=?utf-8?B?5oql5Lu35Y2V") == "=?utf-8?B?5oql5Lu35Y2V");
    CHECK(decode_header_text("=??B?YWJj?=") == "=??B?YWJj?=");
}

TEST_CASE("unknown charsets and invalid bytes still give valid UTF-8 and a problem", "[rfc2047]") {
    std::vector<std::string> problems;
    HeaderDecodeContext ctx;
    ctx.problems = &problems;
    CHECK(decode_header_text("=?x-unknown-cs?q?caf=E9?=", ctx) == "café");
    CHECK(problems.size() == 1);
    problems.clear();
    std::string out = decode_header_text("=?utf-8?q?bad=FF=FEbytes?=", ctx);
    CHECK(out.find("bad") == 0);
    CHECK(out.find("bytes") != std::string::npos);
    CHECK(out.find("\xFF") == std::string::npos);
}

TEST_CASE("raw 8-bit headers: UTF-8 stays, others are converted", "[rfc2047]") {
    CHECK(decode_header_text("报价单 QT-2025-0001") == "报价单 QT-2025-0001");
    // GBK bytes for 报价单 with the body charset as the hint
    CHECK(decode_header_text("\xB1\xA8\xBC\xDB\xB5\xA5 QT-1", hint("gbk")) == "报价单 QT-1");
    // Big5 bytes for 報價單, hint big5
    CHECK(decode_header_text("\xB3\xF8\xBB\xF9\xB3\xE6", hint("big5")) == "報價單");
    // Latin-1 without a hint: detected
    std::string s = decode_header_text("Gr\xFC\xDF" "e aus M\xFCnchen");
    CHECK(s == "Grüße aus München");
}
