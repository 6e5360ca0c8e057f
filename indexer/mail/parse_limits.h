// Hard limits of the message parser, in one place (Dovecot's
// message_parser_settings is the model). Anything over a limit is recorded in
// Message::problems; the raw bytes are always kept whole.
#pragma once
#include <cstddef>

namespace tw {

class TextExtractor;

struct ParseLimits {
    // Messages larger than this are parsed for their header only.
    size_t max_message_bytes = 64u << 20;
    // One header field, folded lines included. mimetic grows header buffers
    // 128 bytes at a time (quadratic), so longer fields are cut before it sees them.
    size_t max_header_field_bytes = 128u << 10;
    // One header block (all fields of one entity).
    size_t max_header_block_bytes = 1u << 20;
    // Nesting of multipart and message/rfc822 entities we descend into.
    int max_depth = 24;
    // multipart/message containers handed to mimetic (it recurses once per
    // container and crashes on ~100k nested ones).
    size_t max_containers = 512;
    // Leaf parts turned into body text or attachments.
    size_t max_parts = 1000;
    // Body text kept (the reader's text, after HTML conversion).
    size_t max_text_bytes = 8u << 20;
    // Extracted text kept per attachment.
    size_t max_attachment_text_bytes = 2u << 20;
    // Bytes inflated from one member of an XLSX/DOCX zip (zip bombs).
    size_t max_unzip_bytes = 64u << 20;
    // Attachment text extraction (PDF, XLSX, DOCX, CSV, TXT, HTML).
    bool extract_attachment_text = true;
    // Keep each attachment's decoded bytes in Attachment::data (downloads).
    bool keep_attachment_data = false;
    // PDF text via poppler, which is the slowest and least trusted extractor.
    bool extract_pdf_text = true;
    // Where PDF/XLSX/DOCX extraction runs: null = in this process; a
    // TextWorker = in a killable child process (not owned; one per thread).
    TextExtractor* extractor = nullptr;
};

}  // namespace tw
