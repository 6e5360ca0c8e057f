#include "mail/html_text.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <cstring>
#include <initializer_list>
#include <memory>

#include "mail/strutil.h"

namespace tw {
namespace {

bool is_block(const char* n) {
    static const char* blocks[] = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
                                   "ul", "ol", "blockquote", "pre", "hr", "section", "article", "header",
                                   "footer", "dt", "dd", "address", "title"};
    for (auto* b : blocks)
        if (strcmp(n, b) == 0) return true;
    return false;
}

struct Walker {
    std::string out;
    bool pending_break = false;

    void text(const char* t) {
        for (const char* p = t; *p; ++p) {
            char c = *p;
            if (c == '\r' || c == '\n' || c == '\t') c = ' ';
            if (c == ' ' && (out.empty() || out.back() == ' ' || out.back() == '\n')) continue;
            if (pending_break) {
                newline();
                pending_break = false;
            }
            out += c;
        }
    }
    void newline() {
        while (!out.empty() && out.back() == ' ') out.pop_back();
        // at most one blank line in a row
        size_t n = out.size();
        if (n == 0) return;
        if (n >= 2 && out[n - 1] == '\n' && out[n - 2] == '\n') return;
        out += '\n';
    }
    // <br>: always a line break, even after another one.
    void newline_hard() {
        while (!out.empty() && out.back() == ' ') out.pop_back();
        pending_break = false;
        out += '\n';
    }
    void walk(xmlNode* node, int depth) {
        // libxml2 caps the tree depth at 256 by default; the walk is iterative over siblings.
        for (xmlNode* n = node; n; n = n->next) {
            if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
                if (n->content) text(reinterpret_cast<const char*>(n->content));
                continue;
            }
            if (n->type != XML_ELEMENT_NODE) continue;
            const char* name = reinterpret_cast<const char*>(n->name);
            if (!strcmp(name, "script") || !strcmp(name, "style") || !strcmp(name, "head") ||
                !strcmp(name, "noscript") || !strcmp(name, "template"))
                continue;
            if (!strcmp(name, "br")) {
                newline_hard();
                continue;
            }
            bool block = is_block(name);
            if (block) newline();
            if (!strcmp(name, "td") || !strcmp(name, "th")) text(" ");
            if (!strcmp(name, "img")) {
                xmlChar* alt = xmlGetProp(n, BAD_CAST "alt");
                if (alt) {
                    text(reinterpret_cast<const char*>(alt));
                    xmlFree(alt);
                }
            }
            if (depth < 512) walk(n->children, depth + 1);
            if (block) {
                newline();
                if (!strcmp(name, "p") || name[0] == 'h') pending_break = true;
            }
        }
    }
};

}  // namespace

namespace {

using HtmlDoc = std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)>;

// UTF-8 HTML parsed leniently, never from the network; null when nothing parses.
HtmlDoc parse_html(std::string_view html) {
    htmlDocPtr doc = html.empty() ? nullptr
                                  : htmlReadMemory(html.data(), int(std::min<size_t>(html.size(), 1u << 30)), nullptr,
                                                   "UTF-8", HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                                                                HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER | HTML_PARSE_COMPACT);
    return HtmlDoc(doc, xmlFreeDoc);
}

}  // namespace

std::string html_to_text(std::string_view html) {
    HtmlDoc doc = parse_html(html);
    if (!doc) return {};
    Walker w;
    w.walk(xmlDocGetRootElement(doc.get()), 0);
    return std::string(trim(w.out));
}

namespace {

bool in(const char* name, std::initializer_list<const char*> names) {
    for (const char* n : names)
        if (!strcmp(name, n)) return true;
    return false;
}

// Elements kept with their attributes filtered; "drop" ones go with all they hold.
bool kept_element(const char* n) {
    return in(n, {"p", "br", "div", "span", "b", "strong", "i", "em", "u", "s", "strike", "a", "ul", "ol", "li", "dl",
                  "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col",
                  "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "hr", "img", "font", "center",
                  "small", "big", "sub", "sup", "style", "section", "article", "header", "footer", "address"});
}
bool dropped_element(const char* n) {
    return in(n, {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
                  "textarea", "select", "option", "noscript", "template", "svg", "math", "link", "meta", "base",
                  "title", "audio", "video", "source", "track", "canvas", "portal", "dialog"});
}
bool kept_attribute(const char* n) {
    return in(n, {"href", "src", "alt", "title", "colspan", "rowspan", "align", "valign", "width", "height", "style",
                  "color", "face", "size", "bgcolor", "border", "cellpadding", "cellspacing", "dir", "lang"});
}

bool dangerous_css(std::string_view v) {
    std::string l = to_lower(v);
    return l.find("url(") != std::string::npos || l.find("@import") != std::string::npos ||
           l.find("expression(") != std::string::npos || l.find("javascript:") != std::string::npos ||
           l.find("\\") != std::string::npos;  // CSS escapes could spell any of these
}

bool safe_url(std::string_view attr, std::string_view v) {
    std::string l = to_lower(trim(v));
    if (attr == "href") return l.starts_with("http://") || l.starts_with("https://") || l.starts_with("mailto:") || l.starts_with("#");
    return l.starts_with("data:image/") && l.find("svg") == std::string::npos;
}

void escape(std::string& out, std::string_view s, bool attribute) {
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += attribute ? "&quot;" : "\""; break;
            case '\'': out += attribute ? "&#39;" : "'"; break;
            default: out += c;
        }
    }
}

struct Sanitizer {
    const HtmlView& view;
    std::string out;
    size_t blocked = 0;

    // An <img src> as it may be shown, or "" to leave the src out.
    std::string image_source(const std::string& value) {
        std::string l = to_lower(trim(value));
        if (l.starts_with("cid:")) {
            std::string_view id = trim(value).substr(4);
            if (id.size() > 1 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
            return view.inline_image ? view.inline_image(id) : std::string();
        }
        if (l.starts_with("http://") || l.starts_with("https://")) {
            if (view.remote_images) return std::string(trim(value));
            ++blocked;
            return {};
        }
        return safe_url("src", value) ? value : std::string();
    }
    void walk(xmlNode* node, int depth) {
        for (xmlNode* n = node; n; n = n->next) {
            if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
                if (n->content) escape(out, reinterpret_cast<const char*>(n->content), false);
                continue;
            }
            if (n->type != XML_ELEMENT_NODE) continue;  // comments, processing instructions
            const char* name = reinterpret_cast<const char*>(n->name);
            if (dropped_element(name)) continue;
            if (!strcmp(name, "style")) {
                std::string css;
                for (xmlNode* c = n->children; c; c = c->next)
                    if (c->content) css += reinterpret_cast<const char*>(c->content);
                if (!dangerous_css(css)) {
                    out += "<style>";
                    escape(out, css, false);  // no markup can end the element early
                    out += "</style>";
                }
                continue;
            }
            bool keep = kept_element(name);
            if (keep) {
                out += '<';
                out += name;
                for (xmlAttr* a = n->properties; a; a = a->next) {
                    const char* an = reinterpret_cast<const char*>(a->name);
                    if (!kept_attribute(an)) continue;  // on* handlers and everything unknown
                    xmlChar* v = xmlNodeGetContent(reinterpret_cast<xmlNode*>(a));
                    std::string value = v ? reinterpret_cast<const char*>(v) : "";
                    if (v) xmlFree(v);
                    if (!strcmp(an, "src")) {
                        value = strcmp(name, "img") ? std::string() : image_source(value);
                        if (value.empty()) continue;
                    }
                    if (!strcmp(an, "href") && !safe_url(an, value)) continue;
                    if (!strcmp(an, "style") && dangerous_css(value)) continue;
                    out += ' ';
                    out += an;
                    out += "=\"";
                    escape(out, value, true);
                    out += '"';
                }
                if (!strcmp(name, "a")) out += " rel=\"noopener noreferrer\" target=\"_blank\"";
                out += '>';
            }
            if (depth < 256) walk(n->children, depth + 1);
            if (keep && !in(name, {"br", "hr", "img", "col"})) {
                out += "</";
                out += name;
                out += '>';
            }
        }
    }
};

}  // namespace

SanitizedHtml sanitize_html(std::string_view html, const HtmlView& view) {
    HtmlDoc doc = parse_html(html);
    if (!doc) return {};
    Sanitizer s{view, "<!DOCTYPE html><meta charset=\"utf-8\">", 0};
    s.walk(xmlDocGetRootElement(doc.get()), 0);
    return {std::move(s.out), s.blocked};
}

std::string sanitize_html(std::string_view html) { return sanitize_html(html, HtmlView{}).html; }

std::string html_meta_charset(std::string_view html) {
    std::string head = to_lower(html.substr(0, std::min<size_t>(html.size(), 4096)));
    size_t p = head.find("charset=");
    if (p == std::string::npos) return {};
    p += 8;
    while (p < head.size() && (head[p] == '"' || head[p] == '\'' || head[p] == ' ')) ++p;
    size_t e = p;
    while (e < head.size() && (std::isalnum((unsigned char)head[e]) || head[e] == '-' || head[e] == '_')) ++e;
    return head.substr(p, e - p);
}

}  // namespace tw
