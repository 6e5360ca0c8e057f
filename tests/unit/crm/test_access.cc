// Who sees and changes what (crm/access.h) over a real archive: the rule in
// SQL and the same rule as index terms agree message by message; a
// reassigned customer's history moves to its new owner; sessions' epochs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include <SQLiteCpp/SQLiteCpp.h>

#include "archive_fixture.h"
#include "crm/access.h"
#include "crm/rules.h"
#include "helpers.h"
#include "mail/error.h"

using tw_test::Archive;
using tw_test::mail;

namespace {

const std::string kLily = "lily.zhou@acme-trading.example", kKevin = "kevin.li@acme-trading.example",
                  kSales = "sales@acme-trading.example";

// The firm: lily (east) and kevin (west) are reps, wei leads east, a shared sales@ box for both, an auditor, an admin.
struct Firm : Archive {
    tw::People people{store.database()};
    int64_t nord = 0, sud = 0, orion = 0;
    std::vector<int64_t> lily_rows, kevin_rows, sales_rows;
    Firm() {
        const std::string pw = "correct horse battery";
        people.add_user("wei", "manager", pw);
        people.add_team("east", "wei");
        people.add_user("ops", "manager", pw);
        people.add_team("west", "ops");
        people.add_user("lily", "rep", pw, "east", {kLily, kSales});
        people.add_user("kevin", "rep", pw, "west", {"Kevin.Li@acme-trading.example", kSales});
        people.add_user("aud", "auditor", pw);
        people.add_user("ada", "admin", pw);
        auto r = add(mail("n1@nord.example", "anna@nord.example", kLily, "Inquiry hinges", "Sat, 11 Jan 2025 10:00:00 +0000", "quote"), kLily);
        nord = r.customers.at(0);
        lily_rows.push_back(r.row);
        r = add(mail("s1@sud.example", "bob@sud.example", kKevin, "Inquiry locks", "Sat, 11 Jan 2025 11:00:00 +0000", "quote"), kKevin);
        sud = r.customers.at(0);
        kevin_rows.push_back(r.row);
        // A copy of kevin's thread in his Sent folder, and a reply he sent.
        kevin_rows.push_back(add(mail("s2@acme-trading.example", kKevin, "bob@sud.example", "Re: Inquiry locks",
                                      "Sat, 11 Jan 2025 12:00:00 +0000", "our quote", "In-Reply-To: <s1@sud.example>\r\n"),
                                 kKevin, "Sent").row);
        r = add(mail("o1@orion.example", "olga@orion.example", kSales, "Catalogue please", "Sat, 11 Jan 2025 13:00:00 +0000", "hi"), kSales);
        orion = r.customers.at(0);
        sales_rows.push_back(r.row);
    }
    tw::User user(const std::string& name) { return *people.user(name); }
    std::set<int64_t> seen_by_rule(const tw::Visibility& v) {
        std::set<int64_t> out;
        for (int64_t row = 1; row <= store.max_row(); ++row)
            if (people.sees_message(v, row)) out.insert(row);
        return out;
    }
    std::set<int64_t> seen_by_index(const tw::Visibility& v) {
        tw::SearchOptions o;
        o.limit = 1000;
        if (!v.all) o.only = v.terms();
        auto page = index.search_page("", o);
        std::set<int64_t> out;
        for (const auto& h : page.hits) out.insert(h.row);
        CHECK(page.total == out.size());
        return out;
    }
};

std::set<int64_t> rows(std::initializer_list<std::vector<int64_t>> parts) {
    std::set<int64_t> out;
    for (const auto& p : parts) out.insert(p.begin(), p.end());
    return out;
}

}  // namespace

TEST_CASE("roles: what each may do", "[access][rules]") {
    namespace r = tw::rules;
    struct Case {
        const char* name;
        bool all_mail, change, everything, audited;
    } cases[] = {
        {"rep", false, true, false, false},
        {"manager", false, true, false, false},
        {"auditor", true, false, false, true},
        {"admin", true, true, true, false},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        auto role = r::role_named(c.name);
        REQUIRE(role);
        CHECK(r::sees_all_mail(*role) == c.all_mail);
        CHECK(r::may_change(*role) == c.change);
        CHECK(r::changes_everything(*role) == c.everything);
        CHECK(r::always_audited(*role) == c.audited);
    }
    CHECK_FALSE(r::role_named("Manager"));
    CHECK_FALSE(r::role_named(""));
}

TEST_CASE("who sees which mail: the rule and the index agree", "[access]") {
    Firm f;
    struct Case {
        const char* user;
        std::set<int64_t> want;
    } cases[] = {
        {"lily", rows({f.lily_rows, f.sales_rows})},
        {"kevin", rows({f.kevin_rows, f.sales_rows})},
        {"wei", rows({f.lily_rows, f.sales_rows})},    // his team: lily
        {"ops", rows({f.kevin_rows, f.sales_rows})},   // his team: kevin
        {"aud", rows({f.lily_rows, f.kevin_rows, f.sales_rows})},
        {"ada", rows({f.lily_rows, f.kevin_rows, f.sales_rows})},
    };
    for (const auto& c : cases) {
        INFO(c.user);
        auto v = f.people.visibility(f.user(c.user));
        CHECK(f.seen_by_rule(v) == c.want);
        CHECK(f.seen_by_index(v) == c.want);
    }
    // A user with no mailbox and no team sees nothing (and the index agrees: an empty filter).
    f.people.add_user("nobody", "manager", "correct horse battery");
    auto none = f.people.visibility(f.user("nobody"));
    CHECK(f.seen_by_rule(none).empty());
    CHECK(f.seen_by_index(none).empty());
}

TEST_CASE("a reassigned customer's history moves to its new owner", "[access]") {
    Firm f;
    auto lily = f.people.visibility(f.user("lily"));
    CHECK_FALSE(f.people.sees_message(lily, f.kevin_rows[0]));
    f.crm.assign(f.sud, kLily, 1736700000);
    f.crm.assign(f.sud, kLily, 1736700100);  // again: no change, no second line in the history
    CHECK(f.crm.owner_history(f.sud).size() == 2);
    CHECK_THROWS_AS(f.crm.assign(999999, kLily, 1736700100), tw::NotFoundError);
    for (const auto& row : f.kevin_rows) {
        CHECK(f.people.sees_message(f.people.visibility(f.user("lily")), row));
        CHECK(f.seen_by_index(f.people.visibility(f.user("lily"))).count(row));
    }
    // Kevin keeps what is in his own mailbox; his manager now reaches it through it too.
    CHECK(f.people.sees_message(f.people.visibility(f.user("kevin")), f.kevin_rows[0]));
    // Documents follow: none here, so sees_document is false for a number nobody wrote.
    CHECK_FALSE(f.people.sees_document(f.people.visibility(f.user("lily")), "PI-2099-0001"));
}

TEST_CASE("edits follow ownership", "[access]") {
    Firm f;
    struct Case {
        const char* user;
        const std::string& owner;
        bool may;
    } cases[] = {
        {"lily", kLily, true},   {"lily", kKevin, false}, {"wei", kLily, true},   {"wei", kKevin, false},
        {"ops", kKevin, true},   {"aud", kLily, false},   {"ada", kKevin, true},  {"kevin", kSales, true},
    };
    for (const auto& c : cases) {
        INFO(c.user << " edits " << c.owner);
        CHECK(f.people.may_edit_customer(f.user(c.user), c.owner) == c.may);
    }
    CHECK_FALSE(f.people.may_edit_customer(f.user("lily"), ""));  // nobody's (the pool): claimed, not edited
}

TEST_CASE("users: bad values are refused, and a password change or disabling moves the epoch", "[access]") {
    Firm f;
    CHECK_THROWS_AS(f.people.add_user("x", "boss", "correct horse battery"), tw::InvalidError);
    CHECK_THROWS_AS(f.people.add_user("x y", "rep", "correct horse battery"), tw::InvalidError);
    CHECK_THROWS_AS(f.people.add_user("x", "rep", "short"), tw::InvalidError);
    CHECK_THROWS_AS(f.people.add_user("x", "rep", "correct horse battery", "nosuchteam"), tw::NotFoundError);
    CHECK_THROWS_AS(f.people.add_user("x", "rep", "correct horse battery", "", {"lily"}), tw::InvalidError);
    CHECK_THROWS_AS(f.people.add_user("lily", "rep", "correct horse battery"), tw::ConflictError);
    CHECK_THROWS_AS(f.people.add_team("south", "lily"), tw::InvalidError);  // a rep leads no team
    CHECK_THROWS_AS(f.people.set_user("lily", "colour", "red"), tw::InvalidError);
    CHECK_THROWS_AS(f.people.set_user("ghost", "role", "rep"), tw::NotFoundError);
    CHECK(f.user("kevin").mailboxes == std::vector<std::string>{kKevin, kSales});  // lower-cased, in order

    int64_t e0 = f.user("lily").epoch;
    CHECK(f.people.check("lily", "correct horse battery"));
    CHECK_FALSE(f.people.check("lily", "wrong password"));
    CHECK_FALSE(f.people.check("ghost", "correct horse battery"));
    f.people.set_user("lily", "password", "another good one");
    CHECK(f.user("lily").epoch == e0 + 1);
    CHECK_FALSE(f.people.check("lily", "correct horse battery"));
    CHECK(f.people.check("lily", "another good one"));
    f.people.set_user("lily", "disabled", "yes");
    CHECK(f.user("lily").epoch == e0 + 2);
    CHECK_FALSE(f.people.check("lily", "another good one"));  // disabled: no login
    f.people.set_user("lily", "disabled", "no");
    f.people.set_user("lily", "mailboxes", kKevin);
    CHECK(f.people.sees_message(f.people.visibility(f.user("lily")), f.kevin_rows[0]));
    CHECK_FALSE(f.people.sees_message(f.people.visibility(f.user("lily")), f.lily_rows[0]));
}

TEST_CASE("an archive of schema 4 migrates: its managers lead a team of every rep, mailboxes and sessions carry over",
          "[access][schema]") {
    tw_test::TempDir dir;
    {
        // The users and sessions of schema 4, as that version wrote them.
        SQLite::Database db((dir.path / "archive.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema', '4');"
                "CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, created INTEGER NOT NULL,"
                " mailbox TEXT NOT NULL DEFAULT '');"
                "CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name), expires INTEGER NOT NULL);"
                "CREATE TABLE accounts (address TEXT PRIMARY KEY, imap_url TEXT NOT NULL, user TEXT NOT NULL, secret BLOB NOT NULL,"
                " since TEXT NOT NULL DEFAULT '', folders TEXT NOT NULL DEFAULT '', verify_tls INTEGER NOT NULL DEFAULT 1,"
                " allow_plaintext INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'new', last_sync INTEGER NOT NULL DEFAULT 0,"
                " last_error TEXT NOT NULL DEFAULT '');"
                "INSERT INTO users VALUES ('boss', 'manager', 'x', 1, ''), ('lily', 'rep', 'x', 1, 'lily.zhou@acme-trading.example'),"
                " ('kevin', 'rep', 'x', 1, 'kevin.li@acme-trading.example');");
    }
    tw::Store store(dir.path.string(), tw::crm_linker());
    tw::People people(store.database());
    auto boss = people.user("boss");
    REQUIRE(boss);
    CHECK(boss->leads == std::vector<std::string>{"firm"});
    CHECK(people.user("lily")->team == "firm");
    CHECK(people.user("lily")->mailboxes == std::vector<std::string>{kLily});
    auto v = people.visibility(*boss);
    CHECK(v.mailboxes == std::vector<std::string>{kKevin, kLily});  // what a manager saw before: every rep's mail
    CHECK(store.database().execAndGet("SELECT value FROM meta WHERE key = 'schema'").getString() == "7");  // through 5
    CHECK(people.user("lily")->lang.empty());  // 6: the browser's language until she picks one
}
