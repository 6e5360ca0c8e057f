#include "daemon/imap/sync.h"


#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <stdexcept>
#include <chrono>
#include <mutex>
#include <semaphore>
#include <optional>
#include <thread>
#include <ctime>

#include "archive/accounts.h"
#include "archive/archive_writer.h"
#include "mail/date.h"
#include "daemon/imap/imap_client.h"
#include "archive/store.h"
#include "crm/crm.h"
#include "mail/strutil.h"
#include "mail/error.h"

namespace tw {
namespace {

// What every account's thread shares: the archive and the account tables,
// each used under the lock (network waits happen outside it).
struct Shared {
    std::mutex mu;
    Accounts accounts;
    ArchiveWriter archive;
    // Parsed batches waiting to be stored: two keep the parsers and the
    // writer busy; more would only hold memory (eight accounts, eight batches).
    std::counting_semaphore<2> parsed_slots{2};
    // New mail since conflicts were last looked for, and when that was.
    bool unscanned = false;
    std::chrono::steady_clock::time_point next_scan{};
    // Servers without CONDSTORE: when each folder's flags were last read whole.
    std::map<std::pair<std::string, std::string>, int64_t> flags_read;
    Shared(const SyncOptions& o) : accounts(o.data_dir), archive(o.data_dir, o.worker_command, 0, crm_linker()) {}
    // Conflicts (撞单) found again over the archive (a transaction of its own).
    void scan_conflicts() {
        archive.commit(false);
        try {
            scan();
        } catch (const std::exception& e) {
            // A full disk stops the pass (the accounts say so); the scans run again at the next one.
            if (!is_storage_full(e)) throw;
            unscanned = true;
        }
    }
    void scan() {
        static_cast<Crm*>(archive.hook())->scan_conflicts();
        std::vector<int64_t> linked;
        static_cast<Crm*>(archive.hook())->scan_approvals(&linked);  // and the approvals read out of the mail
        archive.relabel(linked);  // approval mail found its customers: search follows
    }
};

// INTERNALDATE "11-Jan-2025 10:00:00 +0800" -> seconds; 0 if unreadable.
int64_t internaldate(std::string d) {
    for (size_t i = 0; i < d.size() && i < 12; ++i)
        if (d[i] == '-') d[i] = ' ';
    return parse_date(d).value_or(0);
}

// YYYY-MM-DD -> IMAP date "1-Jan-2025" for SEARCH SINCE.
std::string imap_date(const std::string& ymd) {
    static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int y = 0, m = 0, d = 0;
    if (std::sscanf(ymd.c_str(), "%d-%d-%d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31) return {};
    return std::to_string(d) + "-" + months[m - 1] + "-" + std::to_string(y);
}

// The archive's name for a folder: INBOX in any case is INBOX, the rest as the server shows them.
std::string archive_folder(const imap::Folder& f) {
    if (iequals(f.name, "INBOX")) return "INBOX";
    std::string name = f.display;
    if (!f.delimiter.empty() && f.delimiter != "/")
        std::replace(name.begin(), name.end(), f.delimiter[0], '/');  // "INBOX.Sent" -> "INBOX/Sent", as Maildir++
    return name;
}

// One folder's part of an account pass.
struct FolderPlan {
    imap::Folder folder;
    FolderReport rep;
    imap::FolderState st;
    std::optional<FolderSync> saved;
    FolderSync state;
    std::string prefix;              // "imap:UIDVALIDITY:"
    std::vector<uint64_t> uids;      // new on the server, ascending
    std::set<uint64_t> done;         // of those, archived (or found archived)
};

// Moves the folder's saved state to the highest UID below which every new
// UID is archived: the state never runs ahead of the mail it covers.
void advance(FolderPlan& p, Shared& sh) {
    for (uint64_t u : p.uids) {
        if (!p.done.count(u)) break;
        p.state.last_uid = std::max(p.state.last_uid, u);
    }
    p.state.last_sync = int64_t(std::time(nullptr));
    sh.accounts.save_folder(p.state);
}

// Flags as the archive keeps them: sorted (so that they compare whatever
// order the server lists them in), without \Recent (it belongs to one
// session, not to the message).
std::string flags_string(const std::vector<std::string>& flags) {
    std::vector<std::string> sorted;
    for (const auto& f : flags)
        if (to_lower(f) != "\\recent") sorted.push_back(f);
    std::sort(sorted.begin(), sorted.end());
    std::string out;
    for (const auto& f : sorted) out += (out.empty() ? "" : " ") + f;
    return out;
}

// Looks at a folder: its state on the server and what is new there.
FolderPlan plan_folder(imap::Client& client, const imap::Folder& f, const Account& acct,
                       std::optional<FolderSync> saved) {
    FolderPlan p;
    p.folder = f;
    p.rep.folder = archive_folder(f);
    p.st = client.examine(f.name);
    p.saved = std::move(saved);
    p.state.account = acct.address;
    p.state.folder = p.rep.folder;
    p.state.server_name = f.name;
    p.state.uidvalidity = p.st.uidvalidity;
    p.state.highestmodseq = p.st.highestmodseq;
    // Same UIDVALIDITY: continue after the last UID archived. A new one (the
    // server renumbered the folder): scan it all again; mail already archived
    // is recognised by content and only gains its new location.
    if (p.saved && p.saved->uidvalidity == p.st.uidvalidity) p.state.last_uid = p.saved->last_uid;
    p.prefix = "imap:" + std::to_string(p.st.uidvalidity) + ":";
    if (p.st.uidnext == 0 || p.state.last_uid + 1 < p.st.uidnext)
        p.uids = client.uids_from(p.state.last_uid + 1, imap_date(acct.since));  // --since: mail from that day on
    p.rep.found = p.uids.size();
    return p;
}

// After the new mail: deletions on the server, relocations after a
// renumbering, and the folder's final state.
void finish_folder(imap::Client& client, FolderPlan& p, const Account& acct, Shared& sh, const SyncOptions& o) {
    client.examine(p.folder.name);
    std::vector<std::string> present;
    for (uint64_t u : client.uids_from(1)) present.push_back(p.prefix + std::to_string(u));
    if (p.saved && p.saved->uidvalidity != p.st.uidvalidity) {
        std::lock_guard lk(sh.mu);
        sh.archive.store().drop_relocated(acct.address, p.rep.folder, "imap:" + std::to_string(p.saved->uidvalidity) + ":",
                                          p.prefix);
    }
    // Flags changed on the server since the last pass (CONDSTORE), for mail archived before it.
    std::vector<std::pair<uint64_t, std::vector<std::string>>> changed;
    bool whole = false;  // every flag read: compare them with the archive's
    if (p.saved && p.saved->uidvalidity == p.st.uidvalidity && p.saved->last_uid) {
        if (client.has_capability("CONDSTORE")) {
            if (p.saved->highestmodseq && p.saved->highestmodseq < p.st.highestmodseq)
                changed = client.flags_changed_since(p.saved->last_uid, p.saved->highestmodseq);
        } else {
            // No CONDSTORE (Exchange, some hosted mail): read them all now and then.
            int64_t now = int64_t(std::time(nullptr));
            std::unique_lock lk(sh.mu);
            int64_t& when = sh.flags_read[{acct.address, p.rep.folder}];
            bool due = when == 0 || now - when >= o.flags_every;
            lk.unlock();
            if (due) {
                changed = client.flags_changed_since(p.saved->last_uid, 0);
                whole = true;
                lk.lock();
                when = now;
            }
        }
    }
    std::lock_guard lk(sh.mu);
    std::map<std::string, std::string> known;
    if (whole) known = sh.archive.store().location_flags(acct.address, p.rep.folder, p.prefix);
    size_t n = 0;
    for (const auto& [uid, flags] : changed) {
        std::string now_flags = flags_string(flags);
        std::string source = p.prefix + std::to_string(uid);
        if (whole) {  // the archive keeps flags as flags_string writes them
            auto it = known.find(source);
            if (it == known.end() || it->second == now_flags) continue;  // not archived (yet), or unchanged
        }
        Location loc{acct.address, p.rep.folder, source, {}, 0};
        if (!whole && !sh.archive.has_location(loc)) continue;
        sh.archive.store().set_location_flags(loc, now_flags);
        ++n;
    }
    p.rep.flags_changed = n;
    int64_t now = int64_t(std::time(nullptr));
    p.rep.deleted = sh.archive.store().mark_deleted(acct.address, p.rep.folder, "imap:", present, now);
    sh.archive.commit(false);
    p.state.last_error.clear();
    advance(p, sh);
}

// New mail of all the account's folders goes into the archive in the order
// it arrived (INTERNALDATE), not folder by folder: a reply without References
// in INBOX then meets the Sent message it answers, as the threading expects.
void sync_plans(imap::Client& client, std::vector<FolderPlan>& plans, const Account& acct, Shared& sh,
                const SyncOptions& o, const std::function<void(const SyncProgress&)>& progress) {
    struct Pending {
        int64_t date;
        size_t plan;
        uint64_t uid, size;
    };
    std::vector<Pending> pending;
    for (size_t i = 0; i < plans.size(); ++i) {
        FolderPlan& p = plans[i];
        if (p.uids.empty()) continue;
        std::vector<uint64_t> wanted;
        {
            std::lock_guard lk(sh.mu);
            for (uint64_t u : p.uids) {
                if (sh.archive.has_location({acct.address, p.rep.folder, p.prefix + std::to_string(u), {}, 0})) p.done.insert(u);
                else wanted.push_back(u);
            }
        }
        client.examine(p.folder.name);
        for (const auto& a : client.arrivals(wanted)) pending.push_back({internaldate(a.internaldate), i, a.uid, a.size});
    }
    std::stable_sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) {
        return std::tie(a.date, a.plan, a.uid) < std::tie(b.date, b.plan, b.uid);
    });
    size_t total = pending.size();
    if (progress) progress({acct.address, plans.size(), 0, total});
    // The pending list in chunks of at most fetch_batch messages and
    // fetch_bytes (memory stays bounded whatever the attachments weigh: up to
    // three chunks per account are in flight): per chunk one EXAMINE and UID
    // FETCH per folder in it; its messages are then taken in date order.
    struct Chunk {
        size_t at = 0, end = 0;
        std::map<size_t, std::vector<uint64_t>> by_folder;
        std::vector<size_t> plan_of;  // group -> plan
        std::map<std::pair<size_t, uint64_t>, Incoming> got;
    };
    std::vector<Chunk> chunks;
    std::vector<imap::Client::FetchGroups> requests;
    for (size_t at = 0; at < pending.size();) {
        Chunk ch;
        ch.at = at;
        uint64_t bytes = pending[at].size;
        ch.end = at + 1;
        while (ch.end < pending.size() && ch.end - at < o.fetch_batch && bytes + pending[ch.end].size <= o.fetch_bytes)
            bytes += pending[ch.end++].size;
        for (size_t k = at; k < ch.end; ++k) ch.by_folder[pending[k].plan].push_back(pending[k].uid);
        at = ch.end;
        imap::Client::FetchGroups groups;
        for (auto& [i, uids] : ch.by_folder) {
            std::sort(uids.begin(), uids.end());
            groups.emplace_back(plans[i].folder.name, uids);
            ch.plan_of.push_back(i);
        }
        chunks.push_back(std::move(ch));
        requests.push_back(std::move(groups));
    }
    // A fetching thread streams the chunks from the server (two on the wire at
    // a time) while this thread parses and stores the one before: on a slow
    // link neither the round trips nor the work wait for each other. At most
    // one fetched chunk waits here.
    std::mutex qmu;
    std::condition_variable qcv;
    size_t ready = 0, taken = 0;  // chunks fetched / handed to the archive
    bool quit = false;
    std::exception_ptr failed;
    std::thread fetcher([&] {
        try {
            client.fetch_chunks(
                requests,
                [&](size_t c, size_t g, imap::FetchedMessage&& m) {
                    Chunk& ch = chunks[c];
                    FolderPlan& p = plans[ch.plan_of[g]];
                    Location loc{acct.address, p.rep.folder, p.prefix + std::to_string(m.uid), {}, 0};
                    loc.flags = flags_string(m.flags);
                    ch.got[{ch.plan_of[g], m.uid}] = Incoming{std::move(m.raw), std::move(loc), internaldate(m.internaldate)};
                },
                [&](size_t c) {
                    std::unique_lock lk(qmu);
                    ready = c + 1;
                    qcv.notify_all();
                    qcv.wait(lk, [&] { return quit || ready <= taken + 1; });
                    if (quit) throw std::runtime_error("stopped");
                });
        } catch (...) {
            std::lock_guard lk(qmu);
            failed = std::current_exception();
            qcv.notify_all();
        }
    });
    struct Join {  // whatever happens here, the fetching thread ends first
        std::thread& t;
        std::mutex& mu;
        std::condition_variable& cv;
        bool& quit;
        ~Join() {
            {
                std::lock_guard lk(mu);
                quit = true;
            }
            cv.notify_all();
            t.join();
        }
    } join{fetcher, qmu, qcv, quit};
    for (Chunk& ch : chunks) {
        {
            std::unique_lock lk(qmu);
            qcv.wait(lk, [&] { return ready > taken || failed; });
            if (ready <= taken) std::rethrow_exception(failed);
            ++taken;
            qcv.notify_all();
        }
        size_t at = ch.at, end = ch.end;
        auto& by_folder = ch.by_folder;
        std::vector<Incoming> batch;
        std::vector<size_t> batch_plan;
        for (size_t k = at; k < end; ++k) {
            auto it = ch.got.find({pending[k].plan, pending[k].uid});
            if (it == ch.got.end()) continue;  // expunged meanwhile: the deletion pass sees it
            batch.push_back(std::move(it->second));
            batch_plan.push_back(pending[k].plan);
        }
        ch.got.clear();
        sh.parsed_slots.acquire();
        struct Release {
            std::counting_semaphore<2>& s;
            ~Release() { s.release(); }
        } release{sh.parsed_slots};
        std::vector<Parsed> parsed = sh.archive.parse(batch);  // meanwhile other accounts store theirs
        std::lock_guard lk(sh.mu);
        AddCounts n = sh.archive.add(batch, std::move(parsed));
        if (n.imported) sh.unscanned = true;
        for (size_t b = 0; b < n.outcomes.size(); ++b) {
            FolderReport& r = plans[batch_plan[b]].rep;
            if (n.outcomes[b] == AddOutcome::New) ++r.imported, r.flagged += n.problems[b] ? 1 : 0;
            if (n.outcomes[b] == AddOutcome::Copy) ++r.copies;
        }
        sh.archive.commit(false);  // the index at the end of the pass (finish_folder)
        // Only now, with the messages durable, do the folders' states move on.
        for (size_t k = at; k < end; ++k) plans[pending[k].plan].done.insert(pending[k].uid);
        for (auto& [i, _] : by_folder) advance(plans[i], sh);
        if (progress) progress({acct.address, plans.size(), end, total});
    }
}

}  // namespace

bool skipped_by_default(const std::string& display_name, const std::vector<std::string>& flags) {
    for (const auto& f : flags)
        if (f == "\\trash" || f == "\\junk" || f == "\\drafts") return true;
    std::string n = to_lower(display_name);
    size_t slash = n.find_last_of("/.");
    std::string leaf = slash == std::string::npos ? n : n.substr(slash + 1);
    static const char* names[] = {"trash", "deleted items", "deleted messages", "deleted", "bin", "junk", "spam",
                                  "junk e-mail", "junk email", "bulk mail", "drafts", "draft", "papierkorb",
                                  "entwürfe", "已删除", "已删除邮件", "垃圾邮件", "垃圾箱", "草稿箱", "草稿",
                                  "已刪除", "垃圾郵件", "草稿匣", "ゴミ箱", "迷惑メール", "下書き"};
    for (const char* x : names)
        if (leaf == x) return true;
    return false;
}

bool folder_matches(const std::string& name, const std::string& patterns) {
    size_t b = 0;
    while (b <= patterns.size()) {
        size_t e = patterns.find(',', b);
        if (e == std::string::npos) e = patterns.size();
        std::string p = patterns.substr(b, e - b);
        while (!p.empty() && p.front() == ' ') p.erase(0, 1);
        while (!p.empty() && p.back() == ' ') p.pop_back();
        if (!p.empty() && fnmatch(p.c_str(), name.c_str(), FNM_CASEFOLD) == 0) return true;
        b = e + 1;
    }
    return false;
}

namespace {

imap::ServerConfig config_for(const Account& acct, Shared& sh) {
    imap::ServerConfig cfg;
    cfg.url = acct.imap_url;
    cfg.user = acct.user;
    {
        std::lock_guard lk(sh.mu);
        cfg.password = sh.accounts.password(acct.address);
    }
    cfg.verify_tls = acct.verify_tls;
    cfg.ca_file = acct.ca_file;
    cfg.allow_plaintext = acct.allow_plaintext;
    return cfg;
}

// One pass over the account's folders on an open session.
void sync_folders(imap::Client& client, const Account& acct, Shared& sh, const SyncOptions& o,
                  const std::function<void(const SyncProgress&)>& progress, AccountReport& rep) {
    std::vector<FolderPlan> plans;
    for (const auto& f : client.list()) {
        if (!f.selectable()) continue;
        std::vector<std::string> flags(f.flags.begin(), f.flags.end());
        std::string name = archive_folder(f);
        bool wanted = acct.folders.empty() ? !skipped_by_default(name, flags) : folder_matches(name, acct.folders);
        if (!wanted) continue;
        try {
            // With CONDSTORE, one STATUS tells that nothing at all changed (no new
            // mail, no flag change, no expunge): the folder needs no more round trips.
            std::optional<FolderSync> saved;
            {
                std::lock_guard lk(sh.mu);
                saved = sh.accounts.folder(acct.address, name);
            }
            if (client.has_capability("CONDSTORE") && saved && saved->highestmodseq) {
                imap::FolderState st = client.status(f.name);
                if (st.uidvalidity == saved->uidvalidity && st.highestmodseq == saved->highestmodseq &&
                    st.uidnext != 0 && st.uidnext <= saved->last_uid + 1) {
                    FolderReport quiet;
                    quiet.folder = name;
                    rep.folders.push_back(quiet);
                    continue;
                }
            }
            plans.push_back(plan_folder(client, f, acct, std::move(saved)));
        } catch (const imap::ImapError& e) {
            if (e.kind() != imap::ImapError::Kind::Server) throw;  // the connection is gone
            FolderReport fr;
            fr.folder = name;
            fr.error = e.what();
            rep.folders.push_back(fr);
        }
    }
    sync_plans(client, plans, acct, sh, o, progress);
    for (auto& p : plans) {
        try {
            finish_folder(client, p, acct, sh, o);
        } catch (const imap::ImapError& e) {
            if (e.kind() != imap::ImapError::Kind::Server) throw;
            p.rep.error = e.what();
        }
        rep.folders.push_back(p.rep);
    }
    std::lock_guard lk(sh.mu);
    sh.archive.commit();  // the pass is searchable now
    // Conflicts are raised as mail arrives. The scan covers the archive (0.2 s
    // for 20,000 messages): while live at most every 5 s, and never more than
    // a twentieth of the time; sync --once scans at its end.
    auto now = std::chrono::steady_clock::now();
    if (sh.unscanned && now >= sh.next_scan) {
        sh.scan_conflicts();
        auto took = std::chrono::steady_clock::now() - now;
        sh.unscanned = false;
        sh.next_scan = now + std::max<std::chrono::steady_clock::duration>(std::chrono::seconds(5), took * 20);
    }
}

void record(Shared& sh, const std::string& address, const std::string& error) {
    std::lock_guard lk(sh.mu);
    if (!error.empty()) {
        try {
            sh.archive.commit();  // what arrived before the failure is kept
        } catch (const std::exception&) {
            sh.archive.rollback();  // the archive itself failed: drop the batch, its UIDs come again
        }
    }
    sh.accounts.set_state(address, error.empty() ? "ok" : "failing", error, int64_t(std::time(nullptr)));
}

// What to tell the user when the archive could not take the mail. A full disk
// is said as such, whichever of SQLite (SQLITE_FULL) and Xapian (ENOSPC,
// EDQUOT) noticed it first: both raise StorageFullError.
std::string archive_failure(const std::exception& e, const std::string& data_dir) {
    std::string what = e.what();
    if (is_storage_full(e))
        return "the disk holding " + data_dir + " is full (" + what +
               "): free some space; what was stored is kept, and the next sync goes on from there";
    return what;
}

std::vector<Account> chosen_accounts(Shared& sh, const SyncOptions& o) {
    std::lock_guard lk(sh.mu);
    if (o.only_account.empty()) return sh.accounts.list();
    auto a = sh.accounts.get(o.only_account);
    if (!a) throw StoreError("no account " + o.only_account + ": see `tradewind account list`");
    return {*a};
}

}  // namespace

std::vector<AccountReport> sync_once(const SyncOptions& o, const std::function<void(const SyncProgress&)>& progress) {
    Shared sh(o);
    std::vector<Account> list = chosen_accounts(sh, o);
    std::vector<AccountReport> reports(list.size());
    // Accounts in parallel (one connection each): network waits overlap.
    std::atomic<size_t> next{0};
    std::mutex progress_mu;
    auto report = [&](const SyncProgress& p) {
        std::lock_guard lk(progress_mu);
        if (progress) progress(p);
    };
    auto worker = [&] {
        for (size_t i; (i = next.fetch_add(1)) < list.size();) {
            const Account& acct = list[i];
            AccountReport& rep = reports[i];
            rep.address = acct.address;
            try {
                imap::Client client(config_for(acct, sh));
                sync_folders(client, acct, sh, o, report, rep);
                client.logout();
                record(sh, acct.address, "");
            } catch (const imap::ImapError& e) {
                rep.error = e.what();
                record(sh, acct.address, rep.error);
            } catch (const std::exception& e) {
                // The archive could not take the mail (disk full, say): what was
                // committed stays, the folder states cover only that, and the next
                // run goes on from there.
                rep.error = "stopped: " + archive_failure(e, o.data_dir);
                try {
                    record(sh, acct.address, rep.error);
                } catch (const std::exception&) {
                }
            }
        }
    };
    std::vector<std::thread> threads;
    for (size_t t = 0; t < std::min<size_t>(list.size(), o.connections); ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    if (sh.unscanned) sh.scan_conflicts();  // what the last accounts brought
    return reports;
}

void sync_live(const SyncOptions& o, const std::atomic<bool>& stop, const std::function<void(const AccountReport&)>& on_pass,
               const std::function<void(const SyncProgress&)>& progress) {
    Shared sh(o);
    std::vector<Account> list = chosen_accounts(sh, o);
    auto stopped = [&] { return stop.load(); };
    auto sleep_for = [&](int seconds) {
        for (int i = 0; i < seconds * 10 && !stopped(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    };
    auto account_loop = [&](const Account& acct) {
        int backoff = 5;
        while (!stopped()) {
            AccountReport rep;
            rep.address = acct.address;
            try {
                imap::Client client(config_for(acct, sh));
                backoff = 5;
                bool again = false;
                while (!stopped()) {
                    rep.folders.clear();
                    sync_folders(client, acct, sh, o, progress, rep);
                    record(sh, acct.address, "");
                    if (on_pass) on_pass(rep);
                    // New mail: pushed by IDLE on INBOX within a second; the other
                    // folders are looked at again every poll interval.
                    if (client.has_capability("IDLE") && o.idle) {
                        // Mail that came in during the pass is already counted by
                        // EXAMINE, so IDLE would not announce it: take it now.
                        imap::FolderState st = client.examine("INBOX");
                        std::optional<FolderSync> saved;
                        {
                            std::lock_guard lk(sh.mu);
                            saved = sh.accounts.folder(acct.address, "INBOX");
                        }
                        bool arrived = saved && (saved->uidvalidity != st.uidvalidity || st.uidnext > saved->last_uid + 1);
                        if (arrived && !again) {
                            again = true;  // once: a message that cannot be taken must not spin the loop
                            continue;
                        }
                        again = false;
                        client.idle(o.poll_seconds, stopped);
                    } else {
                        sleep_for(o.poll_seconds);
                    }
                }
                client.logout();
            } catch (const std::exception& e) {
                // The server (ImapError) or the archive (StoreError: disk full, say)
                // failed: report, wait, try again; the other accounts go on meanwhile.
                rep.error = dynamic_cast<const imap::ImapError*>(&e) ? e.what() : archive_failure(e, o.data_dir);
                try {
                    record(sh, acct.address, rep.error);
                } catch (const std::exception&) {
                }
                rep.retry_in = backoff;
                if (on_pass) on_pass(rep);
                sleep_for(backoff);
                backoff = std::min(backoff * 2, 300);
            }
        }
    };
    std::vector<std::thread> threads;
    for (const auto& a : list) threads.emplace_back(account_loop, a);
    for (auto& t : threads) t.join();
}

}  // namespace tw
