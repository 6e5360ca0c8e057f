// The IMAP commands: account add|list|test|remove, and sync.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "archive/accounts.h"
#include "daemon/commands.h"
#include "daemon/imap/imap_client.h"
#include "daemon/options.h"
#include "mail/error.h"
#include "archive/store.h"
#include "daemon/imap/sync.h"

namespace tw {
namespace {

const char* kAccountUsage =
    "usage: tradewind account add [--data DIR] --address ADDR --imap-url imaps://host[:port] --user U\n"
    "                             --password-file F [--since YYYY-MM-DD] [--folders PATTERNS]\n"
    "                             [--ca-file CA.pem] [--insecure] [--plaintext] [--no-test]\n"
    "       tradewind account list [--data DIR] [--json]\n"
    "       tradewind account test [--data DIR] ADDR\n"
    "       tradewind account remove [--data DIR] ADDR   (its archived mail stays)\n"
    "  imap:// requires STARTTLS unless --plaintext (trusted networks only). Certificates are checked\n"
    "  against the system's CAs (or SSL_CERT_FILE), or --ca-file (the firm's own CA); --insecure skips\n"
    "  every check. --folders: comma-separated patterns such as 'INBOX,Sent*'; by default\n"
    "  every folder but Trash, Junk and Drafts. The password is stored encrypted (DATA/secret.key).\n";

const char* kSyncUsage =
    "usage: tradewind sync [--data DIR] [--once] [--account ADDR] [--poll SECONDS] [--no-idle] [--chunk-mb N] [--in-process]\n"
    "  --chunk-mb: mail is fetched in chunks of at most 200 messages and N MB (16; a bigger message\n"
    "  comes alone); up to three chunks per account are in memory at once.\n"
    "  Pulls new mail from every account's folders into the archive, read-only on the server,\n"
    "  several accounts at once. Without --once it keeps going until SIGTERM/SIGINT: new INBOX mail\n"
    "  arrives through IDLE within seconds (unless --no-idle), every folder is looked at again every\n"
    "  --poll seconds (default 30), and a failing account is retried with backoff.\n";

imap::ServerConfig config_of(const Account& a, const std::string& password) {
    imap::ServerConfig c;
    c.url = a.imap_url;
    c.user = a.user;
    c.password = password;
    c.verify_tls = a.verify_tls;
    c.ca_file = a.ca_file;
    c.allow_plaintext = a.allow_plaintext;
    return c;
}

// Logs in and lists the folders, marking the ones sync takes. 0 on success.
int test_account(const Account& a, const std::string& password) {
    try {
        imap::Client client(config_of(a, password));
        std::printf("%s: logged in to %s as %s\n", a.address.c_str(), a.imap_url.c_str(), a.user.c_str());
        for (const auto& f : client.list()) {
            std::vector<std::string> flags(f.flags.begin(), f.flags.end());
            bool take = f.selectable() && (a.folders.empty() ? !skipped_by_default(f.display, flags)
                                                              : folder_matches(f.display, a.folders));
            std::printf("  %s %s\n", take ? "sync" : "skip", f.display.c_str());
        }
        client.logout();
        return 0;
    } catch (const imap::ImapError& e) {
        std::fprintf(stderr, "tradewind account: %s\n", e.what());
        return 1;
    }
}

int account_add(const std::vector<std::string>& args) {
    Opts o;
    if (!parse_opts(args, {"--address", "--imap-url", "--user", "--password-file", "--since", "--folders", "--ca-file"}, o,
               "account add"))
        return 2;
    for (const char* k : {"--address", "--imap-url", "--user", "--password-file"})
        if (o.get(k).empty()) {
            std::fprintf(stderr, "tradewind account add: %s is required\n%s", k, kAccountUsage);
            return 2;
        }
    Account a;
    a.address = o.get("--address");
    a.imap_url = o.get("--imap-url");
    a.user = o.get("--user");
    a.since = o.get("--since");
    a.folders = o.get("--folders");
    a.verify_tls = !o.has("--insecure");
    a.allow_plaintext = o.has("--plaintext");
    if (!o.get("--ca-file").empty()) {
        std::error_code ec;
        auto abs = std::filesystem::absolute(o.get("--ca-file"), ec);
        if (ec || !std::filesystem::is_regular_file(abs, ec))
            throw InvalidError("--ca-file " + o.get("--ca-file") + " is not a readable file: give the firm's CA certificate (PEM)");
        a.ca_file = abs.string();  // the sync reads it from wherever it runs
    }
    if (a.imap_url.rfind("imaps://", 0) != 0 && a.imap_url.rfind("imap://", 0) != 0) {
        std::fprintf(stderr, "tradewind account add: --imap-url must start with imaps:// or imap://\n");
        return 2;
    }
    std::string password = read_secret_file(o.get("--password-file"));
    if (!o.has("--no-test") && test_account(a, password) != 0) {
        std::fprintf(stderr, "tradewind account add: %s was not added (use --no-test to add it anyway)\n", a.address.c_str());
        return 1;
    }
    Accounts(o.get("--data")).add(a, password);
    std::printf("added %s\n", a.address.c_str());
    return 0;
}

int account_list(const std::vector<std::string>& args) {
    Opts o;
    if (!parse_opts(args, {}, o, "account list")) return 2;
    Accounts accounts(o.get("--data"));
    for (const auto& a : accounts.list()) {
        if (o.has("--json")) {
            nlohmann::json j{{"address", a.address}, {"imap_url", a.imap_url}, {"user", a.user}, {"ca_file", a.ca_file}, {"state", a.state},
                             {"last_sync", a.last_sync}, {"last_error", a.last_error}, {"folders", nlohmann::json::array()}};
            for (const auto& f : accounts.folders(a.address))
                j["folders"].push_back({{"folder", f.folder}, {"uidvalidity", f.uidvalidity}, {"last_uid", f.last_uid},
                                        {"messages", f.messages}, {"last_sync", f.last_sync}, {"last_error", f.last_error}});
            std::printf("%s\n", j.dump().c_str());
        } else {
            std::printf("%s  %s  user %s  %s%s%s\n", a.address.c_str(), a.imap_url.c_str(), a.user.c_str(), a.state.c_str(),
                        a.last_error.empty() ? "" : ": ", a.last_error.c_str());
        }
    }
    return 0;
}

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

}  // namespace

int cmd_account(const std::vector<std::string>& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::fputs(kAccountUsage, args.empty() ? stderr : stdout);
        return args.empty() ? 2 : 0;
    }
    std::vector<std::string> rest(args.begin() + 1, args.end());
    const std::string& sub = args[0];
    if (sub == "add") return account_add(rest);
    if (sub == "list") return account_list(rest);
    if (sub == "test" || sub == "remove") {
        Opts o;
        if (!parse_opts(rest, {}, o, "account") || o.rest.size() != 1) {
            std::fputs(kAccountUsage, stderr);
            return 2;
        }
        Accounts accounts(o.get("--data"));
        auto a = accounts.get(o.rest[0]);
        if (!a) {
            std::fprintf(stderr, "tradewind account %s: no account %s (see `tradewind account list`)\n", sub.c_str(),
                         o.rest[0].c_str());
            return 1;
        }
        if (sub == "test") return test_account(*a, accounts.password(a->address));
        accounts.remove(a->address);
        std::printf("removed %s (its archived mail stays)\n", a->address.c_str());
        return 0;
    }
    std::fputs(kAccountUsage, stderr);
    return 2;
}

namespace {

// Prints an account's pass: what came in, what failed. Returns false if the account failed.
bool print_report(const AccountReport& r, bool quiet_when_idle) {
    size_t found = 0, imported = 0, copies = 0, flagged = 0, deleted = 0, flag_changes = 0;
    for (const auto& f : r.folders) {
        found += f.found, imported += f.imported, copies += f.copies, flagged += f.flagged, deleted += f.deleted;
        flag_changes += f.flags_changed;
        if (!f.error.empty()) std::fprintf(stderr, "%s %s: %s\n", r.address.c_str(), f.folder.c_str(), f.error.c_str());
    }
    if (!r.error.empty()) {
        if (r.retry_in) std::fprintf(stderr, "%s: %s (trying again in %d s)\n", r.address.c_str(), r.error.c_str(), r.retry_in);
        else std::fprintf(stderr, "%s: %s\n", r.address.c_str(), r.error.c_str());
        return false;
    }
    if (quiet_when_idle && found == 0 && deleted == 0 && flag_changes == 0) return true;
    std::printf("%s: %zu folders, %zu new on the server, %zu imported, %zu duplicates, %zu malformed (archived as received, "
                "what was wrong in `tradewind export`), "
                "%zu deleted on the server (kept in the archive), %zu flag changes\n",
                r.address.c_str(), r.folders.size(), found, imported, copies, flagged, deleted, flag_changes);
    std::fflush(stdout);
    return true;
}

}  // namespace

int cmd_sync(const std::vector<std::string>& args) {
    Opts o;
    if (!parse_opts(args, {"--account", "--poll", "--chunk-mb"}, o, "sync")) return 2;
    if (o.has("--help") || o.has("-h")) {
        std::fputs(kSyncUsage, stdout);
        return 0;
    }
    SyncOptions so;
    so.data_dir = o.get("--data");
    so.only_account = o.get("--account");
    if (!o.has("--in-process")) so.worker_command = extract_worker_command();
    so.poll_seconds = std::max(1, std::atoi(o.get("--poll", "30").c_str()));
    so.idle = !o.has("--no-idle");
    so.fetch_bytes = uint64_t(std::max(1, std::atoi(o.get("--chunk-mb", "16").c_str()))) << 20;
    if (Accounts(so.data_dir).list().empty()) {
        std::fprintf(stderr, "tradewind sync: no accounts yet: add one with `tradewind account add`\n");
        return 1;
    }
    if (!o.has("--once")) {
        std::signal(SIGTERM, on_signal);
        std::signal(SIGINT, on_signal);
        std::mutex out_mu;
        sync_live(so, g_stop, [&](const AccountReport& r) {
            std::lock_guard lk(out_mu);
            print_report(r, true);
        });
        return 0;
    }
    bool tty = isatty(2);
    // On a terminal, a line per account (folders, messages done/total, rate,
    // ETA) and a total, redrawn in place.
    struct Seen {
        size_t folders = 0, done = 0, total = 0;
        std::chrono::steady_clock::time_point since;
    };
    std::map<std::string, Seen> seen;
    size_t drawn = 0;
    auto start = std::chrono::steady_clock::now();
    auto line = [](const std::string& who, size_t folders, size_t done, size_t total, double secs) {
        double rate = secs > 0.05 ? double(done) / secs : 0;
        std::string eta = done >= total ? "done" : rate > 0 ? "ETA " + std::to_string(int((total - done) / rate + 0.5)) + " s" : "";
        std::fprintf(stderr, "\r\033[K%-34s %3zu folders %8zu/%-8zu %6.0f msg/s  %s\n", who.c_str(), folders, done, total,
                     rate, eta.c_str());
    };
    auto reports = sync_once(so, [&](const SyncProgress& p) {
        if (!tty) return;
        auto now = std::chrono::steady_clock::now();
        auto [it, fresh] = seen.try_emplace(p.account);
        if (fresh) it->second.since = now;
        it->second.folders = p.folders, it->second.done = p.done, it->second.total = p.total;
        if (drawn) std::fprintf(stderr, "\033[%zuA", drawn);
        size_t done = 0, total = 0, folders = 0;
        for (const auto& [acct, s] : seen) {
            done += s.done, total += s.total, folders += s.folders;
            line(acct, s.folders, s.done, s.total, std::chrono::duration<double>(now - s.since).count());
        }
        line("all accounts", folders, done, total, std::chrono::duration<double>(now - start).count());
        drawn = seen.size() + 1;
        std::fflush(stderr);
    });
    int failed = 0;
    for (const auto& r : reports) failed += print_report(r, false) ? 0 : 1;
    return failed ? 1 : 0;
}

}  // namespace tw
