#include "archive/importer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <unordered_map>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <thread>

#include "archive/archive_writer.h"
#include "archive/index_pipe.h"
#include "archive/schema.h"
#include "mail/message.h"
#include "archive/search_index.h"
#include "archive/store.h"
#include "mail/strutil.h"
#include "mail/text_worker.h"

namespace fs = std::filesystem;

namespace tw {
namespace {

// One message to read: a whole file, or a slice of an mbox file.
struct Item {
    Location loc;
    std::string path;
    size_t offset = 0, length = std::string::npos;  // mbox slice
    int64_t mtime = 0;
};

std::string read_slice(const Item& it) {
    int fd = ::open(it.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    size_t length = it.length;
    if (length == std::string::npos) {
        struct stat st {};
        length = fstat(fd, &st) == 0 && st.st_size > 0 ? size_t(st.st_size) : 0;
    }
    std::string out(length, '\0');
    size_t got = 0;
    while (got < length) {
        ssize_t n = ::pread(fd, out.data() + got, length - got, off_t(it.offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += size_t(n);
    }
    ::close(fd);
    out.resize(got);
    return out;
}

int64_t mtime_of(const fs::path& p) {
    struct stat st {};
    return stat(p.c_str(), &st) == 0 ? int64_t(st.st_mtime) : 0;
}

bool is_maildir(const fs::path& p) { return fs::is_directory(p / "cur") || fs::is_directory(p / "new"); }

// Maildir: cur/ and new/ files; the unique name (before ":2,flags") is the source.
void add_maildir(const fs::path& dir, const std::string& folder, const std::string& account, std::vector<Item>& out) {
    for (const char* sub : {"new", "cur"}) {
        fs::path d = dir / sub;
        if (!fs::is_directory(d)) continue;
        for (const auto& e : fs::directory_iterator(d)) {
            if (!e.is_regular_file()) continue;
            std::string name = e.path().filename().string();
            if (name.starts_with(".")) continue;
            std::string unique = name.substr(0, name.find(':'));
            out.push_back({{account, folder, unique, {}, 0}, e.path().string(), 0, std::string::npos, mtime_of(e.path())});
        }
    }
}

// mbox: messages start at lines "From " at the top or after a blank line. The
// file is scanned in blocks, so a large mbox costs no more memory than a small one.
void add_mbox(const fs::path& file, const std::string& account, std::vector<Item>& out) {
    std::ifstream in(file, std::ios::binary);
    std::vector<size_t> starts;
    const std::string_view sep = "\nFrom ";
    std::string carry;  // the last bytes of the previous block, so a separator may span two blocks
    size_t base = 0;    // file offset of carry's first byte
    std::string block(1u << 20, '\0');
    bool first = true;
    while (in) {
        in.read(block.data(), std::streamsize(block.size()));
        size_t got = size_t(in.gcount());
        if (got == 0) break;
        std::string buf = carry + block.substr(0, got);
        if (first && buf.starts_with("From ")) starts.push_back(0);
        first = false;
        for (size_t p = buf.find(sep); p != std::string::npos; p = buf.find(sep, p + 1)) {
            // a blank line before: "\n\nFrom " or "\n\r\nFrom "
            bool blank = (p >= 1 && buf[p - 1] == '\n') || (p >= 2 && buf[p - 1] == '\r' && buf[p - 2] == '\n');
            if (blank && (starts.empty() || starts.back() != base + p + 1)) starts.push_back(base + p + 1);
        }
        size_t keep = std::min<size_t>(buf.size(), sep.size() + 2);
        base += buf.size() - keep;
        carry = buf.substr(buf.size() - keep);
    }
    size_t size = size_t(fs::file_size(file));
    std::string folder = file.stem().string();
    int64_t mt = mtime_of(file);
    for (size_t i = 0; i < starts.size(); ++i) {
        size_t end = i + 1 < starts.size() ? starts[i + 1] : size;
        out.push_back({{account, folder, "mbox:" + std::to_string(i), {}, 0}, file.string(), starts[i], end - starts[i], mt});
    }
}

std::vector<Item> enumerate(const ImportOptions& o) {
    std::vector<Item> items;
    for (const auto& p : o.paths) {
        fs::path path(p);
        if (fs::is_directory(path)) {
            if (!is_maildir(path))
                throw StoreError(p + " is a directory but not a Maildir (no cur/ or new/ in it): give a Maildir, an mbox file or .eml files");
            add_maildir(path, "INBOX", o.account, items);
            for (const auto& e : fs::directory_iterator(path)) {
                std::string name = e.path().filename().string();
                if (e.is_directory() && name.size() > 1 && name[0] == '.' && is_maildir(e.path())) {
                    std::string folder = name.substr(1);
                    std::replace(folder.begin(), folder.end(), '.', '/');  // Maildir++ ".Sent.2025" -> "Sent/2025"
                    add_maildir(e.path(), folder, o.account, items);
                }
            }
        } else if (fs::is_regular_file(path)) {
            std::ifstream in(path, std::ios::binary);
            char head[5] = {};
            in.read(head, 5);
            if (std::string_view(head, size_t(in.gcount())) == "From ") add_mbox(path, o.account, items);
            else items.push_back({{o.account, "INBOX", fs::absolute(path).string(), {}, 0}, path.string(), 0, std::string::npos, mtime_of(path)});
        } else {
            throw StoreError("cannot read " + p + ": no such file or directory");
        }
    }
    // A fixed order makes an import reproducible (threads are assigned in this order).
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        return std::tie(a.mtime, a.path, a.offset) < std::tie(b.mtime, b.path, b.offset);
    });
    return items;
}


// Parses items on several threads; the caller takes results in order. Workers
// run at most `ahead` items in front of the consumer, so memory stays bounded.
class ParallelParser {
public:
    ParallelParser(const std::vector<Item>& items, const std::vector<bool>& skip, unsigned threads,
                   const std::vector<std::string>& worker_command, const IngestHook* hook)
        : items_(items), skip_(skip), slots_(items.size()) {
        for (unsigned t = 0; t < threads; ++t) pool_.emplace_back([this, worker_command, hook] { run(worker_command, hook); });
    }
    ~ParallelParser() {
        {
            std::lock_guard lk(mu_);
            stop_ = true;
        }
        more_.notify_all();
        for (auto& t : pool_) t.join();
    }
    // The parsed message for item i (waits for it); nullopt for skipped items.
    std::optional<Parsed> take(size_t i) {
        std::unique_lock lk(mu_);
        consumed_ = i;
        if (parsers_waiting_) more_.notify_all();  // the window moved
        waiting_for_ = i;
        ready_.wait(lk, [&] { return skip_[i] || slots_[i].has_value(); });
        waiting_for_ = SIZE_MAX;
        std::optional<Parsed> m = std::move(slots_[i]);
        slots_[i].reset();
        return m;
    }

private:
    void run(const std::vector<std::string>& worker_command, const IngestHook* hook) {
        Parser parser(worker_command, hook);
        while (true) {
            size_t i = next_.fetch_add(1);
            if (i >= items_.size()) return;
            if (skip_[i]) continue;
            {
                std::unique_lock lk(mu_);
                ++parsers_waiting_;
                more_.wait(lk, [&] { return stop_ || i < consumed_ + kAhead; });
                --parsers_waiting_;
                if (stop_) return;
            }
            Parsed m = parser.parse(read_slice(items_[i]), items_[i].mtime, items_[i].loc.account);
            std::lock_guard lk(mu_);
            slots_[i] = std::move(m);
            if (waiting_for_ == i) ready_.notify_one();  // wake the writer only for what it waits on
        }
    }

    static constexpr size_t kAhead = 32;
    const std::vector<Item>& items_;
    const std::vector<bool>& skip_;
    std::vector<std::optional<Parsed>> slots_;
    std::vector<std::thread> pool_;
    std::atomic<size_t> next_{0};
    std::mutex mu_;
    std::condition_variable ready_;  // the writer waits for slot waiting_for_
    std::condition_variable more_;   // parsers wait for the window to move
    size_t consumed_ = 0, waiting_for_ = SIZE_MAX, parsers_waiting_ = 0;
    bool stop_ = false;
};

size_t catch_up(Store& store, SearchIndex& index, const std::vector<std::string>& worker_command, bool again = false);

}  // namespace

ImportSummary import_mail(const ImportOptions& o, const std::function<void(const ImportProgress&)>& progress) {
    auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    Store store(o.data_dir, o.hook);
    SearchIndex index(o.data_dir, true);
    recover(store, index, o.worker_command);
    std::vector<Item> items = enumerate(o);
    ImportSummary sum;
    sum.found = items.size();
    std::vector<bool> skip(items.size());
    store.begin();  // one read transaction for all the lookups
    for (size_t i = 0; i < items.size(); ++i) skip[i] = store.has_location(items[i].loc);
    store.commit();
    double t_setup = elapsed();
    unsigned threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
    ParallelParser parser(items, skip, threads, o.worker_command, store.hook());
    IndexPipe pipe(index);
    // A relabel marker stays in SQLite until the index has committed the batch
    // that carries the change (row -> the latest batch that relabeled it).
    std::unordered_map<int64_t, uint64_t> relabel_batch;
    uint64_t batch = 1;
    size_t in_batch = 0;
    store.begin();
    double t_wait = 0, t_store = 0, t_commit = 0;
    auto now = [] { return std::chrono::steady_clock::now(); };
    auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
    for (size_t i = 0; i < items.size(); ++i) {
        auto w0 = now();
        std::optional<Parsed> m = parser.take(i);
        t_wait += secs(w0, now());
        if (!m) {
            ++sum.skipped;
        } else {
            auto s0 = now();
            AddResult r = store.add(m->message, m->prepared, items[i].loc);
            t_store += secs(s0, now());
            if (r.outcome == AddOutcome::New) {
                ++sum.imported;
                if (!m->message.problems.empty()) ++sum.flagged;
                m->doc.add_labels(r.labels);
                pipe.add(r.row, std::move(m->doc), r.thread, items[i].loc);
            } else if (r.outcome == AddOutcome::Copy) {
                ++sum.copies;
                pipe.add_location(r.row, items[i].loc);
            }
            for (const auto& [row, thread] : r.relabeled) {
                pipe.set_thread(row, thread);
                relabel_batch[row] = batch;
            }
            for (auto& [row, labels] : r.relinked) {
                pipe.set_labels(row, std::move(labels));
                relabel_batch[row] = batch;
            }
            ++in_batch;
        }
        if (in_batch >= o.batch || i + 1 == items.size()) {
            auto c0 = now();
            store.commit();
            pipe.commit(store.max_row(), batch);  // after SQLite: a crash in between is caught up next time
            store.begin();
            // Markers the index has committed go (with the next batch).
            uint64_t done = pipe.committed();
            for (auto it = relabel_batch.begin(); it != relabel_batch.end();) {
                if (it->second <= done) {
                    store.clear_relabel(it->first);
                    it = relabel_batch.erase(it);
                } else {
                    ++it;
                }
            }
            ++batch;
            in_batch = 0;
            t_commit += secs(c0, now());
        }
        if (progress && (i % 64 == 0 || i + 1 == items.size())) progress({i + 1, items.size(), elapsed()});
    }
    auto f0 = now();
    pipe.finish();
    double t_finish = secs(f0, now());
    store.clear_relabels();  // the index has committed every change
    store.commit();
    sum.seconds = elapsed();
    if (std::getenv("TW_PROFILE"))
        std::fprintf(stderr, "import profile: setup %.2f s, waiting for parsers %.2f s, store %.2f s, commits %.2f s, "
                     "waiting for the index %.2f s, total %.2f s\n", t_setup, t_wait, t_store, t_commit, t_finish, sum.seconds);
    return sum;
}

namespace {

// Indexes the stored messages the index does not have yet (rows after its last_row).
// again: the ingest hook derives what it derives from each message again too
// (reindex: after the firm's own patterns changed, archived mail follows them).
size_t catch_up(Store& store, SearchIndex& index, const std::vector<std::string>& worker_command, bool again) {
    ParseLimits lim;
    std::unique_ptr<TextWorker> worker;
    if (!worker_command.empty()) {
        worker = std::make_unique<TextWorker>(worker_command);
        lim.extractor = worker.get();
    }
    int64_t from = index.last_row();
    size_t n = 0;
    IngestHook* hook = store.hook();
    if (again && hook) store.begin();
    const std::vector<Party> none;
    store.for_each([&](const StoredMessage& s) {
        if (s.row <= from || s.locations.empty()) return;
        Message m = parse_message(store.raw(s.row), s.date, lim);
        Labels labels;
        if (hook && again) {
            auto facts = hook->prepare(m);
            labels = hook->restored({s.row, s.thread, s.date, m, s.locations.front(), none, none}, *facts);
        } else if (hook) {
            labels = hook->labels_of(s.row);
        }
        IndexDocument doc = SearchIndex::prepare(m, labels);
        index.add(s.row, std::move(doc), s.thread, s.locations.front());
        for (size_t k = 1; k < s.locations.size(); ++k) index.add_location(s.row, s.locations[k]);
        if (++n % 1000 == 0) index.commit(s.row);
    });
    if (again && hook) {
        hook->restored_all();
        store.commit();
    }
    index.commit(store.max_row());
    return n;
}

}  // namespace

void recover(Store& store, SearchIndex& index, const std::vector<std::string>& worker_command) {
    // Messages the index holds beyond the archive's last row: a batch the store
    // rolled back (a full disk) whose index changes Xapian committed on closing.
    if (index.remove_after(store.max_row())) index.commit(std::min(index.last_row(), store.max_row()));
    // Catch up with rows stored before a crash but not yet indexed.
    if (index.last_row() < store.max_row()) catch_up(store, index, worker_command);
    // Conversations merged in a batch whose index commit a crash prevented.
    // (And messages whose labels another one changed: they are marked alike.)
    if (auto pending = store.pending_relabels(); !pending.empty()) {
        for (const auto& [row, thread] : pending) {
            index.set_thread(row, thread);
            if (IngestHook* hook = store.hook()) index.set_labels(row, hook->labels_of(row));
        }
        index.commit(store.max_row());
        store.begin();
        store.clear_relabels();
        store.commit();
    }
}

size_t relink_index(Store& store, SearchIndex& index) {
    int64_t ticket = store.index_relink_requested();
    size_t changed = 0;
    if (IngestHook* hook = store.hook())
        for (const auto& f : schema::kFields)
            if (f.kind == schema::FieldKind::Label)
                for (const auto& [row, values] : hook->field_values(std::string(f.name)))
                    changed += index.set_field(row, std::string(f.name), values) ? 1 : 0;
    index.commit(index.last_row());
    if (ticket) store.index_relink_done(ticket);
    return changed;
}

std::optional<size_t> relink_index_or_ask(Store& store, const std::string& data_dir, std::string* why) {
    std::unique_ptr<SearchIndex> index;
    try {
        index = std::make_unique<SearchIndex>(data_dir, true);
    } catch (const StoreError& e) {  // locked by the running writer
        if (why) *why = e.what();
        store.request_index_relink();
        return std::nullopt;
    }
    return relink_index(store, *index);
}

std::optional<size_t> relabel_rows_or_ask(Store& store, const std::string& data_dir, const std::vector<int64_t>& rows) {
    if (!store.hook() || rows.empty()) return 0;
    std::unique_ptr<SearchIndex> index;
    try {
        index = std::make_unique<SearchIndex>(data_dir, true);
    } catch (const StoreError&) {  // locked by the running writer: it brings every label along
        store.request_index_relink();
        return std::nullopt;
    }
    return relabel_rows(store, *index, rows);
}

size_t relabel_rows(Store& store, SearchIndex& index, const std::vector<int64_t>& rows) {
    IngestHook* hook = store.hook();
    if (!hook || rows.empty()) return 0;
    size_t changed = 0;
    for (int64_t row : rows) changed += index.set_labels(row, hook->labels_of(row)) ? 1 : 0;
    index.commit(index.last_row());
    return changed;
}

size_t reindex(const std::string& data_dir, const std::vector<std::string>& worker_command, const IngestHook::Factory& hook) {
    Store store(data_dir, hook);
    std::error_code ec;
    fs::remove_all(fs::path(data_dir) / "index", ec);
    SearchIndex index(data_dir, true);
    return catch_up(store, index, worker_command, true);
}

}  // namespace tw
