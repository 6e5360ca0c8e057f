// The sender of Tradewind's own mail: plans what is due (Crm::plan_notifications),
// then sends the outbox through the firm's SMTP server, once each. Used by
// `tradewind notify --once` and by serve's loop.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace tw {

struct NotifyReport {
    size_t planned = 0, sent = 0, failed = 0, waiting = 0;  // waiting: no server set
    std::vector<std::string> errors;
};

// base_url: where the links in the mail point (serve's public address).
NotifyReport notify_once(const std::string& data_dir, const std::string& templates_dir, int64_t now,
                         const std::string& base_url);

}  // namespace tw
