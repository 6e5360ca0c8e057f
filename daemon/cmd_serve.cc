// tradewind serve (sync loop + web server in one process) and tradewind user.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "archive/accounts.h"
#include "web/auth.h"
#include "daemon/commands.h"
#include "daemon/options.h"
#include "mail/strutil.h"
#include "web/server.h"
#include "archive/store.h"
#include "daemon/imap/sync.h"
#include "daemon/notify.h"
#include "crm/crm.h"

namespace tw {
namespace {

const char* kServeUsage =
    "usage: tradewind serve [--data DIR] [--listen 127.0.0.1:8080] [--templates DIR] [--poll SECONDS]\n"
    "                       [--no-sync] [--secure-cookie] [--log FILE] [--public-host NAME[:PORT],...] [--routes]\n"
    "  --public-host: the host names browsers use for this server (behind a proxy, its name); any other\n"
    "  Host header is refused (DNS rebinding). Default: the --listen address. --routes prints the route\n"
    "  table as JSON (who may use each route) and exits.\n"
    "  Runs the sync loop (see `tradewind sync`) and the web UI in one process; stops cleanly on\n"
    "  SIGTERM. Bind to 127.0.0.1 and put a TLS reverse proxy in front (then --secure-cookie).\n";

std::atomic<bool> g_stop{false};

void on_signal(int) {
    g_stop = true;  // the main thread stops the web server (not async-signal-safe here)
}

}  // namespace

int cmd_serve(const std::vector<std::string>& args) {
    Opts o;
    if (!parse_opts(args, {"--listen", "--templates", "--poll", "--log", "--public-host"}, o, "serve")) return 2;
    if (o.has("--help") || o.has("-h")) {
        std::fputs(kServeUsage, stdout);
        return 0;
    }
    WebOptions wo;
    wo.data_dir = o.get("--data");
    const char* env_templates = std::getenv("TRADEWIND_TEMPLATES");
    wo.templates_dir = o.get("--templates", env_templates && *env_templates ? env_templates : TW_TEMPLATES_DIR);
    std::string listen = o.get("--listen", "127.0.0.1:8080");
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos) {
        std::fprintf(stderr, "tradewind serve: --listen takes HOST:PORT\n");
        return 2;
    }
    wo.host = listen.substr(0, colon);
    wo.port = std::atoi(listen.substr(colon + 1).c_str());
    wo.secure_cookie = o.has("--secure-cookie");
    wo.worker_command = extract_worker_command();
    for (auto host : split_trimmed(o.get("--public-host"), ','))
        if (!host.empty()) wo.public_hosts.emplace_back(host);
    if (o.has("--routes")) {
        wo.port = 0;
        std::printf("%s\n", WebServer(wo).routes_json().c_str());
        return 0;
    }
    std::string log_path = o.get("--log");
    if (!log_path.empty() && !std::freopen(log_path.c_str(), "a", stderr))
        throw StoreError("cannot open the log file " + log_path);
    if (Auth(wo.data_dir).users().empty())
        std::fprintf(stderr, "tradewind serve: no web users yet: add one with `tradewind user add`\n");
    // Passes under way, for the status page: account -> (progress, when its pass began).
    std::mutex activity_mu;
    std::map<std::string, std::pair<SyncProgress, std::chrono::steady_clock::time_point>> activity;
    if (!o.has("--no-sync"))
        wo.activity = [&] {
            std::lock_guard lk(activity_mu);
            std::vector<SyncActivity> out;
            auto now = std::chrono::steady_clock::now();
            for (const auto& [account, a] : activity) {
                const SyncProgress& p = a.first;
                if (p.total == 0 || p.done >= p.total) continue;
                double secs = std::chrono::duration<double>(now - a.second).count();
                double rate = secs > 0 ? double(p.done) / secs : 0;
                out.push_back({account, p.done, p.total, rate, rate > 0 ? double(p.total - p.done) / rate : 0});
            }
            return out;
        };
    WebServer web(wo);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    std::mutex log_mu;
    std::thread sync;
    if (!o.has("--no-sync")) {
        SyncOptions so;
        so.data_dir = wo.data_dir;
        so.worker_command = extract_worker_command();
        so.poll_seconds = std::max(1, std::atoi(o.get("--poll", "30").c_str()));
        sync = std::thread([so, &log_mu, &activity_mu, &activity] {
            auto progress = [&](const SyncProgress& p) {
                std::lock_guard lk(activity_mu);
                auto& a = activity[p.account];
                if (p.done == 0 || a.first.total != p.total) a.second = std::chrono::steady_clock::now();  // a new pass
                a.first = p;
            };
            try {
                sync_live(so, g_stop, [&](const AccountReport& r) {
                    size_t found = 0;
                    for (const auto& f : r.folders) found += f.found;
                    std::lock_guard lk(log_mu);
                    if (!r.error.empty())
                        std::fprintf(stderr, "sync %s: %s (trying again in %d s)\n", r.address.c_str(), r.error.c_str(), r.retry_in);
                    else if (found) std::fprintf(stderr, "sync %s: %zu new messages\n", r.address.c_str(), found);
                }, progress);
            } catch (const std::exception& e) {
                std::lock_guard lk(log_mu);
                std::fprintf(stderr, "sync stopped: %s\n", e.what());
            }
        });
    }
    // Digests, escalations and retries, once a minute (the outbox keeps each one to a single send).
    std::thread notifier([&] {
        std::string base = "http://" + (wo.public_hosts.empty() ? listen : wo.public_hosts.front());
        while (!g_stop) {
            try {
                // The public pool: customers idle for pool_days are released here, never on a page view.
                LinkedArchive a(wo.data_dir);
                auto released = a.crm.release_idle(int64_t(std::time(nullptr)), a.crm.pool_days());
                if (!released.empty()) std::fprintf(stderr, "tradewind serve: %zu customers released to the pool\n", released.size());
            } catch (const std::exception& e) {
                std::fprintf(stderr, "tradewind serve: pool: %s\n", e.what());
            }
            try {
                NotifyReport r = notify_once(wo.data_dir, wo.templates_dir, int64_t(std::time(nullptr)), base);
                for (const auto& e : r.errors)
                    if (r.failed) std::fprintf(stderr, "tradewind serve: notify: %s\n", e.c_str());
            } catch (const std::exception& e) {
                std::fprintf(stderr, "tradewind serve: notify: %s\n", e.what());
            }
            for (int i = 0; i < 300 && !g_stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    });
    std::thread stopper([&web] {
        while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(200));
        web.stop();
    });
    std::thread server([&] {
        if (!web.run()) {
            std::fprintf(stderr, "tradewind serve: cannot listen on %s (in use, or not an address of this machine)\n", listen.c_str());
            g_stop = true;
        }
    });
    for (int i = 0; i < 100 && web.port() == 0 && !g_stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!g_stop) std::fprintf(stderr, "tradewind serve: listening on http://%s:%d/\n", wo.host.c_str(), web.port());
    server.join();
    g_stop = true;
    stopper.join();
    notifier.join();
    if (sync.joinable()) sync.join();
    std::fprintf(stderr, "tradewind serve: stopped\n");
    return 0;
}

}  // namespace tw
