// Table-driven tests of address-list parsing.
#include <catch2/catch.hpp>

#include "mail/address.h"

using tw::parse_address_list;

namespace {
struct Want { const char* name; const char* address; };
struct Row { const char* raw; std::vector<Want> want; };

void check_rows(const std::vector<Row>& rows) {
    for (const auto& r : rows) {
        INFO(r.raw);
        auto got = parse_address_list(r.raw);
        REQUIRE(got.size() == r.want.size());
        for (size_t i = 0; i < got.size(); ++i) {
            CHECK(got[i].name == r.want[i].name);
            CHECK(got[i].address == r.want[i].address);
        }
    }
}
}  // namespace

TEST_CASE("ordinary and quoted display names", "[address]") {
    check_rows({
        {"John Doe <jdoe@machine.example>", {{"John Doe", "jdoe@machine.example"}}},
        {"\"Joe Q. Public\" <john.q.public@example.com>", {{"Joe Q. Public", "john.q.public@example.com"}}},
        {"\"Chen, Wei\" <wei.chen@acme-trading.example>, lily@x.example",
         {{"Chen, Wei", "wei.chen@acme-trading.example"}, {"", "lily@x.example"}}},
        {"<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>",
         {{"", "boss@nil.test"}, {"Giant; \"Big\" Box", "sysservices@example.net"}}},
        {"Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
         {{"Mary Smith", "mary@x.test"}, {"", "jdoe@example.org"}, {"Who?", "one@y.test"}}},
    });
}

TEST_CASE("encoded display names, also inside quotes", "[address]") {
    check_rows({
        {"=?UTF-8?B?5ZGo5Li95Li9?= <lily.zhou@acme-trading.example>", {{"周丽丽", "lily.zhou@acme-trading.example"}}},
        {"\"=?gb2312?B?wO7WvsP3?=\" <li@x.example>", {{"李志明", "li@x.example"}}},
        {"\"foo =?utf-8?q?bar?=\" <a@b.com>", {{"foo bar", "a@b.com"}}},
        {"=?utf-8?q?a?= =?utf-8?q?b?= <a@b.com>", {{"ab", "a@b.com"}}},
        {"=?ISO-2022-JP?B?GyRCRURDZhsoQg==?= <tanaka@x.example>", {{"田中", "tanaka@x.example"}}},
        // Broken clients leave "(" and "," raw inside Q-encoded words: text, not a comment or a separator.
        {"=?iso-2022-jp?Q?=1B$BNkLZMM=1B(B?= <lena.sato@summit33-jp.example>", {{"鈴木様", "lena.sato@summit33-jp.example"}}},
        {"=?utf-8?Q?Smith,_John?= <j@x.example>, b@y.example", {{"Smith, John", "j@x.example"}, {"", "b@y.example"}}},
    });
}

TEST_CASE("comments, groups, routes and missing brackets", "[address]") {
    check_rows({
        {"jdoe@example.org (John Doe)", {{"John Doe", "jdoe@example.org"}}},
        {"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", {{"Pete (A nice ) chap)", "pete@silly.test"}}},
        {"A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
         {{"Ed Jones", "c@a.test"}, {"", "joe@where.test"}, {"John", "jdoe@one.test"}}},
        {"undisclosed-recipients:;", {}},
        {"<@route1,@route2:user@example.com>", {{"", "user@example.com"}}},
        {"John Doe john@example.com", {{"John Doe", "john@example.com"}}},
        {"john@example.com,, ,mary@example.com", {{"", "john@example.com"}, {"", "mary@example.com"}}},
        {"\"john@example.com\" <john@example.com>", {{"john@example.com", "john@example.com"}}},
        {"Sales <mailto:sales@x.example>", {{"Sales", "sales@x.example"}}},
        {"Whomever", {{"Whomever", ""}}},                      // no '@': a name without an address
        {"MAILER-DAEMON <>", {{"MAILER-DAEMON", ""}}},
        {"", {}},
    });
}

TEST_CASE("addresses keep their case for display and are lower-cased for matching", "[address]") {
    auto got = parse_address_list("Lily <Lily.Zhou@ACME-Trading.example>");
    REQUIRE(got.size() == 1);
    CHECK(got[0].address == "Lily.Zhou@ACME-Trading.example");
    CHECK(got[0].normalized == "lily.zhou@acme-trading.example");
}

TEST_CASE("group members know their group", "[address]") {
    auto got = parse_address_list("Sales Team: a@x.example, B <b@x.example>;, c@y.example");
    REQUIRE(got.size() == 3);
    CHECK(got[0].group == "Sales Team");
    CHECK(got[1].group == "Sales Team");
    CHECK(got[2].group.empty());
}

TEST_CASE("raw 8-bit display names are converted with the hint charset", "[address]") {
    tw::HeaderDecodeContext ctx;
    ctx.fallback_charset = "gbk";
    auto got = parse_address_list("\xD6\xDC\xC0\xF6\xC0\xF6 <lily@x.example>", ctx);  // 周丽丽 in GBK
    REQUIRE(got.size() == 1);
    CHECK(got[0].name == "周丽丽");
}
