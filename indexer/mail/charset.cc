#include "mail/charset.h"

#include <iconv.h>
#include <uchardet.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <vector>
#include <cstring>
#include <map>
#include <memory>

namespace tw {
namespace {

std::string lower_trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '"')) s.remove_suffix(1);
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// Labels seen in real mail that glibc iconv lacks or that mean a superset.
const std::map<std::string, std::string, std::less<>>& aliases() {
    static const std::map<std::string, std::string, std::less<>> m = {
        {"gb2312", "GB18030"}, {"gbk", "GB18030"}, {"x-gbk", "GB18030"}, {"cp936", "GB18030"},
        {"csgb2312", "GB18030"}, {"euc-cn", "GB18030"}, {"x-euc-cn", "GB18030"}, {"gb_2312-80", "GB18030"},
        {"chinese", "GB18030"}, {"windows-936", "GB18030"}, {"ms936", "GB18030"}, {"gb18030", "GB18030"},
        {"big5", "BIG5-HKSCS"}, {"x-big5", "BIG5-HKSCS"}, {"big-5", "BIG5-HKSCS"}, {"cn-big5", "BIG5-HKSCS"},
        {"big5-hkscs", "BIG5-HKSCS"}, {"cp950", "BIG5-HKSCS"},
        {"ks_c_5601-1987", "CP949"}, {"ks_c_5601", "CP949"}, {"ksc5601", "CP949"}, {"ksc_5601", "CP949"},
        {"euc-kr", "CP949"}, {"x-euc-kr", "CP949"}, {"cp949", "CP949"}, {"windows-949", "CP949"},
        {"shift_jis", "CP932"}, {"shift-jis", "CP932"}, {"x-sjis", "CP932"}, {"sjis", "CP932"},
        {"ms_kanji", "CP932"}, {"windows-31j", "CP932"}, {"cp932", "CP932"}, {"x-ms-cp932", "CP932"},
        {"iso-2022-jp", "ISO-2022-JP-3"}, {"iso-2022-jp-1", "ISO-2022-JP-3"}, {"iso-2022-jp-2", "ISO-2022-JP-2"},
        {"euc-jp", "EUC-JP-MS"}, {"x-euc-jp", "EUC-JP-MS"},
        {"x-mac-roman", "MACINTOSH"}, {"macintosh", "MACINTOSH"}, {"mac", "MACINTOSH"},
        {"iso-8859-8-i", "ISO-8859-8"}, {"iso-8859-6-i", "ISO-8859-6"}, {"iso-8859-8-e", "ISO-8859-8"},
        {"unicode-1-1-utf-7", "UTF-7"}, {"utf-7", "UTF-7"}, {"x-unicode20utf7", "UTF-7"},
        {"utf8", "UTF-8"}, {"uft-8", "UTF-8"}, {"utf-8", "UTF-8"}, {"x-utf-8", "UTF-8"}, {"unicode-1-1-utf-8", "UTF-8"},
        {"us-ascii", "WINDOWS-1252"}, {"ascii", "WINDOWS-1252"}, {"ansi_x3.4-1968", "WINDOWS-1252"},
        {"iso-8859-1", "WINDOWS-1252"}, {"latin1", "WINDOWS-1252"}, {"iso8859-1", "WINDOWS-1252"},
        {"x-user-defined", "WINDOWS-1252"}, {"unknown-8bit", "WINDOWS-1252"}, {"default", "WINDOWS-1252"},
        {"utf-16", "UTF-16"}, {"unicode", "UTF-16"}, {"ucs-2", "UTF-16"},
        {"tis-620", "CP874"}, {"windows-874", "CP874"}, {"koi8-u", "KOI8-U"},
    };
    return m;
}

bool is_cjk_multibyte(const std::string& name) {
    return name == "GB18030" || name == "BIG5-HKSCS" || name == "BIG5" || name == "CP932" || name == "EUC-JP-MS" ||
           name == "EUC-JP" || name == "CP949" || name == "SHIFT_JIS" || name == "EUC-KR";
}

bool starts_with_bom(std::string_view s) { return s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF"; }

// One cached iconv descriptor per target charset and thread (iconv_open is slow).
struct IconvCache {
    std::map<std::string, iconv_t, std::less<>> open;
    ~IconvCache() {
        for (auto& [k, cd] : open)
            if (cd != (iconv_t)-1) iconv_close(cd);
    }
    iconv_t get(const std::string& from) {
        auto it = open.find(from);
        if (it == open.end()) it = open.emplace(from, iconv_open("UTF-8", from.c_str())).first;
        if (it->second != (iconv_t)-1) iconv(it->second, nullptr, nullptr, nullptr, nullptr);
        return it->second;
    }
};

thread_local IconvCache t_iconv;

// Converts with cd; invalid or incomplete input bytes become U+FFFD.
bool run_iconv(iconv_t cd, std::string_view in, std::string& out) {
    bool lossy = false;
    out.clear();
    out.reserve(in.size() * 3 / 2 + 16);
    char buf[8192];
    char* src = const_cast<char*>(in.data());
    size_t left = in.size();
    while (true) {
        char* dst = buf;
        size_t room = sizeof buf;
        size_t r = left ? iconv(cd, &src, &left, &dst, &room) : iconv(cd, nullptr, nullptr, &dst, &room);
        out.append(buf, dst - buf);
        if (r != (size_t)-1) {
            if (left == 0) {
                // flush shift state (ISO-2022-JP, UTF-7)
                dst = buf;
                room = sizeof buf;
                iconv(cd, nullptr, nullptr, &dst, &room);
                out.append(buf, dst - buf);
                break;
            }
            continue;
        }
        if (errno == E2BIG) continue;
        // EILSEQ or EINVAL: skip one byte, mark it, reset the state.
        lossy = true;
        out += "\xEF\xBF\xBD";
        ++src;
        --left;
        iconv(cd, nullptr, nullptr, nullptr, nullptr);
        if (left == 0) break;
    }
    return lossy;
}

}  // namespace

std::string normalize_charset(std::string_view label) {
    std::string l = lower_trim(label);
    if (auto star = l.find('*'); star != std::string::npos) l.erase(star);  // RFC 2231 language
    auto it = aliases().find(l);
    if (it != aliases().end()) return it->second;
    if (l.starts_with("x-")) {
        auto inner = aliases().find(std::string_view(l).substr(2));
        if (inner != aliases().end()) return inner->second;
    }
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::toupper(c); });
    return l;
}

bool is_valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* e = p + s.size();
    while (p < e) {
        unsigned c = *p;
        if (c < 0x80) { ++p; continue; }
        int n;
        unsigned min;
        if ((c & 0xE0) == 0xC0) { n = 1; c &= 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { n = 2; c &= 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { n = 3; c &= 0x07; min = 0x10000; }
        else return false;
        if (e - p <= n) return false;
        for (int i = 1; i <= n; ++i) {
            if ((p[i] & 0xC0) != 0x80) return false;
            c = (c << 6) | (p[i] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
        p += n + 1;
    }
    return true;
}

bool truncate_utf8(std::string& s, size_t max) {
    if (s.size() <= max) return false;
    size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    s.resize(n);
    return true;
}

std::string sanitize_utf8(std::string_view s) {
    if (is_valid_utf8(s)) return std::string(s);
    std::string out;
    out.reserve(s.size() + 16);
    size_t i = 0;
    while (i < s.size()) {
        // find the longest valid prefix of length 1..4 at i
        size_t len = 0;
        unsigned char c = s[i];
        size_t want = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (want && i + want <= s.size() && is_valid_utf8(s.substr(i, want))) len = want;
        if (len) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

std::string detect_charset(std::string_view bytes) {
    struct Del { void operator()(uchardet_t u) const { uchardet_delete(u); } };
    thread_local std::unique_ptr<std::remove_pointer_t<uchardet_t>, Del> ud(uchardet_new());
    uchardet_reset(ud.get());
    if (uchardet_handle_data(ud.get(), bytes.data(), bytes.size()) != 0) return {};
    uchardet_data_end(ud.get());
    const char* cs = uchardet_get_charset(ud.get());
    return cs ? std::string(cs) : std::string();
}

// declared's bytes read in the CJK charset that reads best, when that is not
// declared itself ("" otherwise); used: which. (Defined with the scoring below.)
std::string relabel_cjk(std::string_view bytes, const std::string& declared, std::string_view context, std::string* used);

Utf8Result to_utf8(std::string_view bytes, std::string_view label, std::string_view context) {
    Utf8Result r;
    std::string name = normalize_charset(label);
    if (name == "UTF-8" || name.empty()) {
        if (starts_with_bom(bytes)) bytes.remove_prefix(3);
        if (is_valid_utf8(bytes)) {
            r.text.assign(bytes);
            return r;
        }
        if (name.empty()) {
            r.text = guess_to_utf8(bytes);
            return r;
        }
        // Labelled UTF-8 but is not: real clients do this with GBK and Latin-1.
        r.text = guess_to_utf8(bytes);
        r.lossy = true;
        return r;
    }
    // Fast path: ASCII-compatible charsets map 7-bit bytes to themselves. Not
    // so for UTF-16/32, for ISO-2022 escapes, or for UTF-7's '+' shifts.
    bool wide = name.starts_with("UTF-16") || name.starts_with("UTF-32") || name.starts_with("UCS");
    bool utf7 = name == "UTF-7";
    bool ascii = !wide && std::all_of(bytes.begin(), bytes.end(), [utf7](unsigned char c) {
        return c < 0x80 && c != 0x1B && c != 0 && !(utf7 && c == '+');
    });
    if (ascii) {
        r.text.assign(bytes);
        return r;
    }
    if (name == "WINDOWS-1252" && is_valid_utf8(bytes)) {  // "us-ascii"/Latin-1 labels on UTF-8 text
        r.text.assign(bytes);
        return r;
    }
    iconv_t cd = t_iconv.get(name);
    if (cd == (iconv_t)-1) {
        r.unknown_charset = true;
        r.text = guess_to_utf8(bytes);
        return r;
    }
    r.lossy = run_iconv(cd, bytes, r.text);
    if (is_cjk_multibyte(name) && !is_valid_utf8(bytes)) {
        // Chinese, Japanese and Korean charsets accept each other's bytes: a
        // label is a prior, not the answer (a GBK label on Shift_JIS text).
        std::string used;
        std::string other = relabel_cjk(bytes, name, context, &used);
        if (!other.empty()) {
            r.text = std::move(other);
            r.lossy = false;
            r.relabelled = used;
            return r;
        }
    }
    if (r.lossy && is_valid_utf8(bytes)) {
        // Mislabelled UTF-8 (a 7-bit label such as ISO-2022-JP on 8-bit text, or
        // a gateway that re-encoded the body but kept the header): trust the bytes.
        r.text.assign(bytes);
        r.lossy = false;
        r.mislabelled = true;
        return r;
    }
    if (!is_valid_utf8(r.text)) r.text = sanitize_utf8(r.text);
    return r;
}

namespace {

// Double-byte CJK text (GBK, Big5) has its 8-bit bytes in runs of even
// length; Latin text mostly has single accented letters between ASCII ones.
bool cjk_shaped(std::string_view bytes) {
    size_t run = 0, runs = 0;
    for (size_t i = 0; i <= bytes.size(); ++i) {
        bool high = i < bytes.size() && static_cast<unsigned char>(bytes[i]) >= 0x80;
        if (high) {
            ++run;
        } else if (run) {
            if (run % 2) return false;
            ++runs;
            run = 0;
        }
    }
    return runs > 0;
}

bool is_common_mail_charset(const std::string& name) {
    static const char* common[] = {"WINDOWS-125", "ISO-8859-", "KOI8-", "GB18030", "BIG5", "CP932", "CP949",
                                   "EUC-JP", "EUC-KR", "SHIFT_JIS", "ISO-2022-", "CP874", "TIS-620"};
    for (const char* c : common)
        if (name.rfind(c, 0) == 0) return true;
    return false;
}

// Converts with the named charset; "" unless every byte was valid.
std::string clean_convert(std::string_view bytes, const std::string& name) {
    std::string out;
    iconv_t cd = t_iconv.get(name);
    if (cd == (iconv_t)-1 || run_iconv(cd, bytes, out) || !is_valid_utf8(out)) return {};
    return out;
}

// ---- Choosing among CJK charsets by how plausible each decoding reads.
//
// GB18030 accepts almost any byte pair, so "converts without error" decides
// nothing between GBK, Big5, Shift_JIS, EUC-JP and EUC-KR. Each candidate
// that converts cleanly is read back and scored per character: common
// ideographs (GB2312, Big5 level 1, JIS level 1), kana and KS X 1001 Hangul
// read as text; rare ideographs, half-width katakana, enclosed numbers, box
// drawing, Latin-1 symbols and private-use characters read as mojibake. The
// declared charset and uchardet's answer over the message's 8-bit header
// bytes only break near-ties (priors), so a wrong label loses to a clean
// reading.

enum : uint8_t { kCommonHan = 1, kCommonHangul = 2, kJisHan = 4, kKnownHan = 8, kFrequent = 16 };

// The most frequent characters of written Chinese (simplified and
// traditional), with this trade's words (报价 報價 订单 訂單 确认 確認 ...),
// Japanese particles and endings, and Korean syllables: a reading made of them is text, not coincidence (GBK and
// Big5 both accept each other's bytes as common characters).
constexpr const char* kFrequentChars =
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日"
    "于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明"
    "其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由"
    "却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或"
    "司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功"
    "指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告"
    "江语英基式李油取随切确价订单货款寄收查谢您询样箱装柜港船期付汇票额单据质检测试规格型号批量"
    "這來國個說們為時過學對裡後麼經頭見兩長現樣將與點種聲話兒問機給幾業間電門東聽氣關內卻軍產萬體別處總場師書員華報馬張難數車應"
    "親務記邊風戰許覺統愛讓認論義術結連遠資隊帶條變聯權該領傳紅決達辦運區轉眾輕語隨確價訂單貨樣謝詢櫃裝檢測試規號批發"
    "のにをはがてでともかしすまいうつくたなりれるっごおよろおねがいしますした"
    "見積依頼田中様梱包明細書出荷予定日船積類請求注文確認願納期価格改定知品質検査報告製送付支払条件御社弊当担者宛先"
    "様殿株式会社営業部課長総務経理輸入出貨物税関港倉庫在庫数量単価合計金額円額振込締切"
    "다니습합의이에는을를가하고서지기사리로도인있한해수부자어나대정시보우전요아감확탁드견적송주문제품발계약결재게일비스트상세무님안녕께립"
    "그리고에서으로부터까지했습니다드리겠습니다주세요바랍니다오늘내일이번다음같은많은우리귀사당사"
    "장행금액입출배달물류회신청서류검토완료예정변경취소담당팀과원내용첨파번호선납기일간월년고객거래처";

std::vector<uint32_t> code_points(std::string_view s) {
    std::vector<uint32_t> out;
    for (size_t i = 0; i < s.size();) {
        unsigned char c = s[i];
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
        for (size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        out.push_back(cp);
        i += n;
    }
    return out;
}

// Marks the characters of a double-byte range (lead and trail bytes) decoded with charset.
void mark_range(std::vector<uint8_t>& flags, const char* charset, unsigned lead_lo, unsigned lead_hi,
                std::initializer_list<std::pair<unsigned, unsigned>> trails, uint8_t bit) {
    iconv_t cd = iconv_open("UTF-32LE", charset);
    if (cd == (iconv_t)-1) return;
    for (unsigned lead = lead_lo; lead <= lead_hi; ++lead)
        for (auto [lo, hi] : trails)
            for (unsigned trail = lo; trail <= hi; ++trail) {
                char in[2] = {char(lead), char(trail)};
                uint32_t cp = 0;
                char* src = in;
                char* dst = reinterpret_cast<char*>(&cp);
                size_t left = 2, room = 4;
                iconv(cd, nullptr, nullptr, nullptr, nullptr);
                if (iconv(cd, &src, &left, &dst, &room) != (size_t)-1 && left == 0 && room == 0 && cp < flags.size())
                    flags[cp] |= bit;
            }
    iconv_close(cd);
}

const std::vector<uint8_t>& common_chars() {
    static const std::vector<uint8_t> flags = [] {
        std::vector<uint8_t> f(0x10000, 0);
        mark_range(f, "GB18030", 0xB0, 0xD7, {{0xA1, 0xFE}}, kCommonHan);                    // GB2312 level 1
        mark_range(f, "GB18030", 0xD8, 0xF7, {{0xA1, 0xFE}}, kKnownHan);                     // GB2312 level 2
        mark_range(f, "BIG5", 0xA4, 0xC5, {{0x40, 0x7E}, {0xA1, 0xFE}}, kCommonHan);        // Big5 level 1
        mark_range(f, "BIG5", 0xC9, 0xF9, {{0x40, 0x7E}, {0xA1, 0xFE}}, kKnownHan);         // Big5 level 2
        mark_range(f, "EUC-JP", 0xB0, 0xCF, {{0xA1, 0xFE}}, kCommonHan | kJisHan);          // JIS level 1
        mark_range(f, "EUC-JP", 0xD0, 0xF4, {{0xA1, 0xFE}}, kJisHan);                       // JIS level 2
        mark_range(f, "EUC-KR", 0xB0, 0xC8, {{0xA1, 0xFE}}, kCommonHangul);                 // KS X 1001 Hangul
        for (uint32_t c : code_points(kFrequentChars))
            if (c < f.size()) f[c] |= kFrequent;
        return f;
    }();
    return flags;
}


bool is_ascii_letter(uint32_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool is_han(uint32_t c) { return c >= 0x4E00 && c <= 0x9FFF; }
bool is_kana(uint32_t c) { return c >= 0x3041 && c <= 0x30FF; }

// How much one character reads as text (+) or as mojibake (-). japanese:
// the text has kana, so its ideographs should be JIS ones. foreign_kana: the
// reading is in a Chinese or Korean charset, whose kana rows exist for JIS
// compatibility and which Chinese and Korean writers hardly use (EUC-JP's
// kana bytes are the same as GB2312's).
double char_weight(const std::vector<uint32_t>& cps, size_t i, bool japanese, bool foreign_kana) {
    uint32_t c = cps[i];
    if (c >= 0x10000) return c >= 0x20000 && c < 0x3FFFF ? -2 : -2.5;  // rare ideographs (GB18030's extension B), or stranger
    const auto& common = common_chars();
    auto near_letter = [&] {
        return (i > 0 && is_ascii_letter(cps[i - 1])) || (i + 1 < cps.size() && is_ascii_letter(cps[i + 1]));
    };
    bool cjk = is_kana(c) || is_han(c) || (c >= 0xAC00 && c <= 0xD7A3);
    // Inside a Latin word ("best酹igen"): a Latin letter read as a double-byte pair.
    if (cjk && i > 0 && i + 1 < cps.size() && is_ascii_letter(cps[i - 1]) && is_ascii_letter(cps[i + 1])) return -1.5;
    double frequent = (common[c] & kFrequent) ? 1 : 0;
    if (is_kana(c)) return foreign_kana ? 0.5 : 2 + frequent;
    if (is_han(c)) {
        if (japanese) return (common[c] & kJisHan) ? ((common[c] & kCommonHan) ? 2 : 0.5) + frequent : -1;
        return ((common[c] & kCommonHan) ? 2 : (common[c] & (kKnownHan | kJisHan)) ? 0.5 : -1) + frequent;
    }
    if (c >= 0xAC00 && c <= 0xD7A3) return ((common[c] & kCommonHangul) ? 2 : -1) + frequent;
    if ((c >= 0x3000 && c <= 0x303F) || (c >= 0xFF01 && c <= 0xFF60)) return 1;  // CJK and full-width punctuation
    if (c >= 0xFF61 && c <= 0xFF9F) return -1.5;                                // half-width katakana
    if (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) return near_letter() ? 1.5 : -1;  // accented letters
    if (c == 0xA0 || c == 0xB0 || c == 0xB7 || c == 0xA9 || c == 0xAE || c == 0xA3 || c == 0xA5 || c == 0x20AC) return 0.5;
    if (c >= 0x2010 && c <= 0x2027) return 0.5;  // quotes, dashes, ellipsis
    if (c >= 0xE000 && c <= 0xF8FF) return -4;   // private use
    if (c == 0xFFFD) return -5;
    return -2;  // Latin-1 symbols, enclosed numbers, box drawing, Greek or Cyrillic amid CJK, rare planes ...
}

// The mean weight of s's non-ASCII characters; a space between two
// ideographs is unusual in Chinese and Japanese (Korean puts one between words).
double plausibility(std::string_view s, bool japanese_charset) {
    std::vector<uint32_t> cps = code_points(s);
    bool japanese = std::any_of(cps.begin(), cps.end(), is_kana);
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < cps.size(); ++i) {
        if (cps[i] == ' ' && i > 0 && i + 1 < cps.size() && is_han(cps[i - 1]) && is_han(cps[i + 1])) {
            sum -= 3;
            continue;
        }
        if (cps[i] < 0x80) continue;
        sum += char_weight(cps, i, japanese, !japanese_charset);
        ++n;
    }
    return n ? sum / double(n) : 0;
}

// The candidates, in the order that breaks exact ties (this trade's mail is
// Chinese first).
constexpr const char* kCandidates[] = {"GB18030", "BIG5-HKSCS", "CP932", "EUC-JP-MS", "CP949", "WINDOWS-1252"};

// The first bytes of s, cut after an ASCII byte so no character is split.
std::string_view sample(std::string_view s) {
    constexpr size_t kSample = 4096;
    if (s.size() <= kSample) return s;
    size_t cut = kSample;
    while (cut > kSample / 2 && static_cast<unsigned char>(s[cut - 1]) >= 0x80) --cut;
    return s.substr(0, cut);
}

bool is_japanese(const std::string& name) {
    return name == "CP932" || name == "SHIFT_JIS" || name.starts_with("EUC-JP") || name.starts_with("ISO-2022-JP");
}

// Priors, in mean weight per character. A declared charset (a label, or the
// body's charset for raw header text) is the writer's word: another must
// read far better to be taken. Without one, this trade's mail is Chinese
// first. Short texts (names) read fluently in several charsets by chance,
// so their priors are larger.
constexpr double kDetectedPrior = 0.15;

size_t high_chars(std::string_view bytes) {
    return size_t(std::count_if(bytes.begin(), bytes.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) / 2;
}

double declared_prior(std::string_view bytes) { return high_chars(bytes) < 4 ? 1.5 : 0.75; }
double trade_prior(std::string_view bytes) { return high_chars(bytes) < 4 ? 0.5 : 0.25; }

struct Choice {
    std::string charset;  // "" : none converted cleanly
    double score = -1e9;
};

// The charset whose clean conversion of bytes reads best, with the priors
// above for declared and detected (GB18030 when nothing is declared).
// cjk_only: among the Chinese, Japanese and Korean ones (a CJK label is
// second-guessed only by another CJK charset).
Choice best_charset(std::string_view bytes, const std::string& declared, const std::string& detected, bool cjk_only = false) {
    std::string_view probe = sample(bytes);
    const double declared_bonus = declared_prior(probe), trade_bonus = declared.empty() ? trade_prior(probe) : 0;
    std::vector<std::string> names;
    for (const std::string& n : {declared, detected})
        if (!n.empty() && n != "UTF-8" && (!cjk_only || is_cjk_multibyte(n))) names.push_back(n);
    for (const char* n : kCandidates)
        if (!cjk_only || is_cjk_multibyte(n)) names.emplace_back(n);
    Choice best;
    for (size_t k = 0; k < names.size(); ++k) {
        if (std::find(names.begin(), names.begin() + k, names[k]) != names.begin() + k) continue;
        std::string text = clean_convert(probe, names[k]);
        if (text.empty()) continue;
        double score = plausibility(text, is_japanese(names[k])) + (names[k] == declared ? declared_bonus : 0) +
                       (names[k] == detected ? kDetectedPrior : 0) + (names[k] == "GB18030" ? trade_bonus : 0);
        if (score > best.score + 1e-9) best = {names[k], score};
    }
    return best;
}

}  // namespace

std::string guess_to_utf8(std::string_view bytes, std::string_view hint, std::string_view context) {
    if (is_valid_utf8(bytes)) return std::string(bytes);
    std::string declared = hint.empty() ? std::string() : normalize_charset(hint);
    std::string detected = context.empty() ? std::string() : normalize_charset(context);
    if (detected.empty() || !is_common_mail_charset(detected)) detected = {};
    // A Latin hint on Latin-shaped bytes (a German "ä" glued to ASCII) stays Latin.
    if (!declared.empty() && !is_cjk_multibyte(declared) && declared != "UTF-8" && !cjk_shaped(bytes)) {
        std::string out = clean_convert(bytes, declared);
        if (!out.empty()) return out;
    }
    if (detected.empty()) {
        std::string guess = detect_charset(bytes);
        std::string g = guess.empty() ? std::string() : normalize_charset(guess);
        if (is_common_mail_charset(g)) detected = g;
    }
    Choice c = best_charset(bytes, declared == "UTF-8" ? std::string() : declared, detected);
    std::string out;
    if (!c.charset.empty() && !(out = clean_convert(bytes, c.charset)).empty()) return out;
    iconv_t cd = t_iconv.get(c.charset.empty() ? "WINDOWS-1252" : c.charset);
    if (cd != (iconv_t)-1) run_iconv(cd, bytes, out);
    return sanitize_utf8(out);
}

std::string message_charset(std::string_view raw_header_bytes, std::string_view hint) {
    if (is_valid_utf8(raw_header_bytes)) return {};
    std::string declared = hint.empty() ? std::string() : normalize_charset(hint);
    std::string guess = detect_charset(raw_header_bytes);
    std::string detected = guess.empty() ? std::string() : normalize_charset(guess);
    if (!is_common_mail_charset(detected)) detected = {};
    return best_charset(raw_header_bytes, declared == "UTF-8" ? std::string() : declared, detected).charset;
}

std::string relabel_cjk(std::string_view bytes, const std::string& declared, std::string_view context, std::string* used) {
    std::string detected = context.empty() ? std::string() : normalize_charset(context);
    if (!is_common_mail_charset(detected)) detected = {};
    Choice c = best_charset(bytes, declared, detected, true);
    if (c.charset.empty() || c.charset == declared) return {};
    std::string out = clean_convert(bytes, c.charset);
    if (!out.empty() && used) *used = c.charset;
    return out;
}

}  // namespace tw
