// Subject normalisation for threading and display.
#pragma once
#include <string>
#include <string_view>

namespace tw {

// The subject without reply/forward prefixes in the languages trade mail
// uses (Re, RE[2], Fw, Fwd, AW, WG, SV, VS, RES, ENC, TR, RIF, Antw, Odp,
// 回复, 回覆, 答复, 转发, 轉寄, 返信, 転送 ...), with ASCII or full-width
// colons, list tags such as "[EXT]" before them, and white space collapsed.
std::string base_subject(std::string_view subject);

}  // namespace tw
