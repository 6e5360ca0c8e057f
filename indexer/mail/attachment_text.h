// Searchable text of attachments: PDF, XLSX, DOCX, CSV/TXT, HTML. One file
// per format (pdf_text.cc, ooxml_text.cc), as in Xapian's omega.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "mail/parse_limits.h"

namespace tw {

enum class DocFormat { None, Pdf, Xlsx, Docx, Text, Html, PdfPreview };  // PdfPreview: a PDF's first page as PNG

// Which extractor fits, from the content type and the file name (clients
// label many attachments application/octet-stream).
DocFormat doc_format(std::string_view content_type, std::string_view filename);

// Where the fragile extractors (PDF, XLSX, DOCX) run. The default runs them
// in-process; TextWorker (text_worker.h) runs them in a child process that is
// killed on a timeout or a crash, so a hostile document cannot stall or take
// down the caller.
class TextExtractor {
public:
    virtual ~TextExtractor() = default;
    // Text of a PDF/XLSX/DOCX document; "" and *error set on failure.
    virtual std::string extract(DocFormat fmt, std::string_view data, size_t max_unzip, std::string* error) = 0;
};

// Runs the in-process extractor for fmt (what the worker process calls).
std::string extract_document_text(DocFormat fmt, std::string_view data, size_t max_unzip, std::string* error);

// UTF-8 text of the document, capped at limits.max_attachment_text_bytes.
// PDF/XLSX/DOCX go through limits.extractor when it is set.
// Broken documents give "" and a line in problems; they never throw.
std::string extract_attachment_text(DocFormat fmt, std::string_view data, const ParseLimits& limits,
                                    std::vector<std::string>& problems, std::string_view charset = {});

// Per format, for the dispatcher and the tests.
std::string pdf_text(std::string_view data, std::string* error);
// The first page of a PDF as a PNG image about `width` pixels wide (a preview that runs no code of the
// document in the reader's browser); "" and *error when it cannot be drawn.
std::string pdf_preview_png(std::string_view data, int width, std::string* error);
std::string xlsx_text(std::string_view data, size_t max_unzip, std::string* error);
std::string docx_text(std::string_view data, size_t max_unzip, std::string* error);

}  // namespace tw
