#include "archive/search_index.h"

#include <xapian.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "archive/schema.h"
#include "mail/codec.h"
#include "mail/date.h"

namespace tw {
namespace {

// Xapian terms are limited to 245 bytes: long ids are hashed.
std::string id_term(const std::string& prefix, const std::string& value) {
    std::string t = prefix + value;
    return t.size() > 240 ? prefix + sha256_hex(value) : t;
}

std::string ymd(int64_t t) {
    std::string iso = format_iso_utc(t);  // 2025-01-11T11:40:00Z
    return iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2);
}

constexpr size_t kSnippetSource = 4000;  // bytes of text kept for snippets

// The term prefix of a Label field; throws for anything else.
std::string label_prefix(const std::string& name) {
    const schema::Field* f = schema::field(name);
    if (!f || f->kind != schema::FieldKind::Label) throw std::invalid_argument("\"" + name + "\" is not a label field of the index");
    return std::string(f->prefix);
}

std::string P(std::string_view prefix) { return std::string(prefix); }

}  // namespace

struct IndexDocument::Impl {
    Xapian::Document doc;
};

IndexDocument::IndexDocument() : d_(std::make_unique<Impl>()) {}
IndexDocument::~IndexDocument() = default;
IndexDocument::IndexDocument(IndexDocument&&) noexcept = default;
IndexDocument& IndexDocument::operator=(IndexDocument&&) noexcept = default;

struct SearchIndex::Impl {
    std::string path;
    std::unique_ptr<Xapian::WritableDatabase> wdb;
    Xapian::Database rdb;

    bool opened = false;  // a reader found the index (a writer creates it; a reader never does)
    Xapian::Database& db() { return wdb ? *wdb : rdb; }
    // Until the first writer has created it, a reader sees an empty index.
    void open_reader() {
        try {
            rdb = Xapian::Database(path);
            opened = true;
        } catch (const Xapian::DatabaseOpeningError&) {
            if (std::filesystem::exists(std::filesystem::path(path) / "iamglass")) throw;  // there, but broken
            rdb = Xapian::Database();
        }
    }
};

namespace {

// Indexes text into doc: under a field prefix, or unprefixed (the body).
void index_text(Xapian::TermGenerator& tg, Xapian::Document& doc, const std::string& s, std::string_view prefix) {
    if (s.empty()) return;
    tg.set_document(doc);
    if (!prefix.empty()) tg.index_text(s, 1, std::string(prefix));
    else {
        tg.index_text(s);
        tg.increase_termpos();
    }
}

}  // namespace

SearchIndex::SearchIndex(const std::string& dir, bool writable) : d_(std::make_unique<Impl>()) {
    d_->path = (std::filesystem::path(dir) / "index").string();
    try {
        if (writable) {
            d_->wdb = std::make_unique<Xapian::WritableDatabase>(d_->path, Xapian::DB_CREATE_OR_OPEN);
        } else {
            d_->open_reader();
        }
    } catch (const Xapian::DatabaseLockError&) {
        throw StoreError("the index " + d_->path + " is locked by another tradewind writing to it; wait for it to finish");
    } catch (const Xapian::Error& e) {
        throw StoreError("cannot open the index " + d_->path + " (" + e.get_description() +
                         "): run `tradewind reindex --data DIR` to rebuild it from the archive");
    }
}

SearchIndex::~SearchIndex() = default;

IndexDocument SearchIndex::prepare(const Message& m, const Labels& labels) {
    thread_local Xapian::TermGenerator tg = [] {
        Xapian::TermGenerator g;
        g.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
        return g;
    }();
    IndexDocument out;
    Xapian::Document& doc = out.d_->doc;
    // Each text is indexed once, under its field's prefix; unprefixed words in a
    // query search all of them (see kDefaultFields), so nothing is indexed twice.
    index_text(tg, doc, m.subject, schema::prefix("subject"));
    auto people = [&](const std::vector<Address>& list, std::string_view prefix) {
        for (const auto& a : list) index_text(tg, doc, a.name + " " + a.address, prefix);
    };
    people(m.from, schema::prefix("from"));
    people(m.to, schema::prefix("to"));
    people(m.cc, schema::prefix("cc"));
    index_text(tg, doc, m.text, "");
    for (const auto& a : m.attachments) {
        index_text(tg, doc, a.filename, schema::prefix("filename"));
        index_text(tg, doc, a.text, schema::prefix("attachment"));
    }
    doc.add_boolean_term(id_term(P(schema::prefix("id")), m.message_id));
    if (!m.attachments.empty()) doc.add_boolean_term(P(schema::prefix("has")) + "attachment");
    out.add_labels(labels);
    doc.add_value(schema::kSlotDate, ymd(m.date));
    doc.add_value(schema::kSlotTime, Xapian::sortable_serialise(double(m.date)));
    doc.add_value(schema::kSlotSize, Xapian::sortable_serialise(double(m.raw.size())));
    doc.set_data(m.subject + "\n" + m.text.substr(0, kSnippetSource));
    return out;
}

namespace {

// Index writes fail as StoreError, with what to do about it.
template <class F>
void write_or_explain(const std::string& path, F&& f) {
    try {
        f();
    } catch (const Xapian::Error& e) {
        // Xapian keeps the system error only as its text (strerror of errno).
        std::string sys = e.get_error_string() ? e.get_error_string() : "";
        if (sys == std::strerror(ENOSPC) || sys == std::strerror(EDQUOT))
            throw StorageFullError("the disk holding the index " + path + " is full (" + e.get_description() +
                                   "): free some space; the archive is intact");
        throw StoreError("the index " + path + " could not be updated (" + e.get_description() +
                         "): the archive is intact; run the command again, or "
                         "`tradewind reindex --data DIR` to rebuild the index");
    }
}

}  // namespace

void SearchIndex::add(int64_t row, const Message& m, int64_t thread, const Location& loc) {
    IndexDocument doc = prepare(m);
    write_or_explain(d_->path, [&] { add_prepared(row, doc, thread, loc); });
}

void SearchIndex::add(int64_t row, IndexDocument prepared, int64_t thread, const Location& loc) {
    write_or_explain(d_->path, [&] { add_prepared(row, prepared, thread, loc); });
}

void SearchIndex::add_prepared(int64_t row, IndexDocument& prepared, int64_t thread, const Location& loc) {
    Xapian::Document& doc = prepared.d_->doc;
    std::string t = std::to_string(thread);
    doc.add_boolean_term(P(schema::prefix("thread")).append(t));
    doc.add_value(schema::kSlotThread, t);
    doc.add_boolean_term(P(schema::prefix("folder")).append(loc.folder));
    doc.add_boolean_term(id_term(P(schema::prefix("account")), loc.account));
    d_->wdb->replace_document(Xapian::docid(row), doc);
}

void SearchIndex::add_location(int64_t row, const Location& loc) {
    write_or_explain(d_->path, [&] {
        Xapian::Document doc;
        try {
            doc = d_->wdb->get_document(Xapian::docid(row));
        } catch (const Xapian::DocNotFoundError&) {
            return;  // not indexed yet: indexing it later adds every location
        }
        doc.add_boolean_term(P(schema::prefix("folder")).append(loc.folder));
        doc.add_boolean_term(id_term(P(schema::prefix("account")), loc.account));
        d_->wdb->replace_document(Xapian::docid(row), doc);
    });
}

void IndexDocument::add_labels(const Labels& labels) {
    for (const auto& l : labels) d_->doc.add_boolean_term(label_prefix(l.field) + l.value);
}

bool SearchIndex::set_field(int64_t row, const std::string& field, const std::vector<std::string>& values) {
    return set_fields(row, {{field, values}});
}

bool SearchIndex::set_labels(int64_t row, const Labels& labels) {
    std::vector<std::pair<std::string, std::vector<std::string>>> fields;
    for (const auto& f : schema::kFields) {
        if (f.kind != schema::FieldKind::Label) continue;
        fields.push_back({std::string(f.name), {}});
        for (const auto& l : labels)
            if (l.field == f.name) fields.back().second.push_back(l.value);
    }
    return set_fields(row, fields);
}

bool SearchIndex::set_fields(int64_t row, const std::vector<std::pair<std::string, std::vector<std::string>>>& fields) {
    bool changed = false;
    write_or_explain(d_->path, [&] {
        Xapian::Document doc;
        try {
            doc = d_->wdb->get_document(Xapian::docid(row));
        } catch (const Xapian::DocNotFoundError&) {
            return;
        }
        for (const auto& [field, values] : fields) {
            const std::string prefix = label_prefix(field);
            std::vector<std::string> old;
            auto t = doc.termlist_begin();
            for (t.skip_to(prefix); t != doc.termlist_end() && (*t).rfind(prefix, 0) == 0; ++t) old.push_back(*t);
            std::vector<std::string> now;
            for (const auto& v : values) now.push_back(prefix + v);
            std::sort(now.begin(), now.end());
            if (old == now) continue;
            for (const auto& o : old) doc.remove_term(o);
            for (const auto& n : now) doc.add_boolean_term(n);
            changed = true;
        }
        if (changed) d_->wdb->replace_document(Xapian::docid(row), doc);
    });
    return changed;
}

void SearchIndex::set_thread(int64_t row, int64_t thread) {
    write_or_explain(d_->path, [&] {
        Xapian::Document doc;
        try {
            doc = d_->wdb->get_document(Xapian::docid(row));
        } catch (const Xapian::DocNotFoundError&) {
            return;  // not indexed yet: it gets the right thread when it is
        }
        auto old = doc.termlist_begin();
        old.skip_to(P(schema::prefix("thread")));  // the one conversation term
        if (old != doc.termlist_end() && (*old).rfind(P(schema::prefix("thread")), 0) == 0) doc.remove_term(*old);
        std::string t = std::to_string(thread);
        doc.add_boolean_term(P(schema::prefix("thread")).append(t));
        doc.add_value(schema::kSlotThread, t);
        d_->wdb->replace_document(Xapian::docid(row), doc);
    });
}

void SearchIndex::remove(int64_t row) {
    write_or_explain(d_->path, [&] {
        try {
            d_->wdb->delete_document(Xapian::docid(row));
        } catch (const Xapian::DocNotFoundError&) {
        }
    });
}

size_t SearchIndex::remove_after(int64_t row) {
    size_t n = 0;
    write_or_explain(d_->path, [&] {
        std::vector<Xapian::docid> gone;
        Xapian::PostingIterator it = d_->wdb->postlist_begin("");
        it.skip_to(Xapian::docid(row + 1));
        for (; it != d_->wdb->postlist_end(""); ++it) gone.push_back(*it);
        for (Xapian::docid id : gone) d_->wdb->delete_document(id);
        n = gone.size();
    });
    return n;
}

void SearchIndex::commit(int64_t last_row) {
    write_or_explain(d_->path, [&] {
        d_->wdb->set_metadata("last_row", std::to_string(last_row));
        d_->wdb->commit();
    });
}

int64_t SearchIndex::last_row() const {
    std::string v = d_->wdb ? d_->wdb->get_metadata("last_row") : d_->rdb.get_metadata("last_row");
    return v.empty() ? 0 : std::stoll(v);
}

size_t SearchIndex::documents() const { return d_->wdb ? d_->wdb->get_doccount() : d_->rdb.get_doccount(); }

namespace {

// An Expanded field (owner:REP) -> the terms of the field it expands into
// (customer:ID for each customer REP owns now), looked up when searching.
class ExpandedField : public Xapian::FieldProcessor {
public:
    ExpandedField(const schema::Field& f, const SearchOptions& o) : f_(f), o_(o) {}
    Xapian::Query operator()(const std::string& text) override {
        if (!o_.expand) throw Xapian::QueryParserError(std::string(f_.name) + ": cannot be searched here");
        std::string into = label_prefix(std::string(f_.into));
        std::vector<Xapian::Query> terms;
        for (const auto& v : o_.expand(std::string(f_.name), text)) terms.emplace_back(into + v);
        if (terms.empty()) return Xapian::Query::MatchNothing;
        return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
    }

private:
    const schema::Field& f_;
    const SearchOptions& o_;
};

}  // namespace

std::vector<SearchHit> SearchIndex::search(const std::string& query, const SearchOptions& opts) {
    return search_page(query, opts).hits;
}

SearchPage SearchIndex::search_page(const std::string& query, const SearchOptions& opts) {
    try {
        if (!d_->wdb) {
            if (d_->opened) d_->rdb.reopen();
            else d_->open_reader();
            if (!d_->opened) return {};  // nothing indexed yet
        }
        Xapian::Database& db = d_->db();
        Xapian::QueryParser qp;
        qp.set_database(db);
        qp.set_default_op(Xapian::Query::OP_AND);
        std::vector<std::unique_ptr<ExpandedField>> expanded;
        for (const auto& f : schema::kFields) {
            switch (f.kind) {
                case schema::FieldKind::Text: qp.add_prefix(P(f.name), P(f.prefix)); break;
                case schema::FieldKind::Boolean:
                case schema::FieldKind::Label: qp.add_boolean_prefix(P(f.name), P(f.prefix)); break;
                case schema::FieldKind::Expanded:
                    expanded.push_back(std::make_unique<ExpandedField>(f, opts));
                    qp.add_boolean_prefix(P(f.name), expanded.back().get());
                    break;
            }
        }
        for (auto p : schema::kDefaultFields) qp.add_prefix("", P(p));
        Xapian::DateRangeProcessor dates(schema::kSlotDate, "date:");
        Xapian::NumberRangeProcessor sizes(schema::kSlotSize, "size:");
        qp.add_rangeprocessor(&dates);
        qp.add_rangeprocessor(&sizes);
        unsigned flags = Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_WILDCARD |
                         Xapian::QueryParser::FLAG_CJK_NGRAM | Xapian::QueryParser::FLAG_BOOLEAN_ANY_CASE |
                         Xapian::QueryParser::FLAG_PURE_NOT;
        Xapian::Query q = query.empty() ? Xapian::Query::MatchAll : qp.parse_query(query, flags);
        if (opts.only) {
            std::vector<Xapian::Query> terms;
            for (const auto& [name, value] : *opts.only) {
                const schema::Field* f = schema::field(name);
                if (!f || (f->kind != schema::FieldKind::Boolean && f->kind != schema::FieldKind::Label))
                    throw std::invalid_argument("not a boolean or label search field: " + name);
                terms.emplace_back(id_term(P(f->prefix), value));
            }
            if (terms.empty()) return {};  // sees nothing
            q = Xapian::Query(Xapian::Query::OP_FILTER, q, Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()));
        }
        Xapian::Enquire enq(db);
        enq.set_query(q);
        if (!opts.by_relevance) enq.set_sort_by_value_then_relevance(schema::kSlotTime, true);
        if (opts.collapse_threads) enq.set_collapse_key(schema::kSlotThread);
        // check_at_least = every document: the total is counted, not estimated.
        Xapian::MSet mset = enq.get_mset(Xapian::doccount(opts.offset), Xapian::doccount(opts.limit), db.get_doccount());
        SearchPage page;
        page.total = mset.get_matches_estimated();
        auto& hits = page.hits;
        for (auto it = mset.begin(); it != mset.end(); ++it) {
            SearchHit h;
            h.row = int64_t(*it);
            h.score = it.get_percent();
            h.snippet = mset.snippet(it.get_document().get_data(), 200, Xapian::Stem(), Xapian::MSet::SNIPPET_CJK_NGRAM,
                                     "[[", "]]", "…");
            hits.push_back(std::move(h));
        }
        return page;
    } catch (const Xapian::QueryParserError& e) {
        throw StoreError("cannot understand the query \"" + query + "\" (" + e.get_msg() +
                         "); see `tradewind search --help` for the syntax");
    } catch (const Xapian::Error& e) {
        throw StoreError("search failed (" + e.get_description() + ")");
    }
}

}  // namespace tw
