// IMAP response reader: the forms Dovecot, Gmail, Exchange and Coremail send,
// literals whatever they contain, bytes arriving in any pieces, and limits.
#include <catch2/catch.hpp>

#include "daemon/imap/imap_response.h"

using tw::imap::ImapProtocolError;
using tw::imap::ReaderLimits;
using tw::imap::Response;
using tw::imap::ResponseReader;
using tw::imap::Value;

namespace {

Response one(const std::string& bytes) {
    ResponseReader r;
    r.feed(bytes);
    auto resp = r.next();
    REQUIRE(resp);
    CHECK(r.pending() == 0);
    return *resp;
}

std::vector<Response> all(ResponseReader& r) {
    std::vector<Response> out;
    while (auto resp = r.next()) out.push_back(*resp);
    return out;
}

// A FETCH response whose body literal contains lines that look like IMAP.
const std::string kHostileBody =
    "Subject: test\r\n\r\nA004 OK FETCH completed\r\n* 99 FETCH (UID 99)\r\n)\r\n{12}\r\n\"unbalanced\r\n";

std::string fetch_of(const std::string& body) {
    return "* 7 FETCH (UID 1207 FLAGS (\\Seen $Forwarded) INTERNALDATE \"11-Jan-2025 10:00:00 +0800\" "
           "RFC822.SIZE " + std::to_string(body.size()) + " BODY[] {" + std::to_string(body.size()) + "}\r\n" + body + ")\r\n";
}

}  // namespace

TEST_CASE("status responses: greeting, tagged results and response codes", "[imap]") {
    auto g = one("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN] Dovecot ready.\r\n");
    CHECK(g.kind == Response::Kind::Untagged);
    CHECK(g.status == "OK");
    REQUIRE(g.code.size() == 9);
    CHECK(g.code[0].is_atom("capability"));
    CHECK(g.code[6].is_atom("IDLE"));
    CHECK(g.text == "Dovecot ready.");

    auto t = one("A003 OK [READ-ONLY] Examine completed (0.001 + 0.000 secs).\r\n");
    CHECK(t.kind == Response::Kind::Tagged);
    CHECK(t.tag == "A003");
    REQUIRE(t.code.size() == 1);
    CHECK(t.code[0].is_atom("READ-ONLY"));

    auto v = one("* OK [UIDVALIDITY 3857529045] UIDs valid\r\n");
    REQUIRE(v.code.size() == 2);
    CHECK(v.code[1].number() == 3857529045u);

    auto pf = one("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n");
    REQUIRE(pf.code.size() == 2);
    CHECK(pf.code[1].items.size() == 6);
    CHECK(pf.code[1].items[5].text == "\\*");

    auto no = one("A002 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    CHECK(no.status == "NO");
    CHECK(no.code[0].is_atom("AUTHENTICATIONFAILED"));

    auto bye = one("* BYE Disconnected for inactivity.\r\n");
    CHECK(bye.status == "BYE");
    CHECK(bye.code.empty());

    auto lower = one("a1 ok done\r\n");  // case-insensitive status words
    CHECK(lower.status == "OK");
    CHECK(lower.text == "done");
}

TEST_CASE("untagged data: EXISTS, LIST, STATUS, SEARCH, ESEARCH, FLAGS", "[imap]") {
    auto e = one("* 172 EXISTS\r\n");
    REQUIRE(e.data.size() == 2);
    CHECK(e.data[0].number() == 172u);
    CHECK(e.data[1].is_atom("EXISTS"));

    auto l = one("* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\n");
    REQUIRE(l.data.size() == 4);
    CHECK(l.data[1].items.size() == 2);
    CHECK(l.data[1].items[1].is_atom("\\sent"));
    CHECK(l.data[2].text == "/");
    CHECK(l.data[3].kind == Value::Kind::String);
    CHECK(l.data[3].text == "Sent Items");

    auto lit = one("* LIST () \"/\" {10}\r\nA \"odd\" )(\r\n");  // a name sent as a literal
    REQUIRE(lit.data.size() == 4);
    CHECK(lit.data[1].items.empty());
    CHECK(lit.data[3].text == "A \"odd\" )(");

    auto nil = one("* LIST (\\Noselect) NIL \"&XfJT0ZAB-\"\r\n");
    CHECK(nil.data[2].kind == Value::Kind::Nil);
    CHECK(nil.data[3].text == "&XfJT0ZAB-");

    auto atom_name = one("* LIST (\\HasChildren) \".\" INBOX\r\n");
    CHECK(atom_name.data[3].is_atom("INBOX"));

    auto st = one("* STATUS \"INBOX\" (MESSAGES 231 UIDNEXT 44292 UIDVALIDITY 1 HIGHESTMODSEQ 715194045007)\r\n");
    REQUIRE(st.data.size() == 3);
    const Value& items = st.data[2];
    REQUIRE(items.find("UIDNEXT"));
    CHECK(items.find("UIDNEXT")->number() == 44292u);
    CHECK(items.find("highestmodseq")->number() == 715194045007u);
    CHECK(items.find("RECENT") == nullptr);

    auto s = one("* SEARCH 2 84 882\r\n");
    REQUIRE(s.data.size() == 4);
    CHECK(s.data[3].number() == 882u);
    CHECK(one("* SEARCH\r\n").data.size() == 1);

    auto es = one("* ESEARCH (TAG \"A5\") UID ALL 1:3,5,1207:1300\r\n");
    REQUIRE(es.data.size() == 5);
    CHECK(es.data[1].items[1].text == "A5");
    CHECK(es.data[4].text == "1:3,5,1207:1300");

    auto f = one("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n");
    CHECK(f.data[1].items.size() == 5);

    auto c = one("+ idling\r\n");
    CHECK(c.kind == Response::Kind::Continuation);
    CHECK(c.text == "idling");
    CHECK(one("+\r\n").text.empty());
}

TEST_CASE("FETCH: the body literal is taken byte-exact, whatever it contains", "[imap]") {
    auto r = one(fetch_of(kHostileBody));
    REQUIRE(r.data.size() == 3);
    CHECK(r.data[0].number() == 7u);
    CHECK(r.data[1].is_atom("FETCH"));
    const Value& att = r.data[2];
    CHECK(att.find("UID")->number() == 1207u);
    CHECK(att.find("FLAGS")->items.size() == 2);
    CHECK(att.find("INTERNALDATE")->text == "11-Jan-2025 10:00:00 +0800");
    CHECK(att.find("BODY[]")->text == kHostileBody);

    auto sec = one("* 3 FETCH (UID 9 BODY[HEADER.FIELDS (DATE FROM)]<0> {9}\r\nDate: x\r\n MODSEQ (12))\r\n");
    CHECK(sec.data[2].find("BODY[HEADER.FIELDS (DATE FROM)]<0>")->text == "Date: x\r\n");
    CHECK(sec.data[2].find("MODSEQ")->items[0].number() == 12u);

    auto empty = one("* 4 FETCH (UID 10 BODY[] {0}\r\n)\r\n");
    CHECK(empty.data[2].find("BODY[]")->text.empty());

    auto quoted = one("* 5 FETCH (UID 11 BODY[] \"a \\\"quoted\\\" \\\\ body\")\r\n");
    CHECK(quoted.data[2].find("BODY[]")->text == "a \"quoted\" \\ body");

    auto nilbody = one("* 6 FETCH (UID 12 BODY[] NIL)\r\n");
    CHECK(nilbody.data[2].find("BODY[]")->kind == Value::Kind::Nil);
}

TEST_CASE("responses arriving in any pieces give the same result", "[imap]") {
    std::string session = "* OK ready\r\n" + fetch_of(kHostileBody) + fetch_of(std::string(70000, 'x')) +
                          "* 8 EXISTS\r\n+ idling\r\nA7 OK [READ-ONLY] done\r\n";
    ResponseReader whole;
    whole.feed(session);
    auto expected = all(whole);
    REQUIRE(expected.size() == 6);
    CHECK(expected[2].data[2].find("BODY[]")->text.size() == 70000);
    for (size_t piece : {1, 2, 3, 7, 100, 4096}) {
        ResponseReader r;
        std::vector<Response> got;
        for (size_t i = 0; i < session.size(); i += piece) {
            r.feed(std::string_view(session).substr(i, piece));
            for (auto& x : all(r)) got.push_back(x);
        }
        INFO("piece " << piece);
        REQUIRE(got.size() == expected.size());
        for (size_t k = 0; k < got.size(); ++k) {
            CHECK(got[k].tag == expected[k].tag);
            CHECK(got[k].status == expected[k].status);
            CHECK(got[k].data.size() == expected[k].data.size());
        }
        CHECK(got[1].data[2].find("BODY[]")->text == kHostileBody);
        CHECK(r.pending() == 0);
    }
}

TEST_CASE("a server that breaks the grammar or the limits is refused", "[imap]") {
    auto bad = [](const std::string& bytes, ReaderLimits lim = {}) {
        ResponseReader r(lim);
        r.feed(bytes);
        CHECK_THROWS_AS(r.next(), ImapProtocolError);
    };
    bad("* LIST (\\Noselect \"/\" foo\r\n");        // unbalanced (
    bad("* 1 FETCH (UID 1))\r\n");                  // unbalanced )
    bad("* LIST () \"/\" \"unterminated\r\n");      // quoted string across the line end
    bad("A1 MAYBE fine\r\n");                       // tagged, not OK/NO/BAD
    bad("* OK [UIDVALIDITY 1 broken\r\n");          // response code not closed
    bad(" * 1 EXISTS\r\n");                         // no tag
    bad("* 1 FETCH (BODY[HEADER {3}\r\nabc)\r\n");  // section not closed on its line
    std::string deep = "* X " + std::string(100, '(') + std::string(100, ')') + "\r\n";
    bad(deep);
    ReaderLimits small;
    small.max_literal = 10;
    bad("* 1 FETCH (BODY[] {11}\r\n", small);
    small.max_line = 50;
    bad("* SEARCH " + std::string(60, '1') + "\r\n", small);
    ResponseReader r(small);
    r.feed("* SEARCH " + std::string(60, '1'));  // even before the line ends
    CHECK_THROWS_AS(r.next(), ImapProtocolError);
}

TEST_CASE("bare LF line endings are read too", "[imap]") {
    ResponseReader r;
    r.feed("* 2 EXISTS\n* 1 FETCH (UID 5 BODY[] {3}\nabc)\nA1 OK done\n");
    auto got = all(r);
    REQUIRE(got.size() == 3);
    CHECK(got[1].data[2].find("BODY[]")->text == "abc");
    CHECK(got[2].status == "OK");
}
