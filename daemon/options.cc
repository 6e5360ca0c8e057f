#include "daemon/options.h"

#include "mail/error.h"
#include "mail/strutil.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "archive/store.h"

namespace tw {

std::string default_data_dir() {
    const char* env = std::getenv("TRADEWIND_DATA");
    return env && *env ? env : "./data";
}

std::string read_secret_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw StoreError("cannot read the password file " + path);
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (s.empty()) throw StoreError("the password file " + path + " is empty");
    return s;
}

bool Opts::has(const std::string& flag) const { return std::find(flags.begin(), flags.end(), flag) != flags.end(); }

std::string Opts::get(const std::string& name, const std::string& def) const {
    auto it = values.find(name);
    return it == values.end() ? def : it->second;
}

bool parse_opts(const std::vector<std::string>& args, std::vector<std::string> with_value, Opts& o, const char* cmd) {
    with_value.push_back("--data");
    o.values["--data"] = default_data_dir();
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& s = args[i];
        if (std::find(with_value.begin(), with_value.end(), s) != with_value.end()) {
            if (i + 1 >= args.size()) {
                std::fprintf(stderr, "tradewind %s: %s needs a value\n", cmd, s.c_str());
                return false;
            }
            o.values[s] = args[++i];
        } else if (s.rfind("--", 0) == 0 || s == "-h") {
            o.flags.push_back(s);
        } else {
            o.rest.push_back(s);
        }
    }
    return true;
}

int64_t id_arg(const std::string& text, const char* what) {
    auto v = parse_int(text);
    if (!v || *v < 0) throw InvalidError(std::string(what) + " wants a number, not \"" + text + "\"");
    return *v;
}

}  // namespace tw
