// GET /search (and /api/v1/search): the query language of archive/schema.h,
// snippets, one hit per conversation on request, paged, and only what the
// reader may see (crm/access.h: the visible set is part of the Xapian query,
// so the total is exact). A manager's or an auditor's search is audited.
#include "archive/search_index.h"
#include "crm/crm.h"
#include "mail/date.h"
#include "web/route.h"

namespace tw::web {
namespace {

std::string page_url(const Request& r, size_t offset) {
    std::string url = "/search?q=" + query_escape(r.text("q")) + "&limit=" + std::to_string(r.id("limit"));
    if (r.flag("threads")) url += "&threads=1";
    if (offset) url += "&offset=" + std::to_string(offset);
    return url;
}

Page search(Context& ctx, const Request& r) {
    const std::string& q = r.text("q");
    SearchOptions so;
    so.collapse_threads = r.flag("threads");
    so.limit = size_t(r.id("limit"));
    so.offset = size_t(r.id("offset"));
    json hits = json::array(), shown = json::array();
    std::string error;
    size_t total = 0;
    if (!q.empty()) {
        try {
            LinkedArchive a(ctx.o.data_dir);
            Visibility v = a.people.visibility(r.user);
            if (!v.all) so.only = v.terms();
            SearchIndex index(ctx.o.data_dir, false);
            so.expand = search_expander(a.crm);
            auto found = index.search_page(q, so);
            total = found.total;
            std::vector<int64_t> rows;
            for (const auto& h : found.hits) rows.push_back(h.row);
            auto sums = a.store.summaries(rows);
            for (size_t i = 0; i < found.hits.size(); ++i) {
                const auto& s = sums[i];
                const auto& h = found.hits[i];
                hits.push_back({{"row", h.row}, {"message_id", s.message_id}, {"sha256", s.sha256}, {"thread", s.thread},
                                {"subject", s.subject}, {"from", s.from}, {"date", format_iso_utc(s.date)},
                                {"snippet", h.snippet}, {"score", h.score}});
                shown.push_back({{"subject", s.subject.empty() ? tr("(no subject)") : s.subject}, {"from", s.from},
                                 {"date", when(s.date)}, {"thread", std::to_string(s.thread)},
                                 {"snippet", mark_snippet(h.snippet)}});  // escaped by the index; marks added here
            }
        } catch (const StoreError& e) {  // the query could not be understood (or the index opened)
            error = e.what();
        }
        if (r.user.role != "rep")  // managers audit reps; an auditor is always audited
            ctx.audit(r, audit_entry("search", "query", q, "", error.empty(),
                          "total " + std::to_string(total) + ", offset " + std::to_string(so.offset)));
    }
    size_t first = so.offset + 1, last = so.offset + hits.size();
    std::string n = std::to_string(total);
    std::string count = so.collapse_threads ? (total == 1 ? tr("1 conversation") : tr("{n} conversations", {{"n", n}}))
                                            : (total == 1 ? tr("1 result") : tr("{n} results", {{"n", n}}));
    json view = {{"q", q}, {"hits", shown}, {"count", count}, {"searched", !q.empty() && error.empty()},
                 {"threads", so.collapse_threads}, {"paged", total > hits.size()},
                 {"range", hits.empty() ? tr("none here")
                                        : tr("{first}–{last} of {total}", {{"first", std::to_string(first)}, {"last", std::to_string(last)}, {"total", n}})}};
    if (so.offset > 0) view["prev"] = page_url(r, so.offset > so.limit ? so.offset - so.limit : 0);
    if (last < total) view["next"] = page_url(r, last);
    Page p = page(q.empty() ? "Search" : q + " - Search", "search",
                  {{"query", q}, {"total", total}, {"offset", so.offset}, {"limit", so.limit}, {"hits", hits}}, view);
    if (!error.empty()) {
        p.status = 400;
        p.model = {{"error", error}};
        p.view_only["error"] = error;
    }
    return p;
}

}  // namespace

std::vector<Route> search_routes(Context& ctx) {
    return {{"GET", {"/search", "/api/v1/search"}, kUsers, {},
             {text_param("q", false, "", 2000), flag_param("threads"), int_param("limit", false, 50, 1, 1000, true),
              int_param("offset", false, 0, 0, 1000000)},
             [&ctx](const Request& r) { return search(ctx, r); }, ""}};
}

}  // namespace tw::web
