#include "web/auth.h"

#include <sodium.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <ctime>
#include <filesystem>
#include <mutex>

#include "archive/archive_db.h"
#include "mail/codec.h"
#include "archive/store.h"
#include "mail/strutil.h"

namespace tw {

struct Auth::Impl {
    std::mutex mu;  // handlers run on several threads
    std::unique_ptr<SQLite::Database> owned;
    SQLite::Database& db;
    explicit Impl(const std::string& dir) : owned(migrated(dir)), db(*owned) {}
    static std::unique_ptr<SQLite::Database> migrated(const std::string& dir) {
        Store store(dir);  // brings an older archive's tables up to date first
        return open_archive_db(dir);
    }
};

Auth::Auth(const std::string& data_dir) {
    if (sodium_init() < 0) throw StoreError("libsodium could not start");
    d_ = std::make_unique<Impl>(data_dir);
}

Auth::~Auth() = default;

void Auth::add_user(const std::string& name, const std::string& role, const std::string& password,
                    const std::string& mailbox) {
    if (role != "rep" && role != "manager") throw StoreError("the role must be rep or manager");
    if (!mailbox.empty() && mailbox.find('@') == std::string::npos)
        throw StoreError("--mailbox is the user's own mail address (rep@firm.example), not \"" + mailbox + "\"");
    if (password.size() < 8) throw StoreError("the password must have at least 8 characters");
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        throw StoreError("not enough memory to hash the password");
    std::lock_guard lk(d_->mu);
    SQLite::Statement st(d_->db, "INSERT OR REPLACE INTO users(name, role, password_hash, created, mailbox) VALUES (?,?,?,?,?)");
    st.bind(1, name);
    st.bind(2, role);
    st.bind(3, std::string(hash));
    st.bind(4, int64_t(std::time(nullptr)));
    st.bind(5, to_lower(mailbox));
    st.exec();
}

std::vector<User> Auth::users() {
    std::lock_guard lk(d_->mu);
    SQLite::Statement st(d_->db, "SELECT name, role, mailbox FROM users ORDER BY name");
    std::vector<User> out;
    while (st.executeStep())
        out.push_back({st.getColumn(0).getString(), st.getColumn(1).getString(), st.getColumn(2).getString()});
    return out;
}

std::optional<User> Auth::check(const std::string& name, const std::string& password) {
    std::string hash, role, mailbox;
    {
        std::lock_guard lk(d_->mu);
        SQLite::Statement st(d_->db, "SELECT password_hash, role, mailbox FROM users WHERE name = ?");
        st.bind(1, name);
        if (st.executeStep()) {
            hash = st.getColumn(0).getString();
            role = st.getColumn(1).getString();
            mailbox = st.getColumn(2).getString();
        }
    }
    if (hash.empty()) {
        // Spend the same time as for a real user, so timing does not tell who exists.
        static const std::string dummy = [] {
            char h[crypto_pwhash_STRBYTES];
            if (crypto_pwhash_str(h, "x", 1, crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
                h[0] = '\0';  // out of memory: the verify below fails at once
            return std::string(h);
        }();
        bool spent = crypto_pwhash_str_verify(dummy.c_str(), password.data(), password.size()) == 0;
        (void)spent;  // no user by that name, whatever the dummy says
        return std::nullopt;
    }
    if (crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) != 0) return std::nullopt;
    return User{name, role, mailbox};
}

std::string Auth::open_session(const std::string& user, int64_t ttl_seconds) {
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char hex[sizeof raw * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    std::string token(hex);
    std::lock_guard lk(d_->mu);
    int64_t now = int64_t(std::time(nullptr));
    SQLite::Statement expired(d_->db, "DELETE FROM sessions WHERE expires < ?");
    expired.bind(1, now);
    expired.exec();
    SQLite::Statement st(d_->db, "INSERT INTO sessions(token_hash, user, expires) VALUES (?,?,?)");
    st.bind(1, sha256_hex(token));
    st.bind(2, user);
    st.bind(3, now + ttl_seconds);
    st.exec();
    return token;
}

std::optional<User> Auth::session_user(const std::string& token) {
    if (token.size() != 64) return std::nullopt;
    std::lock_guard lk(d_->mu);
    SQLite::Statement st(d_->db,
                         "SELECT u.name, u.role, u.mailbox FROM sessions s JOIN users u ON u.name = s.user"
                         " WHERE s.token_hash = ? AND s.expires > ?");
    st.bind(1, sha256_hex(token));
    st.bind(2, int64_t(std::time(nullptr)));
    if (!st.executeStep()) return std::nullopt;
    return User{st.getColumn(0).getString(), st.getColumn(1).getString(), st.getColumn(2).getString()};
}

void Auth::close_session(const std::string& token) {
    std::lock_guard lk(d_->mu);
    SQLite::Statement st(d_->db, "DELETE FROM sessions WHERE token_hash = ?");
    st.bind(1, sha256_hex(token));
    st.exec();
}

}  // namespace tw
