// The subcommands of the tradewind executable. Each returns the exit code.
#pragma once
#include <string>
#include <vector>

namespace tw {

struct LinkedArchive;

// tradewind parse [--json] [--no-attachment-text] [--in-process] FILE...
int cmd_parse(const std::vector<std::string>& args);

// Archive commands (see README): import, search, export, stats, reindex.
int cmd_import(const std::vector<std::string>& args);
int cmd_search(const std::vector<std::string>& args);
int cmd_export(const std::vector<std::string>& args);
int cmd_stats(const std::vector<std::string>& args);
int cmd_reindex(const std::vector<std::string>& args);

// The CRM side: customers, documents, relink, settings (see their --help).
int cmd_customers(const std::vector<std::string>& args);
int cmd_documents(const std::vector<std::string>& args);
int cmd_relink(const std::vector<std::string>& args);
int cmd_settings(const std::vector<std::string>& args);
int cmd_conflicts(const std::vector<std::string>& args);
int cmd_pool(const std::vector<std::string>& args);
int cmd_calendar(const std::vector<std::string>& args);
int cmd_followups(const std::vector<std::string>& args);
std::string cli_user();  // the operating-system user running the command line (cli:NAME)

// tradewind account add|list|test|remove, and tradewind sync (see their --help).
int cmd_account(const std::vector<std::string>& args);
int cmd_sync(const std::vector<std::string>& args);

// tradewind serve (sync + web UI) and tradewind user add|list.
int cmd_serve(const std::vector<std::string>& args);
int cmd_user(const std::vector<std::string>& args);
int cmd_team(const std::vector<std::string>& args);
// Records a change made on the command line in the audit trail (the
// operating-system user is its actor).
void audit_command(LinkedArchive& a, const std::string& action, const std::string& kind, const std::string& target,
                   const std::string& detail, const std::string& mailbox = {});
int cmd_audit(const std::vector<std::string>& args);

// tradewind smtp set|show|test and tradewind notify --once (daemon/cmd_notify.cc).
int cmd_smtp(const std::vector<std::string>& args);
int cmd_notify(const std::vector<std::string>& args);
int cmd_approvals(const std::vector<std::string>& args);  // daemon/cmd_approvals.cc
int cmd_report(const std::vector<std::string>& args);     // daemon/cmd_reports.cc

// tradewind _extract-worker FD: the attachment text worker (internal).
int cmd_extract_worker(const std::vector<std::string>& args);

// The command that starts this executable's text extraction worker.
std::vector<std::string> extract_worker_command();

}  // namespace tw
