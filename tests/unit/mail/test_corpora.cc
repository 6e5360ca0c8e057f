// Corpus tests, in-process: the checked-in edge cases with hand-written
// expectations (tests/corpora/edge), and the real public test messages in
// ../shared/corpora (skipped with a message when ../shared is absent).
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <map>
#include <set>

#include "mail/charset.h"
#include "helpers.h"
#include "mail/date.h"
#include "mail/message.h"
#include "mail/message_build.h"
#include "mail/strutil.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using tw_test::has_problem;
std::string slurp(const fs::path& p) { return tw_test::slurp(p.string()); }

const int64_t kArrival = 1736600000;

void check_addresses(const std::vector<tw::Address>& got, const json& want) {
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) {
        CHECK(got[i].name == want[i][0].get<std::string>());
        CHECK(got[i].address == want[i][1].get<std::string>());
    }
}

void check_message(const tw::Message& m, const json& e) {
    if (e.contains("subject")) CHECK(m.subject == e["subject"].get<std::string>());
    if (e.contains("base_subject")) CHECK(m.base_subject == e["base_subject"].get<std::string>());
    if (e.contains("message_id")) CHECK(m.message_id == e["message_id"].get<std::string>());
    if (e.contains("synthetic_id")) CHECK(m.synthetic_id == e["synthetic_id"].get<bool>());
    if (e.contains("date")) CHECK(tw::format_iso_utc(m.date) == e["date"].get<std::string>());
    if (e.contains("date_source")) CHECK(tw::to_string(m.date_source) == e["date_source"].get<std::string>());
    if (e.contains("from")) check_addresses(m.from, e["from"]);
    if (e.contains("to")) check_addresses(m.to, e["to"]);
    if (e.contains("cc")) check_addresses(m.cc, e["cc"]);
    if (e.contains("from_normalized")) CHECK(m.from.at(0).normalized == e["from_normalized"].get<std::string>());
    if (e.contains("in_reply_to")) CHECK(m.in_reply_to == e["in_reply_to"].get<std::string>());
    if (e.contains("references")) CHECK(m.references == e["references"].get<std::vector<std::string>>());
    if (e.contains("has_html")) CHECK(!m.html.empty() == e["has_html"].get<bool>());
    for (const auto& t : e.value("text_contains", json::array())) {
        INFO("text: " << m.text);
        CHECK(m.text.find(t.get<std::string>()) != std::string::npos);
    }
    for (const auto& t : e.value("text_not_contains", json::array()))
        CHECK(m.text.find(t.get<std::string>()) == std::string::npos);
    if (e.contains("problems")) CHECK(m.problems == e["problems"].get<std::vector<std::string>>());
    for (const auto& p : e.value("problems_contain", json::array())) {
        INFO("problems: " << json(m.problems).dump());
        CHECK(has_problem(m, p.get<std::string>()));
    }
    if (!e.contains("attachments")) return;
    const json& atts = e["attachments"];
    REQUIRE(m.attachments.size() == atts.size());
    for (size_t i = 0; i < atts.size(); ++i) {
        const auto& a = m.attachments[i];
        const json& w = atts[i];
        if (w.contains("filename")) CHECK(a.filename == w["filename"].get<std::string>());
        if (w.contains("content_type")) CHECK(a.content_type == w["content_type"].get<std::string>());
        if (w.contains("size")) CHECK(a.size == w["size"].get<size_t>());
        for (const auto& t : w.value("text_contains", json::array())) {
            INFO("attachment text: " << a.text);
            CHECK(a.text.find(t.get<std::string>()) != std::string::npos);
        }
        if (w.contains("message")) {
            REQUIRE(a.message);
            check_message(*a.message, w["message"]);
        }
    }
}

void check_utf8(const tw::Message& m) {
    CHECK(tw::is_valid_utf8(m.subject));
    CHECK(tw::is_valid_utf8(m.text));
    CHECK(tw::is_valid_utf8(m.html));
    for (const auto& a : m.from) CHECK(tw::is_valid_utf8(a.name));
    for (const auto& a : m.attachments) {
        CHECK(tw::is_valid_utf8(a.filename));
        CHECK(tw::is_valid_utf8(a.text));
    }
    for (const auto& p : m.problems) CHECK(tw::is_valid_utf8(p));
}

}  // namespace

TEST_CASE("edge corpus: every message gives the hand-written expectations", "[corpus]") {
    fs::path dir = fs::path(TW_TEST_CORPORA) / "edge";
    json expected = json::parse(slurp(dir / "expected.json"));
    size_t files = 0;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().extension() == ".eml") ++files;
    CHECK(files == expected.size());  // no message without expectations
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        SECTION(it.key()) {
            std::string raw = slurp(dir / it.key());
            REQUIRE(!raw.empty());
            tw::Message m = tw::parse_message(raw, kArrival);
            CHECK(m.raw == raw);
            check_utf8(m);
            check_message(m, it.value());
        }
    }
}

namespace {

std::vector<fs::path> shared_messages(const fs::path& root) {
    std::vector<fs::path> out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (!e.is_regular_file()) continue;
        auto p = e.path();
        std::string ps = p.string();
        if (ps.find("/expected/") != std::string::npos) continue;
        auto ext = p.extension().string();
        if (ext == ".eml" || ext.empty() || ps.find("notmuch-edge") != std::string::npos)
            if (ext != ".txt" && ext != ".json" && ext != ".tsv" && ext != ".md") out.push_back(p);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Normalises text for containment checks: line endings, runs of white space.
std::string squash(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (tw::is_wsp(c)) { space = true; continue; }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// Only the ASCII bytes, squashed: compares text whose charset the expected file does not record.
std::string ascii_skeleton(std::string_view s) {
    std::string a;
    for (char c : s)
        if (static_cast<unsigned char>(c) < 0x80) a += c;
    return squash(a);
}

// mime4j messages whose decoded parts we deliberately or knowingly do not reproduce.
const std::map<std::string, const char*> kMime4jDifferences = {
    {"misplaced-boundary", "mimetic splits at a boundary string in the middle of a line (mimetic bug)"},
    {"intermediate-boundaries", "same mimetic bug: \" --boundary\" inside a line splits the part"},
    {"malformedHeaderStartsBody-nocrlfcrlf",
     "mime4j drops a header-like line after the body started; we keep it in the text"},
    {"multipartnestedemptyparts", "mime4j reports the nested message's header block as a text part"},
    {"frag", "truncated base64 at the end of a fragment: mime4j decodes the tail differently"},
    {"multi-frag", "same as frag"},
};

}  // namespace

TEST_CASE("shared corpora: every real message parses to clean UTF-8", "[corpus][shared]") {
    fs::path root = fs::path(TW_SHARED_DIR) / "corpora";
    if (!fs::exists(root)) {
        WARN("skipped: ../shared/corpora is absent (" << root.string() << ")");
        return;
    }
    auto files = shared_messages(root);
    CHECK(files.size() > 700);
    for (const auto& f : files) {
        INFO(f.string());
        std::string raw = slurp(f);
        tw::Message m = tw::parse_message(raw, kArrival);
        CHECK(m.raw.size() == raw.size());
        CHECK_FALSE(m.message_id.empty());
        check_utf8(m);
    }
}

TEST_CASE("shared corpora: mime4j's decoded parts are found in our parse", "[corpus][shared]") {
    fs::path root = fs::path(TW_SHARED_DIR) / "corpora/mime-edge-expected";
    if (!fs::exists(root)) {
        WARN("skipped: ../shared/corpora is absent (" << root.string() << ")");
        return;
    }
    size_t checked = 0;
    for (const char* set : {"mime4j-testmsgs", "mime4j-mimetools-testmsgs"}) {
        for (const auto& e : fs::directory_iterator(root / set)) {
            if (e.path().extension() != ".eml") continue;
            std::string stem = e.path().stem().string();
            if (kMime4jDifferences.count(stem)) continue;
            tw::Message m = tw::parse_message(slurp(e.path()), kArrival);
            std::string all = squash(m.text + "\n" + m.html);
            std::set<std::string> hashes;
            std::function<void(const tw::Message&)> collect = [&](const tw::Message& msg) {
                all += " " + squash(msg.text + "\n" + msg.html);
                for (const auto& a : msg.attachments) {
                    hashes.insert(a.sha256);
                    all += " " + squash(a.text);
                    if (a.message) collect(*a.message);
                }
            };
            collect(m);
            for (const auto& x : fs::directory_iterator(root / set / "expected")) {
                std::string name = x.path().filename().string();
                if (!name.starts_with(stem + "_decoded_")) continue;
                std::string part = slurp(x.path());
                if (squash(part).empty()) continue;
                INFO(set << "/" << stem << " part " << name);
                ++checked;
                bool found = hashes.count(tw::sha256_hex(part)) ||
                             all.find(squash(tw::guess_to_utf8(part))) != std::string::npos ||
                             ascii_skeleton(all).find(ascii_skeleton(part)) != std::string::npos;
                CHECK(found);
            }
        }
    }
    CHECK(checked > 100);
}

TEST_CASE("fuzz regressions: inputs that once crashed or leaked parse cleanly", "[corpus]") {
    fs::path dir = fs::path(TW_TEST_CORPORA) / "fuzz-regressions";
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() != ".eml") continue;
        INFO(e.path().string());
        std::string raw = slurp(e.path());
        tw::Message m = tw::parse_message(raw, kArrival);
        CHECK(m.raw == raw);
        check_utf8(m);
        ++n;
    }
    CHECK(n >= 2);
    // mimetic's negative block size is caught and reported, not fatal.
    tw::Message m = tw::parse_message(slurp(dir / "mimetic-negative-block.eml"), kArrival);
    CHECK(has_problem(m, "MIME structure could not be parsed"));
}

namespace {

// raw without its Message-ID field (and the field's continuation lines).
std::string without_message_id(const std::string& raw) {
    std::string out;
    size_t pos = 0;
    bool in_header = true, dropping = false;
    while (pos < raw.size()) {
        size_t nl = raw.find('\n', pos);
        size_t end = nl == std::string::npos ? raw.size() : nl + 1;
        std::string_view line(raw.data() + pos, end - pos);
        if (in_header && (line == "\n" || line == "\r\n")) in_header = false;
        bool continuation = !line.empty() && (line[0] == ' ' || line[0] == '\t');
        if (in_header && !continuation) dropping = line.size() >= 11 && tw::iequals(line.substr(0, 11), "Message-ID:");
        if (!(in_header && dropping)) out.append(line);
        pos = end;
    }
    return out;
}

}  // namespace

TEST_CASE("the archive's lazy content key equals the key the parser gives mail without a Message-ID", "[corpus]") {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(fs::path(TW_TEST_CORPORA) / "edge"))
        if (e.path().extension() == ".eml") files.push_back(e.path());
    fs::path shared = fs::path(TW_SHARED_DIR) / "corpora";  // more cases when ../shared is there
    if (fs::exists(shared))
        for (const auto& p : shared_messages(shared)) files.push_back(p);
    size_t checked = 0;
    for (const auto& f : files) {
        std::string raw = slurp(f);
        std::string stripped = without_message_id(raw);
        tw::Message m = tw::parse_message(stripped, kArrival);
        if (!m.synthetic_id) continue;  // a second Message-ID field, or one in a strange form
        INFO(f.string());
        CHECK(m.message_id == tw::content_key(stripped));
        CHECK(m.message_id == tw::content_key(raw));  // the Message-ID is not part of the key
        ++checked;
    }
    CHECK(checked >= files.size() * 9 / 10);
}
