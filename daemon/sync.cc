#include "sync.h"

#include <fnmatch.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <ctime>

#include "accounts.h"
#include "archive_writer.h"
#include "date.h"
#include "imap_client.h"
#include "store.h"

namespace tw {
namespace {

// What every account's thread shares: the archive and the account tables,
// each used under the lock (network waits happen outside it).
struct Shared {
    std::mutex mu;
    Accounts accounts;
    ArchiveWriter archive;
    Shared(const SyncOptions& o) : accounts(o.data_dir), archive(o.data_dir, o.worker_command) {}
};

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = char(c + 32);
    return s;
}

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
    if (lower(f.name) == "inbox") return "INBOX";
    std::string name = f.display;
    if (!f.delimiter.empty() && f.delimiter != "/")
        std::replace(name.begin(), name.end(), f.delimiter[0], '/');  // "INBOX.Sent" -> "INBOX/Sent", as Maildir++
    return name;
}

FolderReport sync_folder(imap::Client& client, const imap::Folder& f, const Account& acct, Shared& sh,
                         const SyncOptions& o, const std::function<void(const SyncProgress&)>& progress) {
    FolderReport rep;
    rep.folder = archive_folder(f);
    imap::FolderState st = client.examine(f.name);
    std::optional<FolderSync> saved;
    {
        std::lock_guard lk(sh.mu);
        saved = sh.accounts.folder(acct.address, rep.folder);
    }
    FolderSync state;
    state.account = acct.address;
    state.folder = rep.folder;
    state.server_name = f.name;
    state.uidvalidity = st.uidvalidity;
    // Same UIDVALIDITY: continue after the last UID archived. A new one (the
    // server renumbered the folder): scan it all again; mail already archived
    // is recognised by content and only gains its new location.
    if (saved && saved->uidvalidity == st.uidvalidity) {
        state.last_uid = saved->last_uid;
        state.messages = saved->messages;
    }
    state.highestmodseq = st.highestmodseq;
    std::vector<uint64_t> uids;
    if (st.uidnext == 0 || state.last_uid + 1 < st.uidnext)
        uids = client.uids_from(state.last_uid + 1, imap_date(acct.since));  // --since: mail from that day on
    rep.found = uids.size();
    std::string prefix = "imap:" + std::to_string(st.uidvalidity) + ":";
    for (size_t i = 0; i < uids.size(); i += o.fetch_batch) {
        std::vector<uint64_t> batch(uids.begin() + long(i), uids.begin() + long(std::min(uids.size(), i + o.fetch_batch)));
        // Skip UIDs already archived (a sync killed after its commit, before saving the state).
        std::vector<uint64_t> wanted;
        {
            std::lock_guard lk(sh.mu);
            for (uint64_t u : batch)
                if (!sh.archive.has_location({acct.address, rep.folder, prefix + std::to_string(u)})) wanted.push_back(u);
        }
        std::vector<Incoming> fetched;
        client.fetch(wanted, [&](imap::FetchedMessage&& m) {
            Location loc{acct.address, rep.folder, prefix + std::to_string(m.uid)};
            for (const auto& f : m.flags) loc.flags += (loc.flags.empty() ? "" : " ") + f;
            fetched.push_back({std::move(m.raw), std::move(loc), internaldate(m.internaldate)});
        });
        std::lock_guard lk(sh.mu);
        AddCounts n = sh.archive.add(std::move(fetched));
        rep.imported += n.imported;
        rep.copies += n.copies;
        rep.flagged += n.flagged;
        sh.archive.commit();
        // Only now, with the messages durable, does the folder's state move on.
        state.last_uid = std::max(state.last_uid, batch.back());
        state.messages += wanted.size();
        state.last_sync = int64_t(std::time(nullptr));
        sh.accounts.save_folder(state);
        if (progress) progress({acct.address, rep.folder, std::min(uids.size(), i + o.fetch_batch), uids.size()});
    }
    // Mail deleted on the server stays archived, marked deleted at this location;
    // after a renumbering, the old locations of mail found again are dropped.
    std::vector<std::string> present;
    for (uint64_t u : client.uids_from(1)) present.push_back(prefix + std::to_string(u));
    std::lock_guard lk(sh.mu);
    if (saved && saved->uidvalidity != st.uidvalidity)
        sh.archive.store().drop_relocated(acct.address, rep.folder, "imap:" + std::to_string(saved->uidvalidity) + ":", prefix);
    int64_t now = int64_t(std::time(nullptr));
    rep.deleted = sh.archive.store().mark_deleted(acct.address, rep.folder, "imap:", present, now);
    sh.archive.commit();
    state.last_sync = now;
    state.last_error.clear();
    sh.accounts.save_folder(state);
    return rep;
}

}  // namespace

bool skipped_by_default(const std::string& display_name, const std::vector<std::string>& flags) {
    for (const auto& f : flags)
        if (f == "\\trash" || f == "\\junk" || f == "\\drafts") return true;
    std::string n = lower(display_name);
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
    cfg.allow_plaintext = acct.allow_plaintext;
    return cfg;
}

// One pass over the account's folders on an open session.
void sync_folders(imap::Client& client, const Account& acct, Shared& sh, const SyncOptions& o,
                  const std::function<void(const SyncProgress&)>& progress, AccountReport& rep) {
    for (const auto& f : client.list()) {
        if (!f.selectable()) continue;
        std::vector<std::string> flags(f.flags.begin(), f.flags.end());
        std::string name = archive_folder(f);
        bool wanted = acct.folders.empty() ? !skipped_by_default(name, flags) : folder_matches(name, acct.folders);
        if (!wanted) continue;
        try {
            rep.folders.push_back(sync_folder(client, f, acct, sh, o, progress));
        } catch (const imap::ImapError& e) {
            if (e.kind() != imap::ImapError::Kind::Server) throw;  // the connection is gone
            FolderReport fr;
            fr.folder = name;
            fr.error = e.what();
            rep.folders.push_back(fr);
        }
    }
}

void record(Shared& sh, const std::string& address, const std::string& error) {
    std::lock_guard lk(sh.mu);
    if (!error.empty()) sh.archive.commit();  // what arrived before the failure is kept
    sh.accounts.set_state(address, error.empty() ? "ok" : "failing", error, int64_t(std::time(nullptr)));
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
            }
        }
    };
    std::vector<std::thread> threads;
    for (size_t t = 0; t < std::min<size_t>(list.size(), o.connections); ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    return reports;
}

void sync_live(const SyncOptions& o, const std::atomic<bool>& stop, const std::function<void(const AccountReport&)>& on_pass) {
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
                while (!stopped()) {
                    rep.folders.clear();
                    sync_folders(client, acct, sh, o, {}, rep);
                    record(sh, acct.address, "");
                    if (on_pass) on_pass(rep);
                    // New mail: pushed by IDLE on INBOX within a second; the other
                    // folders are looked at again every poll interval.
                    if (client.has_capability("IDLE") && o.idle) {
                        client.examine("INBOX");
                        client.idle(o.poll_seconds, stopped);
                    } else {
                        sleep_for(o.poll_seconds);
                    }
                }
                client.logout();
            } catch (const imap::ImapError& e) {
                rep.error = e.what();
                record(sh, acct.address, rep.error);
                if (on_pass) on_pass(rep);
                sleep_for(backoff);  // then try again; the other accounts go on meanwhile
                backoff = std::min(backoff * 2, 300);
            }
        }
    };
    std::vector<std::thread> threads;
    for (const auto& a : list) threads.emplace_back(account_loop, a);
    for (auto& t : threads) t.join();
}

}  // namespace tw
