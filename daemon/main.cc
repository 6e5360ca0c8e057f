// tradewind: one executable, git-style subcommands.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "daemon/commands.h"
#include "mail/error.h"

namespace {

void usage(FILE* out) {
    std::fputs(
        "usage: tradewind <command> [options]\n"
        "\n"
        "commands:\n"
        "  parse [--json] FILE...   parse mail files, print one JSON object per file\n"
        "  import --account ADDR PATH...   import Maildirs, mbox files or .eml files\n"
        "  search [--json] [--limit N] [--threads] [--relevance] QUERY\n"
        "  export                   one JSON object per stored message\n"
        "  stats [--json]           counts and sizes of the archive\n"
        "  reindex                  rebuild the search index from the archive\n"
        "  customers [--json]       customers found in the mail (company domains, freemail contacts)\n"
        "  documents [--json]       trade documents found in the mail (QT, PI, PO, invoice, B/L, L/C ...)\n"
        "  relink                   link every message to its customers again\n"
        "  conflicts [--json]       reps contacting or quoting customers that are not theirs (撞单)\n"
        "  pool [claim|assign]      the public pool (公海): idle customers released, claimed\n"
        "  settings set internal_domains D1,D2   the firm's own domains\n"
        "  followups [snooze|done|dismiss|remind]   what each conversation waits for (reply due, silent customer)\n"
        "  calendar set|show        business hours, time zones, holidays and leave (the firm's, a rep's)\n"
        "  account add|list|test|remove   the reps' IMAP accounts (passwords stored encrypted)\n"
        "  sync [--once]            pull new mail from every account into the archive\n"
        "  serve [--listen H:P]     sync loop and web UI in one process\n"
        "  user add|set|list        users: roles (rep, manager, auditor, admin), teams, mailboxes\n"
        "  team add|set|list        teams of reps and the managers who lead them\n"
        "  audit [verify]           the audit trail (who read or changed what); verify checks its hash chain\n"
        "  smtp set|show|test        the mail server Tradewind sends its digests and escalations through\n"
        "  approvals [rule|recheck|violations]  documents that need a manager's approval, read out of the mail\n"
        "  report responses|funnel  reports over the archive: response times in business hours, the deal funnel\n"
        "  notify --once            send the digests, escalations and retries due now (serve does it every minute)\n"
        "  (archive commands take --data DIR; default $TRADEWIND_DATA or ./data)\n"
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
    try {
        if (cmd == "import") return tw::cmd_import(args);
        if (cmd == "search") return tw::cmd_search(args);
        if (cmd == "export") return tw::cmd_export(args);
        if (cmd == "stats") return tw::cmd_stats(args);
        if (cmd == "reindex") return tw::cmd_reindex(args);
        if (cmd == "customers") return tw::cmd_customers(args);
        if (cmd == "documents") return tw::cmd_documents(args);
        if (cmd == "relink") return tw::cmd_relink(args);
        if (cmd == "settings") return tw::cmd_settings(args);
        if (cmd == "conflicts") return tw::cmd_conflicts(args);
        if (cmd == "pool") return tw::cmd_pool(args);
        if (cmd == "calendar") return tw::cmd_calendar(args);
        if (cmd == "followups") return tw::cmd_followups(args);
        if (cmd == "account") return tw::cmd_account(args);
        if (cmd == "sync") return tw::cmd_sync(args);
        if (cmd == "serve") return tw::cmd_serve(args);
        if (cmd == "user") return tw::cmd_user(args);
        if (cmd == "team") return tw::cmd_team(args);
        if (cmd == "audit") return tw::cmd_audit(args);
        if (cmd == "smtp") return tw::cmd_smtp(args);
        if (cmd == "notify") return tw::cmd_notify(args);
        if (cmd == "approvals") return tw::cmd_approvals(args);
        if (cmd == "report") return tw::cmd_report(args);
    } catch (const std::exception& e) {
        // The one place the CLI turns an error into its message and exit code.
        if (auto kind = tw::kind_of(e)) {
            std::fprintf(stderr, "tradewind %s: %s\n", cmd.c_str(), e.what());
            return tw::exit_code(*kind);
        }
        // A bug or an exhausted resource: batches are transactions, so the archive is consistent.
        std::fprintf(stderr, "tradewind %s: unexpected error (%s); the archive is consistent: run the command again\n",
                     cmd.c_str(), e.what());
        return 70;
    }
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
        usage(stdout);
        return 0;
    }
    std::fprintf(stderr, "tradewind: unknown command '%s'\n", cmd.c_str());
    usage(stderr);
    return 2;
}
