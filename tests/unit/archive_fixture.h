// An archive in a temporary directory (store and index), filled one mail at a
// time the way the import does it: stored, then indexed with its customers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "helpers.h"
#include "mail/message.h"
#include "archive/search_index.h"
#include "archive/store.h"

namespace tw_test {

struct Archive {
    TempDir dir;
    tw::Store store{dir.path.string()};
    tw::SearchIndex index{dir.path.string(), true};
    int n = 0;

    tw::AddResult add(const std::string& raw, const std::string& account = "lily.zhou@acme-trading.example",
                      const std::string& folder = "INBOX") {
        tw::Message m = tw::parse_message(raw, 1736600000);
        tw::Location loc{account, folder, "src" + std::to_string(++n), {}, 0};
        store.begin();
        tw::AddResult r = store.add(m, loc, "acme-trading.example");
        if (r.outcome == tw::AddOutcome::New) {
            tw::IndexDocument doc = tw::SearchIndex::prepare(m);
            doc.add_customers(r.customers);
            index.add(r.row, std::move(doc), r.thread, loc);
        }
        if (r.outcome == tw::AddOutcome::Copy) index.add_location(r.row, loc);
        for (auto [row, t] : r.relabeled) index.set_thread(row, t);
        store.commit();
        index.commit(store.max_row());
        return r;
    }
    // With owner: looked up in the store, as the web and the CLI do.
    std::vector<int64_t> search(const std::string& q) {
        tw::SearchOptions o;
        o.owned_by = [this](const std::string& rep) { return store.customers_owned_by(rep); };
        std::vector<int64_t> rows;
        for (const auto& h : index.search(q, o)) rows.push_back(h.row);
        return rows;
    }
    std::string customer_name(int64_t id) {
        auto one = store.customers(id);
        return one.empty() ? "" : one.front().name;
    }
};

}  // namespace tw_test
