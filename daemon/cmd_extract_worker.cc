#include <cstdio>
#include <cstdlib>

#include "daemon/commands.h"
#include "mail/text_worker.h"

namespace tw {

int cmd_extract_worker(const std::vector<std::string>& args) {
    if (args.empty() || args.size() > 2) {
        std::fputs("tradewind _extract-worker FD [SHMFD]: internal; started by tradewind itself\n", stderr);
        return 2;
    }
    return run_text_worker(std::atoi(args[0].c_str()), args.size() == 2 ? std::atoi(args[1].c_str()) : -1);
}

}  // namespace tw
