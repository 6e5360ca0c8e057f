// One error model for every layer: a small named hierarchy whose messages say
// what to do. Each boundary translates it once: the CLI to an exit code and a
// line on stderr (daemon/main.cc), the web to an HTTP status and an error page
// (web/server.cc). Library errors (SQLite, Xapian, libcurl) are turned into
// these where the library is wrapped.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>

namespace tw {

enum class ErrorKind {
    Invalid,      // a bad value or argument: fix the input
    NotFound,     // no such message, customer, document, account ...
    Conflict,     // the state does not allow it (already claimed, not in the pool)
    Forbidden,    // the user may not do this
    StorageFull,  // the disk (or quota) is full: free space and run again
    Unavailable,  // the archive, index or server cannot be used now (locked, damaged, unreachable)
};

// The kind of an error, beside its standard exception type (so `catch
// (const std::exception&)` still sees every error once, and an invalid value
// is still a std::invalid_argument). Boundaries ask kind_of().
class Error {
public:
    virtual ~Error() = default;
    virtual ErrorKind kind() const = 0;
};

template <ErrorKind K, class Base>
struct ErrorOf : Base, Error {
    explicit ErrorOf(const std::string& what) : Base(what) {}
    ErrorKind kind() const override { return K; }
};

using InvalidError = ErrorOf<ErrorKind::Invalid, std::invalid_argument>;
using NotFoundError = ErrorOf<ErrorKind::NotFound, std::runtime_error>;
using ConflictError = ErrorOf<ErrorKind::Conflict, std::runtime_error>;
using ForbiddenError = ErrorOf<ErrorKind::Forbidden, std::runtime_error>;
using StorageFullError = ErrorOf<ErrorKind::StorageFull, std::runtime_error>;
// The archive or its index cannot be used as asked (locked, damaged, another
// version): the historical name of the kind most archive errors have.
struct StoreError : ErrorOf<ErrorKind::Unavailable, std::runtime_error> {
    using ErrorOf::ErrorOf;
};

// The kind of any exception: a std::invalid_argument from a library is
// Invalid; anything else unknown is nullopt (a bug: 500, exit 70).
inline std::optional<ErrorKind> kind_of(const std::exception& e) {
    if (auto* err = dynamic_cast<const Error*>(&e)) return err->kind();
    if (dynamic_cast<const std::invalid_argument*>(&e)) return ErrorKind::Invalid;
    return std::nullopt;
}

// The boundaries' translations.
constexpr int http_status(ErrorKind k) {
    switch (k) {
        case ErrorKind::Invalid: return 400;
        case ErrorKind::NotFound: return 404;
        case ErrorKind::Conflict: return 409;
        case ErrorKind::Forbidden: return 403;
        case ErrorKind::StorageFull: return 507;
        case ErrorKind::Unavailable: return 503;
    }
    return 500;
}

// Every error the user can act on exits 1 (scripts and the tests rely on it;
// the message says which and what to do); 70 is kept for a bug.
constexpr int exit_code(ErrorKind) { return 1; }

}  // namespace tw
