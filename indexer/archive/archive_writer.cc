#include "archive/archive_writer.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "archive/importer.h"
#include "archive/index_pipe.h"
#include "mail/message.h"
#include "archive/search_index.h"
#include "mail/strutil.h"
#include "mail/text_worker.h"

namespace tw {

namespace {
constexpr size_t kIndexCommitEvery = 2000;
}

Parser::Parser(const std::vector<std::string>& worker_command, const IngestHook* hook) : hook_(hook) {
    if (!worker_command.empty()) {
        worker_ = std::make_unique<TextWorker>(worker_command);
        limits_.extractor = worker_.get();
    }
}

Parser::~Parser() = default;

Parsed Parser::parse(std::string raw, int64_t arrival, const std::string& account) {
    Parsed p;
    p.message = parse_message(std::move(raw), arrival, limits_);
    p.prepared = Store::prepare(p.message, address_domain(account), hook_);
    p.doc = SearchIndex::prepare(p.message, p.prepared.facts ? hook_->labels(*p.prepared.facts) : Labels{});
    return p;
}

namespace {

// Parser threads that live as long as the writer (each with its own
// extraction worker); parse() hands them one batch and waits for it.
class ParserPool {
public:
    ParserPool(unsigned n, const std::vector<std::string>& worker_command, const IngestHook* hook) {
        for (unsigned i = 0; i < n; ++i) threads_.emplace_back([this, worker_command, hook] { run(worker_command, hook); });
    }
    ~ParserPool() {
        {
            std::lock_guard lk(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        for (auto& t : threads_) t.join();
    }
    std::vector<Parsed> parse(std::vector<Incoming>& batch) {
        std::lock_guard turn(callers_);  // one batch at a time on the pool
        std::vector<Parsed> out(batch.size());
        std::unique_lock lk(mu_);
        batch_ = &batch;
        out_ = &out;
        next_ = 0;
        left_ = batch.size();
        ++generation_;
        cv_.notify_all();
        done_.wait(lk, [&] { return left_ == 0; });
        batch_ = nullptr;
        return out;
    }

private:
    void run(const std::vector<std::string>& worker_command, const IngestHook* hook) {
        Parser parser(worker_command, hook);
        uint64_t seen = 0;
        while (true) {
            std::unique_lock lk(mu_);
            cv_.wait(lk, [&] { return stop_ || (generation_ != seen && batch_ && next_ < batch_->size()); });
            if (stop_) return;
            size_t i = next_++;
            if (next_ >= batch_->size()) seen = generation_;
            Incoming& in = (*batch_)[i];
            Parsed& p = (*out_)[i];
            lk.unlock();
            p = parser.parse(std::move(in.raw), in.arrival, in.loc.account);
            lk.lock();
            if (--left_ == 0) done_.notify_all();
        }
    }

    std::vector<std::thread> threads_;
    std::mutex callers_, mu_;
    std::condition_variable cv_, done_;
    std::vector<Incoming>* batch_ = nullptr;
    std::vector<Parsed>* out_ = nullptr;
    size_t next_ = 0, left_ = 0;
    uint64_t generation_ = 0;
    bool stop_ = false;
};

}  // namespace

struct ArchiveWriter::Impl {
    Store store;
    SearchIndex index;
    ParserPool pool;
    IndexPipe pipe;  // index changes on a thread of their own, after the store's
    std::vector<std::string> worker_command;
    bool open = false;
    std::vector<int64_t> added;  // rows indexed in the open batch
    bool index_pending = false;  // stored batches the index has not committed
    bool index_behind = false;   // an index change failed: catch up from the store
    size_t unindexed = 0;        // new messages since the index's last commit

    Impl(const std::string& dir, const std::vector<std::string>& worker_command, unsigned parsers, const IngestHook::Factory& hook)
        : store(dir, hook), index(dir, true),
          pool(parsers ? parsers : std::max(1u, std::thread::hardware_concurrency()), worker_command, store.hook()),
          pipe(index), worker_command(worker_command) {
        recover(store, index, worker_command);
    }
    void begin() {
        if (!open) store.begin();
        open = true;
    }
    // Runs a change through the pipe; when the index failed (disk full, say),
    // what it dropped is caught up from the store once it works again.
    template <class F>
    void to_index(F&& f) {
        try {
            f();
        } catch (...) {
            index_behind = true;
            throw;
        }
    }
};

ArchiveWriter::ArchiveWriter(const std::string& data_dir, const std::vector<std::string>& worker_command, unsigned parsers,
                             const IngestHook::Factory& hook)
    : d_(std::make_unique<Impl>(data_dir, worker_command, parsers, hook)) {}

ArchiveWriter::~ArchiveWriter() = default;

bool ArchiveWriter::has_location(const Location& loc) { return d_->store.has_location(loc); }

std::vector<Parsed> ArchiveWriter::parse(std::vector<Incoming>& batch) { return d_->pool.parse(batch); }

AddCounts ArchiveWriter::add(std::vector<Incoming> batch) {
    std::vector<Parsed> parsed = d_->pool.parse(batch);
    return add(batch, std::move(parsed));
}

AddCounts ArchiveWriter::add(const std::vector<Incoming>& batch, std::vector<Parsed> parsed) {
    AddCounts counts;
    d_->begin();
    auto& pipe = d_->pipe;
    for (size_t i = 0; i < parsed.size(); ++i) {
        const Location& loc = batch[i].loc;
        if (!loc.flags.empty()) d_->store.set_location_flags(loc, loc.flags);
        Parsed& p = parsed[i];
        AddResult r = d_->store.add(p.message, p.prepared, loc);
        counts.outcomes.push_back(r.outcome);
        counts.problems.push_back(!p.message.problems.empty());
        if (r.outcome == AddOutcome::New) {
            ++counts.imported;
            if (!p.message.problems.empty()) ++counts.flagged;
            p.doc.add_labels(r.labels);
            d_->added.push_back(r.row);
            ++d_->unindexed;
            d_->to_index([&] { pipe.add(r.row, std::move(p.doc), r.thread, loc); });
        } else if (r.outcome == AddOutcome::Copy) {
            ++counts.copies;
            d_->to_index([&] { pipe.add_location(r.row, loc); });
        } else {
            ++counts.known;
        }
        for (const auto& moved : r.relabeled) d_->to_index([&] { pipe.set_thread(moved.first, moved.second); });
        for (auto& [row, labels] : r.relinked) d_->to_index([&] { pipe.set_labels(row, std::move(labels)); });
    }
    return counts;
}

Store& ArchiveWriter::store() {
    d_->begin();
    return d_->store;
}

void ArchiveWriter::rollback() {
    d_->store.rollback();
    d_->open = false;
    try {
        for (int64_t row : d_->added) d_->pipe.remove(row);  // rows the store will hand out again
    } catch (const std::exception&) {
        d_->index_behind = true;  // the catch-up goes by the store, which no longer has them
    }
    d_->added.clear();
}


IngestHook* ArchiveWriter::hook() { return d_->store.hook(); }

void ArchiveWriter::commit(bool index_now) {
    if (d_->open) {
        d_->store.commit();
        d_->open = false;
        d_->added.clear();
        d_->index_pending = true;
    }
    // A Xapian commit costs about as much for 200 messages as for 2,000.
    bool due = d_->index_pending && (index_now || d_->unindexed >= kIndexCommitEvery);
    if (due) {
        // After SQLite: a crash in between is caught up by recover().
        d_->to_index([&] { d_->pipe.commit(d_->store.max_row()); });
        d_->index_pending = false;
        d_->unindexed = 0;
    }
    if (!index_now) return;  // the index commits meanwhile, while the next batches are stored
    d_->to_index([&] { d_->pipe.finish(); });
    // The pipe is idle: the index is this thread's until the next change.
    if (d_->index_behind) {
        d_->index_behind = false;
        d_->to_index([&] { recover(d_->store, d_->index, d_->worker_command); });
    }
    // Labels changed by users meanwhile (customers merged on the web): search follows.
    if (d_->store.index_relink_requested()) d_->to_index([&] { relink_index(d_->store, d_->index); });
    if (!due) return;
    // Thread changes are forgotten only once the index has them.
    d_->store.begin();
    d_->store.clear_relabels();
    d_->store.commit();
}

void ArchiveWriter::relabel(const std::vector<int64_t>& rows) {
    if (rows.empty()) return;
    d_->to_index([&] {
        d_->pipe.finish();  // the rows' own documents first
        relabel_rows(d_->store, d_->index, rows);
    });
}

}  // namespace tw
