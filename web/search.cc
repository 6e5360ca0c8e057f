// GET /search (and /api/v1/search): the query language of archive/schema.h,
// snippets, one hit per conversation on request.
#include "archive/search_index.h"
#include "crm/crm.h"
#include "mail/date.h"
#include "web/route.h"

namespace tw::web {
namespace {

Page search(Context& ctx, const Request& r) {
    const std::string& q = r.text("q");
    SearchOptions so;
    so.collapse_threads = r.flag("threads");
    so.limit = size_t(r.id("limit"));
    json hits = json::array(), shown = json::array();
    std::string error;
    if (!q.empty()) {
        try {
            LinkedArchive a(ctx.o.data_dir);
            SearchIndex index(ctx.o.data_dir, false);
            so.expand = search_expander(a.crm);
            auto found = index.search(q, so);
            std::vector<int64_t> rows;
            for (const auto& h : found) rows.push_back(h.row);
            auto sums = a.store.summaries(rows);
            for (size_t i = 0; i < found.size(); ++i) {
                const auto& s = sums[i];
                hits.push_back({{"row", found[i].row}, {"message_id", s.message_id}, {"thread", s.thread},
                                {"subject", s.subject}, {"from", s.from}, {"date", format_iso_utc(s.date)},
                                {"snippet", found[i].snippet}, {"score", found[i].score}});
                shown.push_back({{"subject", s.subject.empty() ? "(no subject)" : s.subject}, {"from", s.from},
                                 {"date", when(s.date)}, {"thread", std::to_string(s.thread)},
                                 {"snippet", mark_snippet(found[i].snippet)}});  // escaped by the index; marks added here
            }
        } catch (const StoreError& e) {  // the query could not be understood (or the index opened)
            error = e.what();
        }
    }
    Page p = page(q.empty() ? "Search" : q + " - Search", "search", {{"query", q}, {"hits", hits}},
                  {{"q", q}, {"hits", shown}, {"count", std::to_string(hits.size())}, {"searched", !q.empty() && error.empty()},
                   {"threads", so.collapse_threads}});
    if (!error.empty()) {
        p.status = 400;
        p.model = {{"error", error}};
        p.view_only["error"] = error;
    }
    return p;
}

}  // namespace

std::vector<Route> search_routes(Context& ctx) {
    return {{"GET", {"/search", "/api/v1/search"}, Access::User, {},
             {text_param("q", false, "", 2000), flag_param("threads"), int_param("limit", false, 50, 1, 200, true)},
             [&ctx](const Request& r) { return search(ctx, r); }}};
}

}  // namespace tw::web
