#include "crm/documents.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "mail/codec.h"
#include "mail/docnum.h"
#include "mail/error.h"
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
            throw InvalidError(std::string("doc_patterns is not JSON: ") + e.what());
        }
        if (!j.is_object()) throw InvalidError("doc_patterns wants {\"type\": [\"regex\", ...]}");
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (!it.value().is_array()) throw InvalidError("doc_patterns: " + it.key() + " wants a list of patterns");
            for (const auto& r : it.value()) {
                if (!r.is_string()) throw InvalidError("doc_patterns: " + it.key() + ": a pattern must be a string");
                try {
                    p->rules.emplace_back(it.key(), std::regex(r.get<std::string>(), std::regex::ECMAScript | std::regex::optimize));
                } catch (const std::regex_error& e) {
                    throw InvalidError("doc_patterns: " + it.key() + ": bad pattern " + r.get<std::string>() + " (" +
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

std::string words_hash(std::string_view text) {
    std::string flat;
    flat.reserve(text.size());
    for (char ch : text)
        if (!std::isspace(static_cast<unsigned char>(ch))) flat += ch;
    return flat.empty() ? std::string() : sha256_hex(flat);
}

std::vector<DocMention> trade_documents(const Message& m) {
    std::vector<DocMention> out;
    std::set<std::pair<std::string, std::string>> seen;
    auto custom = custom_patterns();
    auto scan = [&](std::string_view text, const char* place, const std::string& sha256 = {}) {
        for (auto& n : doc_numbers(text, 1u << 18)) {
            std::string type = doc_type(n);
            if (!type.empty() && seen.emplace(n, place).second) out.push_back({std::move(n), std::move(type), place, sha256, ""});
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
                    if (seen.emplace(tok, place).second) out.push_back({tok, type, place, sha256, ""});
                    break;
                }
        }
    };
    scan(m.subject, "subject");
    scan(m.text, "body");
    std::function<void(const std::vector<Attachment>&)> walk = [&](const std::vector<Attachment>& atts) {
        for (const auto& a : atts) {
            size_t before = out.size();
            scan(a.filename, "filename", a.sha256);
            scan(a.text, "attachment", a.sha256);
            if (out.size() > before && !a.text.empty()) {  // it names a document: the hash of its words too
                std::string words = words_hash(a.text);
                for (size_t k = before; k < out.size(); ++k) out[k].words = words;
            }
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

std::optional<Money> total_of(const Message& m) {
    std::optional<Money> total = stated_total(m.text);
    for (size_t k = 0; !total && k < m.attachments.size(); ++k) total = stated_total(m.attachments[k].text);
    return total;
}

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
        throw InvalidError("a document's status is one of " + list(statuses) + ", not \"" + value + "\"");
    if (field == "type" && !types.count(value))
        throw InvalidError("a document's type is one of " + list(types) + ", not \"" + value + "\"");
    if (field == "amount" && !value.empty() && !std::regex_match(value, std::regex(R"(\d{1,15}(\.\d{1,4})?)")))
        throw InvalidError("an amount is a number like 12500.00 (no thousands separators), not \"" + value + "\"");
    if (field == "currency" && !value.empty() && !std::regex_match(value, std::regex("[A-Z]{3}")))
        throw InvalidError("a currency is a three-letter ISO 4217 code like USD, EUR or CNY, not \"" + value + "\"");
    if (field == "number" && !std::regex_match(value, std::regex(R"([A-Za-z0-9][A-Za-z0-9/\-]{2,39})")))
        throw InvalidError("a document number is 3-40 letters, digits, '-' or '/', not \"" + value + "\"");
}


}  // namespace tw
