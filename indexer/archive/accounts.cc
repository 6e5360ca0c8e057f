#include "archive/accounts.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "archive/archive_db.h"
#include "archive/store.h"

namespace tw {
namespace fs = std::filesystem;

namespace {

// The secretbox key: DATA/secret.key, 32 random bytes, created 0600 (O_EXCL,
// so two processes never make two keys).
std::string load_or_create_key(const fs::path& dir) {
    fs::path path = dir / "secret.key";
    std::string key(crypto_secretbox_KEYBYTES, '\0');
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        std::string fresh(crypto_secretbox_KEYBYTES, '\0');
        crypto_secretbox_keygen(reinterpret_cast<unsigned char*>(fresh.data()));
        int w = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (w >= 0) {
            bool ok = ::write(w, fresh.data(), fresh.size()) == ssize_t(fresh.size()) && ::fsync(w) == 0;
            ::close(w);
            if (!ok) {
                fs::remove(path);
                throw StoreError("cannot write the key file " + path.string() + ": is the disk full?");
            }
        }
        sodium_memzero(fresh.data(), fresh.size());
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) throw StoreError("cannot read the key file " + path.string() + " (" + std::strerror(errno) + ")");
    struct stat st {};
    if (fstat(fd, &st) == 0 && (st.st_mode & 077)) {
        ::close(fd);
        throw StoreError("the key file " + path.string() + " can be read by others: run `chmod 600 " + path.string() + "`");
    }
    ssize_t n = ::read(fd, key.data(), key.size());
    ::close(fd);
    if (n != ssize_t(key.size()))
        throw StoreError("the key file " + path.string() + " is damaged: remove it and add the accounts again");
    return key;
}

}  // namespace

struct Accounts::Impl {
    std::unique_ptr<SQLite::Database> owned;
    SQLite::Database& db;
    std::string key;
    explicit Impl(const std::string& dir) : owned(open_archive_db(dir)), db(*owned) {}
    ~Impl() { sodium_memzero(key.data(), key.size()); }

    static Account row_to_account(SQLite::Statement& st) {
        Account a;
        a.address = st.getColumn(0).getString();
        a.imap_url = st.getColumn(1).getString();
        a.user = st.getColumn(2).getString();
        a.since = st.getColumn(3).getString();
        a.folders = st.getColumn(4).getString();
        a.verify_tls = st.getColumn(5).getInt() != 0;
        a.allow_plaintext = st.getColumn(6).getInt() != 0;
        a.state = st.getColumn(7).getString();
        a.last_sync = st.getColumn(8).getInt64();
        a.last_error = st.getColumn(9).getString();
        a.ca_file = st.getColumn(10).getString();
        return a;
    }
    static FolderSync row_to_folder(SQLite::Statement& st) {
        FolderSync f;
        f.account = st.getColumn(0).getString();
        f.folder = st.getColumn(1).getString();
        f.server_name = st.getColumn(2).getString();
        f.uidvalidity = uint64_t(st.getColumn(3).getInt64());
        f.last_uid = uint64_t(st.getColumn(4).getInt64());
        f.highestmodseq = uint64_t(st.getColumn(5).getInt64());
        f.last_sync = st.getColumn(6).getInt64();
        f.last_error = st.getColumn(7).getString();
        f.messages = uint64_t(st.getColumn(8).getInt64());
        return f;
    }
};

constexpr const char* kAccountColumns =
    "address, imap_url, user, since, folders, verify_tls, allow_plaintext, state, last_sync, last_error, ca_file";
constexpr const char* kFolderColumns = "account, folder, server_name, uidvalidity, last_uid, highestmodseq, last_sync, last_error";
// What a folder holds is derived from the archive, not counted along: the
// live (not deleted) locations in it.
constexpr const char* kFolderSelect =
    "SELECT f.account, f.folder, f.server_name, f.uidvalidity, f.last_uid, f.highestmodseq, f.last_sync, f.last_error,"
    " (SELECT COUNT(*) FROM locations l LEFT JOIN location_state s USING (account, folder, source)"
    "  WHERE l.account = f.account AND l.folder = f.folder AND COALESCE(s.deleted, 0) = 0)"
    " FROM folder_sync f";

Accounts::Accounts(const std::string& data_dir) {
    if (sodium_init() < 0) throw StoreError("libsodium could not start");
    d_ = std::make_unique<Impl>(data_dir);
    d_->key = load_or_create_key(data_dir);
}

Accounts::~Accounts() = default;

void Accounts::add(const Account& a, const std::string& password) {
    std::string sealed(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + password.size(), '\0');
    auto* out = reinterpret_cast<unsigned char*>(sealed.data());
    randombytes_buf(out, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(password.data()),
                          password.size(), out, reinterpret_cast<const unsigned char*>(d_->key.data()));
    SQLite::Statement st(d_->db, std::string("INSERT OR REPLACE INTO accounts(") + kAccountColumns +
                                     ", secret) VALUES (?,?,?,?,?,?,?,'new',0,'',?,?)");
    st.bind(1, a.address);
    st.bind(2, a.imap_url);
    st.bind(3, a.user);
    st.bind(4, a.since);
    st.bind(5, a.folders);
    st.bind(6, a.verify_tls ? 1 : 0);
    st.bind(7, a.allow_plaintext ? 1 : 0);
    st.bind(8, a.ca_file);
    st.bind(9, sealed.data(), int(sealed.size()));
    st.exec();
}

bool Accounts::remove(const std::string& address) {
    SQLite::Statement st(d_->db, "DELETE FROM accounts WHERE address = ?");
    st.bind(1, address);
    bool gone = st.exec() > 0;
    SQLite::Statement fst(d_->db, "DELETE FROM folder_sync WHERE account = ?");
    fst.bind(1, address);
    fst.exec();
    return gone;  // its archived mail stays
}

std::vector<Account> Accounts::list() {
    SQLite::Statement st(d_->db, std::string("SELECT ") + kAccountColumns + " FROM accounts ORDER BY address");
    std::vector<Account> out;
    while (st.executeStep()) out.push_back(Impl::row_to_account(st));
    return out;
}

std::optional<Account> Accounts::get(const std::string& address) {
    SQLite::Statement st(d_->db, std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE address = ?");
    st.bind(1, address);
    if (!st.executeStep()) return std::nullopt;
    return Impl::row_to_account(st);
}

std::string Accounts::password(const std::string& address) {
    SQLite::Statement st(d_->db, "SELECT secret FROM accounts WHERE address = ?");
    st.bind(1, address);
    if (!st.executeStep()) throw StoreError("no account " + address + ": see `tradewind account list`");
    auto* sealed = static_cast<const unsigned char*>(st.getColumn(0).getBlob());
    size_t n = size_t(st.getColumn(0).getBytes());
    if (n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        throw StoreError("the stored password of " + address + " is damaged: add the account again");
    std::string plain(n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), sealed + crypto_secretbox_NONCEBYTES,
                                   n - crypto_secretbox_NONCEBYTES, sealed,
                                   reinterpret_cast<const unsigned char*>(d_->key.data())) != 0)
        throw StoreError("the stored password of " + address +
                         " cannot be opened with DATA/secret.key (was the key file replaced?): add the account again");
    return plain;
}

namespace {

std::string seal(const std::string& key, const std::string& plain) {
    std::string sealed(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(), '\0');
    auto* out = reinterpret_cast<unsigned char*>(sealed.data());
    randombytes_buf(out, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                          out, reinterpret_cast<const unsigned char*>(key.data()));
    return sealed;
}

}  // namespace

void Accounts::set_smtp(const SmtpServer& s, const std::string& password) {
    std::string sealed = seal(d_->key, password);
    SQLite::Statement st(d_->db, "INSERT OR REPLACE INTO smtp(id, url, from_addr, user, secret, allow_plaintext) VALUES (1, ?, ?, ?, ?, ?)");
    st.bind(1, s.url);
    st.bind(2, s.from);
    st.bind(3, s.user);
    st.bind(4, sealed.data(), int(sealed.size()));
    st.bind(5, s.allow_plaintext ? 1 : 0);
    st.exec();
}

std::optional<SmtpServer> Accounts::smtp() {
    SQLite::Statement st(d_->db, "SELECT url, from_addr, user, allow_plaintext FROM smtp WHERE id = 1");
    if (!st.executeStep()) return std::nullopt;
    return SmtpServer{st.getColumn(0).getString(), st.getColumn(1).getString(), st.getColumn(2).getString(), st.getColumn(3).getInt() != 0};
}

std::string Accounts::smtp_password() {
    SQLite::Statement st(d_->db, "SELECT secret FROM smtp WHERE id = 1");
    if (!st.executeStep()) throw StoreError("no mail server to send through: run `tradewind smtp set`");
    auto* sealed = static_cast<const unsigned char*>(st.getColumn(0).getBlob());
    size_t n = size_t(st.getColumn(0).getBytes());
    if (n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) throw StoreError("the stored SMTP password is damaged: run `tradewind smtp set` again");
    std::string plain(n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), sealed + crypto_secretbox_NONCEBYTES,
                                   n - crypto_secretbox_NONCEBYTES, sealed, reinterpret_cast<const unsigned char*>(d_->key.data())) != 0)
        throw StoreError("the stored SMTP password cannot be opened with DATA/secret.key: run `tradewind smtp set` again");
    return plain;
}

void Accounts::set_state(const std::string& address, const std::string& state, const std::string& error, int64_t when) {
    SQLite::Statement st(d_->db, "UPDATE accounts SET state = ?, last_error = ?, last_sync = ? WHERE address = ?");
    st.bind(1, state);
    st.bind(2, error);
    st.bind(3, when);
    st.bind(4, address);
    st.exec();
}

std::optional<FolderSync> Accounts::folder(const std::string& account, const std::string& folder) {
    SQLite::Statement st(d_->db, std::string(kFolderSelect) + " WHERE f.account = ? AND f.folder = ?");
    st.bind(1, account);
    st.bind(2, folder);
    if (!st.executeStep()) return std::nullopt;
    return Impl::row_to_folder(st);
}

std::vector<FolderSync> Accounts::folders(const std::string& account) {
    SQLite::Statement st(d_->db, std::string(kFolderSelect) + " WHERE f.account = ? ORDER BY f.folder");
    st.bind(1, account);
    std::vector<FolderSync> out;
    while (st.executeStep()) out.push_back(Impl::row_to_folder(st));
    return out;
}

void Accounts::save_folder(const FolderSync& f) {
    SQLite::Statement st(d_->db, std::string("INSERT OR REPLACE INTO folder_sync(") + kFolderColumns +
                                     ") VALUES (?,?,?,?,?,?,?,?)");
    st.bind(1, f.account);
    st.bind(2, f.folder);
    st.bind(3, f.server_name);
    st.bind(4, int64_t(f.uidvalidity));
    st.bind(5, int64_t(f.last_uid));
    st.bind(6, int64_t(f.highestmodseq));
    st.bind(7, f.last_sync);
    st.bind(8, f.last_error);
    st.exec();
}

}  // namespace tw
