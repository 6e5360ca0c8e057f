// Users, teams, mailboxes and the visibility rule (crm/access.h).
#include "crm/access.h"

#include <sodium.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "crm/rules.h"
#include "mail/error.h"
#include "mail/strutil.h"

namespace tw {
namespace {

rules::Role role_of(const User& u) {
    auto r = rules::role_named(u.role);
    if (!r) throw InvalidError("user " + u.name + " has an unknown role \"" + u.role + "\"");
    return *r;
}

std::string checked_role(const std::string& role) {
    if (!rules::role_named(role)) throw InvalidError("the role must be rep, manager, auditor or admin, not \"" + role + "\"");
    return role;
}

std::string hash_password(const std::string& password) {
    if (password.size() < 8) throw InvalidError("the password must have at least 8 characters");
    if (password.size() > 1024) throw InvalidError("the password is longer than 1024 characters");
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        throw StoreError("not enough memory to hash the password");
    return hash;
}

std::vector<std::string> checked_mailboxes(const std::vector<std::string>& given) {
    std::vector<std::string> out;
    for (const auto& m : given) {
        std::string a = to_lower(trim(m));
        if (a.empty()) continue;
        if (a.find('@') == std::string::npos || a.find_first_of(" ,;<>") != std::string::npos)
            throw InvalidError("a mailbox is a mail address (rep@firm.example), not \"" + m + "\"");
        if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    }
    return out;
}

std::string json_list(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }
std::string json_list(const std::vector<int64_t>& v) { return nlohmann::json(v).dump(); }

}  // namespace

std::vector<std::pair<std::string, std::string>> Visibility::terms() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& m : mailboxes) out.emplace_back("account", m);
    for (int64_t c : customers) out.emplace_back("customer", std::to_string(c));
    return out;
}

People::People(SQLite::Database& db) : db_(db) {
    if (sodium_init() < 0) throw StoreError("libsodium could not start");
}

void People::add_user(const std::string& name, const std::string& role, const std::string& password, const std::string& team,
                      const std::vector<std::string>& mailboxes) {
    if (name.empty() || name.size() > 64 || name.find_first_of(" /\\<>\"'&") != std::string::npos)
        throw InvalidError("a user name has 1 to 64 characters and no spaces, slashes, quotes or <>&: \"" + name + "\"");
    checked_role(role);
    auto boxes = checked_mailboxes(mailboxes);
    std::string hash = hash_password(password);
    SQLite::Transaction t(db_);
    SQLite::Statement exists(db_, "SELECT 1 FROM users WHERE name = ?");
    exists.bind(1, name);
    if (exists.executeStep()) throw ConflictError("there is a user " + name + " already: change it with `tradewind user set`");
    if (!team.empty()) {
        SQLite::Statement t(db_, "SELECT 1 FROM teams WHERE name = ?");
        t.bind(1, team);
        if (!t.executeStep()) throw NotFoundError("no team " + team + ": add it first with `tradewind team add " + team + " --manager USER`");
    }
    SQLite::Statement st(db_, "INSERT INTO users(name, role, password_hash, created, team) VALUES (?,?,?,?,?)");
    st.bind(1, name);
    st.bind(2, role);
    st.bind(3, hash);
    st.bind(4, int64_t(std::time(nullptr)));
    st.bind(5, team);
    st.exec();
    write_mailboxes(name, boxes);
    t.commit();
}

void People::write_mailboxes(const std::string& name, const std::vector<std::string>& boxes) {
    SQLite::Statement clear(db_, "DELETE FROM user_mailboxes WHERE user = ?");
    clear.bind(1, name);
    clear.exec();
    for (size_t k = 0; k < boxes.size(); ++k) {
        SQLite::Statement m(db_, "INSERT INTO user_mailboxes(user, address, pos) VALUES (?,?,?)");
        m.bind(1, name);
        m.bind(2, boxes[k]);
        m.bind(3, int64_t(k));
        m.exec();
    }
}

void People::set_user(const std::string& name, const std::string& field, const std::string& value) {
    if (!user(name)) throw NotFoundError("no user " + name);
    SQLite::Transaction t(db_);
    auto set = [&](const char* sql, const std::string& v) {
        SQLite::Statement st(db_, sql);
        st.bind(1, v);
        st.bind(2, name);
        st.exec();
    };
    if (field == "role") {
        set("UPDATE users SET role = ?, epoch = epoch + 1 WHERE name = ?", checked_role(value));
    } else if (field == "team") {
        if (!value.empty()) {
            SQLite::Statement q(db_, "SELECT 1 FROM teams WHERE name = ?");
            q.bind(1, value);
            if (!q.executeStep()) throw NotFoundError("no team " + value);
        }
        set("UPDATE users SET team = ? WHERE name = ?", value);
    } else if (field == "mailboxes") {
        std::vector<std::string> given;
        for (auto part : split_trimmed(value, ',')) given.emplace_back(part);
        write_mailboxes(name, checked_mailboxes(given));
    } else if (field == "password") {
        set("UPDATE users SET password_hash = ?, epoch = epoch + 1 WHERE name = ?", hash_password(value));
    } else if (field == "disabled") {
        std::string v = to_lower(value);
        bool off = v == "1" || v == "yes" || v == "true";
        if (!off && v != "0" && v != "no" && v != "false") throw InvalidError("disabled takes yes or no, not \"" + value + "\"");
        set("UPDATE users SET disabled = ?, epoch = epoch + 1 WHERE name = ?", off ? "1" : "0");
    } else if (field == "lang") {
        if (value != "" && value != "en" && value != "zh")
            throw InvalidError("the pages speak en (English) or zh (简体中文), not \"" + value + "\"");
        set("UPDATE users SET lang = ? WHERE name = ?", value);
    } else {
        throw InvalidError("a user's role, team, mailboxes, password, disabled or lang can be set, not \"" + field + "\"");
    }
    t.commit();
}

std::vector<User> People::users() {
    std::vector<User> out;
    {
        SQLite::Statement st(db_, "SELECT name, role, team, disabled, epoch, lang FROM users ORDER BY name");
        while (st.executeStep())
            out.push_back({st.getColumn(0).getString(), st.getColumn(1).getString(), st.getColumn(2).getString(), {},
                           st.getColumn(3).getInt() != 0, st.getColumn(4).getInt64(), {}, st.getColumn(5).getString()});
    }
    SQLite::Statement boxes(db_, "SELECT user, address FROM user_mailboxes ORDER BY user, pos");
    SQLite::Statement leads(db_, "SELECT user, team FROM team_managers ORDER BY user, team");
    auto find = [&](const std::string& n) -> User* {
        for (auto& u : out)
            if (u.name == n) return &u;
        return nullptr;
    };
    while (boxes.executeStep())
        if (User* u = find(boxes.getColumn(0).getString())) u->mailboxes.push_back(boxes.getColumn(1).getString());
    while (leads.executeStep())
        if (User* u = find(leads.getColumn(0).getString())) u->leads.push_back(leads.getColumn(1).getString());
    return out;
}

std::optional<User> People::user(const std::string& name) {
    SQLite::Statement st(db_, "SELECT role, team, disabled, epoch, lang FROM users WHERE name = ?");
    st.bind(1, name);
    if (!st.executeStep()) return std::nullopt;
    User u{name, st.getColumn(0).getString(), st.getColumn(1).getString(), {}, st.getColumn(2).getInt() != 0,
           st.getColumn(3).getInt64(), {}, st.getColumn(4).getString()};
    SQLite::Statement boxes(db_, "SELECT address FROM user_mailboxes WHERE user = ? ORDER BY pos");
    boxes.bind(1, name);
    while (boxes.executeStep()) u.mailboxes.push_back(boxes.getColumn(0).getString());
    SQLite::Statement leads(db_, "SELECT team FROM team_managers WHERE user = ? ORDER BY team");
    leads.bind(1, name);
    while (leads.executeStep()) u.leads.push_back(leads.getColumn(0).getString());
    return u;
}

std::optional<User> People::check(const std::string& name, const std::string& password) {
    std::string hash;
    {
        SQLite::Statement st(db_, "SELECT password_hash FROM users WHERE name = ?");
        st.bind(1, name);
        if (st.executeStep()) hash = st.getColumn(0).getString();
    }
    if (hash.empty()) {
        // Spend the same time as for a real user, so timing does not tell who exists.
        static const std::string dummy = [] {
            char h[crypto_pwhash_STRBYTES];
            if (crypto_pwhash_str(h, "x", 1, crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
                h[0] = '\0';  // out of memory: the verify below fails at once
            return std::string(h);
        }();
        bool spent = crypto_pwhash_str_verify(dummy.c_str(), password.data(), password.size()) == 0;
        (void)spent;  // no user by that name, whatever the dummy says
        return std::nullopt;
    }
    if (crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) != 0) return std::nullopt;
    auto u = user(name);
    if (!u || u->disabled) return std::nullopt;
    return u;
}

void People::add_team(const std::string& name, const std::string& manager) {
    if (name.empty() || name.size() > 64 || name.find_first_of(",/\\<>\"'&") != std::string::npos)
        throw InvalidError("a team name has 1 to 64 characters and no commas, slashes, quotes or <>&: \"" + name + "\"");
    SQLite::Transaction t(db_);
    SQLite::Statement st(db_, "INSERT OR IGNORE INTO teams(name, created) VALUES (?, ?)");
    st.bind(1, name);
    st.bind(2, int64_t(std::time(nullptr)));
    if (st.exec() == 0) throw ConflictError("there is a team " + name + " already: add a manager with `tradewind team set`");
    t.commit();
    add_team_manager(name, manager);
}

void People::add_team_manager(const std::string& team, const std::string& manager) {
    auto m = user(manager);
    if (!m) throw NotFoundError("no user " + manager + ": add the manager first with `tradewind user add --role manager`");
    if (m->role != "manager" && m->role != "admin")
        throw InvalidError(manager + " is a " + m->role + ": a team is led by a manager (`tradewind user set " + manager +
                           " role manager`)");
    SQLite::Statement q(db_, "SELECT 1 FROM teams WHERE name = ?");
    q.bind(1, team);
    if (!q.executeStep()) throw NotFoundError("no team " + team);
    SQLite::Statement st(db_, "INSERT OR IGNORE INTO team_managers(team, user) VALUES (?, ?)");
    st.bind(1, team);
    st.bind(2, manager);
    st.exec();
}

std::vector<Team> People::teams() {
    std::vector<Team> out;
    SQLite::Statement st(db_, "SELECT name FROM teams ORDER BY name");
    while (st.executeStep()) out.push_back({st.getColumn(0).getString(), {}, {}});
    for (auto& t : out) {
        SQLite::Statement m(db_, "SELECT user FROM team_managers WHERE team = ? ORDER BY user");
        m.bind(1, t.name);
        while (m.executeStep()) t.managers.push_back(m.getColumn(0).getString());
        SQLite::Statement r(db_, "SELECT name FROM users WHERE team = ? ORDER BY name");
        r.bind(1, t.name);
        while (r.executeStep()) t.members.push_back(r.getColumn(0).getString());
    }
    return out;
}

std::vector<std::string> People::reach(const User& u) {
    std::set<std::string> boxes;
    for (const auto& m : u.mailboxes) boxes.insert(to_lower(m));
    if (u.role == "manager") {
        // The mailboxes of every member of the teams the manager leads.
        SQLite::Statement st(db_,
                             "SELECT um.address FROM team_managers tm JOIN users r ON r.team = tm.team"
                             " JOIN user_mailboxes um ON um.user = r.name WHERE tm.user = ?");
        st.bind(1, u.name);
        while (st.executeStep()) boxes.insert(to_lower(st.getColumn(0).getString()));
    }
    return {boxes.begin(), boxes.end()};
}

Visibility People::visibility(const User& u) {
    Visibility v;
    if (rules::sees_all_mail(role_of(u))) {
        v.all = true;
        return v;
    }
    v.mailboxes = reach(u);
    // Every message has a location: reaching every archived mailbox is seeing all mail (a manager of the
    // whole firm), and the index needs no filter then.
    SQLite::Statement missing(db_, "SELECT EXISTS (SELECT 1 FROM (SELECT DISTINCT account FROM locations)"
                                   " WHERE account NOT IN (SELECT value FROM json_each(?)))");
    missing.bind(1, json_list(v.mailboxes));
    if (missing.executeStep() && missing.getColumn(0).getInt() == 0 && !v.mailboxes.empty()) {
        v.all = true;
        return v;
    }
    SQLite::Statement st(db_,
                         "SELECT id FROM customers WHERE in_pool = 0 AND owner IN (SELECT value FROM json_each(?)) ORDER BY id");
    st.bind(1, json_list(v.mailboxes));
    while (st.executeStep()) v.customers.push_back(st.getColumn(0).getInt64());
    return v;
}

Visibility People::editable(const User& u) {
    rules::Role r = role_of(u);
    Visibility v;
    if (rules::changes_everything(r)) {
        v.all = true;
        return v;
    }
    if (!rules::may_change(r)) return v;  // nothing
    v.mailboxes = reach(u);
    return v;
}

bool People::sees_message(const Visibility& v, int64_t row) {
    if (v.all) return true;
    SQLite::Statement st(db_,
                         "SELECT EXISTS (SELECT 1 FROM locations WHERE message = ?1 AND account IN (SELECT value FROM json_each(?2)))"
                         " OR EXISTS (SELECT 1 FROM message_customers WHERE message = ?1 AND customer IN (SELECT value FROM json_each(?3)))");
    st.bind(1, row);
    st.bind(2, json_list(v.mailboxes));
    st.bind(3, json_list(v.customers));
    return st.executeStep() && st.getColumn(0).getInt() != 0;
}

bool People::sees_document(const Visibility& v, const std::string& number) {
    if (v.all) return true;
    SQLite::Statement st(db_,
                         "SELECT EXISTS (SELECT 1 FROM documents WHERE number = ?1 AND customer IN (SELECT value FROM json_each(?3)))"
                         " OR EXISTS (SELECT 1 FROM message_documents md JOIN locations l ON l.message = md.message"
                         "   WHERE md.number = ?1 AND l.account IN (SELECT value FROM json_each(?2)))"
                         " OR EXISTS (SELECT 1 FROM message_documents md JOIN message_customers mc ON mc.message = md.message"
                         "   WHERE md.number = ?1 AND mc.customer IN (SELECT value FROM json_each(?3)))");
    st.bind(1, number);
    st.bind(2, json_list(v.mailboxes));
    st.bind(3, json_list(v.customers));
    return st.executeStep() && st.getColumn(0).getInt() != 0;
}

bool People::sees_thread(const Visibility& v, int64_t thread) {
    if (v.all) return true;
    SQLite::Statement st(db_,
                         "SELECT EXISTS (SELECT 1 FROM messages m WHERE m.thread = ?1 AND (EXISTS (SELECT 1 FROM locations l"
                         " WHERE l.message = m.id AND l.account IN (SELECT value FROM json_each(?2))) OR EXISTS (SELECT 1 FROM"
                         " message_customers mc WHERE mc.message = m.id AND mc.customer IN (SELECT value FROM json_each(?3)))))");
    st.bind(1, thread);
    st.bind(2, json_list(v.mailboxes));
    st.bind(3, json_list(v.customers));
    return st.executeStep() && st.getColumn(0).getInt() != 0;
}

std::pair<int64_t, int64_t> People::visible_mail(const Visibility& v, int64_t customer) {
    SQLite::Statement st(db_,
                         "SELECT COUNT(*), MAX(m.date) FROM message_customers mc JOIN messages m ON m.id = mc.message"
                         " WHERE mc.customer = ?1 AND (?4 OR mc.customer IN (SELECT value FROM json_each(?3)) OR EXISTS"
                         " (SELECT 1 FROM locations l WHERE l.message = mc.message AND l.account IN (SELECT value FROM json_each(?2))))");
    st.bind(1, customer);
    st.bind(2, json_list(v.mailboxes));
    st.bind(3, json_list(v.customers));
    st.bind(4, v.all ? 1 : 0);
    st.executeStep();
    return {st.getColumn(0).getInt64(), st.getColumn(1).isNull() ? 0 : st.getColumn(1).getInt64()};
}

std::pair<std::vector<People::TimelineRow>, int64_t> People::timeline(const Visibility& v, int64_t customer, int64_t offset,
                                                                     int64_t limit) {
    const char* visible =
        " FROM message_customers mc JOIN messages m ON m.id = mc.message"
        " WHERE mc.customer = ?1 AND (?4 OR mc.customer IN (SELECT value FROM json_each(?3)) OR EXISTS"
        " (SELECT 1 FROM locations l WHERE l.message = mc.message AND l.account IN (SELECT value FROM json_each(?2))))";
    auto bind = [&](SQLite::Statement& st) {
        st.bind(1, customer);
        st.bind(2, json_list(v.mailboxes));
        st.bind(3, json_list(v.customers));
        st.bind(4, v.all ? 1 : 0);
    };
    SQLite::Statement count(db_, std::string("SELECT COUNT(*)") + visible);
    bind(count);
    count.executeStep();
    std::pair<std::vector<TimelineRow>, int64_t> out{{}, count.getColumn(0).getInt64()};
    SQLite::Statement st(db_, std::string("SELECT m.id, m.thread, m.date, m.subject, m.from_name, m.from_addr") + visible +
                                  " ORDER BY m.date DESC, m.id DESC LIMIT ?5 OFFSET ?6");
    bind(st);
    st.bind(5, limit);
    st.bind(6, offset);
    while (st.executeStep())
        out.first.push_back({st.getColumn(0).getInt64(), st.getColumn(1).getInt64(), st.getColumn(2).getInt64(),
                             st.getColumn(3).getString(), st.getColumn(4).getString(), st.getColumn(5).getString()});
    return out;
}

bool People::may_edit_customer(const User& u, const std::string& owner) {
    Visibility e = editable(u);
    if (e.all) return true;
    std::string o = to_lower(owner);
    return !o.empty() && std::binary_search(e.mailboxes.begin(), e.mailboxes.end(), o);
}

std::vector<std::string> People::mailboxes_of(int64_t row) {
    SQLite::Statement st(db_, "SELECT DISTINCT account FROM locations WHERE message = ? ORDER BY account");
    st.bind(1, row);
    std::vector<std::string> out;
    while (st.executeStep()) out.push_back(st.getColumn(0).getString());
    return out;
}

}  // namespace tw
