// Parse throughput: loads every file under the given directories into memory,
// then times parse_message over all of them (no I/O in the timed part).
// Prints MB/s and messages/s, with and without attachment text, on 1 and N threads.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "mail/message.h"
#include "mail/text_worker.h"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> load(int argc, char** argv, size_t& bytes) {
    std::vector<std::string> out;
    bytes = 0;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--repeat" || std::string(argv[i]) == "--worker") {
            ++i;
            continue;
        }
        if (!fs::is_directory(argv[i])) {
            std::fprintf(stderr, "bench_parse: %s is not a directory\n", argv[i]);
            continue;
        }
        for (const auto& e : fs::recursive_directory_iterator(argv[i])) {
            if (!e.is_regular_file()) continue;
            std::string p = e.path().string();
            if (p.find("/cur/") == std::string::npos && p.find("/new/") == std::string::npos) continue;
            std::ifstream in(e.path(), std::ios::binary);
            out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
            bytes += out.back().size();
        }
    }
    return out;
}

struct Result {
    double seconds;
    size_t problems;
};

Result run(const std::vector<std::string>& mails, tw::ParseLimits lim, unsigned threads, const std::string& worker_bin) {
    std::atomic<size_t> next{0}, problems{0};
    auto worker = [&, lim]() mutable {
        // One extraction worker process per thread, as the daemon runs them.
        std::unique_ptr<tw::TextWorker> tw_worker;
        if (!worker_bin.empty()) {
            tw_worker = std::make_unique<tw::TextWorker>(std::vector<std::string>{worker_bin, "_extract-worker"});
            lim.extractor = tw_worker.get();
        }
        size_t local = 0;
        for (size_t i; (i = next.fetch_add(1)) < mails.size();) {
            tw::Message m = tw::parse_message(mails[i], 0, lim);
            local += m.problems.empty() ? 0 : 1;
        }
        problems += local;
    };
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return {s, problems.load()};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_parse [--repeat N] [--worker TRADEWIND-BINARY] MAILDIR-ROOT...\n");
        return 2;
    }
    int repeat = 3;
    std::string worker_bin;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::string(argv[i]) == "--repeat") repeat = std::stoi(argv[i + 1]);
        if (std::string(argv[i]) == "--worker") worker_bin = argv[i + 1];
    }
    size_t bytes;
    auto mails = load(argc, argv, bytes);
    if (mails.empty()) {
        std::fprintf(stderr, "bench_parse: no mail files (Maildir cur/ or new/) found\n");
        return 2;
    }
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    std::printf("corpus: %zu messages, %.1f MB\n", mails.size(), bytes / 1e6);
    std::printf("%-34s %8s %10s %10s %9s\n", "configuration", "seconds", "MB/s", "msgs/s", "flagged");
    struct Config {
        std::string name;
        bool text;
        unsigned threads;
        std::string worker;
    };
    std::vector<Config> configs = {{"parse + attachment text, 1 thread", true, 1, ""},
                                   {"parse only, 1 thread", false, 1, ""},
                                   {"parse + attachment text, all cores", true, cores, ""}};
    if (!worker_bin.empty()) {
        configs.push_back({"text in worker process, 1 thread", true, 1, worker_bin});
        configs.push_back({"text in worker process, all cores", true, cores, worker_bin});
    }
    for (const auto& c : configs) {
        tw::ParseLimits lim;
        lim.extract_attachment_text = c.text;
        Result best{1e9, 0};
        for (int r = 0; r < repeat; ++r) {
            Result res = run(mails, lim, c.threads, c.worker);
            if (res.seconds < best.seconds) best = res;
        }
        std::printf("%-34s %8.3f %10.1f %10.0f %9zu\n", c.name.c_str(), best.seconds, bytes / 1e6 / best.seconds,
                    mails.size() / best.seconds, best.problems);
    }
    std::printf("(best of %d runs; %u cores; 'flagged' = messages with at least one problem)\n", repeat, cores);
    return 0;
}
