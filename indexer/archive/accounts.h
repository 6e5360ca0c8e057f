// The reps' IMAP accounts and each folder's sync state, kept in archive.db
// (layout: indexer/archive_schema.h). Passwords are sealed with libsodium's
// secretbox under a key file created 0600 in the data directory, and never
// written anywhere in the clear. The only code that touches libsodium.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tw {

struct Account {
    std::string address;  // the rep's address: the archive's account name
    std::string imap_url, user;
    std::string since;    // YYYY-MM-DD or empty
    std::string folders;  // comma-separated patterns (* wildcard), empty: all but Trash/Junk/Drafts
    bool verify_tls = true, allow_plaintext = false;
    std::string ca_file;  // the firm's own CA (PEM) to trust for this server; "": the system's
    std::string state = "new";  // new, ok, failing
    int64_t last_sync = 0;
    std::string last_error;
};

struct FolderSync {
    std::string account, folder, server_name;
    uint64_t uidvalidity = 0, last_uid = 0, highestmodseq = 0;
    uint64_t messages = 0;  // read back: live locations archived in the folder
    int64_t last_sync = 0;
    std::string last_error;
};

// The mail server Tradewind sends through: smtp://host:587 (STARTTLS required unless
// allow_plaintext) or smtps://host:465.
struct SmtpServer {
    std::string url, from, user;  // from: "Tradewind <crm@firm.example>"
    bool allow_plaintext = false;
};

class Accounts {
public:
    // Opens (creating) the data directory's account tables and key file.
    // Throws StoreError with a hint.
    explicit Accounts(const std::string& data_dir);
    ~Accounts();

    void add(const Account& a, const std::string& password);  // replaces an account with that address
    bool remove(const std::string& address);
    std::vector<Account> list();
    std::optional<Account> get(const std::string& address);
    std::string password(const std::string& address);  // opened from the sealed secret
    void set_state(const std::string& address, const std::string& state, const std::string& error, int64_t when);

    void set_smtp(const SmtpServer& s, const std::string& password);  // password sealed like the accounts'
    std::optional<SmtpServer> smtp();
    std::string smtp_password();

    std::optional<FolderSync> folder(const std::string& account, const std::string& folder);
    std::vector<FolderSync> folders(const std::string& account);
    void save_folder(const FolderSync& f);

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace tw
