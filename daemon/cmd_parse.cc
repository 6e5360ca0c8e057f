#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "daemon/commands.h"
#include "mail/message.h"
#include "mail/message_json.h"
#include "mail/text_worker.h"

namespace tw {
namespace {

const char* kHelp =
    "usage: tradewind parse [--json] [--no-attachment-text] [--in-process] FILE...\n"
    "\n"
    "Parses each mail file (RFC 5322/MIME, as received) and prints one JSON\n"
    "object per file, one per line, in input order. Malformed mail still gives\n"
    "its line, with what was wrong in \"problems\". '-' reads standard input.\n"
    "PDF/XLSX/DOCX text is extracted in a separate worker process that is\n"
    "killed after 20 s or on a crash (--in-process: in this process instead).\n"
    "\n"
    "Exit status: 0 when every file was read (even if malformed), 2 when a file\n"
    "could not be read or the arguments are wrong.\n";

bool read_file(const std::string& path, std::string& out, int64_t& mtime, std::string& error) {
    if (path == "-") {
        std::ostringstream ss;
        ss << std::cin.rdbuf();
        out = ss.str();
        mtime = time(nullptr);
        return true;
    }
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
        error = std::string("cannot read: ") + std::strerror(errno);
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        error = "is a directory, not a mail file";
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = std::string("cannot open: ") + std::strerror(errno);
        return false;
    }
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
        error = "read error";
        return false;
    }
    mtime = st.st_mtime;
    return true;
}

}  // namespace

std::vector<std::string> extract_worker_command() { return {"/proc/self/exe", "_extract-worker"}; }

int cmd_parse(const std::vector<std::string>& args) {
    ParseLimits limits;
    bool in_process = false;
    std::vector<std::string> files;
    bool options_done = false;
    for (const auto& a : args) {
        if (!options_done && a == "--") options_done = true;
        else if (!options_done && a == "--json") continue;  // JSON is the only output format
        else if (!options_done && a == "--no-attachment-text") limits.extract_attachment_text = false;
        else if (!options_done && a == "--in-process") in_process = true;
        else if (!options_done && (a == "--help" || a == "-h")) {
            std::fputs(kHelp, stdout);
            return 0;
        } else if (!options_done && a.size() > 1 && a[0] == '-') {
            std::fprintf(stderr, "tradewind parse: unknown option '%s'\n%s", a.c_str(), kHelp);
            return 2;
        } else files.push_back(a);
    }
    if (files.empty()) {
        std::fputs("tradewind parse: no FILE given\n", stderr);
        std::fputs(kHelp, stderr);
        return 2;
    }
    TextWorker worker(extract_worker_command());
    if (!in_process) limits.extractor = &worker;
    int status = 0;
    for (const auto& f : files) {
        std::string raw, error;
        int64_t mtime = 0;
        if (!read_file(f, raw, mtime, error)) {
            std::fprintf(stderr, "tradewind parse: %s: %s\n", f.c_str(), error.c_str());
            std::cout << error_json_line(f, error) << '\n';
            status = 2;
            continue;
        }
        Message m = parse_message(std::move(raw), mtime, limits);
        std::cout << message_to_json_line(m, f) << '\n';
    }
    std::cout.flush();
    return status;
}

}  // namespace tw
