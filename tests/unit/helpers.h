// Small helpers shared by the unit tests.
#pragma once
#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "message.h"

namespace tw_test {

// True when one of the message's problems contains part.
inline bool has_problem(const tw::Message& m, const std::string& part) {
    return std::any_of(m.problems.begin(), m.problems.end(),
                       [&](const std::string& p) { return p.find(part) != std::string::npos; });
}

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace tw_test
