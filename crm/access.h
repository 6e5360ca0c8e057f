// Who may see and change what: users, their roles, teams and mailboxes, and
// the one visibility rule every reader uses (search, conversations, message
// HTML, attachments, documents, customers, status, the JSON API).
//
// The rule (rules.h has its pure parts):
// - a rep sees a message that has a location (live or deleted) in a mailbox
//   granted to them, and every message linked to a customer one of those
//   mailboxes owns now (a reassigned customer's history moves with it);
// - a manager sees what any rep of the teams they lead sees, plus their own;
// - an auditor and an admin see all mail.
// Edits follow ownership: a rep's own customers and documents, a manager's
// teams', everything for an admin, nothing for an auditor.
//
// The visible set is given to the index as terms (account:, customer:), so
// search filters inside Xapian: counts and paging are exact.
//
// Users' passwords are argon2id hashes (libsodium crypto_pwhash_str). A
// password change or disabling a user raises its epoch: sessions opened
// before end at once.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace SQLite {
class Database;
}

namespace tw {

struct User {
    std::string name, role;  // role: rep | manager | auditor | admin
    std::string team;        // the team the user belongs to ("" none)
    std::vector<std::string> mailboxes;  // granted; the first is the user's own address
    bool disabled = false;
    int64_t epoch = 0;
    std::vector<std::string> leads;  // teams a manager leads
    std::string lang;                // the pages' language: en | zh ("" : the browser's)
    // The user's own address: what they own and claim ("" if none was given).
    const std::string& mailbox() const {
        static const std::string none;
        return mailboxes.empty() ? none : mailboxes.front();
    }
};

struct Team {
    std::string name;
    std::vector<std::string> managers, members;
};

// What a user may see: everything, or the mail of these mailboxes and of the
// customers these mailboxes own now.
struct Visibility {
    bool all = false;
    std::vector<std::string> mailboxes;  // sorted, lower-case
    std::vector<int64_t> customers;      // sorted
    // The index terms of the visible set: ("account", address), ("customer", id).
    std::vector<std::pair<std::string, std::string>> terms() const;
};

class People {
public:
    explicit People(SQLite::Database& db);  // on an archive's connection (schema in archive/schema.h)

    // ---- Users. InvalidError for a bad value, NotFoundError for an unknown user or team,
    // ConflictError for a name taken.
    void add_user(const std::string& name, const std::string& role, const std::string& password,
                  const std::string& team = {}, const std::vector<std::string>& mailboxes = {});
    // field: role | team | mailboxes (comma-separated) | password | disabled (1/0, yes/no) | lang (en, zh or "")
    void set_user(const std::string& name, const std::string& field, const std::string& value);
    std::vector<User> users();
    std::optional<User> user(const std::string& name);
    // The user if the password is right and the user is enabled, else nullopt.
    // The same work is done for an unknown name as for a wrong password.
    std::optional<User> check(const std::string& name, const std::string& password);

    // ---- Teams
    void add_team(const std::string& name, const std::string& manager);
    void add_team_manager(const std::string& team, const std::string& manager);
    std::vector<Team> teams();

    // ---- The rule
    Visibility visibility(const User& u);
    // The mailboxes whose customers and documents u may change; `all` for an admin.
    Visibility editable(const User& u);
    bool sees_message(const Visibility& v, int64_t row);
    bool sees_document(const Visibility& v, const std::string& number);
    bool sees_thread(const Visibility& v, int64_t thread);  // one of its messages
    // How many of a customer's messages v sees, and the newest one's date.
    std::pair<int64_t, int64_t> visible_mail(const Visibility& v, int64_t customer);
    // A customer's correspondence that v sees, across reps and conversations, newest first: one page, and the total.
    struct TimelineRow {
        int64_t row = 0, thread = 0, date = 0;
        std::string subject, from_name, from_addr;
    };
    std::pair<std::vector<TimelineRow>, int64_t> timeline(const Visibility& v, int64_t customer, int64_t offset, int64_t limit);
    // May u change customer `id` (owned by `owner`)? Pool customers are claimed, not edited.
    bool may_edit_customer(const User& u, const std::string& owner);
    // Who holds the mailboxes a message was archived from (its locations' accounts).
    std::vector<std::string> mailboxes_of(int64_t row);

private:
    std::vector<std::string> reach(const User& u);
    void write_mailboxes(const std::string& name, const std::vector<std::string>& boxes);  // in order: the first is theirs  // u's mailboxes and, for a manager, their teams'
    SQLite::Database& db_;
};

}  // namespace tw
