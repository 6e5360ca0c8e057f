#include "mail/attachment_text.h"

#include "mail/charset.h"
#include "mail/html_text.h"
#include "mail/strutil.h"

namespace tw {
namespace {

bool ends_with_i(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}


}  // namespace

DocFormat doc_format(std::string_view ct, std::string_view name) {
    std::string t = to_lower(ct);
    if (t == "application/pdf" || t == "application/x-pdf" || ends_with_i(name, ".pdf")) return DocFormat::Pdf;
    if (t.find("spreadsheetml.sheet") != std::string::npos || ends_with_i(name, ".xlsx")) return DocFormat::Xlsx;
    if (t.find("wordprocessingml.document") != std::string::npos || ends_with_i(name, ".docx")) return DocFormat::Docx;
    if (t == "text/html" || ends_with_i(name, ".html") || ends_with_i(name, ".htm")) return DocFormat::Html;
    // Any other text/* (CSV, calendars, vCards, headers of a bounced message) and
    // the delivery reports of bounces are searchable as they are.
    if (t.starts_with("text/") || t == "message/delivery-status" || t == "message/disposition-notification" ||
        t == "message/global-delivery-status" || ends_with_i(name, ".txt") || ends_with_i(name, ".csv") ||
        ends_with_i(name, ".tsv"))
        return DocFormat::Text;
    return DocFormat::None;
}

std::string extract_document_text(DocFormat fmt, std::string_view data, size_t max_unzip, std::string* error) {
    switch (fmt) {
        case DocFormat::Pdf: return pdf_text(data, error);
        case DocFormat::PdfPreview: return pdf_preview_png(data, 800, error);
        case DocFormat::Xlsx: return xlsx_text(data, max_unzip, error);
        case DocFormat::Docx: return docx_text(data, max_unzip, error);
        case DocFormat::None:
        case DocFormat::Text:
        case DocFormat::Html: break;
    }
    return {};
}

std::string extract_attachment_text(DocFormat fmt, std::string_view data, const ParseLimits& lim,
                                    std::vector<std::string>& problems, std::string_view charset) {
    std::string text, error;
    switch (fmt) {
        case DocFormat::None:
        case DocFormat::PdfPreview:  // never an attachment's text
            return {};
        case DocFormat::Pdf:
        case DocFormat::Xlsx:
        case DocFormat::Docx:
            if (fmt == DocFormat::Pdf && !lim.extract_pdf_text) return {};
            text = lim.extractor ? lim.extractor->extract(fmt, data, lim.max_unzip_bytes, &error)
                                 : extract_document_text(fmt, data, lim.max_unzip_bytes, &error);
            break;
        case DocFormat::Text:
            text = charset.empty() ? guess_to_utf8(data) : to_utf8(data, charset).text;
            break;
        case DocFormat::Html: {
            std::string cs(charset.empty() ? html_meta_charset(data) : std::string(charset));
            text = html_to_text(cs.empty() ? guess_to_utf8(data) : to_utf8(data, cs).text);
            break;
        }
    }
    if (!error.empty()) problems.push_back(error);
    if (!is_valid_utf8(text)) text = sanitize_utf8(text);
    text = normalize_newlines(text);
    truncate_utf8(text, lim.max_attachment_text_bytes);
    return text;
}

}  // namespace tw
