#include "mail/text_worker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>

// Protocol over a SOCK_STREAM socketpair, native byte order:
//   request:  u8 format, u64 max_unzip, u64 length, length bytes
//   response: u8 status (0 text, 1 error), u64 length, length bytes

namespace tw {
namespace {

using Clock = std::chrono::steady_clock;

// Request header: format (1 byte), unzip limit and length (8 bytes each),
// where the data is (1: in the shared buffer, 0: after the header on the
// socket). Reply header: status, length, where. Documents and texts up to
// kShared bytes travel through a memory buffer both processes map (a memfd):
// the socket carries only the headers, which halves the import's extraction
// overhead (bench/import.sh).
constexpr size_t kRequestHeader = 18, kReplyHeader = 10;
constexpr size_t kShared = size_t(16) << 20;

// Waits until fd is ready for events or the deadline passes.
bool wait_fd(int fd, short events, Clock::time_point deadline) {
    while (true) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd p{fd, events, 0};
        int r = poll(&p, 1, int(std::min<long long>(left, 1000000)));
        if (r > 0) return true;
        if (r < 0 && errno != EINTR) return false;
    }
}

// Sends or receives exactly len bytes before the deadline (non-blocking I/O
// plus poll, so a stuck peer cannot block us past it). False on EOF, error or timeout.
bool transfer_all(int fd, char* p, size_t len, bool sending, Clock::time_point deadline) {
    while (len > 0) {
        ssize_t n = sending ? send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT) : recv(fd, p, len, MSG_DONTWAIT);
        if (n > 0) {
            p += n;
            len -= size_t(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait_fd(fd, sending ? POLLOUT : POLLIN, deadline)) return false;
        } else {
            return false;
        }
    }
    return true;
}

bool send_all(int fd, const void* buf, size_t len, Clock::time_point deadline) {
    return transfer_all(fd, const_cast<char*>(static_cast<const char*>(buf)), len, true, deadline);
}

bool recv_all(int fd, void* buf, size_t len, Clock::time_point deadline) {
    return transfer_all(fd, static_cast<char*>(buf), len, false, deadline);
}

const Clock::time_point kForever = Clock::time_point::max() - std::chrono::hours(24 * 365);

const char* format_name(DocFormat f) {
    switch (f) {
        case DocFormat::Pdf: return "PDF";
        case DocFormat::PdfPreview: return "PDF preview";
        case DocFormat::Xlsx: return "XLSX";
        case DocFormat::Docx: return "DOCX";
        case DocFormat::Text: return "text";
        case DocFormat::Html: return "HTML";
        case DocFormat::None: return "document";
    }
    return "document";
}

}  // namespace

TextWorker::TextWorker(std::vector<std::string> command, WorkerLimits limits)
    : command_(std::move(command)), limits_(limits) {}

TextWorker::~TextWorker() {
    stop(false);
    if (shared_) munmap(shared_, kShared);
    if (shm_fd_ >= 0) close(shm_fd_);
}

bool TextWorker::start(std::string* error) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        *error = std::string("cannot create the text extraction worker's socket: ") + std::strerror(errno);
        return false;
    }
    if (shm_fd_ < 0) {
        // Optional: without it everything goes through the socket.
        shm_fd_ = memfd_create("tradewind-extract", MFD_CLOEXEC);
        if (shm_fd_ >= 0 && ftruncate(shm_fd_, off_t(kShared)) == 0) {
            void* p = mmap(nullptr, kShared, PROT_READ | PROT_WRITE, MAP_SHARED, shm_fd_, 0);
            shared_ = p == MAP_FAILED ? nullptr : p;
        }
    }
    std::vector<std::string> args = command_;
    args.push_back("3");
    if (shared_) args.push_back("4");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        *error = std::string("cannot start the text extraction worker: ") + std::strerror(errno);
        return false;
    }
    if (pid == 0) {
        // Child: its own process group (so a kill reaches anything it starts);
        // the socket becomes fd 3 (dup2 clears close-on-exec); the rest closes on exec.
        setpgid(0, 0);
        if (dup2(sv[1], 3) < 0) _exit(126);
        if (shared_ && dup2(shm_fd_, 4) < 0) _exit(126);
        execv(argv[0], argv.data());
        _exit(127);
    }
    setpgid(pid, pid);  // also here, so the group exists before any kill (the usual race)
    close(sv[1]);
    pid_ = pid;
    fd_ = sv[0];
    return true;
}

int TextWorker::stop(bool kill_it) {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    int status = -1;
    if (pid_ > 0) {
        if (kill_it) kill(-pid_, SIGKILL);
        // Closing the socket ends a healthy worker; give it a moment, then kill.
        bool reaped = false;
        for (int i = 0; i < 100 && !reaped; ++i) {
            reaped = waitpid(pid_, &status, WNOHANG) == pid_;
            if (!reaped) usleep(2000);
        }
        if (!reaped) {
            kill(-pid_, SIGKILL);
            waitpid(pid_, &status, 0);
        }
    }
    pid_ = -1;
    return status;
}

std::string TextWorker::extract(DocFormat fmt, std::string_view data, size_t max_unzip, std::string* error) {
    if (pid_ < 0 && !start(error)) return {};
    auto deadline = Clock::now() + std::chrono::milliseconds(limits_.timeout_ms);
    uint64_t mu = max_unzip, len = data.size();
    bool shared = shared_ && data.size() <= kShared;
    std::string request(kRequestHeader + (shared ? 0 : data.size()), '\0');
    request[0] = char(fmt);
    std::memcpy(request.data() + 1, &mu, 8);
    std::memcpy(request.data() + 9, &len, 8);
    request[17] = shared ? 1 : 0;
    if (shared) std::memcpy(shared_, data.data(), data.size());
    else std::memcpy(request.data() + kRequestHeader, data.data(), data.size());
    bool sent = send_all(fd_, request.data(), request.size(), deadline);
    char reply[kReplyHeader];
    uint8_t status = 1;
    uint64_t rlen = 0;
    std::string payload;
    bool got = sent && recv_all(fd_, reply, kReplyHeader, deadline);
    bool in_shared = false;
    if (got) {
        status = uint8_t(reply[0]);
        std::memcpy(&rlen, reply + 1, 8);
        in_shared = reply[9] == 1;
        // The worker is not trusted: a length that does not fit is a failure.
        got = rlen < (1ull << 32) && (!in_shared || (shared_ && rlen <= kShared));
    }
    if (got && in_shared) {
        payload.assign(static_cast<const char*>(shared_), size_t(rlen));
    } else if (got) {
        payload.resize(size_t(rlen));
        got = recv_all(fd_, payload.data(), payload.size(), deadline);
    }
    if (!got) {
        ++failures_;
        bool timed_out = Clock::now() >= deadline;
        int ws = stop(true);
        std::string what;
        if (timed_out) what = "timed out after " + std::to_string(limits_.timeout_ms / 1000) + " s";
        else if (ws >= 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 127) what = "failed: the worker " + command_[0] + " could not be started";
        else if (ws >= 0 && WIFSIGNALED(ws)) what = "crashed the worker (signal " + std::to_string(WTERMSIG(ws)) + ")";
        else what = "failed: the worker stopped";
        *error = std::string(format_name(fmt)) + " attachment: text extraction " + what +
                 "; the attachment is kept without text";
        return {};
    }
    if (status != 0) {
        *error = payload;
        return {};
    }
    return payload;
}

int run_text_worker(int fd, int shm_fd, const WorkerLimits& limits) {
    rlimit as{limits.address_space, limits.address_space};
    setrlimit(RLIMIT_AS, &as);
    rlimit core{0, 0};
    setrlimit(RLIMIT_CORE, &core);
    signal(SIGPIPE, SIG_IGN);
    char* shared = nullptr;
    if (shm_fd >= 0) {
        void* p = mmap(nullptr, kShared, PROT_READ | PROT_WRITE, MAP_SHARED, shm_fd, 0);
        if (p != MAP_FAILED) shared = static_cast<char*>(p);
    }
    std::string data;
    while (true) {
        char head[kRequestHeader];
        if (!recv_all(fd, head, kRequestHeader, kForever)) return 0;  // the parent closed the socket
        uint8_t f = uint8_t(head[0]);
        uint64_t max_unzip, len;
        std::memcpy(&max_unzip, head + 1, 8);
        std::memcpy(&len, head + 9, 8);
        bool in_shared = head[17] == 1;
        if (len > (1ull << 32) || (in_shared && (!shared || len > kShared))) return 1;
        std::string_view input;
        if (in_shared) {
            input = std::string_view(shared, size_t(len));
        } else {
            data.resize(size_t(len));
            if (!recv_all(fd, data.data(), data.size(), kForever)) return 1;
            input = data;
        }
        std::string error, text;
        try {
            text = extract_document_text(DocFormat(f), input, size_t(max_unzip), &error);
        } catch (const std::exception& e) {
            error = std::string(format_name(DocFormat(f))) + " attachment could not be read (" + e.what() + ")";
        }
        const std::string& out = error.empty() ? text : error;
        uint64_t olen = out.size();
        bool reply_shared = shared && out.size() <= kShared;
        std::string reply(kReplyHeader + (reply_shared ? 0 : out.size()), '\0');
        reply[0] = char(error.empty() ? 0 : 1);
        std::memcpy(reply.data() + 1, &olen, 8);
        reply[9] = reply_shared ? 1 : 0;
        if (reply_shared) std::memcpy(shared, out.data(), out.size());
        else std::memcpy(reply.data() + kReplyHeader, out.data(), out.size());
        if (!send_all(fd, reply.data(), reply.size(), kForever)) return 1;
    }
}

}  // namespace tw
