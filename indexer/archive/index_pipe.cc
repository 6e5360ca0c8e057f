#include "archive/index_pipe.h"

namespace tw {

IndexPipe::IndexPipe(SearchIndex& index) : index_(index), thread_([this] { run(); }) {}

IndexPipe::~IndexPipe() {
    {
        std::lock_guard lk(mu_);
        abandon_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void IndexPipe::add(int64_t row, IndexDocument doc, int64_t thread, const Location& loc) {
    Op op;
    op.kind = Op::Add;
    op.row = row;
    op.thread = thread;
    op.doc = std::move(doc);
    op.loc = loc;
    push(std::move(op));
}

void IndexPipe::add_location(int64_t row, const Location& loc) {
    Op op;
    op.kind = Op::AddLocation;
    op.row = row;
    op.loc = loc;
    push(std::move(op));
}

void IndexPipe::set_thread(int64_t row, int64_t thread) {
    Op op;
    op.kind = Op::SetThread;
    op.row = row;
    op.thread = thread;
    push(std::move(op));
}

void IndexPipe::set_labels(int64_t row, Labels labels) {
    Op op;
    op.kind = Op::SetLabels;
    op.row = row;
    op.labels = std::move(labels);
    push(std::move(op));
}

void IndexPipe::remove(int64_t row) {
    Op op;
    op.kind = Op::Remove;
    op.row = row;
    push(std::move(op));
}

void IndexPipe::commit(int64_t last_row, uint64_t batch) {
    Op op;
    op.kind = Op::Commit;
    op.row = last_row;
    op.batch = batch;
    push(std::move(op));
}

uint64_t IndexPipe::committed() {
    std::lock_guard lk(mu_);
    rethrow();
    return committed_;
}

void IndexPipe::finish() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return q_.empty() && !busy_; });
    rethrow();
}

void IndexPipe::rethrow() {  // under mu_
    if (!error_) return;
    std::exception_ptr e = error_;
    error_ = nullptr;
    std::rethrow_exception(e);
}

void IndexPipe::push(Op op) {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return error_ || q_.size() < kMaxQueued; });
    rethrow();
    q_.push_back(std::move(op));
    if (q_.size() == 1) cv_.notify_all();
}

void IndexPipe::run() {
    std::deque<Op> work;
    while (true) {
        {
            std::unique_lock lk(mu_);
            busy_ = false;
            cv_.notify_all();
            cv_.wait(lk, [&] { return abandon_ || !q_.empty(); });
            if (abandon_) return;
            work.swap(q_);  // take everything queued: one wake-up per run of changes
            busy_ = true;
            cv_.notify_all();
        }
        for (; !work.empty(); work.pop_front()) {
            Op& op = work.front();
            try {
                switch (op.kind) {
                    case Op::Add: index_.add(op.row, std::move(op.doc), op.thread, op.loc); break;
                    case Op::AddLocation: index_.add_location(op.row, op.loc); break;
                    case Op::SetThread: index_.set_thread(op.row, op.thread); break;
                    case Op::SetLabels: index_.set_labels(op.row, op.labels); break;
                    case Op::Remove: index_.remove(op.row); break;
                    case Op::Commit: index_.commit(op.row); break;
                }
            } catch (...) {
                // What is queued is dropped: the caller hears of it and catches up from the store.
                std::lock_guard lk(mu_);
                if (!error_) error_ = std::current_exception();
                work.clear();
                q_.clear();
                cv_.notify_all();
                break;
            }
            if (op.kind == Op::Commit) {
                std::lock_guard lk(mu_);
                committed_ = op.batch;
            }
        }
    }
}

}  // namespace tw
