// Text of Office Open XML documents (XLSX, DOCX): libzip reads the package,
// libxml2 the parts. No external entities are loaded (no XML_PARSE_NOENT).
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "mail/attachment_text.h"

namespace tw {
namespace {

struct ZipCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
};
using Zip = std::unique_ptr<zip_t, ZipCloser>;

Zip open_zip(std::string_view data, std::string* error) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(data.data(), data.size(), 0, &err);
    if (!src) {
        *error = "attachment is not a readable zip package";
        zip_error_fini(&err);
        return nullptr;
    }
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY, &err);
    if (!z) {
        zip_source_free(src);
        *error = "attachment is not a readable zip package (damaged Office file)";
    }
    zip_error_fini(&err);
    return Zip(z);
}

// One member, inflated up to max bytes. "" if absent.
std::string read_member(zip_t* z, zip_int64_t index, size_t max, std::string* error) {
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen_index(z, zip_uint64_t(index), 0), zip_fclose);
    if (!f) return {};
    std::string out;
    char buf[65536];
    while (out.size() < max) {
        zip_int64_t n = zip_fread(f.get(), buf, sizeof buf);
        if (n < 0) {
            *error = "Office attachment has a damaged zip member";
            break;
        }
        if (n == 0) break;
        out.append(buf, size_t(n));
    }
    if (out.size() >= max) {
        *error = "Office attachment member inflates past the limit (zip bomb?); text cut";
        out.resize(max);
    }
    return out;
}

struct XmlDocFree {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

std::unique_ptr<xmlDoc, XmlDocFree> read_xml(const std::string& xml) {
    return std::unique_ptr<xmlDoc, XmlDocFree>(
        xmlReadMemory(xml.data(), int(std::min<size_t>(xml.size(), 1u << 30)), nullptr, nullptr,
                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_RECOVER |
                          XML_PARSE_COMPACT));
}

bool named(const xmlNode* n, const char* name) { return n->name && strcmp((const char*)n->name, name) == 0; }

std::string content(const xmlNode* n) {
    xmlChar* c = xmlNodeGetContent(n);
    std::string s = c ? (const char*)c : "";
    xmlFree(c);
    return s;
}

// Collects the text of <t> elements; a newline after each element named in breaks.
// For spreadsheet cells, <v> holds a value unless the cell is a shared-string index (t="s").
void collect(const xmlNode* n, std::string& out, const char* const* breaks, int depth) {
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (named(n, "t")) {
            out += content(n);
            continue;
        }
        if (named(n, "tab")) out += '\t';
        if (named(n, "c")) {
            xmlChar* t = xmlGetProp(n, BAD_CAST "t");
            bool shared = t && strcmp((const char*)t, "s") == 0;
            xmlFree(t);
            if (shared) continue;
            for (const xmlNode* v = n->children; v; v = v->next)
                if (v->type == XML_ELEMENT_NODE && named(v, "v")) out += content(v) + " ";
        }
        if (depth < 256) collect(n->children, out, breaks, depth + 1);
        for (const char* const* b = breaks; *b; ++b)
            if (named(n, *b)) {
                out += '\n';
                break;
            }
        if (named(n, "c")) out += ' ';
    }
}

// Text of the members named only (or, when only is null, under prefix and ending in .xml).
std::string members_text(const Zip& z, size_t& budget, std::string* error, const char* prefix, const char* only,
                         const char* const* breaks) {
    std::string out;
    zip_int64_t n = zip_get_num_entries(z.get(), 0);
    for (zip_int64_t i = 0; i < n && i < 10000 && budget > 0; ++i) {
        const char* name = zip_get_name(z.get(), zip_uint64_t(i), 0);
        if (!name) continue;
        std::string_view nm(name);
        bool wanted = only ? nm == only : (nm.starts_with(prefix) && nm.ends_with(".xml"));
        if (!wanted) continue;
        std::string xml = read_member(z.get(), i, budget, error);
        budget -= std::min(budget, xml.size());
        auto doc = read_xml(xml);
        if (!doc) continue;
        collect(xmlDocGetRootElement(doc.get()), out, breaks, 0);
        out += '\n';
    }
    return out;
}

}  // namespace

std::string xlsx_text(std::string_view data, size_t max_unzip, std::string* error) {
    static const char* const breaks[] = {"si", "row", nullptr};
    Zip z = open_zip(data, error);
    if (!z) return {};
    size_t budget = max_unzip;
    std::string s = members_text(z, budget, error, "", "xl/sharedStrings.xml", breaks);
    return s + members_text(z, budget, error, "xl/worksheets/sheet", nullptr, breaks);
}

std::string docx_text(std::string_view data, size_t max_unzip, std::string* error) {
    static const char* const breaks[] = {"p", "br", nullptr};
    Zip z = open_zip(data, error);
    if (!z) return {};
    size_t budget = max_unzip;
    return members_text(z, budget, error, "", "word/document.xml", breaks);
}

}  // namespace tw
