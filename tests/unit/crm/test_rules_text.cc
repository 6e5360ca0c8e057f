// The rules that read people's words: a customer's company from a display name or signature, an approver's
// answer (negations and quotes), a request for approval, and amounts across currencies.
#include <catch2/catch.hpp>

#include <map>

#include "crm/rules.h"

namespace r = tw::rules;

TEST_CASE("a customer's company, from its display name or signature", "[rules]") {
    struct Row {
        const char* what;
        const char* name;
        const char* text;
        const char* want;
    } rows[] = {
        {"the display name carries it", "Carter Supply Inc.", "Hello", "Carter Supply Inc."},
        {"person (company)", "Anna Schmidt (Nordhandel GmbH)", "", "Nordhandel GmbH"},
        {"company - person", "Hongda Trading Co., Ltd. - Wang", "", "Hongda Trading Co., Ltd."},
        {"a signature line", "Anna Schmidt", "Bitte um Angebot.\r\nMit freundlichen Grüßen\r\nAnna Schmidt\r\nNordhandel GmbH\r\nTel. +49 40 123456",
         "Nordhandel GmbH"},
        {"a Chinese signature", "王经理", "请报价。\r\n王经理\r\n宏达贸易有限公司\r\n电话：0574-12345678", "宏达贸易有限公司"},
        {"a Japanese signature", "田中 一郎", "よろしくお願いします。\r\n田中\r\n大和商事株式会社", "大和商事株式会社"},
        {"the quoted mail's signature is the firm's, not theirs", "Mike",
         "Thanks, Mike\r\n\r\nOn Mon, 6 Jan 2025, Lily wrote:\r\n> Acme Trading Co., Ltd.", ""},
        {"a sentence is no name", "Bruno", "Hello,\r\nwe are Sud Import S.r.l.\r\nBest", ""},
        {"no legal form: nothing", "Laura Rossi", "Best regards\r\nLaura Rossi\r\nRossi Import", ""},
        {"an address line is no name", "Laura", "Laura\r\nVia Roma 12, 00100 Roma, Rossi Import S.r.l.", ""},
        {"a legal form alone names nobody", "GmbH", "Ltd.", ""},
        {"a lower-case line is prose", "X", "thanks again, see you at the fair co", ""},
    };
    for (const auto& x : rows) {
        INFO(x.what);
        CHECK(r::company_from(x.name, x.text) == x.want);
    }
}

TEST_CASE("an approver's answer: approvals, refusals, negations, quotes", "[rules][approvals]") {
    struct Row {
        const char* text;
        const char* outcome;
    } rows[] = {
        {"Approved.\n\nWei", "approved"},
        {"OK, approved, go ahead.", "approved"},
        {"OK.\n\nWei", "approved"},
        {"同意。\n\n陈伟", "approved"},
        {"批准，可以发给客户。", "approved"},
        {"承認します。", "approved"},
        {"Rejected: margin too low, keep price above USD 3.20/pc.", "rejected"},
        {"Not approved. Price is below our floor, please requote at USD 3.40/pc or more.", "rejected"},
        {"不同意，价格太低，请重新报价。\n\n陈伟", "rejected"},  // holds 同意
        {"驳回。", "rejected"},
        {"不批准", "rejected"},
        {"価格が低すぎる", "rejected"},
        {"Thanks, I will look at it tomorrow.", ""},
        {"Looks like a token broken", ""},  // "ok" inside words is no OK
        // Quoted text below the reply does not count: the request's "Please approve" is quoted.
        {"Rejected, the margin is too thin. Requote please.\n\n-----Original Message-----\nFrom: Lily\n\nPlease approve our quotation",
         "rejected"},
        {"收到\n\n------------------ 原始邮件 ------------------\n发件人: \"周丽\"\n\n请审批报价单，同意请回复", ""},
        {"Will do\n\nOn Mon, 6 Jan 2025 at 10:00, Wei wrote:\n> Approved.", ""},
    };
    for (const auto& x : rows) {
        INFO(x.text);
        CHECK(r::decision_in(x.text).outcome == x.outcome);
    }
    CHECK(r::decision_in("不同意，价格太低，请重新报价。\n\n陈伟").comment.find("价格太低") != std::string::npos);
    CHECK(r::asks_approval("审批：QT-2025-0012 Hongda USD 12,000.00", ""));
    CHECK(r::asks_approval("Approval request: PI-2025-0034", "Hi Wei"));
    CHECK(r::asks_approval("FW: Inquiry", "Please approve QT-2025-0012."));
    CHECK_FALSE(r::asks_approval("Re: lunch", "See you at noon\n\n> Please approve QT-1"));  // only quoted
    std::map<std::string, double> rates = {{"EUR", 1.08}, {"CNY", 0.138}};
    CHECK(*r::convert(1000, "EUR", "USD", rates) == Approx(1080));
    CHECK(*r::convert(10000, "CNY", "EUR", rates) == Approx(10000 * 0.138 / 1.08));
    CHECK_FALSE(r::convert(5, "JPY", "USD", rates));
}
