#include "daemon/imap/imap_response.h"

#include <cstring>

#include "mail/strutil.h"

namespace tw::imap {
namespace {

// The literal announced at the end of line [b, e) ("{123}" or "{123+}"), or nullopt.
std::optional<uint64_t> literal_at_end(std::string_view line) {
    if (line.empty() || line.back() != '}') return std::nullopt;
    size_t open = line.rfind('{');
    if (open == std::string_view::npos) return std::nullopt;
    std::string_view digits = line.substr(open + 1, line.size() - open - 2);
    if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
    if (digits.empty() || digits.size() > 12) return std::nullopt;
    uint64_t n = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + uint64_t(c - '0');
    }
    return n;
}

class Parser {
public:
    Parser(std::string_view s, const ReaderLimits& lim) : s_(s), lim_(lim) {}

    Response response() {
        Response r;
        if (peek() == '+') {
            ++p_;
            if (peek() == ' ') ++p_;
            r.kind = Response::Kind::Continuation;
            r.text = rest_of_line();
            return r;
        }
        if (peek() == '*') {
            ++p_;
            expect(' ');
            r.kind = Response::Kind::Untagged;
        } else {
            r.kind = Response::Kind::Tagged;
            r.tag = bare_atom();
            if (r.tag.empty()) fail("a response must start with '*', '+' or a tag");
            expect(' ');
        }
        size_t mark = p_;
        std::string first = peek() == '(' || peek() == '"' || peek() == '{' ? std::string() : bare_atom();
        for (const char* st : {"OK", "NO", "BAD", "PREAUTH", "BYE"}) {
            if (iequals(first, st)) {
                r.status = st;
                status_rest(r);
                return r;
            }
        }
        if (r.kind == Response::Kind::Tagged) fail("a tagged response must be OK, NO or BAD");
        p_ = mark;
        r.data = values_to_eol();
        return r;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw ImapProtocolError("unreadable IMAP response from the server (" + what + " at byte " +
                                std::to_string(p_) + ")");
    }
    char peek() const { return p_ < s_.size() ? s_[p_] : '\0'; }
    bool at_eol() const { return p_ >= s_.size() || s_[p_] == '\r' || s_[p_] == '\n'; }
    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++p_;
    }
    void skip_eol() {
        if (peek() == '\r') ++p_;
        if (peek() == '\n') ++p_;
    }
    std::string rest_of_line() {
        size_t b = p_;
        while (!at_eol()) ++p_;
        std::string out(s_.substr(b, p_ - b));
        skip_eol();
        return out;
    }
    // A tag or status word: up to a space or the line end.
    std::string bare_atom() {
        size_t b = p_;
        while (!at_eol() && s_[p_] != ' ' && s_[p_] != '(' && s_[p_] != ')' && s_[p_] != '[') ++p_;
        return std::string(s_.substr(b, p_ - b));
    }

    // OK/NO/BAD/PREAUTH/BYE: [SP "[" code "]"] [SP text]
    void status_rest(Response& r) {
        if (peek() == ' ') ++p_;
        if (peek() == '[') {
            ++p_;
            in_code_ = true;
            while (peek() != ']') {
                if (at_eol()) fail("unterminated response code");
                if (peek() == ' ') {
                    ++p_;
                    continue;
                }
                r.code.push_back(value(0));
            }
            in_code_ = false;
            ++p_;
            if (peek() == ' ') ++p_;
        }
        r.text = rest_of_line();
        if (p_ != s_.size()) fail("data after the end of a status response");
    }

    std::vector<Value> values_to_eol() {
        std::vector<Value> out;
        while (true) {
            while (peek() == ' ') ++p_;
            if (at_eol()) break;
            out.push_back(value(0));
        }
        skip_eol();
        if (p_ != s_.size()) fail("data after the end of the response");
        return out;
    }

    Value value(size_t depth) {
        char c = peek();
        if (c == '(') return list(depth);
        if (c == '"') return quoted();
        if (c == '{') return literal();
        if (c == ')') fail("unbalanced ')'");
        return atom();
    }

    Value list(size_t depth) {
        if (depth >= lim_.max_depth) fail("lists nested too deeply");
        ++p_;
        Value v;
        v.kind = Value::Kind::List;
        while (true) {
            while (peek() == ' ') ++p_;
            if (peek() == ')') {
                ++p_;
                return v;
            }
            if (at_eol()) fail("unterminated list");
            v.items.push_back(value(depth + 1));
        }
    }

    Value quoted() {
        ++p_;
        Value v;
        v.kind = Value::Kind::String;
        while (true) {
            if (p_ >= s_.size() || s_[p_] == '\r' || s_[p_] == '\n') fail("unterminated quoted string");
            char c = s_[p_++];
            if (c == '"') return v;
            if (c == '\\') {
                if (p_ >= s_.size()) fail("unterminated quoted string");
                c = s_[p_++];
            }
            v.text += c;
        }
    }

    Value literal() {
        size_t close = s_.find('}', p_);
        if (close == std::string_view::npos) fail("unterminated literal size");
        auto n = literal_at_end(s_.substr(p_, close - p_ + 1));
        if (!n) fail("bad literal size");
        if (*n > lim_.max_literal) fail("literal over the size limit");
        p_ = close + 1;
        if (peek() == '\r') ++p_;
        expect('\n');
        if (s_.size() - p_ < *n) fail("literal cut short");
        Value v;
        v.kind = Value::Kind::String;
        v.text.assign(s_.substr(p_, size_t(*n)));
        p_ += size_t(*n);
        return v;
    }

    // An atom, a number, a flag, or a section spec such as BODY[HEADER.FIELDS (A B)]<0>.
    Value atom() {
        size_t b = p_;
        while (p_ < s_.size()) {
            char c = s_[p_];
            if (c == ' ' || c == '(' || c == ')' || c == '\r' || c == '\n' || c == '"' || c == '{') break;
            if (c == ']' && in_code_) break;
            if (c == '[' && !in_code_) {
                size_t close = s_.find(']', p_);
                size_t eol = s_.find_first_of("\r\n", p_);
                if (close == std::string_view::npos || (eol != std::string_view::npos && eol < close))
                    fail("unterminated section");
                p_ = close + 1;
                continue;
            }
            ++p_;
        }
        if (p_ == b) fail("unexpected character");
        Value v;
        v.text.assign(s_.substr(b, p_ - b));
        if (iequals(v.text, "NIL")) {
            v.kind = Value::Kind::Nil;
            v.text.clear();
        }
        return v;
    }

    std::string_view s_;
    const ReaderLimits& lim_;
    size_t p_ = 0;
    bool in_code_ = false;
};

}  // namespace

bool Value::is_atom(std::string_view name) const { return kind == Kind::Atom && iequals(text, name); }

std::optional<uint64_t> Value::number() const {
    if (kind != Kind::Atom || text.empty() || text.size() > 19) return std::nullopt;
    uint64_t n = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + uint64_t(c - '0');
    }
    return n;
}

const Value* Value::find(std::string_view name) const {
    if (kind != Kind::List) return nullptr;
    for (size_t i = 0; i + 1 < items.size(); i += 2)
        if (items[i].kind == Kind::Atom && iequals(items[i].text, name)) return &items[i + 1];
    return nullptr;
}

Response parse_response(std::string_view bytes, const ReaderLimits& limits) {
    return Parser(bytes, limits).response();
}

void ResponseReader::feed(std::string_view bytes) {
    if (pos_ > 0 && pos_ == buf_.size()) {
        buf_.clear();
        scan_ -= pos_;
        pos_ = 0;
    } else if (pos_ > (1u << 20) && pos_ > buf_.size() / 2) {
        buf_.erase(0, pos_);
        scan_ -= pos_;
        pos_ = 0;
    }
    buf_.append(bytes);
}

size_t ResponseReader::complete_end() {
    if (scan_ < pos_) scan_ = pos_;
    size_t segment = scan_;  // start of the current non-literal stretch
    while (true) {
        const char* base = buf_.data();
        const void* nl = std::memchr(base + scan_, '\n', buf_.size() - scan_);
        if (!nl) {
            if (buf_.size() - segment > limits_.max_line)
                throw ImapProtocolError("the server sent a line over " + std::to_string(limits_.max_line) + " bytes");
            return std::string::npos;
        }
        size_t eol = size_t(static_cast<const char*>(nl) - base);
        if (eol - segment > limits_.max_line)
            throw ImapProtocolError("the server sent a line over " + std::to_string(limits_.max_line) + " bytes");
        std::string_view line(base + scan_, eol - scan_);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        auto lit = literal_at_end(line);
        if (!lit) {
            scan_ = eol + 1;
            return eol + 1;
        }
        if (*lit > limits_.max_literal)
            throw ImapProtocolError("the server announced a literal of " + std::to_string(*lit) +
                                    " bytes, over the limit of " + std::to_string(limits_.max_literal));
        if (buf_.size() - (eol + 1) < *lit) return std::string::npos;  // the literal has not all arrived
        scan_ = eol + 1 + size_t(*lit);
        segment = scan_;
    }
}

std::optional<Response> ResponseReader::next() {
    if (pos_ >= buf_.size()) return std::nullopt;
    size_t end = complete_end();
    if (end == std::string::npos) return std::nullopt;
    std::string_view bytes(buf_.data() + pos_, end - pos_);
    pos_ = end;
    scan_ = end;
    return parse_response(bytes, limits_);
}

}  // namespace tw::imap
