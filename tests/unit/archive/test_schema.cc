// The schema's description (archive/schema.h) is checked against the live
// SQLite schema: every table and column, the meta keys, the settings.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include <set>
#include <sstream>

#include "archive/schema.h"
#include "archive_fixture.h"
#include "helpers.h"

using tw_test::Archive;
using tw_test::mail;

namespace {

std::vector<std::string> words(std::string_view s) {
    std::istringstream in{std::string(s)};
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

}  // namespace

TEST_CASE("every table and column of the live archive is described in schema.h, and only those", "[schema]") {
    Archive a;
    SQLite::Database& db = a.store.database();
    std::set<std::string> live;
    SQLite::Statement tables(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    while (tables.executeStep()) live.insert(tables.getColumn(0).getString());
    std::set<std::string> described;
    for (const auto& t : tw::schema::kTables) {
        described.insert(std::string(t.name));
        INFO("table " << t.name);
        CHECK(!t.what.empty());
        CHECK((t.owner == "archive" || t.owner == "crm" || t.owner == "web"));
        std::vector<std::string> cols;
        SQLite::Statement info(db, "SELECT name FROM pragma_table_info(?)");
        info.bind(1, std::string(t.name));
        while (info.executeStep()) cols.push_back(info.getColumn(0).getString());
        CHECK(cols == words(t.columns));
    }
    CHECK(live == described);
}

TEST_CASE("the meta keys written are described, and settings are the described ones", "[schema]") {
    Archive a;
    a.add(mail("s1@orion0-de.example", "Anna <anna@orion0-de.example>", "lily.zhou@acme-trading.example", "Inquiry",
               "Mon, 06 Jan 2025 09:00:00 +0000", "hi"));
    a.store.request_index_relink();  // writes index_relink
    std::set<std::string> described, written;
    for (const auto& k : tw::schema::kMeta) described.insert(std::string(k.name));
    SQLite::Statement meta(a.store.database(), "SELECT key FROM meta");
    while (meta.executeStep()) written.insert(meta.getColumn(0).getString());
    for (const auto& k : written) {
        INFO("meta key " << k);
        CHECK(described.count(k));
    }
    CHECK(written.count("customer_seq"));
    for (const auto& k : tw::schema::kSettings) {
        INFO("setting " << k.name);
        std::string value = k.name == "pool_days"            ? "45"
                            : k.name == "doc_patterns"       ? R"({"purchase_order": ["BEST-\\d{5}"]})"
                            : k.name == "audit_open_to_reps" ? "1"
                            : k.name == "reply_sla_hours"    ? "8"
                            : k.name == "silent_days"        ? "3"
                            : k.name == "escalate_after_hours" ? "16"
                            : k.name == "fx_rates"           ? R"({"EUR": 1.08})"
                            : k.name == "digest_at"          ? "08:30"
                            : k.name == "silent_days_after"  ? R"({"quotation": 5})"
                                                             : "x.example";
        CHECK_NOTHROW(a.crm.set_setting(std::string(k.name), value));
        CHECK(a.crm.setting(std::string(k.name)) == value);
    }
    CHECK_THROWS_AS(a.crm.set_setting("pool_dayz", "3"), tw::InvalidError);
    CHECK_THROWS_AS(a.crm.set_setting("audit_open_to_reps", "yes please"), tw::InvalidError);
    CHECK_THROWS_AS(a.crm.set_setting("reply_sla_hours", "0"), tw::InvalidError);
    CHECK_THROWS_AS(a.crm.set_setting("silent_days_after", R"({"quotation": "soon"})"), tw::InvalidError);
    a.crm.set_setting("doc_patterns", "");
}

TEST_CASE("the labels the CRM gives are label fields of the search schema", "[schema]") {
    Archive a;
    auto r = a.add(mail("s2@orion0-de.example", "Anna <anna@orion0-de.example>", "lily.zhou@acme-trading.example",
                        "PI-2025-0034 signed", "Mon, 06 Jan 2025 09:00:00 +0000", "ok"));
    tw::Labels all = r.labels;
    for (auto& l : a.crm.labels_of(r.row)) all.push_back(l);
    REQUIRE(all.size() >= 2);
    for (const auto& l : all) {
        INFO(l.field << ":" << l.value);
        const tw::schema::Field* f = tw::schema::field(l.field);
        REQUIRE(f);
        CHECK(f->kind == tw::schema::FieldKind::Label);
    }
    // Every expanded field expands into a label field.
    for (const auto& f : tw::schema::kFields)
        if (f.kind == tw::schema::FieldKind::Expanded) {
            const tw::schema::Field* into = tw::schema::field(f.into);
            REQUIRE(into);
            CHECK(into->kind == tw::schema::FieldKind::Label);
        }
}
