// The audit trail: append-only (triggers), every field filled, and a hash
// chain that names the first row altered, inserted or removed.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "archive_fixture.h"
#include "crm/audit.h"
#include "mail/error.h"

using tw_test::Archive;

namespace {

void fill(tw::AuditTrail& t, int n) {
    for (int k = 0; k < n; ++k) {
        tw::AuditEntry e;
        e.actor = "wei";
        e.role = "manager";
        e.action = k % 2 ? "view_message" : "search";
        e.target_kind = k % 2 ? "message" : "query";
        e.target = std::to_string(k);
        e.mailbox_owner = "lily.zhou@acme-trading.example";
        e.ip = "127.0.0.1";
        e.user_agent = "test";
        e.detail = "row " + std::to_string(k);
        t.record(e);
    }
}

}  // namespace

TEST_CASE("audit: rows chain, and every field is filled", "[audit]") {
    Archive a;
    tw::AuditTrail t(a.store.database());
    fill(t, 5);
    tw::AuditEntry bare;
    bare.action = "login_failed";
    auto got = t.record(bare);
    for (const std::string* f : {&got.actor, &got.role, &got.target_kind, &got.target, &got.mailbox_owner, &got.ip, &got.user_agent,
                                 &got.detail, &got.hash, &got.prev_hash})
        CHECK_FALSE(f->empty());
    CHECK(got.id == 6);
    CHECK(got.time > 0);
    auto c = t.verify();
    CHECK(c.ok);
    CHECK(c.rows == 6);
    size_t total = 0;
    auto filter = [](std::string actor, std::string action, std::string mailbox) {
        tw::AuditFilter f;
        f.actor = std::move(actor);
        f.action = std::move(action);
        f.mailbox = std::move(mailbox);
        return f;
    };
    auto list = t.list(filter("wei", "search", ""), &total);
    CHECK(total == 3);
    CHECK(list.size() == 3);
    CHECK(list.front().id > list.back().id);  // newest first
    CHECK(t.list(filter("", "view_message,login_failed", ""), &total).size() == 3);
    CHECK(t.list(filter("", "", "lily.zhou@acme-trading.example"), &total).size() == 5);
    tw::AuditEntry unknown;
    unknown.action = "no_such_action";
    CHECK_THROWS_AS(t.record(unknown), tw::InvalidError);
}

TEST_CASE("audit: UPDATE and DELETE are refused by the database itself", "[audit]") {
    Archive a;
    tw::AuditTrail t(a.store.database());
    fill(t, 2);
    auto& db = a.store.database();
    CHECK_THROWS(db.exec("UPDATE audit SET actor = 'nobody' WHERE id = 1"));
    CHECK_THROWS(db.exec("DELETE FROM audit WHERE id = 2"));
    CHECK(t.verify().ok);
}

TEST_CASE("audit verify names the first row altered, inserted or removed", "[audit]") {
    struct Case {
        const char* what;
        const char* sql;
        int64_t first_bad;
        const char* says;
    } cases[] = {
        {"a field edited", "UPDATE audit SET actor = 'nobody' WHERE id = 3", 3, "was altered"},
        {"a hash recomputed to hide an edit", "UPDATE audit SET hash = 'x' WHERE id = 2", 2, "was altered"},
        {"a row removed", "DELETE FROM audit WHERE id = 3", 4, "removed"},
        {"the last row's predecessor swapped",
         "UPDATE audit SET prev_hash = (SELECT hash FROM audit WHERE id = 1) WHERE id = 4", 4, "does not name the hash"},
        {"a row inserted", "INSERT INTO audit SELECT 100, time, actor, role, action, target_kind, target, mailbox_owner, ip, "
                           "user_agent, allowed, detail, prev_hash, hash FROM audit WHERE id = 2", 100, "follows row 5"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        Archive a;
        tw::AuditTrail t(a.store.database());
        fill(t, 5);
        auto& db = a.store.database();
        db.exec("DROP TRIGGER audit_no_update");
        db.exec("DROP TRIGGER audit_no_delete");
        db.exec(c.sql);
        auto v = t.verify();
        CHECK_FALSE(v.ok);
        CHECK(v.first_bad == c.first_bad);
        CHECK_THAT(v.what, Catch::Contains(c.says));
        CHECK_THAT(v.what, Catch::Contains("trigger"));  // dropping the guard is reported too
    }
}
