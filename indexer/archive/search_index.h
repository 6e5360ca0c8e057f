// The full-text index (Xapian). search_index.cc is the only code that touches
// Xapian. Layout: archive_schema.h. One writer per archive; readers reopen.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "crm/crm.h"
#include "mail/message.h"
#include "archive/store.h"

namespace tw {

struct SearchOptions {
    size_t limit = 20;
    bool by_relevance = false;  // default: newest first
    bool collapse_threads = false;
    // owner:REP: the customers REP owns now (Store::customers_owned_by). Ownership
    // moves (assignments, the pool), so it is looked up when searching, not indexed.
    std::function<std::vector<int64_t>(const std::string&)> owned_by;
};

struct SearchHit {
    int64_t row = 0;
    double score = 0;     // relevance, 0-100
    std::string snippet;  // HTML-escaped text around the matches, which are marked [[ ]]
};

// A message's terms and values, built without the database (on any thread);
// SearchIndex::add completes it with its conversation and location.
class IndexDocument {
public:
    IndexDocument();
    ~IndexDocument();
    IndexDocument(IndexDocument&&) noexcept;
    IndexDocument& operator=(IndexDocument&&) noexcept;
    // customer:ID terms (known only when the store has linked the message).
    void add_customers(const std::vector<int64_t>& ids);

private:
    friend class SearchIndex;
    struct Impl;
    std::unique_ptr<Impl> d_;
};

class SearchIndex {
public:
    // Thread-safe.
    // docs: the message's document mentions when already found (Store::prepare), else found here.
    static IndexDocument prepare(const Message& m, const std::vector<DocMention>* docs = nullptr);

    // Opens DIR/index for writing (creating it) or for reading. Throws StoreError with a hint.
    SearchIndex(const std::string& dir, bool writable);
    ~SearchIndex();

    void add(int64_t row, const Message& m, int64_t thread, const Location& loc);
    void add(int64_t row, IndexDocument doc, int64_t thread, const Location& loc);
    void add_location(int64_t row, const Location& loc);
    void set_thread(int64_t row, int64_t thread);
    // Replaces the customer:ID terms of an indexed message (after a relink);
    // false if they were right already (or the message is not indexed).
    bool set_customers(int64_t row, const std::vector<int64_t>& ids);
    // Takes a message out of the index (after its store batch was rolled back).
    void remove(int64_t row);
    // Takes out every message after row (ones whose store batch was rolled back
    // when the process ended before it could remove them); how many.
    size_t remove_after(int64_t row);
    // Makes everything added so far durable, with last_row as the catch-up point.
    void commit(int64_t last_row);
    int64_t last_row() const;
    size_t documents() const;

    // QUERY: words, "phrases", wildcards (quot*), AND/OR/NOT, prefixes from
    // archive_schema.h, date:2025-01-01..2025-03-31, size:1000..100000, owner:
    // (with opts.owned_by).
    std::vector<SearchHit> search(const std::string& query, const SearchOptions& opts);

private:
    void add_prepared(int64_t row, IndexDocument& doc, int64_t thread, const Location& loc);
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace tw
