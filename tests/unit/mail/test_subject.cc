// Table-driven tests of subject normalisation (reply/forward prefixes).
#include <catch2/catch.hpp>

#include "mail/subject.h"

TEST_CASE("reply and forward prefixes in many languages are removed", "[subject]") {
    struct Row { const char* raw; const char* want; };
    const Row rows[] = {
        {"Re: Inquiry for LED panel", "Inquiry for LED panel"},
        {"RE: RE: Inquiry", "Inquiry"},
        {"Re[2]: Inquiry", "Inquiry"},
        {"Re(3): Inquiry", "Inquiry"},
        {"Fwd: FW: Re: Inquiry", "Inquiry"},
        {"AW: WG: Anfrage", "Anfrage"},
        {"SV: VS: Forespørsel", "Forespørsel"},
        {"RES: ENC: Cotação", "Cotação"},
        {"TR: RE: Devis", "Devis"},
        {"回复: 询价：LED面板灯", "询价：LED面板灯"},
        {"回复：答复：询价", "询价"},
        {"回覆: 詢價", "詢價"},
        {"转发: 报价单", "报价单"},
        {"Re : spaced colon", "spaced colon"},
        {"[EXT] RE: Inquiry", "Inquiry"},
        {"[Sales] Weekly report", "[Sales] Weekly report"},
        {"Inquiry (fwd)", "Inquiry"},
        {"Re:Inquiry", "Inquiry"},
        {"  RE:  \t Inquiry  ", "Inquiry"},
        {"Request: new price list", "Request: new price list"},
        {"Rebate offer", "Rebate offer"},
        {"Re:", ""},
        {"", ""},
    };
    for (const auto& r : rows) {
        INFO(r.raw);
        CHECK(tw::base_subject(r.raw) == r.want);
    }
}
