// Transfer decoding: the line-at-a-time base64 fast path must give exactly
// what a plain decoder gives, and fall back (never guess) on anything unusual.
#include <mimetic/codec/base64.h>
#include <mimetic/codec/code.h>

#include <catch2/catch.hpp>
#include <iterator>
#include <random>

#include "mail/codec.h"

namespace {

std::string reference_decode(std::string_view in) {
    std::string out;
    mimetic::Base64::Decoder dec;
    mimetic::decode(in.begin(), in.end(), dec, std::back_inserter(out));
    return out;
}

std::string encode(std::string_view data, size_t width, const char* eol) {
    static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string flat;
    for (size_t i = 0; i < data.size(); i += 3) {
        uint32_t v = uint32_t(uint8_t(data[i])) << 16;
        if (i + 1 < data.size()) v |= uint32_t(uint8_t(data[i + 1])) << 8;
        if (i + 2 < data.size()) v |= uint8_t(data[i + 2]);
        flat += abc[v >> 18 & 63];
        flat += abc[v >> 12 & 63];
        flat += i + 1 < data.size() ? abc[v >> 6 & 63] : '=';
        flat += i + 2 < data.size() ? abc[v & 63] : '=';
    }
    std::string out;
    for (size_t i = 0; i < flat.size(); i += width) out.append(flat, i, width).append(eol);
    return out;
}

}  // namespace

TEST_CASE("base64 decodes the padding cases exactly") {
    bool bad = true;
    CHECK(tw::decode_base64("QQ==", &bad) == "A");
    CHECK_FALSE(bad);
    CHECK(tw::decode_base64("QUI=", &bad) == "AB");
    CHECK(tw::decode_base64("QUJD", &bad) == "ABC");
    CHECK(tw::decode_base64("QUJD\r\nQQ==\r\n", &bad) == "ABCA");
    CHECK(tw::decode_base64("", &bad).empty());
    CHECK(tw::decode_base64("\r\n\r\n", &bad).empty());
}

TEST_CASE("base64 round-trips every length and line layout") {
    std::mt19937 rng(7);
    for (size_t len : {0, 1, 2, 3, 4, 5, 56, 57, 58, 59, 1000, 4097}) {
        std::string data(len, '\0');
        for (auto& c : data) c = char(rng());
        for (size_t width : {4, 8, 60, 64, 72, 76, 77, 75, 3, 1000000}) {
            for (const char* eol : {"\r\n", "\n", "\r\n\r\n"}) {
                INFO("len " << len << " width " << width);
                bool bad = true;
                CHECK(tw::decode_base64(encode(data, width, eol), &bad) == data);
                CHECK_FALSE(bad);
            }
        }
    }
}

TEST_CASE("base64 input off the usual layout falls back to the lenient decoder") {
    // white space inside lines, padding in the middle, characters outside the alphabet
    for (std::string in : {"QUJD QUJD\r\n", "  QUJD\r\nQUJD  \r\n", "QQ==\r\nQUJD\r\n", "QQ==QUJD", "QU-JD\r\n", "QUJ\r\nDQUJD\r\n",
                           "QUJDQQ\r\n==\r\n", "QUJD\r\n=\r\n", "QUJD!!!!\r\n"}) {
        INFO(in);
        CHECK(tw::decode_base64(in) == reference_decode(in));
    }
    bool bad = false;
    tw::decode_base64("QU-JD\r\n", &bad);
    CHECK(bad);
    tw::decode_base64("QUJD QUJD\r\n", &bad);
    CHECK_FALSE(bad);  // white space is allowed anywhere
}

TEST_CASE("SHA-256 fed in pieces without newlines equals the hash of the stripped bytes") {
    std::mt19937 rng(11);
    for (size_t len : {0, 1, 2, 100, 65535, 65536, 65537, 300000}) {
        std::string data(len, '\0');
        for (auto& c : data) {
            unsigned r = rng() % 10;
            c = r == 0 ? '\n' : r == 1 ? '\r' : char('a' + rng() % 26);
        }
        std::string stripped;
        for (char c : data)
            if (c != '\r' && c != '\n') stripped += c;
        tw::Sha256 h;
        // in uneven pieces, so a CR/LF pair may straddle two calls
        for (size_t at = 0; at < data.size();) {
            size_t n = std::min<size_t>(data.size() - at, 1 + rng() % 70000);
            h.update_without_newlines(std::string_view(data).substr(at, n));
            at += n;
        }
        INFO("len " << len);
        CHECK(h.hex() == tw::sha256_hex(stripped));
        tw::Sha256 whole;
        whole.update(data);
        CHECK(whole.hex() == tw::sha256_hex(data));
    }
    CHECK(tw::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("encode_base64 is the inverse of decode_base64, on one line") {
    CHECK(tw::encode_base64("") == "");
    CHECK(tw::encode_base64("f") == "Zg==");
    CHECK(tw::encode_base64("fo") == "Zm8=");
    CHECK(tw::encode_base64("foo") == "Zm9v");
    std::string all;
    for (int i = 0; i < 1000; ++i) all += char(i * 7);
    std::string e = tw::encode_base64(all);
    CHECK(e.find('\n') == std::string::npos);
    CHECK(tw::decode_base64(e) == all);
}
