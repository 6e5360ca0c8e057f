#include "crm/crm.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <stdexcept>
#include <tuple>

#include "mail/docnum.h"
#include "mail/message.h"
#include "mail/strutil.h"

namespace tw {
namespace {

struct CustomPatterns;
std::shared_ptr<const CustomPatterns> g_custom;  // set_doc_patterns(); read with atomic_load

// Consumer mail services: an address there is a person, not a company.
// Kept sorted; "gmx." and "yahoo." match any country domain.
constexpr std::string_view kFreemail[] = {
    "126.com",       "139.com",      "163.com",         "189.cn",       "21cn.com",      "aim.com",
    "aliyun.com",    "aol.com",      "foxmail.com",     "gmail.com",    "googlemail.com", "hanmail.net",
    "hotmail.com",   "hotmail.co.uk", "icloud.com",     "inbox.ru",     "live.com",      "mail.com",
    "mail.example",  "mail.ru",      "me.com",          "msn.com",      "naver.com",     "outlook.com",
    "protonmail.com", "proton.me",   "qq.com",          "rambler.ru",   "rediffmail.com", "sina.cn",
    "sina.com",      "sohu.com",     "tom.com",         "web.de",       "webmail.example", "yahoo.com",
    "yandex.com",    "yandex.ru",    "yeah.net",        "ymail.com",    "zoho.com",
};

bool upper(char c) { return c >= 'A' && c <= 'Z'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

size_t count_if_range(std::string_view s, bool (*f)(char)) { return size_t(std::count_if(s.begin(), s.end(), f)); }

// Ocean carriers' B/L prefixes (SCAC or carrier codes as printed on B/Ls).
constexpr std::string_view kCarriers[] = {"ANNU", "APLU", "CMDU", "COSU", "EGLV", "HDMU", "HLCU", "KKLU", "MAEU",
                                          "MEDU", "MSCU", "NYKS", "ONEY", "OOLU", "PABV", "SMLM", "WHLC", "YMLU",
                                          "ZIMU"};

}  // namespace

bool is_freemail(std::string_view domain) {
    for (auto d : kFreemail)
        if (domain == d) return true;
    for (std::string_view family : {"gmx.", "yahoo.", "hotmail.", "outlook.", "live.", "yandex."})
        if (domain.starts_with(family)) return true;
    return false;
}

std::string doc_type(std::string_view n) {
    size_t letters = 0;
    while (letters < n.size() && upper(n[letters])) ++letters;
    std::string_view prefix = n.substr(0, letters), rest = n.substr(letters);
    bool dashed = !rest.empty() && rest[0] == '-';
    std::string_view digits = dashed ? rest.substr(1) : rest;
    size_t nd = count_if_range(digits, digit);
    // "-YYYY-NNNN": a year in range, then a serial.
    auto year_serial = [&] {
        return dashed && digits.size() >= 9 && digits[4] == '-' && (digits.starts_with("19") || digits.starts_with("20")) &&
               count_if_range(digits.substr(0, 4), digit) == 4 && count_if_range(digits.substr(5), digit) == digits.size() - 5;
    };
    if (prefix == "QT" || prefix == "QUO" || prefix == "QTN") return year_serial() ? "quotation" : "";
    if (prefix == "PI") return year_serial() ? "proforma_invoice" : "";
    if (prefix == "PO") {
        // SAP-style purchase orders: PO4500012345 (10 digits), or PO-2025-0001.
        if (!dashed && nd == 10 && nd == digits.size()) return "purchase_order";
        return year_serial() ? "purchase_order" : "";
    }
    if (prefix == "SC" || prefix == "CT" || prefix == "CON") return year_serial() ? "contract" : "";
    if (prefix == "INV" || prefix == "CI") return year_serial() ? "commercial_invoice" : "";
    if (prefix == "PL") return year_serial() ? "packing_list" : "";
    if (prefix.size() == 4 && !dashed && nd >= 9 && nd <= 12 && nd == digits.size() &&
        std::find(std::begin(kCarriers), std::end(kCarriers), prefix) != std::end(kCarriers))
        return "bill_of_lading";
    // L/C numbers: LC + issuing bank's country + serial (LCDE123456), or LC-2025-0001.
    if (prefix.size() == 4 && prefix.starts_with("LC") && !dashed && nd >= 6 && nd <= 12 && nd == digits.size())
        return "letter_of_credit";
    if (prefix == "LC") return year_serial() ? "letter_of_credit" : "";
    return "";
}

namespace {

struct CustomPatterns {
    std::vector<std::pair<std::string, std::regex>> rules;  // (type, whole-token pattern)
};

std::shared_ptr<const CustomPatterns> custom_patterns() { return std::atomic_load(&g_custom); }

}  // namespace

void set_doc_patterns(const std::string& text) {
    auto p = std::make_shared<CustomPatterns>();
    if (!text.empty()) {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(text);
        } catch (const std::exception& e) {
            throw std::invalid_argument(std::string("doc_patterns is not JSON: ") + e.what());
        }
        if (!j.is_object()) throw std::invalid_argument("doc_patterns wants {\"type\": [\"regex\", ...]}");
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (!it.value().is_array()) throw std::invalid_argument("doc_patterns: " + it.key() + " wants a list of patterns");
            for (const auto& r : it.value()) {
                if (!r.is_string()) throw std::invalid_argument("doc_patterns: " + it.key() + ": a pattern must be a string");
                try {
                    p->rules.emplace_back(it.key(), std::regex(r.get<std::string>(), std::regex::ECMAScript | std::regex::optimize));
                } catch (const std::regex_error& e) {
                    throw std::invalid_argument("doc_patterns: " + it.key() + ": bad pattern " + r.get<std::string>() + " (" +
                                                e.what() + ")");
                }
            }
        }
    }
    std::atomic_store(&g_custom, std::shared_ptr<const CustomPatterns>(p));
}

namespace {

// A currency as written before or after a number, and its ISO code.
struct CurrencyWord {
    const char* text;
    const char* iso;
};
constexpr CurrencyWord kCurrencies[] = {
    {"US$", "USD"}, {"USD", "USD"}, {"$", "USD"}, {"美元", "USD"}, {"EUR", "EUR"}, {"€", "EUR"}, {"欧元", "EUR"},
    {"GBP", "GBP"}, {"£", "GBP"}, {"英镑", "GBP"}, {"CNY", "CNY"}, {"RMB", "CNY"}, {"人民币", "CNY"}, {"¥", "CNY"},
    {"￥", "CNY"}, {"元", "CNY"}, {"JPY", "JPY"}, {"日元", "JPY"}, {"円", "JPY"}, {"HKD", "HKD"}, {"HK$", "HKD"},
    {"AUD", "AUD"}, {"A$", "AUD"}, {"CAD", "CAD"}, {"C$", "CAD"}, {"CHF", "CHF"}, {"SGD", "SGD"}, {"AED", "AED"},
    {"INR", "INR"}, {"RUB", "RUB"}, {"BRL", "BRL"}, {"MXN", "MXN"}, {"KRW", "KRW"}, {"TRY", "TRY"}, {"ZAR", "ZAR"},
};

// "12,500.00" / "12500" / "1.234,50" (European) -> "12500.00" / "12500" / "1234.50"; "" if not an amount.
std::string normalize_amount(std::string n) {
    static const std::regex english(R"((\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?)");
    static const std::regex european(R"((\d{1,3}(?:\.\d{3})+|\d+),(\d{2}))");
    std::smatch m;
    std::string whole, cents;
    if (std::regex_match(n, m, english)) whole = m[1], cents = m[2];
    else if (std::regex_match(n, m, european)) whole = m[1], cents = m[2];
    else return "";
    whole.erase(std::remove_if(whole.begin(), whole.end(), [](char c) { return c == ',' || c == '.'; }), whole.end());
    whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size() - 1));
    if (whole.size() > 15) return "";
    return cents.empty() ? whole : whole + "." + cents;
}

// How strongly the words before an amount say it is the total: 0 none,
// 1 amount/value, 2 total, 3 grand total.
int total_label(std::string before) {
    before = to_lower(before);
    size_t cut = before.find_last_of(";|");  // only this clause of the line
    if (cut != std::string::npos) before = before.substr(cut + 1);
    if (before.size() > 48) before = before.substr(before.size() - 48);
    if (before.find("grand total") != std::string::npos || before.find("总金额") != std::string::npos ||
        before.find("合计金额") != std::string::npos || before.find("总计") != std::string::npos)
        return 3;
    size_t t = before.rfind("total");
    if (t != std::string::npos && !(t >= 3 && before.compare(t - 3, 3, "sub") == 0) &&
        !(t >= 4 && before.compare(t - 4, 4, "sub-") == 0))
        return 2;
    if (before.find("合计") != std::string::npos) return 2;
    for (const char* w : {"amount", "invoice value", "contract value", "order value", "金额", "货值"})
        if (before.find(w) != std::string::npos) return 1;
    return 0;
}

}  // namespace

std::optional<Money> stated_total(std::string_view text) {
    // A number, with a currency word right before or right after it.
    static const std::regex number(R"((\d[\d,.]*\d|\d))");
    static const std::vector<CurrencyWord> currencies = [] {  // longest first: HK$ before $, 日元 before 元
        std::vector<CurrencyWord> v(std::begin(kCurrencies), std::end(kCurrencies));
        std::stable_sort(v.begin(), v.end(), [](const auto& x, const auto& y) { return std::strlen(x.text) > std::strlen(y.text); });
        return v;
    }();
    struct Candidate {
        Money money;
        int label;
    };
    std::vector<Candidate> found;
    size_t plain = 0;  // amounts without a label
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string line(text.substr(start, end - start));
        start = end + 1;
        size_t lead = line.find_first_not_of(" \t");
        if (lead == std::string::npos || line[lead] == '>') continue;  // blank, or quoted from an earlier mail
        for (auto it = std::sregex_iterator(line.begin(), line.end(), number); it != std::sregex_iterator(); ++it) {
            size_t b = size_t(it->position(0)), e = b + size_t(it->length(0));
            // The currency right before (spaces allowed) or right after.
            std::string iso;
            size_t before_end = b;
            while (before_end > 0 && line[before_end - 1] == ' ') --before_end;
            for (const auto& c : currencies) {
                size_t n = std::strlen(c.text);
                if (before_end >= n && line.compare(before_end - n, n, c.text) == 0 &&
                    (before_end == n || !std::isalpha((unsigned char)line[before_end - n - 1]) || !std::isalpha((unsigned char)c.text[0]))) {
                    iso = c.iso;
                    before_end -= n;
                    break;
                }
            }
            size_t after = e;
            while (after < line.size() && line[after] == ' ') ++after;
            if (iso.empty())
                for (const auto& c : currencies) {
                    size_t n = std::strlen(c.text);
                    if (line.compare(after, n, c.text) == 0 &&
                        (after + n >= line.size() || !std::isalpha((unsigned char)line[after + n]))) {
                        iso = c.iso;
                        after += n;
                        break;
                    }
                }
            if (iso.empty()) continue;
            // Not an amount when glued to a word (PO4500012345, ISO-9001): the currency must stand apart.
            if (b > 0 && std::isalnum((unsigned char)line[b - 1]) && before_end == b) continue;
            // A unit price: "/pc", "per set", "each".
            size_t k = after;
            while (k < line.size() && line[k] == ' ') ++k;
            std::string rest = to_lower(line.substr(k, 12));
            if (rest.rfind("/", 0) == 0 || rest.rfind("per ", 0) == 0 || rest.rfind("each", 0) == 0 || rest.rfind("每", 0) == 0 ||
                rest.rfind("/pc", 0) == 0)
                continue;
            std::string amount = normalize_amount(it->str(0));
            if (amount.empty() || amount == "0") continue;
            int label = total_label(line.substr(0, before_end));
            if (!label) ++plain;
            found.push_back({{amount, iso}, label});
        }
    }
    const Candidate* best = nullptr;
    for (const auto& c : found)
        if (c.label && (!best || c.label >= best->label)) best = &c;  // ties: the last (a total after the subtotals)
    if (best) return best->money;
    if (found.size() == 1) return found[0].money;
    return std::nullopt;
}

std::vector<DocMention> trade_documents(const Message& m) {
    std::vector<DocMention> out;
    std::set<std::pair<std::string, std::string>> seen;
    auto custom = custom_patterns();
    auto scan = [&](std::string_view text, const char* place) {
        for (auto& n : doc_numbers(text, 1u << 18)) {
            std::string type = doc_type(n);
            if (!type.empty() && seen.emplace(n, place).second) out.push_back({std::move(n), std::move(type), place});
        }
        if (!custom || custom->rules.empty()) return;
        // The firm's own patterns, on whole tokens that hold a digit.
        text = text.substr(0, std::min<size_t>(text.size(), 1u << 18));
        for (size_t i = 0; i < text.size();) {
            auto tokenish = [](char c) { return std::isalnum((unsigned char)c) || c == '-' || c == '/'; };
            while (i < text.size() && !tokenish(text[i])) ++i;
            size_t j = i;
            while (j < text.size() && tokenish(text[j])) ++j;
            std::string tok(text.substr(i, j - i));
            i = j;
            if (tok.size() < 4 || tok.size() > 40 || tok.find_first_of("0123456789") == std::string::npos) continue;
            for (const auto& [type, re] : custom->rules)
                if (std::regex_match(tok, re)) {
                    if (seen.emplace(tok, place).second) out.push_back({tok, type, place});
                    break;
                }
        }
    };
    scan(m.subject, "subject");
    scan(m.text, "body");
    std::function<void(const std::vector<Attachment>&)> walk = [&](const std::vector<Attachment>& atts) {
        for (const auto& a : atts) {
            scan(a.filename, "filename");
            scan(a.text, "attachment");
            if (a.message) {  // a forwarded message: its subject and text count as attachment text
                scan(a.message->subject, "attachment");
                scan(a.message->text, "attachment");
                walk(a.message->attachments);
            }
        }
    };
    walk(m.attachments);
    return out;
}

Crm::Crm(SQLite::Database& db) : db_(db) { load_domains(); }

Crm::~Crm() = default;

SQLite::Statement& Crm::sql(const char* text) {
    auto& st = stmts_[text];
    if (!st) st = std::make_unique<SQLite::Statement>(db_, text);
    st->reset();
    st->clearBindings();
    return *st;
}

void Crm::reset() {
    for (auto& [_, st] : stmts_) st->reset();
}

void Crm::load_domains() {
    internal_.clear();
    // The firm's mailboxes: its IMAP accounts and every account mail was archived for.
    SQLite::Statement& a = sql("SELECT address FROM accounts UNION SELECT DISTINCT account FROM locations");
    while (a.executeStep()) internal_.push_back(address_domain(to_lower(a.getColumn(0).getString())));
    SQLite::Statement& s = sql("SELECT value FROM settings WHERE key = 'internal_domains'");
    if (s.executeStep()) {
        std::string list = s.getColumn(0).getString();
        for (size_t b = 0; b <= list.size();) {
            size_t e = std::min(list.find(',', b), list.size());
            std::string x = to_lower(std::string(trim(std::string_view(list).substr(b, e - b))));
            if (!x.empty()) internal_.push_back(x);
            b = e + 1;
        }
    }
    std::sort(internal_.begin(), internal_.end());
    internal_.erase(std::unique(internal_.begin(), internal_.end()), internal_.end());
}

void Crm::add_internal(const std::string& domain) {
    if (domain.empty() || std::binary_search(internal_.begin(), internal_.end(), domain)) return;
    internal_.insert(std::upper_bound(internal_.begin(), internal_.end(), domain), domain);
}

bool Crm::internal(std::string_view domain) const {
    for (const auto& d : internal_)
        if (domain == d || (domain.size() > d.size() && domain.ends_with(d) && domain[domain.size() - d.size() - 1] == '.'))
            return true;
    return false;
}

int64_t Crm::customer_for(const Party& p) {
    SQLite::Statement& c = sql("SELECT customer FROM contacts WHERE address = ?");
    c.bind(1, p.address);
    if (c.executeStep()) return c.getColumn(0).getInt64();
    std::string domain = address_domain(p.address);
    int64_t customer = 0;
    bool freemail = is_freemail(domain);
    if (!freemail) {
        SQLite::Statement& d = sql("SELECT customer FROM customer_domains WHERE domain = ?");
        d.bind(1, domain);
        if (d.executeStep()) customer = d.getColumn(0).getInt64();
    }
    if (!customer) {
        // A new customer: a company named after its domain, or the person.
        std::string name = freemail ? (p.name.empty() ? p.address : p.name) : domain;
        customer = new_customer(name, freemail ? "freemail" : "company", false);
        if (!freemail) {
            SQLite::Statement& dom = sql("INSERT INTO customer_domains(domain, customer) VALUES (?, ?)");
            dom.bind(1, domain);
            dom.bind(2, customer);
            dom.exec();
        }
    }
    SQLite::Statement& ins = sql("INSERT INTO contacts(address, name, customer) VALUES (?, ?, ?)");
    ins.bind(1, p.address);
    ins.bind(2, p.name);
    ins.bind(3, customer);
    ins.exec();
    return customer;
}

// Customer ids are never used twice (a deleted customer's history, conflicts
// and bookmarks must not pass to a new one): meta.customer_seq is the highest
// id ever given.
int64_t Crm::new_customer(const std::string& name, const char* kind, bool named_by_user) {
    SQLite::Statement& next = sql(
        "SELECT MAX(COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'customer_seq'), 0), "
        "COALESCE((SELECT MAX(id) FROM customers), 0)) + 1");
    next.executeStep();
    int64_t id = next.getColumn(0).getInt64();
    next.reset();
    SQLite::Statement& ins = sql("INSERT INTO customers(id, name, kind, named_by_user, created) VALUES (?, ?, ?, ?, ?)");
    ins.bind(1, id);
    ins.bind(2, name);
    ins.bind(3, kind);
    ins.bind(4, named_by_user ? 1 : 0);
    ins.bind(5, int64_t(std::time(nullptr)));
    ins.exec();
    SQLite::Statement& seq = sql("INSERT INTO meta(key, value) VALUES ('customer_seq', ?) "
                                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    seq.bind(1, std::to_string(id));
    seq.exec();
    return id;
}

// The owner of a customer is the rep of its earliest mail, whatever order
// mail arrives in (reps' mailboxes sync in parallel), unless a manager chose.
void Crm::take_owner(int64_t customer) {
    if (owner_.empty()) return;
    SQLite::Statement& q = sql("SELECT owner, first_contact FROM customers WHERE id = ? AND owner_by_user = 0");
    q.bind(1, customer);
    if (!q.executeStep()) return;
    std::string was = q.getColumn(0).getString();
    int64_t first = q.getColumn(1).getInt64();
    if (first != 0 && first <= now_) return;  // 0: not known yet (new, or being relinked)
    SQLite::Statement& u = sql("UPDATE customers SET owner = ?, first_contact = ? WHERE id = ?");
    u.bind(1, owner_);
    u.bind(2, now_);
    u.bind(3, customer);
    u.exec();
    if (was == owner_) return;
    log_owner(customer, owner_, now_, was.empty() ? "first correspondent" : "earlier correspondence found");
}

std::string Crm::rep_of(const std::vector<Party>& parties, const std::string& account) const {
    for (const auto& p : parties)  // From first, then To and Cc: the sender of sent mail, else its first rep recipient
        if (internal(address_domain(p.address))) return p.address;
    return account;
}

std::vector<int64_t> Crm::link_customers(int64_t row, int64_t thread, const std::vector<Party>& parties,
                                         const std::vector<Party>& forwarded, const std::vector<DocMention>& docs,
                                         bool backfill) {
    std::vector<int64_t> customers;
    auto add = [&](int64_t c) {
        if (std::find(customers.begin(), customers.end(), c) == customers.end()) customers.push_back(c);
    };
    auto take = [&](const std::vector<Party>& list) {
        for (const auto& p : list)
            if (p.address.find('@') != std::string::npos && !internal(address_domain(p.address))) add(customer_for(p));
    };
    take(parties);
    bool external = !customers.empty();
    if (customers.empty()) take(forwarded);
    if (customers.empty()) {
        // Internal mail (an approval, a note to a colleague): its conversation's customers.
        SQLite::Statement& t = sql("SELECT DISTINCT mc.customer FROM message_customers mc JOIN messages m ON m.id = mc.message "
                            "WHERE m.thread = ? AND m.id <> ? ORDER BY mc.customer");
        t.bind(1, thread);
        t.bind(2, row);
        while (t.executeStep()) add(t.getColumn(0).getInt64());
    }
    for (const auto& d : docs) {  // else the customers of the documents it names
        if (!customers.empty()) break;
        SQLite::Statement& q = sql("SELECT customer FROM documents WHERE number = ? AND customer IS NOT NULL");
        q.bind(1, d.number);
        if (q.executeStep()) add(q.getColumn(0).getInt64());
    }
    if (external && backfill) {
        // The conversation's internal messages stored before this one take its customers too.
        for (int64_t c : customers) {
            SQLite::Statement& t = sql("INSERT OR IGNORE INTO message_customers(message, customer) "
                                "SELECT m.id, ? FROM messages m WHERE m.thread = ? AND m.id <> ? AND NOT EXISTS "
                                "(SELECT 1 FROM message_customers x WHERE x.message = m.id)");
            t.bind(1, c);
            t.bind(2, thread);
            t.bind(3, row);
            t.exec();
        }
    }
    for (int64_t c : customers) {
        SQLite::Statement& ins = sql("INSERT OR IGNORE INTO message_customers(message, customer) VALUES (?, ?)");
        ins.bind(1, row);
        ins.bind(2, c);
        ins.exec();
    }
    for (int64_t c : customers) take_owner(c);
    if (!customers.empty())
        for (const auto& d : docs) {  // a document's customer: the first one it is seen with (unless a user set it)
            SQLite::Statement& u = sql("UPDATE documents SET customer = ? WHERE number = ? AND customer IS NULL AND edited = 0");
            u.bind(1, customers.front());
            u.bind(2, d.number);
            u.exec();
        }
    return customers;
}

std::vector<int64_t> Crm::link(int64_t row, int64_t thread, const std::vector<Party>& parties,
                               const std::vector<DocMention>& docs, bool sent_by_firm, const std::vector<Party>& forwarded,
                               const std::string& account, int64_t date, const std::optional<Money>& total) {
    owner_ = rep_of(parties, account);
    now_ = date;
    for (const auto& f : forwarded) {
        SQLite::Statement& ins = sql("INSERT OR IGNORE INTO forwarded_parties(message, address, name) VALUES (?, ?, ?)");
        ins.bind(1, row);
        ins.bind(2, f.address);
        ins.bind(3, f.name);
        ins.exec();
    }
    std::vector<int64_t> customers = link_customers(row, thread, parties, forwarded, docs);
    record_documents(row, customers, docs, sent_by_firm, date, total);
    return customers;
}

void Crm::record_documents(int64_t row, const std::vector<int64_t>& customers, const std::vector<DocMention>& docs,
                           bool sent_by_firm, int64_t date, const std::optional<Money>& total) {
    for (const auto& d : docs) {
        SQLite::Statement& md = sql("INSERT OR IGNORE INTO message_documents(message, number, place) VALUES (?, ?, ?)");
        md.bind(1, row);
        md.bind(2, d.number);
        md.bind(3, d.place);
        md.exec();
        // Its earliest mail, whatever order mail arrives in, gives its customer and
        // whether the firm sent or received it (unless a user corrected the document).
        SQLite::Statement& doc = sql(
            "INSERT INTO documents(number, type, customer, status, first_seen) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(number) DO UPDATE SET "
            "customer = excluded.customer, status = excluded.status, first_seen = excluded.first_seen "
            "WHERE documents.edited = 0 AND excluded.first_seen < documents.first_seen");
        doc.bind(1, d.number);
        doc.bind(2, d.type);
        if (customers.empty()) doc.bind(3);
        else doc.bind(3, customers.front());
        doc.bind(4, sent_by_firm ? "sent" : "received");
        doc.bind(5, date);
        doc.exec();
    }
    // The amount the mail states goes to its first document that carries one.
    for (const auto& d : docs) {
        if (!total) break;
        if (d.type == "packing_list" || d.type == "bill_of_lading") continue;
        SQLite::Statement& u = sql("UPDATE documents SET amount = ?, currency = ? WHERE number = ? AND edited = 0 AND amount = ''");
        u.bind(1, total->amount);
        u.bind(2, total->currency);
        u.bind(3, d.number);
        u.exec();
        break;
    }
}

void Crm::redo_documents(int64_t row, const std::vector<DocMention>& docs, bool sent_by_firm, int64_t date,
                         const std::optional<Money>& total) {
    SQLite::Statement& del = sql("DELETE FROM message_documents WHERE message = ?");
    del.bind(1, row);
    del.exec();
    std::vector<int64_t> customers;
    SQLite::Statement& q = sql("SELECT customer FROM message_customers WHERE message = ? ORDER BY customer");
    q.bind(1, row);
    while (q.executeStep()) customers.push_back(q.getColumn(0).getInt64());
    record_documents(row, customers, docs, sent_by_firm, date, total);
}

size_t Crm::drop_unmentioned_documents() {
    return size_t(db_.exec("DELETE FROM documents WHERE edited = 0 AND number NOT IN (SELECT number FROM message_documents)"));
}

size_t Crm::relink() {
    load_domains();
    // The links are rebuilt; customers, their domains and contacts stay (ids
    // do not change, and users' decisions hold). Addresses that became
    // internal stop being contacts.
    db_.exec("DELETE FROM message_customers");
    db_.exec("UPDATE documents SET customer = NULL WHERE edited = 0");
    db_.exec("UPDATE customers SET first_contact = 0 WHERE owner_by_user = 0");  // found again in date order below
    {
        // Rows whose address or domain is now the firm's own.
        auto drop_internal = [&](const char* select, const char* remove, bool is_address) {
            std::vector<std::string> gone;
            SQLite::Statement& q = sql(select);
            while (q.executeStep()) {
                std::string v = q.getColumn(0).getString();
                if (internal(is_address ? address_domain(v) : v)) gone.push_back(v);
            }
            for (const auto& v : gone) {
                SQLite::Statement& d = sql(remove);
                d.bind(1, v);
                d.exec();
            }
        };
        drop_internal("SELECT address FROM contacts WHERE by_user = 0", "DELETE FROM contacts WHERE address = ?", true);
        drop_internal("SELECT domain FROM customer_domains", "DELETE FROM customer_domains WHERE domain = ?", false);
    }
    std::map<int64_t, std::vector<Party>> parties;  // in From, To, Cc order
    {
        SQLite::Statement& q = sql("SELECT message, address, name FROM parties ORDER BY message, rowid");
        while (q.executeStep()) parties[q.getColumn(0).getInt64()].push_back({q.getColumn(1).getString(), q.getColumn(2).getString()});
    }
    std::map<int64_t, std::vector<Party>> forwarded;
    {
        SQLite::Statement& q = sql("SELECT message, address, name FROM forwarded_parties ORDER BY message, rowid");
        while (q.executeStep()) forwarded[q.getColumn(0).getInt64()].push_back({q.getColumn(1).getString(), q.getColumn(2).getString()});
    }
    std::map<int64_t, std::vector<DocMention>> docs;  // only the numbers matter here (documents keep their rows)
    {
        SQLite::Statement& q = sql("SELECT DISTINCT message, number FROM message_documents");
        while (q.executeStep()) docs[q.getColumn(0).getInt64()].push_back({q.getColumn(1).getString(), "", ""});
    }
    // In date order, so the first correspondent names what it creates.
    std::vector<std::pair<int64_t, int64_t>> order;
    {
        SQLite::Statement& q = sql("SELECT id, thread FROM messages ORDER BY date, id");
        while (q.executeStep()) order.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getInt64());
    }
    std::map<int64_t, std::pair<std::string, int64_t>> first;  // message -> (account of its first location, date)
    {
        SQLite::Statement& q = sql("SELECT l.message, l.account, m.date FROM locations l JOIN messages m ON m.id = l.message "
                                   "ORDER BY l.rowid DESC");
        while (q.executeStep())
            first[q.getColumn(0).getInt64()] = {q.getColumn(1).getString(), q.getColumn(2).getInt64()};
    }
    for (const auto& [row, thread] : order) {
        std::tie(owner_, now_) = first[row];
        owner_ = rep_of(parties[row], owner_);
        link_customers(row, thread, parties[row], forwarded[row], docs[row], false);
    }
    // Messages still linked to nobody (internal mail older than the conversation's
    // customer mail) take their conversation's customers, as when they were stored.
    // (In the loop, all the later mail exists already: a backfill there would hand a
    // conversation's first customer to messages that have customers of their own.)
    db_.exec("INSERT OR IGNORE INTO message_customers(message, customer) "
             "SELECT DISTINCT m.id, mc.customer FROM messages m JOIN messages o ON o.thread = m.thread AND o.id <> m.id "
             "JOIN message_customers mc ON mc.message = o.id "
             "WHERE NOT EXISTS (SELECT 1 FROM message_customers x WHERE x.message = m.id)");
    // Automatic customers nobody writes to any more go.
    db_.exec("DELETE FROM customers WHERE named_by_user = 0 AND id NOT IN (SELECT customer FROM message_customers)");
    db_.exec("DELETE FROM contacts WHERE customer NOT IN (SELECT id FROM customers)");
    db_.exec("DELETE FROM customer_domains WHERE customer NOT IN (SELECT id FROM customers)");
    return order.size();
}

void Crm::log_owner(int64_t customer, const std::string& owner, int64_t when, const std::string& reason) {
    SQLite::Statement& hist = sql("INSERT INTO customer_owners(customer, owner, since, reason) VALUES (?, ?, ?, ?)");
    hist.bind(1, customer);
    hist.bind(2, owner);
    hist.bind(3, when);
    hist.bind(4, reason);
    hist.exec();
}

size_t Crm::scan_conflicts() {
    struct Row {
        int64_t id, customer, thread, date;
        std::string from, owner;
    };
    // Mail the firm sent, with its customers and their owners, oldest first.
    std::vector<Row> sent;
    {
        SQLite::Statement& q = sql(
            "SELECT m.id, mc.customer, m.thread, m.date, m.from_addr, c.owner FROM messages m "
            "JOIN message_customers mc ON mc.message = m.id JOIN customers c ON c.id = mc.customer "
            "ORDER BY m.date, m.id");
        while (q.executeStep()) {
            Row r{q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(), q.getColumn(3).getInt64(),
                  q.getColumn(4).getString(), q.getColumn(5).getString()};
            if (internal(address_domain(r.from))) sent.push_back(std::move(r));
        }
    }
    auto record = [&](int64_t customer, const std::string& rep, const std::string& other, const char* kind, int64_t message,
                      int64_t other_message, int64_t date) {
        SQLite::Statement& ins = sql(
            "INSERT OR IGNORE INTO conflicts(customer, rep, other_rep, kind, message, other_message, date) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)");
        ins.bind(1, customer);
        ins.bind(2, rep);
        ins.bind(3, other);
        ins.bind(4, kind);
        ins.bind(5, message);
        ins.bind(6, other_message);
        ins.bind(7, date);
        ins.exec();
    };
    // not_owner: the first message of a conversation, sent by a rep who is not the customer's owner.
    std::set<int64_t> seen_threads;
    {
        SQLite::Statement& q = sql("SELECT thread, MIN(date * 1000000000 + id) FROM messages GROUP BY thread");
        std::map<int64_t, int64_t> opener;
        while (q.executeStep()) opener[q.getColumn(0).getInt64()] = q.getColumn(1).getInt64() % 1000000000;
        for (const auto& r : sent)
            if (!r.owner.empty() && r.from != r.owner && opener[r.thread] == r.id) record(r.customer, r.from, r.owner, "not_owner", r.id, 0, r.date);
    }
    // double_quote: a customer quoted by a second rep; the first quotation's sender is the other side.
    {
        SQLite::Statement& q = sql(
            "SELECT mc.customer, m.from_addr, m.id, m.date FROM documents d "
            "JOIN message_documents md ON md.number = d.number JOIN messages m ON m.id = md.message "
            "JOIN message_customers mc ON mc.message = m.id WHERE d.type = 'quotation' ORDER BY m.date, m.id");
        std::map<int64_t, std::pair<std::string, int64_t>> first;  // customer -> (rep, message) of its first quotation
        std::vector<std::tuple<int64_t, std::string, int64_t, int64_t>> rows;
        while (q.executeStep())
            rows.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getInt64(),
                              q.getColumn(3).getInt64());
        for (const auto& [customer, rep, id, date] : rows) {
            if (!internal(address_domain(rep))) continue;  // the customer's own mail quoting back
            auto [it, fresh] = first.try_emplace(customer, rep, id);
            if (!fresh && it->second.first != rep) record(customer, rep, it->second.first, "double_quote", id, it->second.second, date);
        }
    }
    return size_t(db_.execAndGet("SELECT COUNT(*) FROM conflicts WHERE status = 'open'").getInt64());
}

std::vector<int64_t> Crm::release_idle(int64_t now, int days) {
    std::vector<int64_t> released;
    // Owned customers, the last mail their owner sent them (none: the first
    // contact), and when the owner got them: a claim or an assignment starts
    // the owner's time afresh.
    SQLite::Statement& q = sql(
        "SELECT c.id, c.owner, c.first_contact, (SELECT MAX(m.date) FROM message_customers mc JOIN messages m ON m.id = mc.message "
        "WHERE mc.customer = c.id AND m.from_addr = c.owner), "
        "(SELECT MAX(o.since) FROM customer_owners o WHERE o.customer = c.id AND o.owner = c.owner) "
        "FROM customers c WHERE c.owner <> '' AND c.in_pool = 0");
    struct Due {
        int64_t id;
        std::string owner;
        int64_t since;  // when the silence reached `days`: the release is logged then, whenever it is noticed
    };
    std::vector<Due> due;
    while (q.executeStep()) {
        int64_t last = q.getColumn(3).isNull() ? q.getColumn(2).getInt64() : q.getColumn(3).getInt64();
        if (!q.getColumn(4).isNull()) last = std::max(last, q.getColumn(4).getInt64());
        if (last + int64_t(days) * 86400 < now) due.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), last + int64_t(days) * 86400});
    }
    for (const auto& d : due) {
        SQLite::Statement& u = sql("UPDATE customers SET owner = '', owner_by_user = 1, in_pool = 1 WHERE id = ?");
        u.bind(1, d.id);
        u.exec();
        log_owner(d.id, "", d.since, "released to the pool: " + d.owner + " sent nothing for " + std::to_string(days) + " days");
        released.push_back(d.id);
    }
    return released;
}

bool Crm::claim(int64_t customer, const std::string& rep, int64_t now) {
    SQLite::Statement& u = sql("UPDATE customers SET owner = ?, owner_by_user = 1, in_pool = 0 WHERE id = ? AND in_pool = 1");
    u.bind(1, rep);
    u.bind(2, customer);
    if (u.exec() == 0) return false;
    log_owner(customer, rep, now, "claimed from the pool");
    return true;
}

void Crm::assign(int64_t customer, const std::string& rep, int64_t now) {
    SQLite::Statement& u = sql("UPDATE customers SET owner = ?, owner_by_user = 1, in_pool = 0 WHERE id = ?");
    u.bind(1, rep);
    u.bind(2, customer);
    if (u.exec() == 0) throw std::runtime_error("no customer " + std::to_string(customer));
    log_owner(customer, rep, now, "assigned by a manager");
}

bool Crm::rename(int64_t customer, const std::string& name) {
    SQLite::Statement& u = sql("UPDATE customers SET name = ?, named_by_user = 1 WHERE id = ?");
    u.bind(1, name);
    u.bind(2, customer);
    return u.exec() > 0;
}

bool Crm::merge(int64_t from, int64_t into) {
    if (from == into) return false;
    SQLite::Statement& both = sql("SELECT COUNT(*) FROM customers WHERE id IN (?, ?)");
    both.bind(1, from);
    both.bind(2, into);
    if (!both.executeStep() || both.getColumn(0).getInt() != 2) return false;
    for (const char* text : {"UPDATE contacts SET customer = ?2, by_user = 1 WHERE customer = ?1",
                             "UPDATE customer_domains SET customer = ?2 WHERE customer = ?1",
                             "UPDATE documents SET customer = ?2 WHERE customer = ?1",
                             "UPDATE conflicts SET customer = ?2 WHERE customer = ?1",
                             "UPDATE customer_owners SET customer = ?2 WHERE customer = ?1",
                             "UPDATE customers SET named_by_user = 1 WHERE id = ?2",
                             "DELETE FROM message_customers WHERE customer = ?1",
                             "DELETE FROM customers WHERE id = ?1"}) {
        SQLite::Statement& q = sql(text);
        q.bind(1, from);
        if (q.getBindParameterCount() >= 2) q.bind(2, into);
        q.exec();
    }
    return true;
}

bool Crm::move_contact(const std::string& address, int64_t to) {
    SQLite::Statement& u = sql("UPDATE contacts SET customer = ?, by_user = 1 WHERE address = ? "
                               "AND EXISTS (SELECT 1 FROM customers WHERE id = ?)");
    u.bind(1, to);
    u.bind(2, to_lower(address));
    u.bind(3, to);
    return u.exec() > 0;
}

int64_t Crm::split(const std::vector<std::string>& addresses, const std::string& name) {
    int64_t id = new_customer(name, "company", true);
    size_t moved = 0;
    for (const auto& a : addresses) moved += move_contact(a, id) ? 1 : 0;
    if (!moved) {
        SQLite::Statement& del = sql("DELETE FROM customers WHERE id = ?");
        del.bind(1, id);
        del.exec();
        return 0;
    }
    return id;
}

namespace {

// What a user may write into a document's fields; throws std::invalid_argument saying what is wrong.
void check_document_field(const std::string& field, const std::string& value) {
    static const std::set<std::string> statuses = {"draft", "sent", "received", "confirmed", "cancelled", "paid", "shipped", "closed"};
    static const std::set<std::string> types = {"quotation", "proforma_invoice", "purchase_order", "contract", "commercial_invoice",
                                                "packing_list", "bill_of_lading", "letter_of_credit", "other"};
    auto list = [](const std::set<std::string>& s) {
        std::string out;
        for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
        return out;
    };
    if (field == "status" && !statuses.count(value))
        throw std::invalid_argument("a document's status is one of " + list(statuses) + ", not \"" + value + "\"");
    if (field == "type" && !types.count(value))
        throw std::invalid_argument("a document's type is one of " + list(types) + ", not \"" + value + "\"");
    if (field == "amount" && !value.empty() && !std::regex_match(value, std::regex(R"(\d{1,15}(\.\d{1,4})?)")))
        throw std::invalid_argument("an amount is a number like 12500.00 (no thousands separators), not \"" + value + "\"");
    if (field == "currency" && !value.empty() && !std::regex_match(value, std::regex("[A-Z]{3}")))
        throw std::invalid_argument("a currency is a three-letter ISO 4217 code like USD, EUR or CNY, not \"" + value + "\"");
    if (field == "number" && !std::regex_match(value, std::regex(R"([A-Za-z0-9][A-Za-z0-9/\-]{2,39})")))
        throw std::invalid_argument("a document number is 3-40 letters, digits, '-' or '/', not \"" + value + "\"");
}

}  // namespace

bool Crm::edit_document(const std::string& number, const std::string& field, const std::string& value) {
    const char* text = field == "status"     ? "UPDATE documents SET status = ?, edited = 1 WHERE number = ?"
                       : field == "amount"   ? "UPDATE documents SET amount = ?, edited = 1 WHERE number = ?"
                       : field == "currency" ? "UPDATE documents SET currency = ?, edited = 1 WHERE number = ?"
                       : field == "type"     ? "UPDATE documents SET type = ?, edited = 1 WHERE number = ?"
                       : field == "customer" ? "UPDATE documents SET customer = CAST(? AS INTEGER), edited = 1 WHERE number = ? "
                                               "AND EXISTS (SELECT 1 FROM customers WHERE id = CAST(?1 AS INTEGER))"
                                             : nullptr;
    if (!text) return false;
    check_document_field(field, value);
    SQLite::Statement& u = sql(text);
    u.bind(1, value);
    u.bind(2, number);
    return u.exec() > 0;
}

bool Crm::create_document(const std::string& number, const std::string& type, int64_t customer, const std::string& status,
                          int64_t now) {
    check_document_field("number", number);
    check_document_field("type", type);
    check_document_field("status", status);
    if (customer) {
        SQLite::Statement& q = sql("SELECT 1 FROM customers WHERE id = ?");
        q.bind(1, customer);
        if (!q.executeStep()) throw std::invalid_argument("no customer " + std::to_string(customer));
    }
    SQLite::Statement& ins = sql("INSERT OR IGNORE INTO documents(number, type, customer, status, edited, first_seen) "
                                 "VALUES (?, ?, ?, ?, 1, ?)");
    ins.bind(1, number);
    ins.bind(2, type);
    if (customer) ins.bind(3, customer);
    else ins.bind(3);
    ins.bind(4, status);
    ins.bind(5, now);
    return ins.exec() > 0;
}

}  // namespace tw
