// The full-text index (Xapian). search_index.cc is the only code that touches
// Xapian. Layout: archive_schema.h. One writer per archive; readers reopen.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "archive/ingest_hook.h"
#include "mail/message.h"
#include "archive/store.h"

namespace tw {

struct SearchOptions {
    size_t limit = 20;
    size_t offset = 0;  // hits to skip (paging)
    bool by_relevance = false;  // default: newest first
    bool collapse_threads = false;
    // Expanded fields (schema::kFields, e.g. owner:REP): the values of the field
    // they expand into (customer) for what the query says, looked up when
    // searching because they change without the mail changing (crm/: the
    // customers REP owns now). (field, text) -> values.
    std::function<std::vector<std::string>(const std::string&, const std::string&)> expand;
    // Only messages with one of these terms ((field, value) of Boolean or
    // Label fields, e.g. ("account", addr), ("customer", "12")): the reader's
    // visible set (crm/access.h), applied inside the query, so totals and
    // pages are exact. Unset: every message; set but empty: none.
    std::optional<std::vector<std::pair<std::string, std::string>>> only;
};


struct SearchHit {
    int64_t row = 0;
    double score = 0;     // relevance, 0-100
    std::string snippet;  // HTML-escaped text around the matches, which are marked [[ ]]
};
struct SearchPage {
    size_t total = 0;  // every match (of `only`), exactly; with collapse_threads, conversations
    std::vector<SearchHit> hits;
};

// A message's terms and values, built without the database (on any thread);
// SearchIndex::add completes it with its conversation and location.
class IndexDocument {
public:
    IndexDocument();
    ~IndexDocument();
    IndexDocument(IndexDocument&&) noexcept;
    IndexDocument& operator=(IndexDocument&&) noexcept;
    // Label terms (customer:ID, doc:NUMBER) from the ingest hook. Throws
    // std::invalid_argument for a field that is not a Label of schema::kFields.
    void add_labels(const Labels& labels);

private:
    friend class SearchIndex;
    struct Impl;
    std::unique_ptr<Impl> d_;
};

class SearchIndex {
public:
    // Thread-safe.
    // labels: what the ingest hook knows of it already (IngestHook::labels).
    static IndexDocument prepare(const Message& m, const Labels& labels = {});

    // Opens DIR/index for writing (creating it) or for reading. Throws StoreError with a hint.
    SearchIndex(const std::string& dir, bool writable);
    ~SearchIndex();

    void add(int64_t row, const Message& m, int64_t thread, const Location& loc);
    void add(int64_t row, IndexDocument doc, int64_t thread, const Location& loc);
    void add_location(int64_t row, const Location& loc);
    void set_thread(int64_t row, int64_t thread);
    // Replaces the terms of one Label field of an indexed message (customer:
    // after a relink); false if they were right already (or it is not indexed).
    bool set_field(int64_t row, const std::string& field, const std::vector<std::string>& values);
    // Every Label field of a message as these labels have them.
    bool set_labels(int64_t row, const Labels& labels);
    // The same for several Label fields at once: the document is read and written once.
    bool set_fields(int64_t row, const std::vector<std::pair<std::string, std::vector<std::string>>>& fields);
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
    // The same, with the exact total.
    SearchPage search_page(const std::string& query, const SearchOptions& opts);

private:
    void add_prepared(int64_t row, IndexDocument& doc, int64_t thread, const Location& loc);
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace tw
