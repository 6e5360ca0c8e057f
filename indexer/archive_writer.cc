#include "archive_writer.h"

#include "strutil.h"
#include "importer.h"
#include "message.h"
#include "search_index.h"
#include "text_worker.h"

namespace tw {

struct ArchiveWriter::Impl {
    Store store;
    SearchIndex index;
    std::unique_ptr<TextWorker> worker;
    ParseLimits limits;
    bool open = false;

    Impl(const std::string& dir, const std::vector<std::string>& worker_command) : store(dir), index(dir, true) {
        recover(store, index, worker_command);
        if (!worker_command.empty()) {
            worker = std::make_unique<TextWorker>(worker_command);
            limits.extractor = worker.get();
        }
    }
    void begin() {
        if (!open) store.begin();
        open = true;
    }
};

ArchiveWriter::ArchiveWriter(const std::string& data_dir, const std::vector<std::string>& worker_command)
    : d_(std::make_unique<Impl>(data_dir, worker_command)) {}

ArchiveWriter::~ArchiveWriter() = default;

bool ArchiveWriter::has_location(const Location& loc) { return d_->store.has_location(loc); }

AddOutcome ArchiveWriter::add(std::string raw, const Location& loc, int64_t arrival, bool* flagged) {
    d_->begin();
    if (!loc.flags.empty()) d_->store.set_location_flags(loc, loc.flags);
    if (d_->store.has_location(loc)) return AddOutcome::Known;
    Message m = parse_message(std::move(raw), arrival, d_->limits);
    if (flagged) *flagged = !m.problems.empty();
    AddResult r = d_->store.add(m, Store::prepare(m, address_domain(loc.account)), loc);
    if (r.outcome == AddOutcome::New) d_->index.add(r.row, m, r.thread, loc);
    else if (r.outcome == AddOutcome::Copy) d_->index.add_location(r.row, loc);
    for (const auto& [row, thread] : r.relabeled) d_->index.set_thread(row, thread);
    return r.outcome;
}

Store& ArchiveWriter::store() {
    d_->begin();
    return d_->store;
}

void ArchiveWriter::commit() {
    if (!d_->open) return;
    d_->store.commit();
    d_->open = false;
    d_->index.commit(d_->store.max_row());  // a crash before this is caught up by recover()
    d_->store.begin();
    d_->store.clear_relabels();
    d_->store.commit();
}

}  // namespace tw
