// Transfer decodings and content hashes.
#pragma once
#include <string>
#include <string_view>

namespace tw {

// Base64 as mail really carries it: line breaks and blanks ignored. Valid
// input takes OpenSSL's fast path; anything else is decoded leniently by
// mimetic (invalid characters skipped, a partial last quantum kept) and sets
// *bad when given.
std::string decode_base64(std::string_view in, bool* bad = nullptr);
// Base64 on one line (for data: URLs), by OpenSSL.
std::string encode_base64(std::string_view in);

// Quoted-printable (mimetic's decoder).
std::string decode_qp(std::string_view in);

// SHA-256 of data, lower-case hex (OpenSSL).
std::string sha256_hex(std::string_view data);

// SHA-256 fed in pieces; update_without_newlines() leaves out CR and LF
// bytes (content keys that ignore line endings) without copying the input.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view data);
    void update_without_newlines(std::string_view data);
    std::string hex();  // ends the hash

private:
    void flush();
    void* ctx_;
    std::string buf_;
};

}  // namespace tw
