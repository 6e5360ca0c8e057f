// The subcommands of the tradewind executable. Each returns the exit code.
#pragma once
#include <string>
#include <vector>

namespace tw {

// tradewind parse [--json] [--no-attachment-text] [--in-process] FILE...
int cmd_parse(const std::vector<std::string>& args);

// tradewind _extract-worker FD: the attachment text worker (internal).
int cmd_extract_worker(const std::vector<std::string>& args);

// The command that starts this executable's text extraction worker.
std::vector<std::string> extract_worker_command();

}  // namespace tw
