// Trade document numbers found in free text, table-driven.
#include <catch2/catch.hpp>

#include "mail/docnum.h"

using Docs = std::vector<std::string>;

TEST_CASE("document numbers of the trade are found", "[docnum]") {
    struct Row { const char* text; Docs want; };
    const Row rows[] = {
        {"Quotation QT-2025-0001 attached", {"QT-2025-0001"}},
        {"PI PI-2025-0042 for Nord GmbH", {"PI-2025-0042"}},
        {"our purchase order PO4500012345 against your PI PI-2025-0042.", {"PO4500012345", "PI-2025-0042"}},
        {"B/L No. COSU6182736450, packing list PL-2025-0031", {"COSU6182736450", "PL-2025-0031"}},
        {"L/C No. LCDE123456 has been issued", {"LCDE123456"}},
        {"RE: Inquiry - INV-2026-1096", {"INV-2026-1096"}},
        {"报价单QT-2025-0107.pdf", {"QT-2025-0107"}},
        {"QT-2025-0001 and again QT-2025-0001", {"QT-2025-0001"}},
        {"USD 12.50/pc, MOQ 500 pcs, 25 days", {}},
        {"ISO9001 LED600 A1234", {"ISO9001"}},
        {"xQT-2025-0001 and QT-2025-0001x", {}},
        {"", {}},
    };
    for (const auto& r : rows) {
        INFO(r.text);
        CHECK(tw::doc_numbers(r.text) == r.want);
    }
}
