// What mimetic must not see: cut before it parses (STACK.md: it stalls on
// huge header fields and crashes on very deep nesting).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "mail/parse_limits.h"

namespace tw {

// Returns the bytes to hand to mimetic: raw itself when nothing had to be
// cut, else a copy (kept in storage) with over-long header fields cut,
// surplus header fields and containers dropped, and boundary transport
// padding removed. What was cut is reported in problems.
std::string_view guard_for_mimetic(std::string_view raw, const ParseLimits& limits, std::string& storage,
                                   std::vector<std::string>& problems);

}  // namespace tw
