// Command-line options and files the subcommands share.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tw {

// --data's default: $TRADEWIND_DATA, else ./data.
std::string default_data_dir();

// A password or secret from a file, without its trailing line break. Throws
// StoreError when it cannot be read or is empty.
std::string read_secret_file(const std::string& path);

// "--name value" options (for the names given), bare --flags, and the rest.
struct Opts {
    std::map<std::string, std::string> values;
    std::vector<std::string> flags, rest;
    bool has(const std::string& flag) const;
    std::string get(const std::string& name, const std::string& def = {}) const;
};

// Parses args; --data always takes a value and defaults to default_data_dir().
// False (after a message on stderr) when a value is missing.
bool parse_opts(const std::vector<std::string>& args, std::vector<std::string> with_value, Opts& out, const char* cmd);

// An id given on the command line; InvalidError naming `what` if it is no number.
int64_t id_arg(const std::string& text, const char* what);

}  // namespace tw
