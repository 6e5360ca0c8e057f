// The web layer: a route table over cpp-httplib, one handler per route,
// logic-less mustache templates (templates/), and every page also as JSON
// (Accept: application/json, or /api/v1/...). Every route but /login checks
// the session. The only code that touches cpp-httplib or mustache.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tw {

// What a sync running in the same process is doing now (serve): one entry
// per account with a pass under way.
struct SyncActivity {
    std::string account;
    size_t done = 0, total = 0;  // new messages taken / to take in this pass
    double rate = 0;             // messages per second so far in this pass
    double eta = 0;              // seconds left at that rate (0: unknown)
};

struct WebOptions {
    std::string data_dir;
    std::string templates_dir;
    std::string host = "127.0.0.1";
    int port = 8080;
    bool secure_cookie = false;  // set when a TLS proxy is in front
    // The host names (host[:port]) the server answers to; a request with any
    // other Host is refused (DNS rebinding). Empty: the listen address.
    std::vector<std::string> public_hosts;
    int threads = 8;
    // The attachment worker (mail/text_worker.h): PDF previews are drawn there, never in this process.
    // Empty: no previews.
    std::vector<std::string> worker_command;
    std::function<std::vector<SyncActivity>()> activity;  // none: no sync in this process
};

class WebServer {
public:
    explicit WebServer(const WebOptions& opts);  // throws StoreError (templates, archive)
    ~WebServer();
    // Serves until stop(); false if the address could not be bound.
    bool run();
    void stop();
    int port() const;  // the bound port (when opts.port was 0)
    // The route table as JSON (method, paths, roles, object): the access matrix test's input.
    std::string routes_json() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

// A mail Tradewind sends, rendered from TEMPLATES/mail/NAME.mustache with the model (JSON
// text), in the reader's language (en, zh: the {{#t}} words from TEMPLATES/i18n). StoreError when
// the template cannot be read.
std::string render_mail(const std::string& templates_dir, const std::string& name, const std::string& model_json,
                        const std::string& lang);

}  // namespace tw
