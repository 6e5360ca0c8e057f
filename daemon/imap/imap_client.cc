#include "daemon/imap/imap_client.h"

#include <curl/curl.h>
#include <poll.h>

#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <mutex>
#include <optional>

#include "mail/charset.h"
#include "mail/strutil.h"

namespace tw::imap {
namespace {

// "T17": a command's tag (appended, not "T" + ...: GCC 12 warns wrongly about that).
std::string make_tag(unsigned n) {
    std::string t = "T";
    t += std::to_string(n);
    return t;
}

using Clock = std::chrono::steady_clock;

std::string host_of(const std::string& url) {
    size_t b = url.find("://");
    b = b == std::string::npos ? 0 : b + 3;
    size_t e = url.find_first_of("/?#", b);
    return url.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

std::string upper(std::string s) {
    for (auto& c : s)
        if (c >= 'a' && c <= 'z') c = char(c - 32);
    return s;
}

// IMAP quoted string for a mailbox name or search key.
std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// What a failed connect or login means, and what to do about it.
ImapError connect_error(CURLcode rc, const ServerConfig& c, const char* detail) {
    std::string where = host_of(c.url);
    std::string said = *detail ? std::string(" (") + detail + ")" : std::string();
    switch (rc) {
        case CURLE_LOGIN_DENIED:
            return {ImapError::Kind::Auth, "IMAP login failed for " + c.user + " at " + where +
                                               ": the server refused the user name or password" + said +
                                               ". Check them, then run `tradewind account test`"};
        case CURLE_COULDNT_RESOLVE_HOST:
            return {ImapError::Kind::Connect, "cannot find the IMAP server " + where + said + ": check the host name in the account's --imap-url"};
        case CURLE_COULDNT_CONNECT:
            return {ImapError::Kind::Connect, "cannot connect to the IMAP server " + where + said +
                                                  ": check the host and port, and that the server is up and reachable from here"};
        case CURLE_OPERATION_TIMEDOUT:
            return {ImapError::Kind::Timeout, "the IMAP server " + where + " did not answer in time" + said +
                                                  ": check the network, or the port (993 for imaps://, 143 for imap://)"};
        case CURLE_SSL_CACERT_BADFILE:
            return {ImapError::Kind::Tls, "cannot read the CA certificates " + (c.ca_file.empty() ? std::string("of the system") : c.ca_file) +
                                              said + ": give --ca-file a readable PEM file with the firm's CA certificate"};
        case CURLE_PEER_FAILED_VERIFICATION:
            if (std::string(said).find("name") != std::string::npos)
                return {ImapError::Kind::Tls, "the TLS certificate of " + where + " is for another host name" + said +
                                                  ": use the name the certificate was issued for in --imap-url"};
            return {ImapError::Kind::Tls, "the TLS certificate of " + where + " is not trusted" + said +
                                              ": if the firm runs its own CA, add the account with --ca-file CA.pem; else fix "
                                              "the server's certificate (--insecure turns every check off: trusted networks only)"};
        case CURLE_USE_SSL_FAILED:
            return {ImapError::Kind::Tls, where + " does not offer STARTTLS" + said +
                                              ": use imaps:// if the server has it, or --plaintext for a server on a trusted network"};
        case CURLE_SSL_CONNECT_ERROR:
            return {ImapError::Kind::Tls, "TLS with " + where + " failed" + said +
                                              ": is this the right port for " + (c.url.rfind("imaps", 0) == 0 ? "imaps:// (usually 993)" : "imap:// (usually 143)") + "?"};
        default:
            return {ImapError::Kind::Connect, "cannot open an IMAP session with " + where + ": " +
                                                  curl_easy_strerror(rc) + said};
    }
}

}  // namespace

struct Client::Impl {
    ServerConfig config;
    CURL* curl = nullptr;
    curl_socket_t sock = CURL_SOCKET_BAD;
    ResponseReader reader;
    std::set<std::string> caps;
    unsigned next_tag = 1;

    [[noreturn]] void lost(const std::string& what) {
        throw ImapError(ImapError::Kind::Protocol, "the connection to " + host_of(config.url) + " " + what);
    }

    bool wait(short events, Clock::time_point deadline) {
        long long left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd p{sock, events, 0};
        int r = poll(&p, 1, int(std::min<long long>(left, 1000000)));
        return r > 0 || (r < 0 && errno == EINTR);
    }

    void send(const std::string& line) {
        auto deadline = Clock::now() + std::chrono::milliseconds(config.timeout_ms);
        size_t done = 0;
        while (done < line.size()) {
            size_t n = 0;
            CURLcode rc = curl_easy_send(curl, line.data() + done, line.size() - done, &n);
            if (rc == CURLE_AGAIN) {
                if (!wait(POLLOUT, deadline)) throw ImapError(ImapError::Kind::Timeout, "the IMAP server " + host_of(config.url) + " stopped reading our commands");
                continue;
            }
            if (rc != CURLE_OK) lost(std::string("broke while sending (") + curl_easy_strerror(rc) + ")");
            done += n;
        }
    }

    // The next response, or nullopt after ms without one. When
    // extend_on_progress, every piece that arrives restarts the wait (a large
    // literal may take long, as long as it keeps coming).
    std::optional<Response> read_response(int ms, bool extend_on_progress) {
        auto deadline = Clock::now() + std::chrono::milliseconds(ms);
        char buf[64 * 1024];
        while (true) {
            if (auto r = reader.next()) return r;
            size_t n = 0;
            CURLcode rc = curl_easy_recv(curl, buf, sizeof buf, &n);
            if (rc == CURLE_AGAIN) {
                if (!wait(POLLIN, deadline)) return std::nullopt;
                continue;
            }
            if (rc != CURLE_OK) lost(std::string("broke (") + curl_easy_strerror(rc) + ")");
            if (n == 0) lost("was closed by the server");
            if (extend_on_progress) deadline = Clock::now() + std::chrono::milliseconds(ms);
            reader.feed(std::string_view(buf, n));
        }
    }

    // The next response; waits for the server up to the timeout.
    Response receive() {
        if (auto r = read_response(config.timeout_ms, true)) return *r;
        throw ImapError(ImapError::Kind::Timeout, "the IMAP server " + host_of(config.url) + " sent nothing for " +
                                                      std::to_string(config.timeout_ms / 1000) + " s");
    }

    // Sends a command; hands every untagged response to on_untagged; returns
    // the tagged completion, or throws with the server's words on NO/BAD.
    Response command(const std::string& cmd, const std::function<void(Response&)>& on_untagged = {}) {
        std::string tag = make_tag(next_tag++);
        send(tag + " " + cmd + "\r\n");
        while (true) {
            Response r = receive();
            if (r.kind == Response::Kind::Tagged && r.tag == tag) {
                if (r.status != "OK") {
                    std::string verb = cmd.substr(0, cmd.find(' '));
                    throw ImapError(ImapError::Kind::Server, "the IMAP server " + host_of(config.url) + " refused " + verb +
                                                                 " (" + r.status + " " + r.text + ")");
                }
                return r;
            }
            if (r.kind == Response::Kind::Untagged && r.status == "BYE") lost("was closed by the server (" + r.text + ")");
            if (r.kind == Response::Kind::Untagged && on_untagged) on_untagged(r);
        }
    }

    // Commands sent together, their answers read in order (RFC 3501 allows it;
    // it saves a round trip per command): send_all now, read_answers later.
    std::vector<std::string> send_all(const std::vector<std::string>& cmds) {
        std::vector<std::string> tags;
        std::string out;
        for (const auto& c : cmds) {
            tags.push_back(make_tag(next_tag++));
            out += tags.back() + " " + c + "\r\n";
        }
        send(out);
        return tags;
    }

    // Untagged answers go to on_untagged with the index of the oldest unanswered
    // command; the first refusal is thrown once every command is answered, so
    // the stream stays in step (refused_at: which ones were refused).
    void read_answers(const std::vector<std::string>& tags, const std::vector<std::string>& cmds,
                      const std::function<void(size_t, Response&)>& on_untagged, std::vector<bool>* refused_at) {
        if (refused_at) refused_at->assign(cmds.size(), false);
        std::optional<ImapError> refused;
        for (size_t at = 0; at < tags.size();) {
            Response r = receive();
            if (r.kind == Response::Kind::Tagged) {
                if (r.tag != tags[at]) continue;  // not ours (cannot happen with one user of the connection)
                if (r.status != "OK" && refused_at) (*refused_at)[at] = true;
                if (r.status != "OK" && !refused) {
                    std::string verb = cmds[at].substr(0, cmds[at].find(' '));
                    refused.emplace(ImapError::Kind::Server, "the IMAP server " + host_of(config.url) + " refused " + verb +
                                                                 " (" + r.status + " " + r.text + ")");
                }
                ++at;
                continue;
            }
            if (r.kind == Response::Kind::Untagged && r.status == "BYE") lost("was closed by the server (" + r.text + ")");
            if (r.kind == Response::Kind::Untagged) on_untagged(at, r);
        }
        if (refused) throw *refused;
    }

    void read_capabilities(const std::vector<Value>& items, size_t from) {
        caps.clear();
        for (size_t i = from; i < items.size(); ++i) caps.insert(upper(items[i].text));
    }
};

Client::Client(const ServerConfig& config) : d_(std::make_unique<Impl>()) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    d_->config = config;
    d_->curl = curl_easy_init();
    if (!d_->curl) throw ImapError(ImapError::Kind::Connect, "cannot start libcurl");
    char err[CURL_ERROR_SIZE] = {};
    CURL* c = d_->curl;
    curl_easy_setopt(c, CURLOPT_URL, config.url.c_str());
    curl_easy_setopt(c, CURLOPT_USERNAME, config.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, config.password.c_str());
    curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(config.timeout_ms));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, config.verify_tls ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, config.verify_tls ? 2L : 0L);
    std::string ca = config.ca_file;
    if (ca.empty())
        if (const char* env = std::getenv("SSL_CERT_FILE"); env && *env) ca = env;  // OpenSSL's own convention
    if (!ca.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca.c_str());
    if (config.url.rfind("imap://", 0) == 0)
        curl_easy_setopt(c, CURLOPT_USE_SSL, long(config.allow_plaintext ? CURLUSESSL_TRY : CURLUSESSL_ALL));
    CURLcode rc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
    if (rc != CURLE_OK) {
        ImapError e = connect_error(rc, config, err);
        curl_easy_cleanup(c);
        d_->curl = nullptr;
        throw e;
    }
    curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &d_->sock);
    d_->command("CAPABILITY", [&](Response& r) {
        if (!r.data.empty() && r.data[0].is_atom("CAPABILITY")) d_->read_capabilities(r.data, 1);
    });
}

Client::~Client() {
    if (d_->curl) curl_easy_cleanup(d_->curl);
}

bool Client::has_capability(const std::string& cap) const { return d_->caps.count(upper(cap)) > 0; }

std::vector<Folder> Client::list() {
    std::vector<Folder> out;
    std::string cmd = has_capability("SPECIAL-USE") ? "LIST \"\" \"*\" RETURN (SPECIAL-USE)" : "LIST \"\" \"*\"";
    d_->command(cmd, [&](Response& r) {
        // * LIST (flags) delimiter name
        if (r.data.size() < 4 || !r.data[0].is_atom("LIST") || !r.data[1].is_list()) return;
        Folder f;
        for (const auto& fl : r.data[1].items) f.flags.insert(to_lower(fl.text));
        f.delimiter = r.data[2].text;
        f.name = r.data[3].text;
        f.display = decode_mailbox_name(f.name);
        out.push_back(std::move(f));
    });
    return out;
}

FolderState Client::status(const std::string& name) {
    FolderState st;
    std::string items = has_capability("CONDSTORE") ? "(UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ)" : "(UIDVALIDITY UIDNEXT MESSAGES)";
    d_->command("STATUS " + quote(name) + " " + items, [&](Response& r) {
        if (r.data.size() < 3 || !r.data[0].is_atom("STATUS") || !r.data[2].is_list()) return;
        const Value& v = r.data[2];
        if (const Value* x = v.find("UIDVALIDITY")) st.uidvalidity = x->number().value_or(0);
        if (const Value* x = v.find("UIDNEXT")) st.uidnext = x->number().value_or(0);
        if (const Value* x = v.find("MESSAGES")) st.exists = x->number().value_or(0);
        if (const Value* x = v.find("HIGHESTMODSEQ")) st.highestmodseq = x->number().value_or(0);
    });
    return st;
}

FolderState Client::examine(const std::string& name) {
    FolderState st;
    std::string cmd = "EXAMINE " + quote(name);
    if (has_capability("CONDSTORE")) cmd += " (CONDSTORE)";
    d_->command(cmd, [&](Response& r) {
        if (r.is_status() && r.code.size() >= 2) {
            auto n = r.code[1].number();
            if (!n) return;
            if (r.code[0].is_atom("UIDVALIDITY")) st.uidvalidity = *n;
            else if (r.code[0].is_atom("UIDNEXT")) st.uidnext = *n;
            else if (r.code[0].is_atom("HIGHESTMODSEQ")) st.highestmodseq = *n;
        } else if (r.data.size() == 2 && r.data[1].is_atom("EXISTS")) {
            st.exists = r.data[0].number().value_or(0);
        }
    });
    return st;
}

std::vector<uint64_t> Client::uids_from(uint64_t first, const std::string& since) {
    std::vector<uint64_t> uids;
    std::string cmd = "UID SEARCH UID " + std::to_string(std::max<uint64_t>(first, 1)) + ":*";
    if (!since.empty()) cmd += " SINCE " + since;
    d_->command(cmd, [&](Response& r) {
        if (r.data.empty() || !r.data[0].is_atom("SEARCH")) return;
        for (size_t i = 1; i < r.data.size(); ++i)
            if (auto n = r.data[i].number(); n && *n >= first) uids.push_back(*n);  // "n:*" may return a lower UID
    });
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    return uids;
}

std::vector<Client::Arrival> Client::arrivals(const std::vector<uint64_t>& uids) {
    std::vector<Arrival> out;
    if (uids.empty()) return out;
    d_->command("UID FETCH " + uid_set(uids) + " (UID INTERNALDATE RFC822.SIZE)", [&](Response& r) {
        if (r.data.size() < 3 || !r.data[1].is_atom("FETCH") || !r.data[2].is_list()) return;
        const Value* uid = r.data[2].find("UID");
        const Value* date = r.data[2].find("INTERNALDATE");
        const Value* size = r.data[2].find("RFC822.SIZE");
        if (uid && uid->number() && date)
            out.push_back({*uid->number(), date->text, size && size->number() ? *size->number() : 0});
    });
    return out;
}

std::vector<std::pair<uint64_t, std::vector<std::string>>> Client::flags_changed_since(uint64_t last_uid, uint64_t modseq) {
    std::vector<std::pair<uint64_t, std::vector<std::string>>> out;
    if (last_uid == 0) return out;
    d_->command("UID FETCH 1:" + std::to_string(last_uid) + " (UID FLAGS)" +
                    (modseq ? " (CHANGEDSINCE " + std::to_string(modseq) + ")" : std::string()),
                [&](Response& r) {
                    if (r.data.size() < 3 || !r.data[1].is_atom("FETCH") || !r.data[2].is_list()) return;
                    const Value* uid = r.data[2].find("UID");
                    const Value* flags = r.data[2].find("FLAGS");
                    if (!uid || !uid->number() || !flags) return;
                    std::vector<std::string> f;
                    for (const auto& x : flags->items) f.push_back(x.text);
                    out.emplace_back(*uid->number(), std::move(f));
                });
    return out;
}

namespace {

constexpr const char* kFetchItems = " (UID FLAGS INTERNALDATE BODY.PEEK[])";

// A FETCH response carrying one of our messages, or nullopt (a flag change
// the server pushed, or anything else).
std::optional<FetchedMessage> fetched(Response& r) {
    if (r.data.size() < 3 || !r.data[1].is_atom("FETCH") || !r.data[2].is_list()) return std::nullopt;
    Value& att = r.data[2];
    const Value* uid = att.find("UID");
    const Value* body = att.find("BODY[]");
    if (!uid || !uid->number() || !body) return std::nullopt;
    FetchedMessage m;
    m.uid = *uid->number();
    if (const Value* f = att.find("FLAGS"))
        for (const auto& x : f->items) m.flags.push_back(x.text);
    if (const Value* d = att.find("INTERNALDATE")) m.internaldate = d->text;
    m.raw = std::move(const_cast<Value*>(body)->text);
    return m;
}

}  // namespace

void Client::fetch_chunks(const std::vector<FetchGroups>& chunks,
                          const std::function<void(size_t chunk, size_t group, FetchedMessage&&)>& on_message,
                          const std::function<void(size_t chunk)>& on_chunk) {
    struct Sent {
        std::vector<std::string> cmds, tags;
        std::vector<size_t> group_of;  // command -> group, for the FETCH commands
    };
    auto send = [&](const FetchGroups& groups) {
        Sent out;
        for (size_t g = 0; g < groups.size(); ++g) {
            if (groups[g].second.empty()) continue;
            out.cmds.push_back("EXAMINE " + quote(groups[g].first) + (has_capability("CONDSTORE") ? " (CONDSTORE)" : ""));
            out.group_of.push_back(SIZE_MAX);
            out.cmds.push_back("UID FETCH " + uid_set(groups[g].second) + kFetchItems);
            out.group_of.push_back(g);
        }
        if (!out.cmds.empty()) out.tags = d_->send_all(out.cmds);
        return out;
    };
    // Two chunks on the wire: the server sends the next while this one is read.
    std::optional<Sent> current, ahead;
    if (!chunks.empty()) current = send(chunks[0]);
    for (size_t c = 0; c < chunks.size(); ++c) {
        if (c + 1 < chunks.size()) ahead = send(chunks[c + 1]);
        std::vector<bool> refused;
        const Sent& now = *current;
        if (!now.cmds.empty())
            d_->read_answers(now.tags, now.cmds, [&](size_t cmd, Response& r) {
                if (now.group_of[cmd] == SIZE_MAX) return;  // what EXAMINE says
                if (refused[cmd - 1]) return;               // its EXAMINE failed: never take mail as another folder's
                if (auto m = fetched(r)) on_message(c, now.group_of[cmd], std::move(*m));
            }, &refused);
        on_chunk(c);
        current = std::move(ahead);
        ahead.reset();
    }
}

bool Client::idle(int max_seconds, const std::function<bool()>& stop) {
    std::string tag = make_tag(d_->next_tag++);
    d_->send(tag + " IDLE\r\n");
    bool fresh = false;
    auto is_news = [](const Response& r) {
        return r.kind == Response::Kind::Untagged && r.data.size() == 2 &&
               (r.data[1].is_atom("EXISTS") || r.data[1].is_atom("RECENT"));
    };
    while (true) {  // until the server accepts IDLE
        Response r = d_->receive();
        if (r.kind == Response::Kind::Continuation) break;
        if (r.kind == Response::Kind::Tagged && r.tag == tag)
            throw ImapError(ImapError::Kind::Server, "the IMAP server " + host_of(d_->config.url) + " refused IDLE (" + r.text + ")");
        fresh = fresh || is_news(r);
    }
    auto end = Clock::now() + std::chrono::seconds(max_seconds);
    while (!fresh && Clock::now() < end && !(stop && stop())) {
        if (auto r = d_->read_response(1000, false)) {
            if (r->kind == Response::Kind::Untagged && r->status == "BYE") d_->lost("was closed by the server (" + r->text + ")");
            fresh = is_news(*r);
        }
    }
    d_->send("DONE\r\n");
    while (true) {
        Response r = d_->receive();
        if (r.kind == Response::Kind::Tagged && r.tag == tag) return fresh;
        fresh = fresh || is_news(r);
    }
}

void Client::logout() {
    try {
        d_->command("LOGOUT");
    } catch (const ImapError&) {
        // the server may close first
    }
}

std::string decode_mailbox_name(const std::string& name) {
    // glibc's iconv knows modified UTF-7; a server that sends raw UTF-8 names
    // (UTF8=ACCEPT) gets them taken as UTF-8 (to_utf8's mislabel rule).
    if (name.find('&') == std::string::npos && is_valid_utf8(name)) return name;
    return to_utf8(name, "UTF-7-IMAP").text;
}

std::string uid_set(const std::vector<uint64_t>& uids) {
    std::string out;
    for (size_t i = 0; i < uids.size();) {
        size_t j = i;
        while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
        if (!out.empty()) out += ',';
        out += std::to_string(uids[i]);
        if (j > i) out += ':' + std::to_string(uids[j]);
        i = j + 1;
    }
    return out;
}

}  // namespace tw::imap
