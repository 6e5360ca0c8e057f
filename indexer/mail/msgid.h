// Message-ID, In-Reply-To and References values.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace tw {

// Every id in a References-like value, brackets, comments and white space
// removed, in order, duplicates dropped. Values without brackets are split
// on white space. Ids longer than 998 bytes are dropped.
std::vector<std::string> parse_msgid_list(std::string_view raw);

// The first id of a Message-ID value ("" if none).
std::string parse_msgid(std::string_view raw);

// In-Reply-To: the last bracketed id that looks like a message id (clients
// add text such as "Your message of ..."), else the first token.
std::string parse_in_reply_to(std::string_view raw);

}  // namespace tw
