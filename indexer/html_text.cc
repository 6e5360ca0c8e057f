#include "html_text.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <cstring>
#include <memory>

#include "strutil.h"

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

std::string html_to_text(std::string_view html) {
    if (html.empty()) return {};
    htmlDocPtr doc = htmlReadMemory(html.data(), int(std::min<size_t>(html.size(), 1u << 30)), nullptr, "UTF-8",
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                        HTML_PARSE_RECOVER | HTML_PARSE_COMPACT);
    if (!doc) return {};
    std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> guard(doc, xmlFreeDoc);
    Walker w;
    w.walk(xmlDocGetRootElement(doc), 0);
    return std::string(trim(w.out));
}

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
