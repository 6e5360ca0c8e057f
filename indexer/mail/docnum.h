// Trade document numbers in free text: QT-2025-0001, PI-2025-0042, PO4500012345,
// INV-2025-0007, COSU6182736450 (B/L), LCDE123456 (L/C) and the like.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace tw {

// Tokens made of 2-5 capital letters, an optional '-', then 4 or more digits
// (more "-digits" groups allowed). Distinct, in order of first appearance;
// at most max_scan bytes of text are read.
std::vector<std::string> doc_numbers(std::string_view text, size_t max_scan = 1u << 16);

}  // namespace tw
