#include "mail/address.h"

#include "mail/strutil.h"

namespace tw {
namespace {

// Splits at top-level separators: ',' between mailboxes, ':' opening a group
// and ';' closing it. Quotes, comments and angle brackets are respected.
struct Piece {
    std::string text;
    std::string group;
};

// Where an RFC 2047 encoded word starting at i ends (one past its "?="), or 0
// if none starts there. Broken clients put "(", "<" or "," inside Q-encoded
// words (ISO-2022-JP's "ESC ( B"): they are text, not structure.
size_t encoded_word_end(std::string_view s, size_t i) {
    if (s.substr(i, 2) != "=?") return 0;
    size_t q1 = s.find('?', i + 2);  // after the charset
    if (q1 == std::string_view::npos || q1 + 2 >= s.size() || s[q1 + 2] != '?') return 0;
    size_t end = s.find("?=", q1 + 3);
    if (end == std::string_view::npos || end - i > 512) return 0;
    for (size_t k = i; k < end; ++k)
        if (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' || s[k] == '\n') return 0;
    return end + 2;
}

std::vector<Piece> split_mailboxes(std::string_view s) {
    std::vector<Piece> out;
    std::string cur, group;
    bool in_group = false;
    bool cur_has_at = false;  // kept as we go: searching cur at every ':' would be quadratic
    int angle = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (size_t ew = encoded_word_end(s, i)) {
            cur.append(s.substr(i, ew - i));
            i = ew - 1;
            continue;
        }
        if (c == '"') {
            size_t j = i + 1;
            while (j < s.size() && s[j] != '"') j += (s[j] == '\\') ? 2 : 1;
            std::string_view run = s.substr(i, std::min(j + 1, s.size()) - i);
            cur_has_at = cur_has_at || run.find('@') != std::string_view::npos;
            cur.append(run);
            i = std::min(j, s.size());
            continue;
        }
        if (c == '(') {
            int depth = 0;
            size_t j = i;
            for (; j < s.size(); ++j) {
                if (s[j] == '\\') { ++j; continue; }
                if (s[j] == '(') ++depth;
                else if (s[j] == ')' && --depth == 0) break;
            }
            std::string_view run = s.substr(i, std::min(j + 1, s.size()) - i);
            cur_has_at = cur_has_at || run.find('@') != std::string_view::npos;
            cur.append(run);
            i = std::min(j, s.size());
            continue;
        }
        if (c == '<') ++angle;
        if (c == '>' && angle > 0) --angle;
        if (angle == 0 && c == ':' && !in_group && !cur_has_at) {
            // "Group name: a, b;"  (an "@" before ':' would be a route or a broken address)
            group = std::string(trim(cur));
            in_group = true;
            cur.clear();
            cur_has_at = false;
            continue;
        }
        if (angle == 0 && (c == ',' || (c == ';' && in_group) || (c == ';' && !in_group))) {
            out.push_back({cur, group});
            cur.clear();
            cur_has_at = false;
            if (c == ';') {
                in_group = false;
                group.clear();
            }
            continue;
        }
        if (c == '@') cur_has_at = true;
        cur += c;
    }
    out.push_back({cur, group});
    return out;
}

// The words of a phrase: quoted strings unquoted, comments set aside.
void phrase_words(std::string_view s, std::string& words, std::string& comments) {
    auto add = [](std::string& to, std::string_view w) {
        if (w.empty()) return;
        if (!to.empty()) to += ' ';
        to.append(w);
    };
    std::string atom;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (size_t ew = encoded_word_end(s, i)) {
            atom.append(s.substr(i, ew - i));
            i = ew - 1;
            continue;
        }
        if (c == '"') {
            add(words, atom);
            atom.clear();
            std::string q;
            size_t j = i + 1;
            for (; j < s.size() && s[j] != '"'; ++j) {
                if (s[j] == '\\' && j + 1 < s.size()) ++j;
                q += s[j];
            }
            add(words, trim(q));
            i = j;
        } else if (c == '(') {
            add(words, atom);
            atom.clear();
            std::string com;
            int depth = 0;
            size_t j = i;
            for (; j < s.size(); ++j) {
                if (s[j] == '\\' && j + 1 < s.size()) { com += s[++j]; continue; }
                if (s[j] == '(' && depth++ == 0) continue;
                if (s[j] == ')' && --depth == 0) break;
                com += s[j];
            }
            add(comments, trim(com));
            i = j;
        } else if (is_wsp(c)) {
            add(words, atom);
            atom.clear();
        } else {
            atom += c;
        }
    }
    add(words, atom);
}

std::string clean_addr(std::string_view a) {
    std::string out;
    // Drop comments and white space inside the address; drop a route ("@a,@b:").
    int depth = 0;
    for (char c : a) {
        if (c == '(') { ++depth; continue; }
        if (c == ')' && depth) { --depth; continue; }
        if (depth || is_wsp(c)) continue;
        out += c;
    }
    if (!out.empty() && out[0] == '@') {
        if (auto colon = out.find(':'); colon != std::string::npos) out.erase(0, colon + 1);
    }
    while (!out.empty() && (out.back() == '.' || out.back() == '>' || out.back() == '\'')) out.pop_back();
    while (!out.empty() && (out.front() == '<' || out.front() == '\'')) out.erase(0, 1);
    if (out.starts_with("mailto:") || out.starts_with("MAILTO:")) out.erase(0, 7);
    return out;
}

Address make(std::string name_raw, std::string addr, const std::string& group, const HeaderDecodeContext& ctx) {
    Address a;
    std::string words, comments;
    phrase_words(name_raw, words, comments);
    a.name = decode_header_text(words, ctx);
    std::string com = decode_header_text(comments, ctx);
    if (a.name.empty()) a.name = com;
    else if (!com.empty()) a.name += " (" + com + ")";
    a.address = decode_header_text(clean_addr(addr), ctx);
    a.normalized = to_lower(a.address);
    a.group = decode_header_text(group, ctx);
    return a;
}

}  // namespace

std::vector<Address> parse_address_list(std::string_view raw, const HeaderDecodeContext& ctx) {
    std::vector<Address> out;
    std::string unfolded = unfold(raw);
    for (auto& piece : split_mailboxes(unfolded)) {
        std::string_view t = trim(piece.text);
        if (t.empty()) continue;
        size_t lt = std::string_view::npos;
        // Find a top-level '<' (outside quotes and comments).
        for (size_t i = 0, depth = 0; i < t.size(); ++i) {
            if (size_t ew = depth ? 0 : encoded_word_end(t, i)) {
                i = ew - 1;
                continue;
            }
            if (t[i] == '"') { for (++i; i < t.size() && t[i] != '"'; ++i) if (t[i] == '\\') ++i; continue; }
            if (t[i] == '(') ++depth;
            else if (t[i] == ')' && depth) --depth;
            else if (t[i] == '<' && !depth) { lt = i; break; }
        }
        if (lt != std::string_view::npos) {
            size_t gt = t.find('>', lt);
            std::string_view addr = t.substr(lt + 1, (gt == std::string_view::npos ? t.size() : gt) - lt - 1);
            std::string name(t.substr(0, lt));
            if (gt != std::string_view::npos && gt + 1 < t.size()) {
                name += ' ';
                name.append(t.substr(gt + 1));
            }
            Address a = make(name, std::string(addr), piece.group, ctx);
            if (!a.address.empty() || !a.name.empty()) out.push_back(std::move(a));
            continue;
        }
        // No angle brackets: "addr", "addr (Name)", or "Name addr" from broken clients.
        std::string words, comments;
        phrase_words(t, words, comments);
        std::string addr, name;
        size_t start = 0;
        std::string_view ws(words);
        while (start <= ws.size()) {
            size_t sp = ws.find(' ', start);
            std::string_view w = ws.substr(start, sp == std::string_view::npos ? ws.npos : sp - start);
            if (addr.empty() && w.find('@') != std::string_view::npos && !w.starts_with("=?")) addr = std::string(w);
            else {
                if (!name.empty()) name += ' ';
                name += w;
            }
            if (sp == std::string_view::npos) break;
            start = sp + 1;
        }
        // No '@' at all ("From: Whomever"): a name without an address, as Stalwart reads it.
        if (!comments.empty()) name = name.empty() ? "(" + comments + ")" : name + " (" + comments + ")";
        Address a = make(name, addr, piece.group, ctx);
        if (!a.address.empty() || !a.name.empty()) out.push_back(std::move(a));
    }
    return out;
}

std::string format_addresses(const std::vector<Address>& list) {
    std::string s;
    for (const auto& a : list) s += (s.empty() ? "" : ", ") + (a.name.empty() ? a.address : a.name + " <" + a.address + ">");
    return s;
}

}  // namespace tw
