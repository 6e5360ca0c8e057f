// HTML mail for display: rebuilt from an allow-list (defense in depth under
// the web UI's sandboxed iframe and CSP).
#include <catch2/catch.hpp>

#include "mail/html_text.h"

namespace {

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("sanitize_html drops what can run or load from outside", "[html]") {
    struct Case {
        const char* in;
        const char* must_not_contain;
    };
    const Case cases[] = {
        {"<p>hi<script>alert(1)</script></p>", "alert"},
        {"<p onclick=\"alert(1)\">x</p>", "onclick"},
        {"<a href=\"javascript:alert(1)\">x</a>", "javascript"},
        {"<a href=\" JAVASCRIPT:alert(1)\">x</a>", "alert"},
        {"<img src=\"http://tracker.example/open.gif\">", "tracker"},
        {"<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">", "svg"},
        {"<iframe src=\"https://evil.example\"></iframe>text", "evil"},
        {"<form action=\"https://evil.example\"><input name=p></form>", "evil"},
        {"<div style=\"background:url(https://t.example/x)\">x</div>", "t.example"},
        {"<style>@import url(https://t.example/a.css);</style><p>x</p>", "t.example"},
        {"<style>p{color:red}</style></style><script>alert(1)</script>", "alert"},
        {"<object data=\"x.swf\"></object><embed src=\"y\">", "swf"},
        {"<svg><script>alert(1)</script></svg>", "alert"},
        {"<!-- secret --><p>x</p>", "secret"},
        {"<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">", "evil"},
        {"<base href=\"https://evil.example/\"><a href=\"x\">x</a>", "evil"},
        {"<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<script"},
        {"<a href=\"https://ok.example\" onmouseover=\"x()\">ok</a>", "onmouseover"},
        {"<div style=\"width:expression(alert(1))\">x</div>", "expression"},
        {"<div style=\"background:u\\72l(x)\">x</div>", "\\72"},
    };
    for (const auto& c : cases) {
        std::string out = tw::sanitize_html(c.in);
        INFO(c.in << "  ->  " << out);
        CHECK_FALSE(has(out, c.must_not_contain));
    }
}

TEST_CASE("sanitize_html keeps what people write", "[html]") {
    std::string out = tw::sanitize_html(
        "<html><head><title>t</title><style>td{padding:2px}</style></head><body>"
        "<p style=\"color:#333\">Dear <b>Anna</b>,</p><table border=1><tr><td colspan=2>PI-2025-0034</td></tr></table>"
        "<a href=\"https://acme.example/pi\">link</a> <a href=\"mailto:a@b.example\">mail</a>"
        "<img src=\"cid:logo@acme\" alt=\"logo\"><font color=red>询价</font><br>x &amp; y</body></html>");
    INFO(out);
    CHECK(has(out, "<p style=\"color:#333\">Dear <b>Anna</b>,</p>"));
    CHECK(has(out, "<td colspan=\"2\">PI-2025-0034</td>"));
    CHECK(has(out, "href=\"https://acme.example/pi\" rel=\"noopener noreferrer\""));
    CHECK(has(out, "href=\"mailto:a@b.example\""));
    CHECK(has(out, "<img alt=\"logo\">"));  // cid: needs the message to resolve it (HtmlView)
    CHECK(has(out, "<font color=\"red\">询价</font>"));
    CHECK(has(out, "<style>td{padding:2px}</style>"));
    CHECK(has(out, "x &amp; y"));
    CHECK_FALSE(has(out, "<title>"));
    CHECK(tw::sanitize_html("").empty());
    std::string deep(100000, '<');  // no crash, bounded output
    CHECK(tw::sanitize_html(deep + "div>").size() < 1000000);
}

TEST_CASE("sanitize_html with a view: inline images resolved, remote images counted or kept", "[html]") {
    const char* html = "<p><img src=\"cid:logo@x\"><img src=\"CID:<other@x>\"><img src=\"https://t.example/a.gif\">"
                       "<img src=\"http://t.example/b.gif\"><img src=\"cid:unknown\"></p>";
    tw::HtmlView view;
    view.inline_image = [](std::string_view cid) -> std::string {
        if (cid == "logo@x") return "data:image/png;base64,AAAA";
        if (cid == "other@x") return "data:image/gif;base64,BBBB";
        return {};
    };
    tw::SanitizedHtml blocked = tw::sanitize_html(html, view);
    CHECK(has(blocked.html, "src=\"data:image/png;base64,AAAA\""));
    CHECK(has(blocked.html, "src=\"data:image/gif;base64,BBBB\""));
    CHECK_FALSE(has(blocked.html, "t.example"));
    CHECK_FALSE(has(blocked.html, "cid:"));
    CHECK(blocked.blocked_images == 2);

    view.remote_images = true;
    tw::SanitizedHtml shown = tw::sanitize_html(html, view);
    CHECK(has(shown.html, "src=\"https://t.example/a.gif\""));
    CHECK(has(shown.html, "src=\"http://t.example/b.gif\""));
    CHECK(shown.blocked_images == 0);

    // Without a view nothing is fetched and cid: goes too.
    std::string plain = tw::sanitize_html(html);
    CHECK_FALSE(has(plain, "t.example"));
    CHECK_FALSE(has(plain, "cid:"));
    // src is kept on images only, and never for script-ish URLs even when remote images are allowed.
    CHECK_FALSE(has(tw::sanitize_html("<img src=\"javascript:alert(1)\">", view).html, "javascript"));
    CHECK_FALSE(has(tw::sanitize_html("<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">", view).html, "svg"));
}
