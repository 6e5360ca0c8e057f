// The text extraction worker: real extraction through the tradewind binary,
// and what happens when the worker hangs, crashes or cannot start.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "helpers.h"
#include "mail/text_worker.h"

namespace {

// The worker as tradewind runs it.
std::vector<std::string> real_worker() { return {TW_TRADEWIND_BIN, "_extract-worker"}; }

std::string tiny_pdf() { return tw_test::make_pdf("PI-2025-0099"); }

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

TEST_CASE("documents larger than the shared buffer go through the socket", "[worker]") {
    tw::TextWorker w(real_worker());
    std::string big(20u << 20, 'x');  // over the 16 MiB shared buffer
    std::string err;
    CHECK(w.extract(tw::DocFormat::Pdf, big, 1u << 20, &err).empty());
    CHECK(err.find("could not be read") != std::string::npos);
    CHECK(w.failures() == 0);
    // and the next small one through the shared buffer again
    std::string err2;
    CHECK(w.extract(tw::DocFormat::Pdf, tiny_pdf(), 1u << 20, &err2).find("PI-2025-0099") != std::string::npos);
    CHECK(err2.empty());
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
                         "' _extract-worker \"$@\"; fi; touch '" + marker.string() + "'; kill -SEGV $$";
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
