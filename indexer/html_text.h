// HTML to the plain text a person reads (libxml2's HTML parser).
#pragma once
#include <string>
#include <string_view>

namespace tw {

// Text of an HTML document already converted to UTF-8: scripts, styles and
// the head dropped; block elements and <br> become line breaks; entities
// decoded; runs of blank lines collapsed. Depth is capped by libxml2.
std::string html_to_text(std::string_view utf8_html);

// HTML mail rebuilt from an allow-list, for display (still inside a sandboxed
// iframe with a strict CSP): known formatting elements and attributes only;
// scripts, frames, forms, objects, event handlers and comments dropped; links
// only http, https and mailto; images only cid: and data:image (remote images
// are blocked); style text with url(), @import or expression() dropped.
std::string sanitize_html(std::string_view utf8_html);

// The charset an HTML document declares in a <meta> tag, or "".
std::string html_meta_charset(std::string_view html);

}  // namespace tw
