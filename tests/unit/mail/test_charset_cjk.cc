// Raw 8-bit and mislabelled Chinese, Japanese and Korean text: the charset is
// chosen by how plausibly each clean decoding reads, not by the first that
// converts (GB18030 takes almost any byte pair). One row per case; each
// failing row names itself.
#include <catch2/catch.hpp>

#include "mail/charset.h"
#include "mail/rfc2047.h"

namespace {

struct Row {
    const char* charset;  // what the bytes really are (for the failure message)
    const char* bytes;
    const char* want;
};

// Unlabelled (raw 8-bit header text), no prior.
const Row kRaw[] = {
    // The cases that came out as mojibake: GBK or Latin-1 readings of other charsets.
    {"shift_jis", "\x8C\xA9\x90\xCF\x8F\x91\x82\xCC\x8C\x8F\x82\xC9\x82\xC2\x82\xA2\x82\xC4", "見積書の件について"},
    {"euc_jp", "\xA4\xB4\xB3\xCE\xC7\xA7\xA4\xF2\xA4\xAA\xB4\xEA", "ご確認をお願"},
    {"euc_kr", "\xC8\xAE\xC0\xCE\x20\xBA\xCE\xC5\xB9\xB5\xE5", "확인 부탁드"},
    {"big5", "\xBD\xD0\xBD\x54\xBB\x7B\xA5\x49\xB4\xDA\xB1\xF8", "請確認付款條"},
    // Their neighbours: Chinese stays Chinese, longer texts of each charset.
    {"gbk", "\xB1\xA8\xBC\xDB\xB5\xA5\x20\x50\x49\x2D\x32\x30\x32\x35\x2D\x30\x30\x33\x34", "报价单 PI-2025-0034"},
    {"gbk", "\xB9\xD8\xD3\xDA\xB6\xA9\xB5\xA5\xB5\xC4\xC8\xB7\xC8\xCF", "关于订单的确认"},
    {"gbk", "\xD6\xDC\xC0\xF6\xC0\xF6", "周丽丽"},
    {"gbk", "\xC7\xEB\xC8\xB7\xC8\xCF\xB8\xB6\xBF\xEE\xCC\xF5\xBC\xFE", "请确认付款条件"},
    {"gbk", "\xD1\xF9\xC6\xB7\xD2\xD1\xBC\xC4\xB3\xF6\xA3\xAC\xC7\xEB\xB2\xE9\xCA\xD5", "样品已寄出，请查收"},
    {"gbk", "\xBA\xCF\xCD\xAC", "合同"},
    {"gbk", "\xC4\xE3\xBA\xC3", "你好"},
    {"big5", "\xB3\xF8\xBB\xF9\xB3\xE6", "報價單"},
    {"big5", "\xC1\xC2\xC1\xC2\xB1\x7A\xAA\xBA\xB8\xDF\xBB\xF9", "謝謝您的詢價"},
    {"big5", "\xBD\xD0\xBD\x54\xBB\x7B\xA5\x49\xB4\xDA\xB1\xF8\xA5\xF3", "請確認付款條件"},
    {"big5", "\xB3\x66\xC2\x64\xA4\x77\xA5\x58\xB3\x66", "貨櫃已出貨"},
    {"big5", "\xB1\x7A\xA6\x6E", "您好"},
    {"shift_jis", "\x82\xA8\x90\xA2\x98\x62\x82\xC9\x82\xC8\x82\xC1\x82\xC4\x82\xA8\x82\xE8\x82\xDC\x82\xB7", "お世話になっております"},
    {"shift_jis", "\x82\xB2\x8A\x6D\x94\x46\x82\xF0\x82\xA8\x8A\xE8\x82\xA2\x82\xB5\x82\xDC\x82\xB7", "ご確認をお願いします"},
    {"shift_jis", "\x94\x5B\x8A\xFA\x82\xC9\x82\xC2\x82\xA2\x82\xC4", "納期について"},
    {"euc_jp", "\xB8\xAB\xC0\xD1\xBD\xF1\xA4\xCE\xB7\xEF\xA4\xCB\xA4\xC4\xA4\xA4\xA4\xC6", "見積書の件について"},
    {"euc_kr", "\xB0\xDF\xC0\xFB\xBC\xAD\x20\xBC\xDB\xBA\xCE", "견적서 송부"},
    {"euc_kr", "\xC8\xAE\xC0\xCE\x20\xBA\xCE\xC5\xB9\xB5\xE5\xB8\xB3\xB4\xCF\xB4\xD9", "확인 부탁드립니다"},
    // Latin stays Latin.
    {"latin1", "M\xFCller GmbH", "Müller GmbH"},
    {"latin1", "Bitte best\xE4tigen Sie PO4500012345.", "Bitte bestätigen Sie PO4500012345."},
    {"latin1", "Jos\xE9 Mu\xF1oz", "José Muñoz"},
    {"utf8", "报价单", "报价单"},
};

}  // namespace

TEST_CASE("raw 8-bit CJK text: the charset that reads best", "[charset][cjk]") {
    for (const auto& r : kRaw) {
        INFO(r.charset << ": " << r.want);
        CHECK(tw::guess_to_utf8(r.bytes) == r.want);
    }
}

TEST_CASE("a CJK label is a prior, not the answer", "[charset][cjk]") {
    // A GBK-labelled body that is really Shift_JIS (it decodes "cleanly" as GBK: ⅳ確認ぐ⑷願⑧⑧...).
    const char* sjis = "\x82\xB2\x8A\x6D\x94\x46\x82\xF0\x82\xA8\x8A\xE8\x82\xA2\x82\xB5\x82\xDC\x82\xB7\x81\x42\x8C\xA9\x90\xCF"
                       "\x8F\x91\x82\xF0\x93\x59\x95\x74\x82\xB5\x82\xDC\x82\xB7\x82\xCC\x82\xC5\x81\x41\x82\xB2\x8D\xB8\x8E\xFB"
                       "\x82\xAD\x82\xBE\x82\xB3\x82\xA2\x81\x42";
    auto r = tw::to_utf8(sjis, "gbk");
    CHECK(r.text == "ご確認をお願いします。見積書を添付しますので、ご査収ください。");
    CHECK(r.relabelled == "CP932");
    // Right labels stay, and say nothing.
    struct Labelled {
        const char* label;
        const char* bytes;
        const char* want;
    };
    const Labelled right[] = {
        {"gb2312", "\xB9\xD8\xD3\xDA\xB6\xA9\xB5\xA5\xB5\xC4\xC8\xB7\xC8\xCF", "关于订单的确认"},
        {"gbk", "\xB1\xA8\xBC\xDB", "报价"},
        {"big5", "\xC1\xC2\xC1\xC2\xB1\x7A\xAA\xBA\xB8\xDF\xBB\xF9", "謝謝您的詢價"},
        {"shift_jis", "\x94\x5B\x8A\xFA\x82\xC9\x82\xC2\x82\xA2\x82\xC4", "納期について"},
        {"euc-jp", "\xC8\xAF\xC3\xED\xBD\xF1", "発注書"},
        {"euc-kr", "\xB0\xA8\xBB\xE7\xC7\xD5\xB4\xCF\xB4\xD9", "감사합니다"},
        {"ks_c_5601-1987", "\xB0\xDF\xC0\xFB\xBC\xAD\x20\xBC\xDB\xBA\xCE", "견적서 송부"},
    };
    for (const auto& x : right) {
        INFO(x.label << ": " << x.want);
        auto got = tw::to_utf8(x.bytes, x.label);
        CHECK(got.text == x.want);
        CHECK(got.relabelled.empty());
    }
}

TEST_CASE("encoded words with a wrong CJK label keep their kana", "[charset][cjk][rfc2047]") {
    // A big5 label on Shift_JIS bytes (見積書の件について).
    CHECK(tw::decode_header_text("=?big5?B?jKmQz4+RgsyMj4LJgsKCooLE?=") == "見積書の件について");
    // A big5 label on Big5-HKSCS bytes, which has kana of its own.
    CHECK(tw::to_utf8("\xA8\xA3\xBF\x6E\xAE\xD1\xC7\x55\xA5\xF3\xC7\x52\xC7\x4B\xC6\xEA\xC7\x4D", "big5").text == "見積書の件について");
    // The body's charset and the header bytes' detected charset are priors for raw text.
    tw::HeaderDecodeContext ctx;
    ctx.fallback_charset = "euc-kr";
    CHECK(tw::decode_header_text("\xC8\xAE\xC0\xCE \xBA\xCE\xC5\xB9\xB5\xE5", ctx) == "확인 부탁드");
}

TEST_CASE("characters beyond the BMP are scored without reading past the tables", "[charset][cjk]") {
    // GB18030's four-byte U+20000 in a gbk-labelled word (the fuzzer's find, under ASan).
    CHECK(tw::to_utf8("\x95\x32\x82\x36 new char", "gbk").text == "\xF0\xA0\x80\x80 new char");
    CHECK(tw::is_valid_utf8(tw::guess_to_utf8("\x95\x32\x82\x36\x95\x32\x82\x37 \xF0\x9F")));
}
