// Table-driven tests of Message-ID, In-Reply-To and References cleaning.
#include <catch2/catch.hpp>

#include "mail/msgid.h"

using Ids = std::vector<std::string>;

TEST_CASE("ids are cleaned of brackets, comments and white space", "[msgid]") {
    CHECK(tw::parse_msgid("<1234@local.machine.example>") == "1234@local.machine.example");
    CHECK(tw::parse_msgid("  <1234@local.machine.example> (comment)") == "1234@local.machine.example");
    CHECK(tw::parse_msgid("<1234 @ local.machine.example>") == "1234@local.machine.example");
    CHECK(tw::parse_msgid("malformed@id.machine.example") == "malformed@id.machine.example");
    CHECK(tw::parse_msgid("<>") == "");
    CHECK(tw::parse_msgid("") == "");
}

TEST_CASE("references keep order and drop duplicates", "[msgid]") {
    CHECK(tw::parse_msgid_list("<a@x> <b@x>\r\n\t<c@x> <a@x>") == Ids{"a@x", "b@x", "c@x"});
    CHECK(tw::parse_msgid_list("<a@x>,<b@x>") == Ids{"a@x", "b@x"});
    CHECK(tw::parse_msgid_list("a@x b@x") == Ids{"a@x", "b@x"});
    CHECK(tw::parse_msgid_list("<a@x> (comment <z@z>) <b@x>") == Ids{"a@x", "b@x"});
    CHECK(tw::parse_msgid_list("<a@x") == Ids{"a@x"});
}

TEST_CASE("in-reply-to takes the id, not the text around it", "[msgid]") {
    CHECK(tw::parse_in_reply_to("<a@x>") == "a@x");
    CHECK(tw::parse_in_reply_to("Your message of Mon, 1 Jan 2025 <a@x>") == "a@x");
    CHECK(tw::parse_in_reply_to("<a@x> (Lily's message of 1 Jan)") == "a@x");
}
