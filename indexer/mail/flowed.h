// RFC 3676 format=flowed text, unwrapped into the paragraphs the sender typed.
#pragma once
#include <string>
#include <string_view>

namespace tw {

// Joins soft-broken lines (ending in a space) of the same quote depth;
// removes space-stuffing; with delsp, drops the space before each soft break.
// The signature separator "-- " is never joined. Input and output use LF or CRLF alike.
std::string unflow(std::string_view text, bool delsp);

}  // namespace tw
