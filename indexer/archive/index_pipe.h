// Applies changes to the search index on a thread of its own, in the order
// given, so a writer's SQLite work and Xapian's inversion overlap (import and
// IMAP sync both write through one). The queue is bounded: memory does not
// grow when the index lags.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "archive/search_index.h"
#include "archive/store.h"

namespace tw {

class IndexPipe {
public:
    explicit IndexPipe(SearchIndex& index);
    ~IndexPipe();  // what is still queued is dropped (recover() catches up from the store)
    IndexPipe(const IndexPipe&) = delete;
    IndexPipe& operator=(const IndexPipe&) = delete;

    // Each throws the error a change given earlier ran into (once); the
    // changes queued with it are dropped: the caller catches up from the
    // store (recover()).
    void add(int64_t row, IndexDocument doc, int64_t thread, const Location& loc);
    void add_location(int64_t row, const Location& loc);
    void set_thread(int64_t row, int64_t thread);
    void set_labels(int64_t row, Labels labels);
    void remove(int64_t row);
    // Commits everything given before it; committed() then says `batch`.
    void commit(int64_t last_row, uint64_t batch = 0);
    uint64_t committed();
    // Waits until every change given so far is applied (and throws as above).
    void finish();

private:
    struct Op {
        enum Kind { Add, AddLocation, SetThread, SetLabels, Remove, Commit } kind = Add;
        int64_t row = 0, thread = 0;
        IndexDocument doc;
        Location loc;
        Labels labels;
        uint64_t batch = 0;
    };
    void rethrow();
    void push(Op op);
    void run();

    static constexpr size_t kMaxQueued = 64;
    SearchIndex& index_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Op> q_;
    bool busy_ = false, abandon_ = false;
    uint64_t committed_ = 0;
    std::exception_ptr error_;
    std::thread thread_;  // last: starts after the members it uses
};

}  // namespace tw
