// Sending one mail through the firm's server: libcurl's SMTP (smtp:// with
// STARTTLS required unless the server was set up --plaintext, or smtps://),
// AUTH when a user is given. The only code that touches libcurl's SMTP side.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "archive/accounts.h"

namespace tw {

struct SmtpResult {
    bool ok = false;
    bool temporary = true;  // a 4xx, a timeout or an unreachable server: worth another try
    std::string error;      // what went wrong, and what to do
};

// last_byte: called once, just before the end of the message goes to the server (from then on
// the server may have accepted it: RFC 1047's window). rcpts: bare addresses.
SmtpResult smtp_send(const SmtpServer& server, const std::string& password, const std::string& from_addr,
                     const std::vector<std::string>& rcpts, const std::string& message,
                     const std::function<void()>& last_byte = {});

}  // namespace tw
