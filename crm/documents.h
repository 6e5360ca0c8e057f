// Trade documents in mail: typed document numbers and the totals mail states.
// Pure functions over a Message (no database); crm.h stores what they find.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tw {

struct Message;

// gmail.com, qq.com, 163.com, gmx.* ... (and tradegen's mail.example,
// webmail.example). Lower-case domain.
bool is_freemail(std::string_view domain);

// The document type a number belongs to ("quotation", "proforma_invoice",
// "purchase_order", "contract", "commercial_invoice", "packing_list",
// "bill_of_lading", "letter_of_credit"), or "" for a token that is no
// document number (ISO-9001, USD12000, a model number).
std::string doc_type(std::string_view number);

struct DocMention {
    std::string number, type;
    std::string place;   // "subject", "body", "filename", "attachment"
    std::string sha256;  // filename and attachment: the attachment's (what was approved, what was sent)
    std::string words;   // and of its text, spaces collapsed (a PDF saved again: new bytes, the same words)
};

// The hash of a document's words (its text without spaces): the same document saved again has new bytes and
// the same words.
std::string words_hash(std::string_view text);

// Every document number in the message, once per (number, place).
std::vector<DocMention> trade_documents(const Message& m);

// The total a mail states for a deal: "Total: USD 12,500.00", "Amount US$3,200",
// "合计金额：人民币 8,000 元", "Grand total EUR 1.234,50". Labeled amounts win
// (grand total, then total, then amount/value); without a label, the one
// amount of the text if it has exactly one. Unit prices ("USD 3.50/pc") and
// quoted lines ("> ...") are not totals.
struct Money {
    std::string amount;    // "12500.00": '.' for decimals, no separators
    std::string currency;  // ISO 4217: USD, EUR, CNY ...
};
std::optional<Money> stated_total(std::string_view text);
// The total of the mail's text, else of an attachment's.
std::optional<Money> total_of(const Message& m);

// A firm's own numbering, on top of the defaults: JSON {"type": ["regex", ...]}
// (ECMAScript, matched against whole tokens of letters, digits, '-' and '/'),
// e.g. {"purchase_order": ["BEST-\\d{5}"]}. Applies to mail parsed from now on
// in this process (the archive keeps it in the doc_patterns setting). Throws
// InvalidError with what is wrong; "" clears them.
void set_doc_patterns(const std::string& json);

// What a user may write into a document's field (status, type, amount,
// currency, number); throws InvalidError saying what is wrong.
void check_document_field(const std::string& field, const std::string& value);

}  // namespace tw
