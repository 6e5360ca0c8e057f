// Attachment text extraction in a child process (Xapian omega's model):
// poppler and the Office readers run where a crash, a hang or a memory
// blow-up costs one attachment's text, never the caller.
#pragma once
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "mail/attachment_text.h"

namespace tw {

struct WorkerLimits {
    int timeout_ms = 20000;               // per document, wall clock
    size_t address_space = size_t(2) << 30;  // RLIMIT_AS of the worker
};

class TextWorker final : public TextExtractor {
public:
    // command: the program and arguments that run run_text_worker(); the
    // socket's descriptor number is appended, then the shared buffer's
    // (when one could be made). The
    // process starts on first use and again after a failure.
    explicit TextWorker(std::vector<std::string> command, WorkerLimits limits = {});
    ~TextWorker() override;
    TextWorker(const TextWorker&) = delete;
    TextWorker& operator=(const TextWorker&) = delete;

    // Not thread-safe: use one worker per thread.
    std::string extract(DocFormat fmt, std::string_view data, size_t max_unzip, std::string* error) override;

    // How many times the worker had to be killed or was found dead.
    int failures() const { return failures_; }

private:
    bool start(std::string* error);
    int stop(bool kill_it);  // returns the wait status, -1 when none

    std::vector<std::string> command_;
    WorkerLimits limits_;
    pid_t pid_ = -1;
    int fd_ = -1;
    int shm_fd_ = -1;         // memfd shared with the worker (fd 4 there)
    void* shared_ = nullptr;  // its mapping here; null: the socket carries everything
    int failures_ = 0;
};

// The worker's side: serves requests on fd until it is closed, with shm_fd
// (or -1) the buffer shared with the parent. Returns the exit status.
int run_text_worker(int fd, int shm_fd = -1, const WorkerLimits& limits = {});

}  // namespace tw
