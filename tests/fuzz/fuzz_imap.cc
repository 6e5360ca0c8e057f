// libFuzzer target: the IMAP response reader on arbitrary server bytes must
// not crash, hang or leak, and must read the same responses whether the bytes
// arrive at once or in pieces (the first input byte picks the piece size).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/imap/imap_response.h"

namespace {

// Tags and statuses of the responses read before the first error; ok=false if one was refused.
std::vector<std::string> read_all(std::string_view bytes, size_t piece, bool& ok) {
    tw::imap::ReaderLimits lim;
    lim.max_literal = 1u << 20;
    lim.max_line = 1u << 16;
    tw::imap::ResponseReader r(lim);
    std::vector<std::string> out;
    ok = true;
    try {
        for (size_t i = 0; i < bytes.size(); i += piece) {
            r.feed(bytes.substr(i, piece));
            while (auto resp = r.next())
                out.push_back(resp->tag + "|" + resp->status + "|" + std::to_string(resp->data.size()) + "|" + resp->text);
        }
    } catch (const tw::imap::ImapProtocolError&) {
        ok = false;
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    size_t piece = 1 + data[0] % 64;
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    bool ok_whole = false, ok_pieces = false;
    auto whole = read_all(bytes, bytes.size() + 1, ok_whole);
    auto pieces = read_all(bytes, piece, ok_pieces);
    // Fed in pieces, a reader may stop earlier (a limit checked before a line
    // ends) but never read anything different.
    if (ok_whole && ok_pieces && whole != pieces) abort();
    for (size_t i = 0; i < pieces.size() && i < whole.size(); ++i)
        if (pieces[i] != whole[i]) abort();
    return 0;
}
