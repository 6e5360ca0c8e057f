// HTML to the plain text a person reads (libxml2's HTML parser).
#pragma once
#include <functional>
#include <string>
#include <string_view>

namespace tw {

// Text of an HTML document already converted to UTF-8: scripts, styles and
// the head dropped; block elements and <br> become line breaks; entities
// decoded; runs of blank lines collapsed. Depth is capped by libxml2.
std::string html_to_text(std::string_view utf8_html);

// How a message's HTML is to be shown.
struct HtmlView {
    // Keep http(s) <img src> (the reader asked for the remote images of this
    // message); otherwise they are dropped and counted.
    bool remote_images = false;
    // cid: of an inline image -> the URL to show it by (a data: URL), or "" to
    // drop it. Unset: cid: references are dropped.
    std::function<std::string(std::string_view cid)> inline_image;
};

struct SanitizedHtml {
    std::string html;
    size_t blocked_images = 0;  // remote images left out
};

// HTML mail rebuilt from an allow-list, for display (still inside a sandboxed
// iframe with a strict CSP): known formatting elements and attributes only;
// scripts, frames, forms, objects, event handlers and comments dropped; links
// only http, https and mailto; images only data:image (not SVG), inline cid:
// images as the view resolves them, and remote images only when the view
// allows them; style text with url(), @import or expression() dropped.
SanitizedHtml sanitize_html(std::string_view utf8_html, const HtmlView& view);
std::string sanitize_html(std::string_view utf8_html);  // remote and cid: images dropped

// The charset an HTML document declares in a <meta> tag, or "".
std::string html_meta_charset(std::string_view html);

}  // namespace tw
