// The JSON form of a Message: the `tradewind parse` contract (README).
#pragma once
#include <string>

#include "mail/message.h"

namespace tw {

// One line of JSON (no newline). file is echoed as given.
std::string message_to_json_line(const Message& m, const std::string& file);

// {"file": ..., "error": ...} for an input that could not be read.
std::string error_json_line(const std::string& file, const std::string& error);

}  // namespace tw
