// The archive commands: import, search, export, stats, reindex.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mail/codec.h"
#include "daemon/commands.h"
#include "mail/date.h"
#include "archive/importer.h"
#include "daemon/options.h"
#include "archive/search_index.h"
#include "archive/store.h"
#include "crm/crm.h"

namespace tw {
namespace {

struct Args {
    std::string data;
    std::string account;
    bool json = false, threads = false, relevance = false, in_process = false, hashes = false, help = false;
    size_t limit = 20;
    size_t batch = 1000;
    unsigned parsers = 0;
    std::vector<std::string> rest;
};

const char* usage(const std::string& cmd) {
    if (cmd == "import")
        return "usage: tradewind import [--data DIR] --account ADDR [--parsers N] [--batch N] [--in-process] PATH...\n"
               "  PATH: a Maildir (Maildir++ subfolders such as .Sent become folders), an mbox file, or .eml files.\n"
               "  Re-running an import adds only what is new; a killed import can simply be run again.\n";
    if (cmd == "search")
        return "usage: tradewind search [--data DIR] [--json] [--limit N] [--threads] [--relevance] QUERY\n"
               "  QUERY: words, \"phrases\", wild*, AND OR NOT, Chinese/Japanese/Korean text, and\n"
               "  from: to: cc: subject: attachment: filename: folder: account: thread: id: has:attachment\n"
               "  date:2025-01-01..2025-03-31 size:1000..50000, customer:ID doc:PI-2025-0034 owner:REP (a rep's\n"
               "  address or its local part: their customers now). Newest first unless --relevance;\n"
               "  --threads shows one hit per conversation.\n";
    if (cmd == "export")
        return "usage: tradewind export [--data DIR] [--hashes]   (one JSON object per stored message)\n"
               "  --hashes: each location also gives its source (file name, mbox ordinal, imap:UIDVALIDITY:UID)\n"
               "  and the SHA-256 of the message rebuilt as it is there, to compare the archive with its source.\n";
    if (cmd == "stats") return "usage: tradewind stats [--data DIR] [--json]\n";
    return "usage: tradewind reindex [--data DIR] [--in-process]   (rebuild DIR/index from DIR/archive.db)\n"
           "  every message is parsed again: its trade documents are recognised again too (after\n"
           "  `settings set doc_patterns`); users' corrections stay.\n";
}

// Parses the options the archive commands share; false (after a message) on a bad one.
// --help prints the command's usage and sets a.help.
bool parse_args(const char* cmd, const std::vector<std::string>& in, Args& a) {
    a.data = default_data_dir();
    for (size_t i = 0; i < in.size(); ++i) {
        const std::string& s = in[i];
        if (s == "--help" || s == "-h") {
            std::fputs(usage(cmd), stdout);
            a.help = true;
            return false;
        }
        auto value = [&](std::string& out) {
            if (i + 1 >= in.size()) {
                std::fprintf(stderr, "tradewind %s: %s needs a value\n", cmd, s.c_str());
                return false;
            }
            out = in[++i];
            return true;
        };
        std::string v;
        if (s == "--data") { if (!value(a.data)) return false; }
        else if (s == "--account") { if (!value(a.account)) return false; }
        else if (s == "--limit") {
            if (!value(v)) return false;
            a.limit = size_t(std::strtoul(v.c_str(), nullptr, 10));
        }
        else if (s == "--parsers") {
            if (!value(v)) return false;
            a.parsers = unsigned(std::strtoul(v.c_str(), nullptr, 10));
        }
        else if (s == "--batch") {
            if (!value(v)) return false;
            a.batch = std::max<size_t>(1, size_t(std::strtoul(v.c_str(), nullptr, 10)));
        }
        else if (s == "--json") a.json = true;
        else if (s == "--threads") a.threads = true;
        else if (s == "--relevance") a.relevance = true;
        else if (s == "--in-process") a.in_process = true;
        else if (s == "--hashes") a.hashes = true;
        else if (s.size() > 1 && s[0] == '-' && s.rfind("--", 0) == 0) {
            std::fprintf(stderr, "tradewind %s: unknown option '%s'\n%s", cmd, s.c_str(), usage(cmd));
            return false;
        } else a.rest.push_back(s);
    }
    return true;
}

void progress_bar(const ImportProgress& p) {
    double rate = p.seconds > 0 ? p.done / p.seconds : 0;
    double eta = rate > 0 ? (p.total - p.done) / rate : 0;
    std::fprintf(stderr, "\rimporting %zu/%zu  %.0f msg/s  ETA %.0f s   ", p.done, p.total, rate, eta);
    if (p.done == p.total) std::fputc('\n', stderr);
}

// Readers must not create an empty archive by accident.
void require_archive(const std::string& dir) {
    if (!std::filesystem::exists(std::filesystem::path(dir) / "archive.db"))
        throw StoreError("there is no archive in " + dir +
                         ": import mail first (tradewind import --data " + dir + " --account ADDR PATH...) or pass --data DIR");
}

nlohmann::json location_json(const std::vector<Location>& locs) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& l : locs) {
        nlohmann::json j = {{"account", l.account}, {"folder", l.folder}};
        if (!l.flags.empty()) j["flags"] = l.flags;
        if (l.deleted) j["deleted"] = format_iso_utc(l.deleted);
        out.push_back(j);
    }
    return out;
}

}  // namespace

int cmd_import(const std::vector<std::string>& args) {
    Args a;
    if (!parse_args("import", args, a)) return a.help ? 0 : 2;
    if (a.account.empty() || a.rest.empty()) {
        std::fputs(usage("import"), stderr);
        return 2;
    }
    ImportOptions o;
    o.data_dir = a.data;
    o.account = a.account;
    o.paths = a.rest;
    o.batch = a.batch;
    o.threads = a.parsers;
    if (!a.in_process) o.worker_command = extract_worker_command();
    o.hook = crm_linker();
    ImportSummary s = import_mail(o, isatty(2) ? progress_bar : std::function<void(const ImportProgress&)>());
    {
        LinkedArchive la(a.data);
        la.crm.scan_conflicts();  // the manager sees them at once, as after a sync
        std::vector<int64_t> linked;
        la.crm.scan_approvals(&linked);
        relabel_rows_or_ask(la.store, a.data, linked);  // approval mail found its customers: search follows
    }
    std::printf("%s: %zu found, %zu imported, %zu duplicates (copies of stored mail), %zu already in the archive, "
                "%zu malformed (archived as received, what was wrong in `tradewind export`), %.1f s (%.0f msg/s)\n",
                a.account.c_str(), s.found, s.imported, s.copies, s.skipped, s.flagged, s.seconds,
                s.seconds > 0 ? s.found / s.seconds : 0.0);
    return 0;
}

int cmd_search(const std::vector<std::string>& args) {
    Args a;
    if (!parse_args("search", args, a)) return a.help ? 0 : 2;
    require_archive(a.data);
    std::string query;
    for (const auto& r : a.rest) query += (query.empty() ? "" : " ") + r;
    LinkedArchive archive(a.data);
    Store& store = archive.store;
    SearchIndex index(a.data, false);
    SearchOptions opts;
    opts.limit = a.limit;
    opts.by_relevance = a.relevance;
    opts.collapse_threads = a.threads;
    opts.expand = search_expander(archive.crm);
    std::vector<SearchHit> hits = index.search(query, opts);
    std::vector<int64_t> rows;
    for (const auto& h : hits) rows.push_back(h.row);
    std::vector<MessageSummary> sums = store.summaries(rows);
    for (size_t i = 0; i < hits.size(); ++i) {
        const MessageSummary& m = sums[i];
        if (a.json) {
            nlohmann::json j = {{"message_id", m.message_id}, {"sha256", m.sha256}, {"thread", m.thread},
                                {"subject", m.subject}, {"from", m.from}, {"date", format_iso_utc(m.date)},
                                {"snippet", hits[i].snippet}, {"score", hits[i].score}};
            std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        } else {
            std::cout << format_iso_utc(m.date).substr(0, 10) << "  " << m.from << "  " << m.subject << "  [thread "
                      << m.thread << "]\n";
        }
    }
    return 0;
}

int cmd_export(const std::vector<std::string>& args) {
    Args a;
    if (!parse_args("export", args, a)) return a.help ? 0 : 2;
    require_archive(a.data);
    LinkedArchive archive(a.data);
    Store& store = archive.store;
    auto links = archive.crm.message_links();
    store.for_each([&](const StoredMessage& s) {
        nlohmann::json j = {{"message_id", s.message_id}, {"sha256", s.sha256}, {"thread", s.thread},
                            {"subject", s.subject}, {"date", format_iso_utc(s.date)},
                            {"locations", location_json(s.locations)}, {"problems", s.problems}};
        nlohmann::json ids = nlohmann::json::array(), names = nlohmann::json::array();
        const MessageLinks& l = links[s.row];
        for (const auto& [id, name] : l.customers) ids.push_back(std::to_string(id)), names.push_back(name);
        j["customers"] = ids;
        j["customer_names"] = names;
        j["documents"] = l.documents;
        if (a.hashes)
            for (size_t k = 0; k < s.locations.size(); ++k) {
                j["locations"][k]["source"] = s.locations[k].source;
                j["locations"][k]["sha256"] = sha256_hex(store.raw(s.row, &s.locations[k]));
            }
        std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    });
    return 0;
}

int cmd_stats(const std::vector<std::string>& args) {
    Args a;
    if (!parse_args("stats", args, a)) return a.help ? 0 : 2;
    require_archive(a.data);
    Store store(a.data);
    StoreStats s = store.stats();
    SearchIndex index(a.data, false);
    std::uintmax_t index_bytes = 0, db_bytes = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(std::filesystem::path(a.data) / "index", ec))
        if (e.is_regular_file()) index_bytes += e.file_size();
    for (const char* f : {"archive.db", "archive.db-wal"})
        if (auto p = std::filesystem::path(a.data) / f; std::filesystem::exists(p)) db_bytes += std::filesystem::file_size(p);
    nlohmann::json j = {{"messages", s.messages}, {"conversations", s.conversations}, {"locations", s.locations},
                        {"accounts", s.accounts}, {"with_problems", s.with_problems}, {"raw_bytes", s.raw_bytes},
                        {"stored_bytes", s.stored_bytes}, {"archive_bytes", db_bytes}, {"index_bytes", index_bytes},
                        {"indexed", index.documents()}};
    if (a.json) std::cout << j.dump() << '\n';
    else
        for (auto it = j.begin(); it != j.end(); ++it) std::cout << it.key() << ": " << it.value().dump() << '\n';
    return 0;
}

int cmd_reindex(const std::vector<std::string>& args) {
    Args a;
    if (!parse_args("reindex", args, a)) return a.help ? 0 : 2;
    size_t n = reindex(a.data, a.in_process ? std::vector<std::string>{} : extract_worker_command(), crm_linker());
    std::printf("reindexed %zu messages\n", n);
    return 0;
}

}  // namespace tw
