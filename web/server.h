// The web layer: a route table over cpp-httplib, one handler per route,
// logic-less mustache templates (templates/), and every page also as JSON
// (Accept: application/json, or /api/v1/...). Every route but /login checks
// the session. The only code that touches cpp-httplib or mustache.
#pragma once
#include <memory>
#include <string>

namespace tw {

struct WebOptions {
    std::string data_dir;
    std::string templates_dir;
    std::string host = "127.0.0.1";
    int port = 8080;
    bool secure_cookie = false;  // set when a TLS proxy is in front
    int threads = 8;
};

class WebServer {
public:
    explicit WebServer(const WebOptions& opts);  // throws StoreError (templates, archive)
    ~WebServer();
    // Serves until stop(); false if the address could not be bound.
    bool run();
    void stop();
    int port() const;  // the bound port (when opts.port was 0)

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace tw
