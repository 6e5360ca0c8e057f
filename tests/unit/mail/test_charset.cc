// Charset conversion: labels glibc lacks, mislabelled text, invalid bytes.
#include <catch2/catch.hpp>

#include "mail/charset.h"

TEST_CASE("labels real mail uses map to what they mean", "[charset]") {
    CHECK(tw::normalize_charset("gb2312") == "GB18030");
    CHECK(tw::normalize_charset(" \"GBK\" ") == "GB18030");
    CHECK(tw::normalize_charset("ks_c_5601-1987") == "CP949");
    CHECK(tw::normalize_charset("x-mac-roman") == "MACINTOSH");
    CHECK(tw::normalize_charset("iso-8859-8-i") == "ISO-8859-8");
    CHECK(tw::normalize_charset("unicode-1-1-utf-7") == "UTF-7");
    CHECK(tw::normalize_charset("utf-8*en") == "UTF-8");
    CHECK(tw::normalize_charset("ISO-8859-2") == "ISO-8859-2");
}

TEST_CASE("conversion always yields valid UTF-8", "[charset]") {
    // GB18030-only character (not in GBK): U+20000 is 0x95 0x32 0x82 0x36
    CHECK(tw::to_utf8("\x95\x32\x82\x36", "gb2312").text == "\xF0\xA0\x80\x80");
    auto bad = tw::to_utf8("ok\xFF\xFEok", "utf-8");
    CHECK(tw::is_valid_utf8(bad.text));
    auto unk = tw::to_utf8("caf\xE9", "x-no-such-charset");
    CHECK(unk.unknown_charset);
    CHECK(unk.text == "café");
    auto mis = tw::to_utf8("\xE8\xA6\x8B\xE7\xA9\x8D", "iso-2022-jp");  // UTF-8 bytes, 7-bit label
    CHECK(mis.text == "見積");
    CHECK(mis.mislabelled);
    CHECK(tw::to_utf8("\x93Hi\x94", "us-ascii").text == "\u201CHi\u201D");
}

TEST_CASE("utf-8 validation and repair", "[charset]") {
    CHECK(tw::is_valid_utf8("plain"));
    CHECK(tw::is_valid_utf8("报价"));
    CHECK_FALSE(tw::is_valid_utf8("\xC0\x80"));          // overlong
    CHECK_FALSE(tw::is_valid_utf8("\xED\xA0\x80"));      // surrogate
    CHECK_FALSE(tw::is_valid_utf8("\xE6\x8A"));          // truncated
    CHECK(tw::sanitize_utf8("a\xFF" "b") == "a\xEF\xBF\xBD" "b");
}

TEST_CASE("wide and stateful charsets never take the ASCII fast path", "[charset]") {
    CHECK(tw::to_utf8(std::string("h\0i\0", 4), "utf-16le").text == "hi");
    CHECK(tw::to_utf8(std::string("\xFF\xFEh\0i\0", 6), "utf-16").text == "hi");
    CHECK(tw::to_utf8("a+ThZ1TA-b", "utf-7").text == "a世界b");
    CHECK(tw::to_utf8("1+1=2", "us-ascii").text == "1+1=2");
}

TEST_CASE("short unlabelled strings: Latin stays Latin, double-byte runs read as Chinese", "[charset]") {
    struct Row { const char* raw; const char* want; };
    const Row rows[] = {
        {"M\xFCller GmbH", "Müller GmbH"}, {"Caf\xE9", "Café"}, {"Jos\xE9 Mu\xF1oz", "José Muñoz"},
        {"S\xF8ren \xC5" "berg", "Søren Åberg"}, {"Bitte best\xE4tigen Sie PO4500012345.", "Bitte bestätigen Sie PO4500012345."}, {"\xB1\xA8\xBC\xDB", "报价"}, {"\xD6\xDC\xC0\xF6\xC0\xF6", "周丽丽"},
    };
    for (const auto& r : rows) {
        INFO(r.raw);
        CHECK(tw::guess_to_utf8(r.raw) == r.want);
    }
}

TEST_CASE("unlabelled bytes are guessed", "[charset]") {
    CHECK(tw::guess_to_utf8("报价单") == "报价单");
    CHECK(tw::guess_to_utf8("\xB1\xA8\xBC\xDB\xB5\xA5", "gbk") == "报价单");
    std::string latin = tw::guess_to_utf8("Sch\xF6ne Gr\xFC\xDF" "e aus K\xF6ln, das M\xE4" "dchen");
    CHECK(latin == "Schöne Grüße aus Köln, das Mädchen");
}
