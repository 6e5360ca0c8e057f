// The subcommands of the tradewind executable. Each returns the exit code.
#pragma once
#include <string>
#include <vector>

namespace tw {

// tradewind parse [--json] [--no-attachment-text] FILE...
int cmd_parse(const std::vector<std::string>& args);

}  // namespace tw
