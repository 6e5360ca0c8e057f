// tradewind: one executable, git-style subcommands.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "commands.h"

namespace {

void usage(FILE* out) {
    std::fputs(
        "usage: tradewind <command> [options]\n"
        "\n"
        "commands:\n"
        "  parse [--json] FILE...   parse mail files, print one JSON object per file\n"
        "  help                     this text\n"
        "\n"
        "Run 'tradewind <command> --help' for a command's options.\n",
        out);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    std::string cmd = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    if (cmd == "parse") return tw::cmd_parse(args);
    if (cmd == "_extract-worker") return tw::cmd_extract_worker(args);
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
        usage(stdout);
        return 0;
    }
    std::fprintf(stderr, "tradewind: unknown command '%s'\n", cmd.c_str());
    usage(stderr);
    return 2;
}
