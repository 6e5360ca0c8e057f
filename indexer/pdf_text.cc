// PDF text through poppler-cpp. poppler has a long CVE history: the archive
// runs extraction in a killable worker (see docs/); this file only extracts.
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <memory>
#include <mutex>

#include "attachment_text.h"

namespace tw {
namespace {

void silence(const std::string&, void*) {}

}  // namespace

std::string pdf_text(std::string_view data, std::string* error) {
    static std::once_flag once;
    std::call_once(once, [] { poppler::set_debug_error_function(silence, nullptr); });
    if (data.size() < 8 || data.size() > 0x7fffffff) {
        *error = "PDF attachment is too small or too large to read";
        return {};
    }
    std::unique_ptr<poppler::document> doc(
        poppler::document::load_from_raw_data(data.data(), int(data.size())));
    if (!doc) {
        *error = "PDF attachment could not be read (damaged or not a PDF)";
        return {};
    }
    if (doc->is_locked()) {
        *error = "PDF attachment is password-protected; its text is not indexed";
        return {};
    }
    std::string out;
    int pages = doc->pages();
    for (int i = 0; i < pages && i < 2000; ++i) {
        std::unique_ptr<poppler::page> page(doc->create_page(i));
        if (!page) continue;
        auto bytes = page->text().to_utf8();
        out.append(bytes.begin(), bytes.end());
        out += '\n';
    }
    return out;
}

}  // namespace tw
