// IMAP server responses (RFC 3501, with the CONDSTORE/ESEARCH forms the
// daemon uses), read from a byte stream that arrives in arbitrary pieces.
// This is the only code that reads IMAP responses: libcurl only carries the
// bytes (STACK.md: its own response handling breaks on literals).
//
// Contract: feed() any bytes; next() returns one complete response at a time,
// or nullopt until more bytes arrive. A response that breaks the grammar or a
// limit throws ImapProtocolError, after which the connection must be dropped.
// Literals ({N}) are taken byte-exact, whatever they contain.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tw::imap {

class ImapProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One data item: an atom (also numbers, flags like \Seen and section specs
// like BODY[HEADER.FIELDS (DATE)]), a string (quoted or literal), NIL or a
// parenthesised list.
struct Value {
    enum class Kind { Atom, String, Nil, List };
    Kind kind = Kind::Atom;
    std::string text;           // atom or string bytes
    std::vector<Value> items;   // list members

    bool is_atom(std::string_view name) const;  // case-insensitive
    bool is_list() const { return kind == Kind::List; }
    // The atom as an unsigned number; nullopt if it is not one (or overflows).
    std::optional<uint64_t> number() const;
    // For a list of alternating names and values (FETCH, STATUS): the value
    // after the name, or nullptr.
    const Value* find(std::string_view name) const;
};

struct Response {
    enum class Kind { Untagged, Continuation, Tagged };
    Kind kind = Kind::Untagged;
    std::string tag;               // Tagged only
    std::string status;            // OK NO BAD PREAUTH BYE (upper case); empty for data
    std::vector<Value> code;       // the response code, e.g. [UIDVALIDITY 3857529045]
    std::string text;              // human-readable text after status and code
    std::vector<Value> data;       // untagged data: * 12 FETCH (...) -> [12, FETCH, (...)]

    bool is_status() const { return !status.empty(); }
};

struct ReaderLimits {
    size_t max_line = 8u << 20;       // bytes of one line outside literals
    size_t max_literal = 512u << 20;  // one literal (a message body)
    size_t max_depth = 64;            // nested lists
};

class ResponseReader {
public:
    explicit ResponseReader(ReaderLimits limits = {}) : limits_(limits) {}
    void feed(std::string_view bytes);
    std::optional<Response> next();
    // Bytes received but not yet returned as a response.
    size_t pending() const { return buf_.size() - pos_; }

private:
    // End offset of the complete response starting at pos_, or npos.
    size_t complete_end();
    ReaderLimits limits_;
    std::string buf_;
    size_t pos_ = 0;
    size_t scan_ = 0;  // where complete_end() resumes its scan
};

// Parses one complete response (as delimited by ResponseReader).
Response parse_response(std::string_view bytes, const ReaderLimits& limits = {});

}  // namespace tw::imap
