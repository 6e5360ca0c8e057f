#include "archive/threads.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <map>
#include <set>

#include "mail/docnum.h"
#include "mail/message.h"
#include "mail/strutil.h"

namespace tw {
namespace {


// A reference-less reply may join a conversation with the same subject and an
// external party in common, from this far before it (or a little after: clocks).
constexpr int64_t kFallbackBefore = 120 * 86400;
constexpr int64_t kFallbackAfter = 7 * 86400;

}  // namespace

std::string subject_key(const std::string& base) {
    std::string key = base;
    for (const auto& doc : doc_numbers(base)) {
        size_t p;
        while ((p = key.find(doc)) != std::string::npos) key.erase(p, doc.size());
    }
    std::string out;
    for (char c : key) {
        if (c == ' ' || c == '-' || c == ':' || c == '\t') {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += c;
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return to_lower(out);
}

Threader::Threader(SQLite::Database& db)
    : find_thread_id_(db, "SELECT thread, soft FROM thread_ids WHERE msgid=?"),
      upsert_thread_id_(db, "INSERT OR REPLACE INTO thread_ids(msgid, thread, soft) VALUES (?, ?, ?)"),
      move_message_(db, "UPDATE messages SET thread=? WHERE message_id=? AND thread=?"),
      rows_of_message_(db, "SELECT id FROM messages WHERE message_id=? AND thread=?"),
      fallback_(db, "SELECT m.thread, MAX(m.date) FROM messages m JOIN parties p ON p.message = m.id"
                    " WHERE p.address = ? AND m.subject_key = ? AND m.date BETWEEN ? AND ? GROUP BY m.thread"),
      thread_docs_(db, "SELECT COUNT(*) FROM docs d JOIN messages m ON m.id = d.message WHERE m.thread = ? AND d.doc = ?"),
      rows_of_thread_(db, "SELECT id FROM messages WHERE thread = ?"),
      move_thread_(db, "UPDATE messages SET thread = ? WHERE thread = ?"),
      move_thread_ids_(db, "UPDATE thread_ids SET thread = ? WHERE thread = ?"),
      note_relabel_(db, "INSERT OR IGNORE INTO relabeled(message) VALUES (?)") {}

Threader::~Threader() = default;

void Threader::reset() {
    for (auto* s : {&find_thread_id_, &upsert_thread_id_, &move_message_, &rows_of_message_, &fallback_, &thread_docs_,
                    &rows_of_thread_, &move_thread_, &move_thread_ids_, &note_relabel_})
        s->reset();
}

// The thread an id belongs to (0: none), and whether only a subject guess put it there.
std::pair<int64_t, bool> Threader::thread_of_id(const std::string& id) {
    find_thread_id_.reset();
    find_thread_id_.bind(1, id);
    if (!find_thread_id_.executeStep()) return {0, false};
    return {find_thread_id_.getColumn(0).getInt64(), find_thread_id_.getColumn(1).getInt() != 0};
}

// Moves one message placed by a subject guess into target (a reference proved the guess wrong).
void Threader::move_guess(const std::string& msgid, int64_t from, int64_t target,
                std::vector<std::pair<int64_t, int64_t>>& relabeled) {
    rows_of_message_.reset();
    rows_of_message_.bind(1, msgid);
    rows_of_message_.bind(2, from);
    while (rows_of_message_.executeStep()) relabel(rows_of_message_.getColumn(0).getInt64(), target, relabeled);
    move_message_.reset();
    move_message_.bind(1, target);
    move_message_.bind(2, msgid);
    move_message_.bind(3, from);
    move_message_.exec();
}

// Records that row now belongs to target, for the caller and, durably, for the index.
void Threader::relabel(int64_t row, int64_t target, std::vector<std::pair<int64_t, int64_t>>& relabeled) {
    relabeled.emplace_back(row, target);
    note_relabel_.reset();
    note_relabel_.bind(1, row);
    note_relabel_.exec();
}

// Joins threads into target; the rows that moved go to relabeled.
void Threader::merge(int64_t target, int64_t other, std::vector<std::pair<int64_t, int64_t>>& relabeled) {
    rows_of_thread_.reset();
    rows_of_thread_.bind(1, other);
    while (rows_of_thread_.executeStep()) relabel(rows_of_thread_.getColumn(0).getInt64(), target, relabeled);
    for (auto* st : {&move_thread_, &move_thread_ids_}) {
        st->reset();
        st->bind(1, target);
        st->bind(2, other);
        st->exec();
    }
}

// A reply whose client dropped References: the conversation with the same
// subject and an external party in common, preferring one that mentions the
// same document numbers, then the most recent one.
int64_t Threader::subject_fallback(const Message& m, const std::vector<std::string>& externals,
                         const std::vector<std::string>& docs) {
    std::map<int64_t, int64_t> candidates;  // thread -> latest date
    for (const auto& addr : externals) {
        fallback_.reset();
        fallback_.bind(1, addr);
        fallback_.bind(2, subject_key(m.base_subject));
        fallback_.bind(3, static_cast<int64_t>(m.date - kFallbackBefore));
        fallback_.bind(4, static_cast<int64_t>(m.date + kFallbackAfter));
        while (fallback_.executeStep()) {
            int64_t t = fallback_.getColumn(0).getInt64(), when = fallback_.getColumn(1).getInt64();
            candidates[t] = std::max(candidates[t], when);
        }
    }
    int64_t best = 0, best_docs = -1, best_when = 0;
    for (const auto& [t, when] : candidates) {
        int64_t shared = 0;
        for (const auto& doc : docs) {
            thread_docs_.reset();
            thread_docs_.bind(1, t);
            thread_docs_.bind(2, doc);
            if (thread_docs_.executeStep()) shared += thread_docs_.getColumn(0).getInt64() > 0 ? 1 : 0;
        }
        // Prefer shared documents; then the conversation active closest before this mail.
        bool before = when <= m.date + kFallbackAfter;
        bool better = shared > best_docs || (shared == best_docs && before && when > best_when);
        if (better) {
            best = t;
            best_docs = shared;
            best_when = when;
        }
    }
    // Several candidates and no shared document: its own deal may not have arrived
    // yet, and a wrong guess costs more than a separate conversation.
    if (candidates.size() > 1 && !docs.empty() && best_docs == 0) return 0;
    return best;
}

// JWZ-style: a message joins every thread its ids (own, In-Reply-To,
// References) already belong to; threads it connects are merged. A thread
// reached only through a subject-guessed message is not merged: that message
// moves instead. Without ids, a reply falls back to the subject.
int64_t Threader::assign(const Message& m, const std::vector<std::string>& externals, const std::vector<std::string>& docs,
                         int64_t next_row, std::vector<std::pair<int64_t, int64_t>>& relabeled) {
    std::vector<std::string> ids = m.references;
    if (!m.in_reply_to.empty()) ids.push_back(m.in_reply_to);
    if (!m.synthetic_id) ids.push_back(m.message_id);
    std::set<int64_t> hard;
    std::map<int64_t, std::vector<std::string>> guessed;  // thread -> subject-guessed ids
    for (const auto& id : ids) {
        auto [t, soft] = thread_of_id(id);
        if (!t) continue;
        if (soft && id != m.message_id) guessed[t].push_back(id);
        else hard.insert(t);
    }
    int64_t thread = 0;
    bool soft = false;
    if (!hard.empty() || !guessed.empty()) {
        thread = !hard.empty() ? *hard.begin() : guessed.begin()->first;
        for (int64_t t : hard)
            if (t != thread) merge(thread, t, relabeled);
        for (const auto& [t, gids] : guessed)
            if (t != thread && !hard.count(t))
                for (const auto& g : gids) move_guess(g, t, thread, relabeled);
    } else if (m.references.empty() && m.in_reply_to.empty() && m.subject != m.base_subject) {
        thread = subject_fallback(m, externals, docs);
        soft = true;
    }
    if (!thread) thread = next_row;  // a new conversation is named after its first message
    for (const auto& id : ids) {
        upsert_thread_id_.reset();
        upsert_thread_id_.bind(1, id);
        upsert_thread_id_.bind(2, thread);
        upsert_thread_id_.bind(3, soft && id == m.message_id ? 1 : 0);
        upsert_thread_id_.exec();
    }
    return thread;
}

}  // namespace tw
