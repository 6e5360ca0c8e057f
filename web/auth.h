// Logins and sessions. Users, roles and passwords are crm/access.h's; this
// is the web's side: a session cookie carries 32 random bytes and only their
// SHA-256 is stored, so a copy of the database opens no session; a session
// ends when its user's epoch moves (password changed, user disabled or its
// role changed). Logins are throttled per client address and per account,
// with growing delays, and at most kHashers password hashes run at once
// (each takes 64 MiB for argon2id), so a flood of wrong passwords neither
// guesses fast nor eats the machine; a login from an address with no
// failures goes ahead of the flood's, so the real user still gets in.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crm/access.h"

namespace tw {

struct LoginResult {
    std::optional<User> user;  // set: logged in
    int retry_after = 0;       // > 0: refused before checking; try again in that many seconds
    bool busy = false;         // too many logins being checked at once (try again in retry_after)
};

class Auth {
public:
    static constexpr int kHashers = 1;  // argon2id verifications at once
    explicit Auth(const std::string& data_dir);  // throws StoreError
    ~Auth();

    // Checks a login from client address ip, throttled. The same work is
    // done for an unknown name as for a wrong password.
    LoginResult login(const std::string& name, const std::string& password, const std::string& ip);
    std::vector<User> users();
    // A new session token for the user (the cookie's value), valid for ttl_seconds.
    std::string open_session(const User& user, int64_t ttl_seconds);
    std::optional<User> session_user(const std::string& token);
    void close_session(const std::string& token);
    // The form token of a session: derived from its token, so it needs no storage.
    static std::string csrf_of(const std::string& token);

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace tw
