#include "web/auth.h"

#include <sodium.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <map>
#include <mutex>
#include <set>

#include "archive/archive_db.h"
#include "archive/store.h"
#include "mail/codec.h"
#include "mail/error.h"

namespace tw {
namespace {

// Failures before the delays start, per client address and per account; the
// delay then doubles with each failure, up to kMaxDelay.
constexpr int kFreePerAddress = 5;
constexpr int kFreePerAccount = 10;
constexpr int64_t kMaxDelay = 15 * 60;
constexpr int64_t kForget = 3600;  // a record with no failure for this long is dropped

int64_t now_s() { return int64_t(std::time(nullptr)); }

struct Failures {
    int count = 0, in_flight = 0;
    int64_t last = 0;
    // Seconds to wait before the next try (0: may try now). In-flight tries
    // count as failures, so a burst cannot run more checks than the free ones.
    int64_t wait(int free, int64_t now) const {
        if (count + in_flight < free) return 0;
        int over = std::max(0, count - free);
        int64_t delay = std::min<int64_t>(kMaxDelay, int64_t(1) << std::min(over, 12));
        int64_t left = last + delay - now;
        return std::max<int64_t>(left, in_flight > 0 && count + in_flight >= free ? 1 : 0);
    }
};

}  // namespace

struct Auth::Impl {
    std::string dir;
    std::mutex mu;  // the connection below; handlers run on several threads
    std::unique_ptr<SQLite::Database> owned;
    SQLite::Database& db;
    People people;

    std::mutex throttle_mu;
    std::map<std::string, Failures> by_address, by_account;
    std::map<std::string, std::set<std::string>> known;  // account -> addresses it logged in from
    std::mutex hash_mu;
    std::condition_variable hash_cv;
    int hashing = 0;
    int clean_waiting = 0;  // waiting logins from addresses with no failures: they go first

    explicit Impl(const std::string& d) : dir(d), owned(migrated(d)), db(*owned), people(db) {}
    static std::unique_ptr<SQLite::Database> migrated(const std::string& dir) {
        Store store(dir);  // brings an older archive's tables up to date first
        return open_archive_db(dir);
    }
    void forget_old(int64_t now) {
        for (auto* m : {&by_address, &by_account})
            for (auto it = m->begin(); it != m->end();)
                it = it->second.in_flight == 0 && now - it->second.last > kForget ? m->erase(it) : std::next(it);
    }
};

Auth::Auth(const std::string& data_dir) {
    if (sodium_init() < 0) throw StoreError("libsodium could not start");
    d_ = std::make_unique<Impl>(data_dir);
}

Auth::~Auth() = default;

std::vector<User> Auth::users() {
    std::lock_guard lk(d_->mu);
    return d_->people.users();
}

LoginResult Auth::login(const std::string& name, const std::string& password, const std::string& ip) {
    LoginResult out;
    int64_t now = now_s();
    bool clean = false;  // the address has no failures: it is not held behind a flood of wrong passwords
    {
        std::lock_guard lk(d_->throttle_mu);
        if (d_->by_address.size() + d_->by_account.size() > 20000) d_->forget_old(now);
        Failures& a = d_->by_address[ip];
        Failures& n = d_->by_account[name];
        // An address this account logged in from before is not held back by
        // failures elsewhere on the account (a guesser cannot lock its owner out).
        bool known = d_->known.count(name) && d_->known[name].count(ip);
        int64_t wait = std::max(a.wait(kFreePerAddress, now), known ? 0 : n.wait(kFreePerAccount, now));
        if (wait > 0) {
            out.retry_after = int(wait);
            return out;
        }
        ++a.in_flight;
        ++n.in_flight;
        clean = a.count == 0;
    }
    std::optional<User> user;
    bool checked = false;
    {
        std::unique_lock lk(d_->hash_mu);
        if (clean) ++d_->clean_waiting;
        bool got = d_->hash_cv.wait_for(lk, std::chrono::seconds(5),
                                        [&] { return d_->hashing < kHashers && (clean || d_->clean_waiting == 0); });
        if (clean) --d_->clean_waiting;
        if (got) {
            ++d_->hashing;
            lk.unlock();
            try {
                auto db = open_archive_db(d_->dir);  // its own connection: the hash takes ~0.1 s
                user = People(*db).check(name, password);
                checked = true;
            } catch (...) {
                lk.lock();
                --d_->hashing;
                d_->hash_cv.notify_all();
                std::lock_guard tl(d_->throttle_mu);
                --d_->by_address[ip].in_flight;
                --d_->by_account[name].in_flight;
                throw;
            }
            lk.lock();
            --d_->hashing;
            d_->hash_cv.notify_all();  // a clean waiter may be behind others
        } else {
            d_->hash_cv.notify_all();  // clean_waiting changed
        }
    }
    std::lock_guard tl(d_->throttle_mu);
    Failures& a = d_->by_address[ip];
    Failures& n = d_->by_account[name];
    --a.in_flight;
    --n.in_flight;
    if (!checked) {  // not a failure of the user's: the server is busy
        out.busy = true;
        out.retry_after = 1;
        return out;
    }
    if (user) {
        a = Failures{0, a.in_flight, 0};
        n = Failures{0, n.in_flight, 0};
        d_->known[name].insert(ip);
        out.user = user;
        return out;
    }
    for (Failures* f : {&a, &n}) {
        ++f->count;
        f->last = now_s();
    }
    return out;
}

std::string Auth::open_session(const User& user, int64_t ttl_seconds) {
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char hex[sizeof raw * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    std::string token(hex);
    std::lock_guard lk(d_->mu);
    int64_t now = now_s();
    SQLite::Statement expired(d_->db, "DELETE FROM sessions WHERE expires < ?");
    expired.bind(1, now);
    expired.exec();
    SQLite::Statement st(d_->db, "INSERT INTO sessions(token_hash, user, expires, epoch) VALUES (?,?,?,?)");
    st.bind(1, sha256_hex(token));
    st.bind(2, user.name);
    st.bind(3, now + ttl_seconds);
    st.bind(4, user.epoch);
    st.exec();
    return token;
}

std::optional<User> Auth::session_user(const std::string& token) {
    if (token.size() != 64) return std::nullopt;
    std::lock_guard lk(d_->mu);
    std::string name;
    {
        SQLite::Statement st(d_->db,
                             "SELECT u.name FROM sessions s JOIN users u ON u.name = s.user"
                             " WHERE s.token_hash = ? AND s.expires > ? AND s.epoch = u.epoch AND u.disabled = 0");
        st.bind(1, sha256_hex(token));
        st.bind(2, now_s());
        if (!st.executeStep()) return std::nullopt;
        name = st.getColumn(0).getString();
    }
    return d_->people.user(name);
}

void Auth::close_session(const std::string& token) {
    std::lock_guard lk(d_->mu);
    SQLite::Statement st(d_->db, "DELETE FROM sessions WHERE token_hash = ?");
    st.bind(1, sha256_hex(token));
    st.exec();
}

std::string Auth::csrf_of(const std::string& token) { return sha256_hex("tradewind form token:" + token); }

}  // namespace tw
