#include "crm/rules.h"

#include <algorithm>
#include <cmath>
#include <cctype>
#include <set>
#include <tuple>

#include "mail/strutil.h"

namespace tw::rules {

bool is_internal(std::string_view domain, const std::vector<std::string>& internal) {
    for (const auto& d : internal)
        if (domain == d || (domain.size() > d.size() && domain.ends_with(d) && domain[domain.size() - d.size() - 1] == '.'))
            return true;
    return false;
}

std::string rep_of(const std::vector<Party>& parties, const std::string& mailbox, const std::vector<std::string>& internal) {
    for (const auto& p : parties)
        if (is_internal(address_domain(p.address), internal)) return p.address;
    return mailbox;
}

std::optional<OwnerChange> owner_after(const Ownership& now, const std::string& rep, int64_t date) {
    if (rep.empty() || now.by_user) return std::nullopt;
    if (now.first_contact != 0 && now.first_contact <= date) return std::nullopt;  // an earlier mail decided
    OwnerChange c{rep, date, ""};
    if (now.owner != rep) c.reason = now.owner.empty() ? "first correspondent" : "earlier correspondence found";
    return c;
}

std::vector<Release> due_for_pool(const std::vector<OwnedCustomer>& owned, int64_t now, int days, int64_t pool_since) {
    std::vector<Release> out;
    const int64_t span = int64_t(days) * 86400;
    for (const auto& c : owned) {
        if (c.owner.empty()) continue;
        int64_t last = c.last_sent.value_or(c.first_contact);
        if (c.owner_since) last = std::max(last, *c.owner_since);
        last = std::max(last, pool_since);
        if (last + span < now)
            out.push_back({c.id, c.owner, last + span,
                           "released to the pool: " + c.owner + " sent nothing for " + std::to_string(days) + " days"});
    }
    return out;
}

std::vector<Conflict> find_conflicts(const std::vector<FirmMail>& sent, const std::map<int64_t, int64_t>& opener,
                                     const std::vector<Quotation>& quotes, const std::vector<std::string>& internal) {
    std::vector<Conflict> out;
    for (const auto& m : sent) {
        if (!is_internal(address_domain(m.from), internal) || m.owner.empty() || m.from == m.owner) continue;
        auto it = opener.find(m.thread);
        if (it != opener.end() && it->second == m.message)
            out.push_back({m.customer, m.from, m.owner, "not_owner", m.message, 0, m.date});
    }
    std::map<int64_t, std::pair<std::string, int64_t>> first;  // customer -> (rep, message) of its first quotation
    for (const auto& q : quotes) {
        if (!is_internal(address_domain(q.from), internal)) continue;  // the customer's own mail quoting back
        auto [it, fresh] = first.try_emplace(q.customer, q.from, q.message);
        if (!fresh && it->second.first != q.from)
            out.push_back({q.customer, q.from, it->second.first, "double_quote", q.message, it->second.second, q.date});
    }
    return out;
}

std::string first_status(bool sent_by_firm) { return sent_by_firm ? "sent" : "received"; }

bool sighting_decides(const std::optional<DocumentState>& known, int64_t date) {
    return !known || (!known->edited && date < known->first_seen);
}

std::optional<size_t> takes_total(const std::vector<DocMention>& docs) {
    for (size_t i = 0; i < docs.size(); ++i)
        if (docs[i].type != "packing_list" && docs[i].type != "bill_of_lading") return i;
    return std::nullopt;
}

std::optional<Role> role_named(std::string_view name) {
    if (name == "rep") return Role::Rep;
    if (name == "manager") return Role::Manager;
    if (name == "auditor") return Role::Auditor;
    if (name == "admin") return Role::Admin;
    return std::nullopt;
}

bool sees_all_mail(Role r) { return r == Role::Auditor || r == Role::Admin; }
bool may_change(Role r) { return r != Role::Auditor; }
bool changes_everything(Role r) { return r == Role::Admin; }
bool manages_users(Role r) { return r == Role::Admin; }
bool always_audited(Role r) { return r == Role::Auditor; }
bool reads_audit(Role r) { return r == Role::Auditor || r == Role::Admin; }

Awaiting awaiting(std::vector<FlowMessage> messages, bool finished) {
    std::stable_sort(messages.begin(), messages.end(),
                     [](const FlowMessage& a, const FlowMessage& b) { return std::tie(a.date, a.row) < std::tie(b.date, b.row); });
    for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
        if (it->dir == FlowMessage::Dir::Internal || it->automated) continue;  // not customer-facing
        if (it->dir == FlowMessage::Dir::In) return {"reply_due", it->row, it->date};
        if (finished) return {};
        return {"customer_silent", it->row, it->date};
    }
    return {};
}

namespace {

// Legal forms, as the last word(s) of a company's name (ASCII ones compared without case or a final dot).
constexpr std::string_view kLegalWords[] = {"gmbh", "ag", "kg", "ltd", "limited", "llc", "inc", "corp", "corporation", "co",
                                             "s.r.l", "srl", "s.p.a", "s.a", "b.v", "bv", "n.v", "oy", "a/s", "pty", "plc",
                                             "sarl", "s.a.r.l", "k.k", "bhd", "pte", "ltda", "s.l", "oü", "o.o"};
// Words of a sentence, not of a name ("we are Hongda Trading Co., Ltd.").
constexpr std::string_view kSentenceWords[] = {"we", "our", "is", "are", "am", "please", "thank", "thanks", "regards", "dear",
                                                "you", "your", "i", "will", "would", "from", "of the", "for"};
constexpr std::string_view kLegalCjk[] = {"有限公司", "股份公司", "集团", "株式会社", "有限会社", "商事", "商社", "贸易公司", "公司"};

std::string clean_company(std::string_view s) {
    std::string out(trim(s));
    while (!out.empty() && (out.back() == ',' || out.back() == ';' || out.back() == ':')) out.pop_back();
    while (!out.empty() && (out.front() == '-' || out.front() == '|' || out.front() == '*')) out.erase(0, 1);
    return std::string(trim(out));
}

bool has_legal_form(std::string_view line) {
    for (auto w : kLegalCjk)
        if (line.find(w) != std::string_view::npos) return true;
    std::string lower = to_lower(std::string(line));
    for (char& ch : lower)
        if (ch == ',' || ch == '(' || ch == ')') ch = ' ';
    std::vector<std::string> words;
    for (auto w : split_trimmed(lower, ' '))
        if (!w.empty()) words.emplace_back(w);
    if (words.size() < 2) return false;  // a legal form alone names nobody
    for (const auto& w : words)
        for (auto stop : kSentenceWords)
            if (w == stop) return false;
    std::string last = words.back();  // the legal form ends the name
    while (!last.empty() && (last.back() == '.' || last.back() == ',')) last.pop_back();
    for (auto form : kLegalWords)
        if (last == form) return true;
    return false;
}

bool plausible_name(std::string_view line) {
    if (line.size() < 3 || line.size() > 80) return false;
    auto first = static_cast<unsigned char>(line[0]);
    if (first < 0x80 && !((first >= 'A' && first <= 'Z') || (first >= '0' && first <= '9'))) return false;
    for (std::string_view bad : {"@", "http", "www.", "tel", "fax", "phone", "mobile", "电话", "传真", "手机", "地址", "add:",
                                 "address", "wrote", "写道", "from:", "to:", "subject:"})
        if (to_lower(std::string(line)).find(bad) != std::string::npos) return false;
    size_t digits = 0, words = 1;
    for (char ch : line) digits += ch >= '0' && ch <= '9', words += ch == ' ';
    return digits <= 2 && words <= 8;
}

}  // namespace

std::string_view own_words(std::string_view text) {
    size_t end = text.size();
    for (size_t b = 0; b < text.size();) {
        size_t e = std::min(text.find('\n', b), text.size());
        std::string_view line = trim(text.substr(b, e - b));
        if (line.starts_with(">") || line.starts_with("-----Original") || line.starts_with("-----原始") ||
            line.find("原始邮件") != std::string_view::npos || line.starts_with("发件人") || line.starts_with("From: ") ||
            (line.starts_with("On ") && line.ends_with("wrote:")) || line.starts_with("________________") ||
            (line.starts_with("Am ") && line.ends_with("schrieb:"))) {
            end = b;
            break;
        }
        b = e + 1;
    }
    return text.substr(0, end);
}

namespace {

bool holds_any(const std::string& lower, std::initializer_list<std::string_view> words) {
    for (auto w : words)
        if (lower.find(w) != std::string::npos) return true;
    return false;
}

// "ok" as a word of its own (not "okay-ish" inside "broken", "token").
bool says_ok(const std::string& lower) {
    for (size_t p = lower.find("ok"); p != std::string::npos; p = lower.find("ok", p + 1)) {
        bool start = p == 0 || !std::isalpha(static_cast<unsigned char>(lower[p - 1]));
        bool end = p + 2 >= lower.size() || !std::isalpha(static_cast<unsigned char>(lower[p + 2]));
        if (start && end) return true;
    }
    return false;
}

}  // namespace

bool asks_approval(std::string_view subject, std::string_view text) {
    std::string lower = to_lower(std::string(subject) + "\n" + std::string(own_words(text)));
    return holds_any(lower, {"approve", "approval", "please confirm", "审批", "请批准", "请审核", "請核准", "請審批", "核准",
                             "承認お願い", "ご承認", "freigabe", "genehmigung"});
}

Decision decision_in(std::string_view text) {
    std::string own(trim(own_words(text)));
    std::string lower = to_lower(own);
    Decision d;
    if (holds_any(lower, {"not approved", "not approve", "rejected", "reject", "disapprove", "declined", "don't send",
                          "do not send", "不同意", "驳回", "駁回", "不批准", "拒绝", "不可以", "不能发", "不行", "重新报价",
                          "価格が低すぎる", "却下", "承認できません", "nicht freigegeben", "abgelehnt"}))
        d.outcome = "rejected";
    else if (holds_any(lower, {"approved", "approve", "go ahead", "lgtm", "同意", "批准", "可以发", "可以", "承認します",
                               "承認", "freigegeben", "einverstanden"}) || says_ok(lower))
        d.outcome = "approved";
    if (d.outcome == "rejected") {
        for (char& ch : own)
            if (ch == '\n' || ch == '\r') ch = ' ';
        d.comment = own.substr(0, 500);
    }
    return d;
}

FlowMessage::Dir direction_of(std::string_view from, bool from_internal, bool outside_party) {
    using D = FlowMessage::Dir;
    if (from.find('@') == std::string_view::npos) return D::Internal;
    if (!from_internal) return D::In;
    return outside_party ? D::Out : D::Internal;
}

std::vector<Response> first_responses(std::vector<FlowMessage> flow) {
    std::stable_sort(flow.begin(), flow.end(), [](const FlowMessage& x, const FlowMessage& y) {
        return std::tie(x.date, x.row) < std::tie(y.date, y.row);
    });
    std::vector<Response> out;
    size_t answered = 0;  // out[answered..] wait for the next reply
    for (const auto& m : flow) {
        if (m.automated) continue;
        if (m.dir == FlowMessage::Dir::In) out.push_back({m.row, m.date, 0, 0});
        if (m.dir == FlowMessage::Dir::Out) {
            for (; answered < out.size(); ++answered) out[answered].reply = m.row, out[answered].replied_at = m.date;
        }
    }
    return out;
}

double median_of(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double percentile_of(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t rank = size_t(std::ceil(p * double(v.size())));
    return v[std::min(v.size(), std::max<size_t>(rank, 1)) - 1];
}

bool revises(std::string_view subject, std::string_view text) {
    std::string lower = to_lower(std::string(subject) + "\n" + std::string(own_words(text)));
    return holds_any(lower, {"replaces", "replacing", "revised", "revision", "disregard", "supersedes", "instead of",
                             "替换", "取代", "修改后", "更新后", "改版", "差し替え", "改訂"});
}

bool same_amount(const std::string& a, const std::string& b) {
    if (a == b) return true;
    if (a.empty() || b.empty()) return false;
    return std::abs(std::atof(a.c_str()) - std::atof(b.c_str())) < 0.005;
}

ApprovalRun replay_approval(std::vector<ApprovalEvent> events, const std::vector<std::string>& chain,
                            const std::string& amount, const std::string& currency) {
    using E = ApprovalEvent;
    auto rank = [](E::Kind k) { return k == E::Stated ? 1 : k == E::Sent ? 2 : 0; };
    std::stable_sort(events.begin(), events.end(), [&](const E& x, const E& y) {
        return std::make_pair(x.at, rank(x.kind)) < std::make_pair(y.at, rank(y.kind));
    });
    ApprovalRun r;
    r.amount = amount, r.currency = currency;
    auto approver = [&] { return size_t(r.tier) <= chain.size() ? chain[size_t(r.tier) - 1] : std::string(); };
    auto step = [&](const E& e, const std::string& state, const std::string& reason = {}) {
        r.state = state;
        r.steps.push_back({e.at, e.message, state, approver(), e.actor, e.message ? "mail" : "web", e.comment, reason, r.tier});
    };
    auto breach = [&](const std::string& kind, const E& e) {
        for (const auto& b : r.breaches)
            if (b.kind == kind) return;
        r.breaches.push_back({kind, e.at, e.message});
    };
    for (const auto& e : events) {
        switch (e.kind) {
        case E::Request:
            if (r.state == "superseded" || r.state == "approved" || (r.state == "pending" && !r.changed)) break;
            r.tier = 1, r.changed = false, r.rep = e.actor, r.requested = e.at, r.request_message = e.message, r.reason.clear();
            r.via = e.message ? "mail" : "web";
            if (!e.sha256.empty()) r.sha256 = e.sha256, r.words = e.words;
            step(e, "pending");
            break;
        case E::Approve:
        case E::Reject: {
            if (r.state != "pending" || (!e.any_tier && e.actor != approver())) break;
            r.outcome = e.kind == E::Approve ? "approved" : "rejected";
            r.decided = e.at, r.decision_message = e.message, r.comment = e.comment, r.via = e.message ? "mail" : "web";
            if (e.kind == E::Reject) {
                r.changed = false;
                step(e, "rejected");
            } else if (size_t(r.tier) < chain.size()) {
                step(e, "approved_tier");  // this tier's approval, the next tier asked
                ++r.tier;
                r.state = "pending";
                r.steps.push_back({e.at, e.message, "pending", approver(), e.actor, r.via, "", "", r.tier});
                r.outcome.clear();
            } else {
                r.changed = false, r.reason.clear();
                r.approved_amount = r.amount, r.approved_currency = r.currency, r.approved_sha256 = r.sha256, r.approved_words = r.words;
                step(e, "approved");
            }
            break;
        }
        case E::Withdraw:
            if (r.state != "pending") break;
            r.tier = 1;
            step(e, "withdrawn");
            break;
        case E::Revised:
            if (r.state == "superseded" || r.state == "withdrawn") break;
            if (e.says_revision || r.state == "rejected") {
                r.superseded_by = e.by_document;
                step(e, "superseded", "revised as " + e.by_document);
            }
            break;
        case E::Stated:
            if (r.state == "approved" && !(same_amount(e.amount, r.approved_amount) && e.currency == r.approved_currency)) {
                r.changed = true, r.tier = 1;
                r.reason = "changed after approval: " + r.approved_amount + " " + r.approved_currency + " -> " + e.amount + " " +
                           e.currency;
                r.outcome.clear();
                step(e, "pending", r.reason);
            }
            r.amount = e.amount, r.currency = e.currency;
            break;
        case E::Sent:
            if (r.state == "not_requested" || r.state == "withdrawn") breach("sent_without_request", e);
            else if (r.state == "pending") breach(r.changed ? "changed_after_approval" : "sent_before_approval", e);
            else if (r.state == "rejected") breach("sent_after_rejection", e);
            else if (r.state == "approved" && !e.words.empty() && !r.approved_words.empty() && e.words != r.approved_words)
                breach("changed_after_approval", e);  // (an attachment without text, a truncated PDF say, tells nothing)
            break;
        }
    }
    return r;
}

std::optional<double> convert(double amount, const std::string& from, const std::string& to,
                              const std::map<std::string, double>& rates) {
    auto rate = [&](const std::string& c) -> std::optional<double> {
        auto it = rates.find(c);
        if (it != rates.end() && it->second > 0) return it->second;
        if (c == "USD") return 1.0;
        return std::nullopt;
    };
    if (from == to) return amount;
    auto a = rate(from), b = rate(to);
    if (!a || !b) return std::nullopt;
    return amount * *a / *b;
}

std::string company_from(std::string_view display_name, std::string_view text) {
    // The display name: "Person (Company)", "Company - Person", "Person | Company", or the company itself.
    std::string name(trim(display_name));
    if (!name.empty()) {
        std::vector<std::string> parts;
        size_t open = name.find('('), close = name.rfind(')');
        if (open != std::string::npos && close != std::string::npos && close > open) parts.push_back(name.substr(open + 1, close - open - 1));
        for (std::string_view sep : {" - ", " | ", " / ", " – "}) {
            size_t at = name.find(sep);
            if (at != std::string::npos) parts.push_back(name.substr(0, at)), parts.push_back(name.substr(at + sep.size()));
        }
        parts.push_back(name);
        for (const auto& p : parts)
            if (has_legal_form(p) && plausible_name(p)) return clean_company(p);
    }
    // The signature: the last lines of the sender's own words (above any quote).
    std::string_view own = own_words(text);
    std::vector<std::string_view> lines;
    for (size_t b = 0; b < own.size();) {
        size_t e = std::min(own.find('\n', b), own.size());
        std::string_view line = trim(own.substr(b, e - b));
        b = e + 1;
        if (!line.empty()) lines.push_back(line);
    }
    size_t from = lines.size() > 8 ? lines.size() - 8 : 0;
    for (size_t k = from; k < lines.size(); ++k)
        if (has_legal_form(lines[k]) && plausible_name(lines[k])) return clean_company(lines[k]);
    return "";
}

std::string automated_by(std::string_view header, std::string_view from) {
    std::string h(1, '\n');  // once: every field name then starts a line
    h.append(to_lower(header));
    auto field = [&](std::string_view name) -> std::string {
        std::string key(1, '\n');
        key.append(name).push_back(':');
        size_t p = h.find(key);
        if (p == std::string::npos) return "-";  // absent
        size_t start = p + key.size(), end = h.find('\n', start);
        return std::string(trim(std::string_view(h).substr(start, end == std::string::npos ? std::string::npos : end - start)));
    };
    std::string auto_submitted = field("auto-submitted");
    if (auto_submitted != "-" && auto_submitted != "no") return "Auto-Submitted: " + auto_submitted;
    std::string precedence = field("precedence");
    if (precedence == "bulk" || precedence == "list" || precedence == "junk" || precedence == "auto_reply")
        return "Precedence: " + precedence;
    if (field("list-id") != "-") return "List-Id";
    if (field("list-unsubscribe") != "-") return "List-Unsubscribe";
    if (field("x-autoreply") != "-" || field("x-autorespond") != "-" || field("x-auto-response-suppress") == "all")
        return "an auto-reply header";
    std::string type = field("content-type");
    if (type.find("multipart/report") != std::string::npos) return "a delivery or read report";
    std::string sender = to_lower(from);
    std::string local = sender.substr(0, sender.find('@'));
    if (local == "mailer-daemon" || local == "postmaster" || local == "noreply" || local == "no-reply" || local == "donotreply")
        return "sent by " + local;
    return "";
}

}  // namespace tw::rules
