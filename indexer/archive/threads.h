// Conversations: which thread a new message joins (JWZ-style through its
// ids, a subject fallback for replies whose client dropped References), and
// the moves and merges that follows, noted for the index. Runs on the store's
// connection inside its transaction.
#pragma once
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace SQLite {
class Database;
}

namespace tw {

struct Message;

// The subject as the subject fallback compares it: without reply prefixes
// (base_subject) and without the document numbers clients append to it
// ("RE: Inquiry LED panel - PO4500012345").
std::string subject_key(const std::string& base);

class Threader {
public:
    explicit Threader(SQLite::Database& db);
    ~Threader();
    // The conversation m joins (next_row: the id it gets, naming a new one);
    // rows whose conversation changed go to relabeled (row, new thread).
    int64_t assign(const Message& m, const std::vector<std::string>& externals, const std::vector<std::string>& docs,
                   int64_t next_row, std::vector<std::pair<int64_t, int64_t>>& relabeled);
    void reset();  // ends every statement's read

private:
    std::pair<int64_t, bool> thread_of_id(const std::string& id);
    void move_guess(const std::string& msgid, int64_t from, int64_t target, std::vector<std::pair<int64_t, int64_t>>& relabeled);
    void relabel(int64_t row, int64_t target, std::vector<std::pair<int64_t, int64_t>>& relabeled);
    void merge(int64_t target, int64_t other, std::vector<std::pair<int64_t, int64_t>>& relabeled);
    int64_t subject_fallback(const Message& m, const std::vector<std::string>& externals, const std::vector<std::string>& docs);
    SQLite::Statement find_thread_id_, upsert_thread_id_, move_message_, rows_of_message_, fallback_, thread_docs_,
        rows_of_thread_, move_thread_, move_thread_ids_, note_relabel_;
};

}  // namespace tw
