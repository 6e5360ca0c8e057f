// Sync status: per account and folder; under serve, a pass under way shows
// done/total, rate and time left.
#include <algorithm>
#include <cmath>
#include <ctime>

#include "crm/crm.h"
#include "mail/strutil.h"
#include "archive/accounts.h"
#include "mail/date.h"
#include "web/route.h"

namespace tw::web {
namespace {

json folder_view(const FolderSync& f) {
    return {{"folder", f.folder}, {"messages", std::to_string(f.messages)}, {"last_sync", when(f.last_sync)}, {"error", f.last_error}};
}

// The template's view of an account (display times, the progress line).
json account_view(const Account& a, const json& folders, const SyncActivity* busy) {
    json v = {{"address", a.address}, {"state", a.state}, {"state_label", label(a.state)}, {"failing", a.state == "failing"}, {"last_sync", when(a.last_sync)},
              {"folders", folders}};
    if (!a.last_error.empty()) v["error"] = a.last_error;  // a section: "" would still show the box
    if (busy) {
        v["syncing"] = true;
        v["done"] = std::to_string(busy->done);
        v["total"] = std::to_string(busy->total);
        v["rate"] = std::to_string(int64_t(std::round(busy->rate)));
        if (busy->eta > 0) v["eta"] = tr("{n} s left", {{"n", std::to_string(int64_t(std::ceil(busy->eta)))}});
    }
    return v;
}

Page status(Context& ctx, const Request& r) {
    Accounts accounts(ctx.o.data_dir);
    // A rep sees their own accounts, without the server's URL; a manager their teams'; others all.
    Visibility v = LinkedArchive(ctx.o.data_dir).people.visibility(r.user);
    bool urls = r.user.role != "rep";
    std::map<std::string, SyncActivity> busy;  // passes under way in this process
    if (ctx.o.activity)
        for (auto& x : ctx.o.activity()) busy[x.account] = x;
    json out = json::array(), shown = json::array();
    for (const auto& a : accounts.list()) {
        if (!v.all && !std::binary_search(v.mailboxes.begin(), v.mailboxes.end(), to_lower(a.address))) continue;
        json folders = json::array(), fshown = json::array();
        for (const auto& f : accounts.folders(a.address)) {
            folders.push_back({{"folder", f.folder}, {"messages", f.messages}, {"last_uid", f.last_uid},
                               {"uidvalidity", f.uidvalidity}, {"last_sync", f.last_sync ? format_iso_utc(f.last_sync) : ""},
                               {"error", f.last_error}});
            fshown.push_back(folder_view(f));
        }
        out.push_back({{"address", a.address}, {"imap_url", urls ? a.imap_url : ""}, {"state", a.state},
                       {"last_sync", a.last_sync ? format_iso_utc(a.last_sync) : ""}, {"error", a.last_error},
                       {"folders", folders}});
        auto now = busy.find(a.address);
        const SyncActivity* x = now == busy.end() ? nullptr : &now->second;
        if (x)
            out.back()["syncing"] = {{"done", x->done}, {"total", x->total}, {"rate", std::round(x->rate)},
                                     {"eta_seconds", std::round(x->eta)}};
        shown.push_back(account_view(a, fshown, x));
    }
    json model = {{"accounts", out}}, view = {{"accounts", shown}, {"none", out.empty()}};
    // The mail Tradewind sends (digests, escalations, retries): for those who run the firm's setup.
    if (role_bit(r.user.role) & (kAdmin | kAuditor)) {
        LinkedArchive a(ctx.o.data_dir);
        json rows = json::array(), shown_rows = json::array();
        int64_t now = int64_t(std::time(nullptr));
        for (const auto& n : a.crm.notifications(false, now, 20)) {
            rows.push_back({{"id", n.id}, {"kind", n.kind}, {"recipient", n.recipient}, {"state", n.state}, {"attempts", n.attempts},
                            {"next_try", n.next_try ? format_iso_utc(n.next_try) : ""}, {"error", n.last_error},
                            {"created", format_iso_utc(n.created)}});
            bool waiting = n.state == "retrying" || n.state == "pending";
            shown_rows.push_back({{"kind_label", label(n.kind)}, {"recipient", n.recipient}, {"state", n.state},
                                  {"state_label", label(n.state)}, {"failing", n.state == "retrying" || n.state == "given_up"},
                                  {"attempts", std::to_string(n.attempts)}, {"next_try", waiting ? when(n.next_try) : ""},
                                  {"error", n.last_error}, {"created", when(n.created)}});
        }
        auto smtp = accounts.smtp();
        model["notifications"] = rows;
        view["notifications"] = json{{"outbox", shown_rows}};
        if (smtp) view["notifications"]["smtp"] = smtp->url;
    }
    return page("Sync status", "status", model, view);
}

}  // namespace

std::vector<Route> status_routes(Context& ctx) {
    return {{"GET", {"/status", "/api/v1/status"}, kUsers, {}, {}, [&ctx](const Request& r) { return status(ctx, r); }, ""}};
}

}  // namespace tw::web
