// PDF text through poppler-cpp. poppler has a long CVE history: the archive
// runs extraction in a killable worker (see docs/); this file only extracts.
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

#include <memory>
#include <mutex>

#include "mail/attachment_text.h"

namespace tw {
namespace {

void silence(const std::string&, void*) {}

// poppler-cpp builds its global tables (glyph names, Unicode maps: ~0.5 ms)
// when the first document opens and frees them when the last one closes, so
// one-at-a-time extraction paid that for every PDF. An empty one-page
// document kept open for the life of the process keeps them: a small PDF
// then costs ~0.03 ms instead of ~0.6 ms (bench/parse, docs/performance.md).
constexpr std::string_view kAnchorPdf =
    "%PDF-1.4\n"
    "1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
    "trailer<</Root 1 0 R/Size 4>>\n%%EOF\n";

void keep_globals_alive() {
    // Never freed: it must outlive every other document, until exit.
    static poppler::document* anchor =
        poppler::document::load_from_raw_data(kAnchorPdf.data(), int(kAnchorPdf.size()));
    (void)anchor;
}

}  // namespace

std::string pdf_text(std::string_view data, std::string* error) {
    static std::once_flag once;
    std::call_once(once, [] {
        poppler::set_debug_error_function(silence, nullptr);
        keep_globals_alive();
    });
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

std::string pdf_preview_png(std::string_view data, int width, std::string* error) {
    static std::once_flag once;
    std::call_once(once, [] { poppler::set_debug_error_function(silence, nullptr); });
    if (data.size() < 8 || data.size() > 0x7fffffff) {
        *error = "PDF is too small or too large to draw";
        return {};
    }
    std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(data.data(), int(data.size())));
    if (!doc || doc->is_locked() || doc->pages() < 1) {
        *error = "PDF could not be drawn (damaged, empty or password-protected)";
        return {};
    }
    std::unique_ptr<poppler::page> page(doc->create_page(0));
    if (!page) {
        *error = "PDF has no first page to draw";
        return {};
    }
    double points = page->page_rect().width();
    double dpi = std::clamp(points > 0 ? 72.0 * width / points : 96.0, 24.0, 200.0);
    poppler::page_renderer renderer;
    renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
    renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
    poppler::image img = renderer.render_page(page.get(), dpi, dpi);
    // poppler writes images only to a file: an anonymous one in memory, read back.
    int fd = memfd_create("preview", 0);
    if (fd < 0 || !img.is_valid() || !img.save("/proc/self/fd/" + std::to_string(fd), "png")) {
        if (fd >= 0) close(fd);
        *error = "PDF page could not be drawn";
        return {};
    }
    std::string out;
    char buf[65536];
    ssize_t n;
    lseek(fd, 0, SEEK_SET);
    while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
    close(fd);
    return out;
}

}  // namespace tw
