// Attachment text extraction per format. XLSX/DOCX packages are built here
// with libzip; the PDF is a minimal hand-written file.
#include <catch2/catch.hpp>
#include <zip.h>

#include "mail/attachment_text.h"
#include "helpers.h"

namespace {

std::string make_zip(const std::vector<std::pair<std::string, std::string>>& members) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &err);
    zip_source_keep(src);
    zip_t* z = zip_open_from_source(src, ZIP_TRUNCATE, &err);
    for (const auto& [name, data] : members) {
        zip_source_t* s = zip_source_buffer(z, data.data(), data.size(), 0);
        zip_file_add(z, name.c_str(), s, ZIP_FL_ENC_UTF_8);
    }
    zip_close(z);
    zip_source_open(src);
    zip_source_seek(src, 0, SEEK_END);
    zip_int64_t size = zip_source_tell(src);
    zip_source_seek(src, 0, SEEK_SET);
    std::string out(size_t(size), '\0');
    zip_source_read(src, out.data(), zip_uint64_t(size));
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&err);
    return out;
}

}  // namespace

TEST_CASE("formats are recognised by type or by name", "[attachment]") {
    using tw::DocFormat;
    CHECK(tw::doc_format("application/pdf", "") == DocFormat::Pdf);
    CHECK(tw::doc_format("application/octet-stream", "PI-2025-0001.PDF") == DocFormat::Pdf);
    CHECK(tw::doc_format("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "x") == DocFormat::Xlsx);
    CHECK(tw::doc_format("application/octet-stream", "Packing List.xlsx") == DocFormat::Xlsx);
    CHECK(tw::doc_format("application/msword", "contract.docx") == DocFormat::Docx);
    CHECK(tw::doc_format("text/csv", "") == DocFormat::Text);
    CHECK(tw::doc_format("text/rfc822-headers", "") == DocFormat::Text);
    CHECK(tw::doc_format("message/delivery-status", "") == DocFormat::Text);
    CHECK(tw::doc_format("text/html", "") == DocFormat::Html);
    CHECK(tw::doc_format("image/jpeg", "bank slip.jpg") == DocFormat::None);
}

TEST_CASE("PDF text", "[attachment]") {
    std::string err;
    std::string text = tw::pdf_text(tw_test::make_pdf("Proforma Invoice PI-2025-0042"), &err);
    CHECK(err.empty());
    CHECK(text.find("Proforma Invoice PI-2025-0042") != std::string::npos);
    std::string junk_err;
    CHECK(tw::pdf_text("%PDF-1.4 garbage garbage garbage", &junk_err).empty());
    CHECK_FALSE(junk_err.empty());
}

TEST_CASE("XLSX text: shared strings, inline strings and numbers", "[attachment]") {
    std::string xlsx = make_zip({
        {"xl/sharedStrings.xml",
         "<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
         "<si><t>Packing List PL-2025-0007</t></si><si><r><t>纸箱</t></r><r><t>尺寸</t></r></si></sst>"},
        {"xl/worksheets/sheet1.xml",
         "<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
         "<sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\"><v>1250.5</v></c>"
         "<c r=\"C1\" t=\"inlineStr\"><is><t>COSU1234567890</t></is></c></row></sheetData></worksheet>"},
    });
    std::string err;
    std::string text = tw::xlsx_text(xlsx, 1u << 20, &err);
    CHECK(err.empty());
    CHECK(text.find("Packing List PL-2025-0007") != std::string::npos);
    CHECK(text.find("纸箱尺寸") != std::string::npos);
    CHECK(text.find("1250.5") != std::string::npos);
    CHECK(text.find("COSU1234567890") != std::string::npos);
}

TEST_CASE("DOCX text with paragraphs", "[attachment]") {
    std::string docx = make_zip({{"word/document.xml",
                                  "<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/"
                                  "wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>Sales Contract</w:t></w:r></w:p>"
                                  "<w:p><w:r><w:t xml:space=\"preserve\">No. </w:t></w:r><w:r><w:t>SC-88</w:t></w:r>"
                                  "</w:p></w:body></w:document>"}});
    std::string err;
    CHECK(tw::docx_text(docx, 1u << 20, &err) == "Sales Contract\nNo. SC-88\n\n");
}

TEST_CASE("damaged packages and zip bombs give a problem, not a crash", "[attachment]") {
    std::string err;
    CHECK(tw::xlsx_text("PK\x03\x04 not really a zip", 1u << 20, &err).empty());
    CHECK_FALSE(err.empty());
    std::string big(4u << 20, ' ');
    std::string bomb = make_zip({{"word/document.xml", "<w:document><w:p><w:t>x</w:t></w:p>" + big + "</w:document>"}});
    CHECK(bomb.size() < 100000);
    std::string bomb_err;
    tw::docx_text(bomb, 1u << 20, &bomb_err);
    CHECK(bomb_err.find("limit") != std::string::npos);
}

TEST_CASE("text and HTML attachments convert their charset", "[attachment]") {
    tw::ParseLimits lim;
    std::vector<std::string> problems;
    CHECK(tw::extract_attachment_text(tw::DocFormat::Text, "\xB1\xA8\xBC\xDB", lim, problems, "gbk") == "报价");
    CHECK(tw::extract_attachment_text(tw::DocFormat::Text, "a\r\nb", lim, problems) == "a\nb");
    CHECK(tw::extract_attachment_text(tw::DocFormat::Html, "<meta charset=\"big5\"><p>\xB3\xF8\xBB\xF9</p>", lim,
                                      problems) == "報價");
    CHECK(problems.empty());
    lim.max_attachment_text_bytes = 4;
    CHECK(tw::extract_attachment_text(tw::DocFormat::Text, "报价单", lim, problems).size() == 3);  // cut at a character
}
