// The parser's limits: what mimetic would stall or crash on is cut first,
// and the cut is reported. (No timing assertions: a hang shows as a CTest timeout.)
#include <catch2/catch.hpp>

#include "helpers.h"
#include "mail/message.h"

using tw::parse_message;

namespace {
using tw_test::has_problem;
const std::string kHead = "From: a@x.example\r\nMessage-ID: <1@x>\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\n";
}  // namespace

TEST_CASE("a 10 MB header line is cut, the rest of the message survives", "[limits]") {
    std::string raw = kHead + "Subject: " + std::string(10u << 20, 'x') + "\r\nTo: b@x.example\r\n\r\nbody\r\n";
    auto m = parse_message(raw, 0);
    CHECK(has_problem(m, "header field over"));
    CHECK(m.subject.size() <= tw::ParseLimits{}.max_header_field_bytes);
    CHECK(m.subject.size() > 1000);
    REQUIRE(m.to.size() == 1);
    CHECK(m.text == "body\n");
    CHECK(m.raw.size() == raw.size());
}

TEST_CASE("a 10 MB folded References field is cut", "[limits]") {
    std::string refs;
    for (int i = 0; i < 200000; ++i) refs += " <id" + std::to_string(i) + "@x.example>\r\n";
    auto m = parse_message(kHead + "References:" + refs + "Subject: s\r\n\r\nbody\r\n", 0);
    CHECK(has_problem(m, "header field over"));
    CHECK(m.subject == "s");
    CHECK_FALSE(m.references.empty());
}

TEST_CASE("a 10 MB base64 line in a body is not cut", "[limits]") {
    std::string b64(8u << 20, 'A');
    auto m = parse_message(kHead +
                               "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
                               "hi\r\n--b\r\nContent-Type: application/octet-stream\r\n"
                               "Content-Transfer-Encoding: base64\r\n\r\n" + b64 + "\r\n--b--\r\n",
                           0);
    REQUIRE(m.attachments.size() == 1);
    CHECK(m.attachments[0].size == (8u << 20) / 4 * 3);
    CHECK_FALSE(has_problem(m, "header field over"));
}

TEST_CASE("100k nested message/rfc822 parts do not crash", "[limits]") {
    std::string raw;
    for (int i = 0; i < 100000; ++i) raw += "Content-Type: message/rfc822\r\n\r\n";
    raw += "Subject: inner\r\n\r\ntext\r\n";
    auto m = parse_message(kHead + raw, 0);
    CHECK(has_problem(m, "multipart/message parts"));
}

TEST_CASE("100k nested multiparts do not crash", "[limits]") {
    std::string raw;
    for (int i = 0; i < 100000; ++i)
        raw += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" + std::to_string(i) + "\r\n";
    auto m = parse_message(kHead + raw, 0);
    CHECK(has_problem(m, "multipart/message parts"));
}

TEST_CASE("nesting deeper than the limit is kept raw", "[limits]") {
    std::string raw;
    for (int i = 0; i < 40; ++i) raw += "Content-Type: message/rfc822\r\n\r\n";
    raw += "From: deep@x.example\r\n\r\ntext\r\n";
    auto m = parse_message(kHead + raw, 0);
    CHECK(has_problem(m, "nested deeper than"));
}

TEST_CASE("more leaf parts than the limit: the rest are not decoded", "[limits]") {
    std::string raw = kHead + "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
    for (int i = 0; i < 3000; ++i)
        raw += "--b\r\nContent-Type: application/octet-stream; name=f" + std::to_string(i) + "\r\n\r\nx\r\n";
    raw += "--b--\r\n";
    auto m = parse_message(raw, 0);
    CHECK(has_problem(m, "more than 1000 parts"));
    CHECK(m.attachments.size() <= 1000);
}

TEST_CASE("a message over the size limit is parsed for its header only", "[limits]") {
    tw::ParseLimits lim;
    lim.max_message_bytes = 1000;
    auto m = parse_message(kHead + "Subject: big\r\n\r\n" + std::string(5000, 'y'), 0, lim);
    CHECK(m.subject == "big");
    CHECK(m.text.empty());
    CHECK(has_problem(m, "only the header is parsed"));
    CHECK(m.raw.size() > 5000);
}

TEST_CASE("pathological header values stay linear", "[limits]") {
    // Each of these was, or could have been, quadratic in a header parser.
    // No timing assertion: a regression shows as the CTest timeout.
    const size_t n = 120000;
    std::string spaces(n, ' ');
    std::string colons;
    for (size_t i = 0; colons.size() < n; ++i) colons += "a@b:";
    std::string words;
    for (size_t i = 0; words.size() < n; ++i) words += "=?utf-8?q?x ";
    const std::string values[] = {
        "Content-Type: text/plain;" + spaces + "x" + spaces + "charset=utf-8\r\n",
        "To: " + colons + "\r\n",
        "Subject: " + words + "\r\n",
        "References: " + std::string(n, '<') + "\r\n",
        "Date: " + std::string(n, '9') + "\r\n",
        "From: " + std::string(n, '"') + "\r\n",
        "Cc: " + std::string(n, '(') + "\r\n",
    };
    for (const auto& v : values) {
        auto m = parse_message(kHead + v + "\r\nbody\r\n", 0);
        CHECK(m.raw.size() > n);
    }
}
