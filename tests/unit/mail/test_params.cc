// Table-driven tests of MIME parameters: RFC 2045, RFC 2231, and broken forms.
#include <catch2/catch.hpp>

#include "mail/params.h"

using tw::parse_param_header;

TEST_CASE("content types and plain parameters", "[params]") {
    auto p = parse_param_header("text/plain; charset=\"GB2312\"; format=flowed");
    CHECK(p.value == "text/plain");
    CHECK(p.param("charset") == "GB2312");
    CHECK(p.param("format") == "flowed");
    CHECK(parse_param_header(" Text/HTML ;CHARSET=utf-8 (comment)").param("charset") == "utf-8");
    CHECK(parse_param_header("image/ jpeg").value == "image/jpeg");
    CHECK(parse_param_header("multipart/mixed;\r\n boundary=\"----=_Part_1;x\"").param("boundary") == "----=_Part_1;x");
    CHECK(parse_param_header("attachment;; filename=a.pdf").param("filename") == "a.pdf");
    CHECK(parse_param_header("attachment; filename=\"C:\\temp\\a.pdf\"").param("filename") == "C:\\temp\\a.pdf");
    CHECK_FALSE(parse_param_header("inline").has("filename"));
}

TEST_CASE("RFC 2231 extended values, continuations and charsets", "[params]") {
    struct Row { const char* raw; const char* want; };
    const Row rows[] = {
        {"attachment; filename*=UTF-8''%E6%8A%A5%E4%BB%B7%E5%8D%95.pdf", "报价单.pdf"},
        {"attachment; filename*=utf-8'en'Quotation%20QT-1.pdf", "Quotation QT-1.pdf"},
        {"attachment; filename*=GB2312''%B1%A8%BC%DB%B5%A5.pdf", "报价单.pdf"},
        {"attachment; filename*=iso-8859-1''M%FCller.pdf", "Müller.pdf"},
        {"attachment; filename*0*=UTF-8''%E6%8A%A5%E4%BB; filename*1*=%B7%E5%8D%95; filename*2=\".pdf\"", "报价单.pdf"},
        {"attachment; filename*1=\"world.txt\"; filename*0=\"hello \"", "hello world.txt"},  // out of order
        {"attachment; filename*0=\"long\"; filename*1=\"name.xlsx\"", "longname.xlsx"},
        // Both forms: the RFC 2231 one wins
        {"attachment; filename=\"fallback.pdf\"; filename*=UTF-8''%E6%8A%A5.pdf", "报.pdf"},
        // No charset in the extended value
        {"attachment; filename*=''plain%20name.pdf", "plain name.pdf"},
    };
    for (const auto& r : rows) {
        INFO(r.raw);
        CHECK(parse_param_header(r.raw).param("filename") == r.want);
    }
}

TEST_CASE("encoded words and raw 8-bit bytes in parameter values", "[params]") {
    CHECK(parse_param_header("application/pdf; name=\"=?gb18030?B?sai827Wl?=QT-1.pdf\"").param("name") == "报价单QT-1.pdf");
    CHECK(parse_param_header("attachment; filename=\"=?UTF-8?B?5oql5Lu35Y2V?= =?UTF-8?B?LnBkZg==?=\"").param("filename") ==
          "报价单.pdf");
    CHECK(parse_param_header("attachment; filename=\"报价单.pdf\"").param("filename") == "报价单.pdf");
    tw::HeaderDecodeContext gbk;
    gbk.fallback_charset = "gbk";
    CHECK(parse_param_header("attachment; filename=\"\xB1\xA8\xBC\xDB\xB5\xA5.pdf\"", gbk).param("filename") == "报价单.pdf");
}
