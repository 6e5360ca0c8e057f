// Search latency: opens the index once, runs each query of a file (one per
// line) REPEAT times newest-first with 20 hits, and prints p50/p95/max in ms.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "archive/search_index.h"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench_search DATA-DIR QUERIES-FILE [REPEAT]\n");
        return 2;
    }
    int repeat = argc > 3 ? std::stoi(argv[3]) : 5;
    std::ifstream in(argv[2]);
    std::vector<std::string> queries;
    for (std::string q; std::getline(in, q);)
        if (!q.empty()) queries.push_back(q);
    tw::SearchIndex index(argv[1], false);
    std::vector<double> ms;
    size_t hits = 0;
    for (int r = 0; r < repeat; ++r)
        for (const auto& q : queries) {
            auto t0 = std::chrono::steady_clock::now();
            hits += index.search(q, {}).size();
            ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
    std::sort(ms.begin(), ms.end());
    auto pct = [&](double p) { return ms[std::min(ms.size() - 1, size_t(p * ms.size()))]; };
    std::printf("search: %zu queries x %d, %zu documents: p50 %.2f ms, p95 %.2f ms, max %.2f ms (%zu hits)\n",
                queries.size(), repeat, index.documents(), pct(0.50), pct(0.95), ms.back(), hits);
    return 0;
}
