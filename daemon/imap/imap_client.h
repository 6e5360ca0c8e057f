// One IMAP session. libcurl connects, does TLS (imaps:// or STARTTLS on
// imap://) and logs in; after that this client speaks the few commands sync
// needs over the connection, and ResponseReader reads every reply. The only
// code that touches libcurl's IMAP side. Mailboxes are only ever EXAMINEd and
// bodies fetched with BODY.PEEK: sync never changes the mailbox.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/imap/imap_response.h"

namespace tw::imap {

class ImapError : public std::runtime_error {
public:
    enum class Kind { Connect, Tls, Auth, Timeout, Protocol, Server };
    ImapError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
    Kind kind() const { return kind_; }

private:
    Kind kind_;
};

struct ServerConfig {
    std::string url;  // imaps://host[:port], or imap://host[:port] with STARTTLS
    std::string user, password;
    bool verify_tls = true;
    // PEM certificates to trust (the firm's own CA); "": the system's store,
    // or the file SSL_CERT_FILE names.
    std::string ca_file;
    // imap:// only: also talk to a server that offers no STARTTLS (a trusted
    // local network). Otherwise STARTTLS is required: falling back silently
    // would let anyone on the path strip it and read the password.
    bool allow_plaintext = false;
    int timeout_ms = 60000;     // connect, and each wait for the server
};

struct Folder {
    std::string name;     // as the server names it (modified UTF-7), for commands
    std::string display;  // decoded, UTF-8
    std::string delimiter;
    std::set<std::string> flags;  // lower-cased: \noselect, \sent, \trash, \junk, \drafts, ...
    bool selectable() const { return !flags.count("\\noselect") && !flags.count("\\nonexistent"); }
};

struct FolderState {
    uint64_t uidvalidity = 0, uidnext = 0, exists = 0, highestmodseq = 0;
};

struct FetchedMessage {
    uint64_t uid = 0;
    std::vector<std::string> flags;
    std::string internaldate;  // as sent: "11-Jan-2025 10:00:00 +0800"
    std::string raw;
};

class Client {
public:
    // Connects and logs in. Throws ImapError with what to do about it.
    explicit Client(const ServerConfig& config);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    bool has_capability(const std::string& cap) const;  // upper case, e.g. "IDLE"
    std::vector<Folder> list();
    // STATUS of a folder without selecting it (UIDVALIDITY, UIDNEXT, MESSAGES,
    // and HIGHESTMODSEQ where the server has CONDSTORE).
    FolderState status(const std::string& name);
    // EXAMINE (read-only select) of a folder by its server name.
    FolderState examine(const std::string& name);
    // UIDs of the examined folder from first on (UID SEARCH UID first:*),
    // ascending; since ("1-Jan-2025", optional) keeps mail from that day on.
    std::vector<uint64_t> uids_from(uint64_t first, const std::string& since = {});
    // What the sync plans with, per message of the examined folder: when it
    // arrived (INTERNALDATE as sent) and its size (RFC822.SIZE, 0 if not given).
    struct Arrival {
        uint64_t uid = 0;
        std::string internaldate;
        uint64_t size = 0;
    };
    std::vector<Arrival> arrivals(const std::vector<uint64_t>& uids);
    // CONDSTORE: (UID, flags) of the examined folder's messages up to last_uid
    // whose flags changed since modseq; modseq 0 (a server without CONDSTORE):
    // the flags of them all.
    std::vector<std::pair<uint64_t, std::vector<std::string>>> flags_changed_since(uint64_t last_uid, uint64_t modseq);
    // Fetches groups of (server folder name, UIDs): EXAMINE and UID FETCH of
    // every group of a chunk go out together (one round trip), and chunks
    // stream: the commands of chunk k+1 go out before the answers to chunk k
    // are read, so the link never waits for a round trip. A folder the server
    // refuses throws once the chunk's answers are read; its FETCH answers are
    // never taken as another folder's mail. on_chunk(k) follows chunk k's last
    // message (it may block: the server's data then waits in the socket).
    // After an exception the connection is out of step and must be dropped.
    using FetchGroups = std::vector<std::pair<std::string, std::vector<uint64_t>>>;
    void fetch_chunks(const std::vector<FetchGroups>& chunks,
                      const std::function<void(size_t chunk, size_t group, FetchedMessage&&)>& on_message,
                      const std::function<void(size_t chunk)>& on_chunk);
    // IDLE on the examined folder (needs the IDLE capability): true as soon as
    // the server reports new mail, false after max_seconds or when stop() says so.
    bool idle(int max_seconds, const std::function<bool()>& stop);
    void logout();

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

// "Sent Items", "已发送": a server mailbox name (modified UTF-7) in UTF-8.
std::string decode_mailbox_name(const std::string& name);

// UIDs as a compact IMAP set: 1:3,7,9:12 (sorted input).
std::string uid_set(const std::vector<uint64_t>& uids);

}  // namespace tw::imap
