// Web users and their sessions, in archive.db. Passwords are hashed with
// argon2id (libsodium crypto_pwhash_str); a session cookie carries 32 random
// bytes, and only their SHA-256 is stored, so a copy of the database opens
// no session.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tw {

struct User {
    std::string name, role;  // role: rep or manager
    std::string mailbox;     // the rep's own address ("" if not given): what they own and claim
};

class Auth {
public:
    explicit Auth(const std::string& data_dir);  // throws StoreError
    ~Auth();

    // Adds or replaces a user. mailbox: the rep's address (lower-cased).
    void add_user(const std::string& name, const std::string& role, const std::string& password,
                  const std::string& mailbox = "");
    std::vector<User> users();
    // The user if the password is right (constant-time check), else nullopt.
    std::optional<User> check(const std::string& name, const std::string& password);
    // A new session token for the user (the cookie's value), valid for ttl_seconds.
    std::string open_session(const std::string& user, int64_t ttl_seconds);
    std::optional<User> session_user(const std::string& token);
    void close_session(const std::string& token);

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace tw
