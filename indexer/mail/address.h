// RFC 5322 address lists, as real clients write them.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "mail/rfc2047.h"

namespace tw {

struct Address {
    std::string name;        // display name, decoded to UTF-8 ("" when none)
    std::string address;     // as written (for display)
    std::string normalized;  // lower-cased, for matching
    std::string group;       // RFC 5322 group it was listed in, if any
};

// Parses an address-list header value: display names (quoted or not,
// encoded words anywhere), comments, groups, route prefixes, missing angle
// brackets, bare addresses, stray commas. Never throws; unparseable pieces
// are skipped.
std::vector<Address> parse_address_list(std::string_view raw, const HeaderDecodeContext& ctx = {});

// For people to read: "Name <address>, address, ..." (no MIME encoding).
std::string format_addresses(const std::vector<Address>& list);

}  // namespace tw
