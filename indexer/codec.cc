#include "codec.h"

#include <mimetic/codec/base64.h>
#include <mimetic/codec/code.h>
#include <mimetic/codec/qp.h>
#include <openssl/evp.h>

#include <iterator>
#include <memory>

namespace tw {
namespace {

bool is_b64(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// Why lenient decoding was needed: characters outside the alphabet, data
// after padding, or a length that is not a whole number of quanta.
bool malformed(std::string_view in) {
    size_t n = 0;
    bool padded = false;
    for (unsigned char c : in) {
        if (c == '\r' || c == '\n' || c == ' ' || c == '\t') continue;
        if (c == '=') {
            padded = true;
            ++n;
        } else if (!is_b64(c) || padded) {
            return true;
        } else {
            ++n;
        }
    }
    return n % 4 != 0;
}

}  // namespace

std::string decode_base64(std::string_view in, bool* bad) {
    // Fast path: OpenSSL's table-driven decoder (skips white space and line
    // breaks, fails on anything else).
    std::string out(in.size() / 4 * 3 + 80, '\0');
    std::unique_ptr<EVP_ENCODE_CTX, void (*)(EVP_ENCODE_CTX*)> ctx(EVP_ENCODE_CTX_new(), EVP_ENCODE_CTX_free);
    int len = 0, tail = 0;
    bool ok = ctx && in.size() < (1u << 30);
    if (ok) {
        EVP_DecodeInit(ctx.get());
        auto* dst = reinterpret_cast<unsigned char*>(out.data());
        ok = EVP_DecodeUpdate(ctx.get(), dst, &len, reinterpret_cast<const unsigned char*>(in.data()), int(in.size())) >= 0 &&
             EVP_DecodeFinal(ctx.get(), dst + len, &tail) == 1;
    }
    if (ok) {
        out.resize(size_t(len + tail));
        if (bad) *bad = false;
        return out;
    }
    if (bad) *bad = malformed(in);
    out.clear();
    mimetic::Base64::Decoder dec;
    mimetic::decode(in.begin(), in.end(), dec, std::back_inserter(out));
    return out;
}

std::string decode_qp(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    mimetic::QP::Decoder dec;
    mimetic::decode(in.begin(), in.end(), dec, std::back_inserter(out));
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_Digest(data.data(), data.size(), md, &md_len, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string out(size_t(md_len) * 2, '0');
    for (unsigned i = 0; i < md_len; ++i) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    return out;
}

}  // namespace tw
