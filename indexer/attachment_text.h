// Searchable text of attachments: PDF, XLSX, DOCX, CSV/TXT, HTML. One file
// per format (pdf_text.cc, ooxml_text.cc), as in Xapian's omega.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "parse_limits.h"

namespace tw {

enum class DocFormat { None, Pdf, Xlsx, Docx, Text, Html };

// Which extractor fits, from the content type and the file name (clients
// label many attachments application/octet-stream).
DocFormat doc_format(std::string_view content_type, std::string_view filename);

// UTF-8 text of the document, capped at limits.max_attachment_text_bytes.
// Broken documents give "" and a line in problems; they never throw.
std::string extract_attachment_text(DocFormat fmt, std::string_view data, const ParseLimits& limits,
                                    std::vector<std::string>& problems, std::string_view charset = {});

// Per format, for the dispatcher and the tests.
std::string pdf_text(std::string_view data, std::string* error);
std::string xlsx_text(std::string_view data, size_t max_unzip, std::string* error);
std::string docx_text(std::string_view data, size_t max_unzip, std::string* error);

}  // namespace tw
