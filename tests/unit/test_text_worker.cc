// The text extraction worker: real extraction through the tradewind binary,
// and what happens when the worker hangs, crashes or cannot start.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "text_worker.h"

namespace {

// The worker as tradewind runs it.
std::vector<std::string> real_worker() { return {TW_TRADEWIND_BIN, "_extract-worker"}; }

std::string tiny_pdf() {
    std::string content = "BT /F1 12 Tf 50 800 Td (PI-2025-0099) Tj ET";
    std::string objs[] = {"<</Type/Catalog/Pages 2 0 R>>", "<</Type/Pages/Kids[3 0 R]/Count 1>>",
                          "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
                          "<</Length " + std::to_string(content.size()) + ">>stream\n" + content + "\nendstream",
                          "<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>"};
    std::string out = "%PDF-1.4\n";
    std::vector<size_t> offs;
    for (int i = 0; i < 5; ++i) {
        offs.push_back(out.size());
        out += std::to_string(i + 1) + " 0 obj\n" + objs[i] + "\nendobj\n";
    }
    size_t xref = out.size();
    out += "xref\n0 6\n0000000000 65535 f \n";
    for (size_t o : offs) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%010zu 00000 n \n", o);
        out += buf;
    }
    return out + "trailer\n<</Size 6/Root 1 0 R>>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
}

}  // namespace

TEST_CASE("the worker extracts text and is reused", "[worker]") {
    tw::TextWorker w(real_worker());
    for (int i = 0; i < 3; ++i) {
        std::string err;
        std::string text = w.extract(tw::DocFormat::Pdf, tiny_pdf(), 1u << 20, &err);
        CHECK(err.empty());
        CHECK(text.find("PI-2025-0099") != std::string::npos);
    }
    std::string err;
    CHECK(w.extract(tw::DocFormat::Pdf, "not a pdf at all", 1u << 20, &err).empty());
    CHECK(err.find("could not be read") != std::string::npos);  // an extractor error, not a worker failure
    CHECK(w.failures() == 0);
}

TEST_CASE("a hanging worker is killed at the timeout", "[worker]") {
    tw::WorkerLimits lim;
    lim.timeout_ms = 300;
    tw::TextWorker w({"/bin/sh", "-c", "sleep 30", "sh"}, lim);
    std::string err;
    CHECK(w.extract(tw::DocFormat::Pdf, tiny_pdf(), 1u << 20, &err).empty());
    INFO(err);
    CHECK(err.find("timed out") != std::string::npos);
    CHECK(w.failures() == 1);
}

TEST_CASE("a crashing worker is reported and restarted", "[worker]") {
    // Crashes on its first start, then runs the real worker.
    auto marker = std::filesystem::temp_directory_path() / ("tw-worker-" + std::to_string(getpid()));
    std::filesystem::remove(marker);
    std::string script = "if [ -e '" + marker.string() + "' ]; then exec '" + std::string(TW_TRADEWIND_BIN) +
                         "' _extract-worker \"$1\"; fi; touch '" + marker.string() + "'; kill -SEGV $$";
    tw::TextWorker w({"/bin/sh", "-c", script, "sh"});
    std::string err;
    CHECK(w.extract(tw::DocFormat::Pdf, tiny_pdf(), 1u << 20, &err).empty());
    CHECK(err.find("crashed the worker (signal 11)") != std::string::npos);
    std::string err2;
    CHECK(w.extract(tw::DocFormat::Pdf, tiny_pdf(), 1u << 20, &err2).find("PI-2025-0099") != std::string::npos);
    CHECK(err2.empty());
    CHECK(w.failures() == 1);
    std::filesystem::remove(marker);
}

TEST_CASE("a worker that cannot start says so", "[worker]") {
    tw::TextWorker w({"/nonexistent/tradewind", "_extract-worker"});
    std::string err;
    CHECK(w.extract(tw::DocFormat::Xlsx, "PK", 1u << 20, &err).empty());
    CHECK(err.find("could not be started") != std::string::npos);
}
