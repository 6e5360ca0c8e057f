// RFC 3676 format=flowed unwrapping, table-driven.
#include <catch2/catch.hpp>

#include "mail/flowed.h"

TEST_CASE("format=flowed lines are joined into paragraphs", "[flowed]") {
    struct Row { const char* in; bool delsp; const char* want; };
    const Row rows[] = {
        {"Dear Anna, please find \r\nthe quotation \r\nattached.\r\n", false, "Dear Anna, please find the quotation attached.\n"},
        {"one\r\ntwo\r\n", false, "one\ntwo\n"},                                        // hard breaks stay
        {"long wo\r\nrd\r\n", false, "long wo\nrd\n"},
        {"abc \r\ndef\r\n", true, "abcdef\n"},                                         // DelSp=yes
        {"> quoted \r\n> text\r\nreply\r\n", false, "> quoted text\nreply\n"},
        {">> deep \r\n> shallow\r\n", false, ">> deep \n> shallow\n"},                  // depth change: hard
        {" From here\r\n", false, "From here\n"},                                      // space-stuffed
        {"-- \r\nLily Zhou\r\n", false, "-- \nLily Zhou\n"},                           // signature separator
        {"soft at end ", false, "soft at end "},
        {"", false, ""},
    };
    for (const auto& r : rows) {
        INFO(r.in);
        CHECK(tw::unflow(r.in, r.delsp) == r.want);
    }
}
