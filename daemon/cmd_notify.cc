// tradewind smtp set|show|test and tradewind notify --once: the mail Tradewind sends.
#include <cstdio>
#include <ctime>

#include "archive/accounts.h"
#include "crm/crm.h"
#include "daemon/commands.h"
#include "daemon/notify.h"
#include "daemon/options.h"
#include "mail/date.h"
#include "mail/error.h"
#include "mail/strutil.h"

namespace tw {
namespace {

const char* kSmtpUsage =
    "usage: tradewind smtp set [--data DIR] --url smtp://host:587 --from \"Tradewind <crm@firm.example>\"\n"
    "                          [--user U --password-file F] [--plaintext]\n"
    "       tradewind smtp show [--data DIR]\n"
    "       tradewind smtp test [--data DIR] --to ADDRESS\n"
    "  The server Tradewind sends its digests and escalations through. smtp:// requires STARTTLS\n"
    "  unless --plaintext (a trusted network only); smtps:// is TLS from the start. The password is\n"
    "  sealed like the IMAP ones. `test` sends a test mail now and says what the server answered.\n";

const char* kNotifyUsage =
    "usage: tradewind notify --once [--data DIR] [--now ISO] [--base-url URL] [--templates DIR]\n"
    "  Sends what is due now: each rep's daily digest (at digest_at, default 08:30, in their calendar,\n"
    "  on the days it opens: the due and overdue follow-ups no digest announced yet), the escalations\n"
    "  to the managers (items overdue by escalate_after_hours), and retries (backoff 1 min to 1 h, 10\n"
    "  tries). No item is announced twice. serve does this every minute on its own; this is for cron\n"
    "  and tests. Exit 0 when all went, 1 when some failed (they are retried), 2 for bad arguments.\n";

std::string templates_dir(const Opts& o) {
    const char* env = std::getenv("TRADEWIND_TEMPLATES");
    return o.get("--templates", env && *env ? env : TW_TEMPLATES_DIR);
}

}  // namespace

int cmd_smtp(const std::vector<std::string>& args) {
    Opts o;
    if (!parse_opts(args, {"--url", "--from", "--user", "--password-file", "--to"}, o, "smtp")) return 2;
    std::string action = o.rest.empty() ? "" : o.rest[0];
    if (o.has("--help") || action.empty()) {
        std::fputs(kSmtpUsage, action.empty() && !o.has("--help") ? stderr : stdout);
        return action.empty() && !o.has("--help") ? 2 : 0;
    }
    Accounts accounts(o.get("--data"));
    if (action == "set") {
        SmtpServer s{o.get("--url"), o.get("--from"), o.get("--user"), o.has("--plaintext")};
        if (s.url.rfind("smtp://", 0) != 0 && s.url.rfind("smtps://", 0) != 0)
            throw InvalidError("--url is smtp://host:587 or smtps://host:465, not \"" + s.url + "\"");
        if (s.from.find('@') == std::string::npos) throw InvalidError("--from is the sender's address: \"Tradewind <crm@firm.example>\"");
        if (!s.user.empty() && o.get("--password-file").empty()) throw InvalidError("--user needs --password-file F");
        std::string password = o.get("--password-file").empty() ? "" : read_secret_file(o.get("--password-file"));
        accounts.set_smtp(s, password);
        LinkedArchive a(o.get("--data"));
        audit_command(a, "setting_set", "setting", "smtp", s.url + " from " + s.from);
        std::printf("mail goes through %s as %s%s\n", s.url.c_str(), s.from.c_str(), s.allow_plaintext ? " (no TLS)" : "");
        return 0;
    }
    if (action == "show") {
        auto s = accounts.smtp();
        if (!s) {
            std::printf("no mail server set: tradewind smtp set --url smtp://host:587 --from ADDRESS\n");
            return 0;
        }
        std::printf("%s from %s%s%s\n", s->url.c_str(), s->from.c_str(), s->user.empty() ? "" : (" as " + s->user).c_str(),
                    s->allow_plaintext ? " (no TLS)" : "");
        return 0;
    }
    if (action == "test") {
        std::string to = o.get("--to");
        if (to.find('@') == std::string::npos) throw InvalidError("smtp test --to ADDRESS");
        if (!accounts.smtp()) throw InvalidError("no mail server set: run `tradewind smtp set` first");
        int64_t now = int64_t(std::time(nullptr));
        int64_t id;
        {
            LinkedArchive a(o.get("--data"));
            id = a.crm.queue_test_mail(to, now);
        }
        NotifyReport r = notify_once(o.get("--data"), templates_dir(o), now, "");
        LinkedArchive a(o.get("--data"));
        for (const auto& n : a.crm.notifications(false, now, 50))
            if (n.id == id) {
                if (n.state == "sent") {
                    std::printf("sent a test mail to %s\n", to.c_str());
                    return 0;
                }
                std::fprintf(stderr, "tradewind smtp test: not sent: %s\n", n.last_error.c_str());
                return 1;
            }
        (void)r;
        return 1;
    }
    std::fputs(kSmtpUsage, stderr);
    return 2;
}

int cmd_notify(const std::vector<std::string>& args) {
    Opts o;
    if (!parse_opts(args, {"--now", "--base-url", "--templates"}, o, "notify")) return 2;
    if (o.has("--help") || !o.has("--once")) {
        std::fputs(kNotifyUsage, o.has("--help") ? stdout : stderr);
        return o.has("--help") ? 0 : 2;
    }
    int64_t now = int64_t(std::time(nullptr));
    if (!o.get("--now").empty()) {
        auto t = parse_date(o.get("--now"));
        if (!t) throw InvalidError("--now wants an ISO 8601 time such as 2025-01-14T08:30:00+08:00, not " + o.get("--now"));
        now = *t;
    }
    NotifyReport r = notify_once(o.get("--data"), templates_dir(o), now, o.get("--base-url", "http://127.0.0.1:8080"));
    std::printf("%zu new, %zu sent, %zu failed (retried later), %zu waiting for a mail server\n", r.planned, r.sent, r.failed, r.waiting);
    for (const auto& e : r.errors) std::fprintf(stderr, "tradewind notify: %s\n", e.c_str());
    return r.failed || r.waiting ? 1 : 0;
}

}  // namespace tw
