// An archive in a temporary directory (store and index), filled one mail at a
// time the way the import does it: stored, then indexed with its customers.
#pragma once
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "helpers.h"
#include "mail/message.h"
#include "archive/search_index.h"
#include "archive/store.h"
#include "crm/crm.h"

namespace tw_test {

// What the store answered, with the customer ids the CRM linked (from its labels).
struct Added : tw::AddResult {
    std::vector<int64_t> customers;
};

struct Archive {
    TempDir dir;
    tw::Store store{dir.path.string(), tw::crm_linker()};
    tw::Crm& crm = *static_cast<tw::Crm*>(store.hook());  // the CRM on the store's connection
    tw::SearchIndex index{dir.path.string(), true};
    int n = 0;

    Added add(const std::string& raw, const std::string& account = "lily.zhou@acme-trading.example",
                      const std::string& folder = "INBOX") {
        tw::Message m = tw::parse_message(raw, int64_t(std::time(nullptr)));  // it arrives as the test stores it
        tw::Location loc{account, folder, "src" + std::to_string(++n), {}, 0};
        store.begin();
        Added r{store.add(m, loc, "acme-trading.example"), {}};
        for (const auto& l : r.labels)
            if (l.field == "customer") r.customers.push_back(std::stoll(l.value));
        if (r.outcome == tw::AddOutcome::New) {
            tw::IndexDocument doc = tw::SearchIndex::prepare(m, crm.labels(*crm.prepare(m)));
            doc.add_labels(r.labels);
            index.add(r.row, std::move(doc), r.thread, loc);
        }
        if (r.outcome == tw::AddOutcome::Copy) index.add_location(r.row, loc);
        for (auto [row, t] : r.relabeled) index.set_thread(row, t);
        for (const auto& [row, labels] : r.relinked) index.set_labels(row, labels);
        store.commit();
        index.commit(store.max_row());
        return r;
    }
    // With owner: looked up in the CRM, as the web and the CLI do.
    std::vector<int64_t> search(const std::string& q) {
        tw::SearchOptions o;
        o.expand = tw::search_expander(crm);
        std::vector<int64_t> rows;
        for (const auto& h : index.search(q, o)) rows.push_back(h.row);
        return rows;
    }
    std::string customer_name(int64_t id) {
        auto one = crm.customers(id);
        return one.empty() ? "" : one.front().name;
    }
};

}  // namespace tw_test
