// libFuzzer target: parse_message on arbitrary bytes must not crash, hang or
// leak, and must always yield valid UTF-8. PDF extraction (poppler, not our
// code, isolated in the archive's worker) is off; XLSX/DOCX/HTML stay on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mail/charset.h"
#include "mail/html_text.h"
#include "mail/message.h"
#include "mail/message_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    tw::ParseLimits limits;
    limits.extract_pdf_text = false;
    tw::Message m = tw::parse_message(std::string(reinterpret_cast<const char*>(data), size), 0, limits);
    if (!tw::is_valid_utf8(m.subject) || !tw::is_valid_utf8(m.text) || m.raw.size() != size) abort();
    for (const auto& a : m.attachments)
        if (!tw::is_valid_utf8(a.filename) || !tw::is_valid_utf8(a.text)) abort();
    // What the web UI shows of HTML mail: rebuilt from the allow-list, never with a script.
    std::string shown = tw::sanitize_html(m.html);
    if (shown.find("<script") != std::string::npos) abort();
    std::string json = tw::message_to_json_line(m, "fuzz");
    if (json.empty()) abort();
    return 0;
}
