#include "mail/docnum.h"

#include <algorithm>

namespace tw {
namespace {

bool upper(char c) { return c >= 'A' && c <= 'Z'; }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool word(char c) { return upper(c) || digit(c) || (c >= 'a' && c <= 'z') || c == '_'; }

}  // namespace

std::vector<std::string> doc_numbers(std::string_view text, size_t max_scan) {
    std::vector<std::string> out;
    text = text.substr(0, std::min(text.size(), max_scan));
    size_t i = 0;
    while (i < text.size()) {
        if (!upper(text[i]) || (i > 0 && word(text[i - 1]))) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < text.size() && upper(text[j])) ++j;
        size_t letters = j - i;
        if (letters < 2 || letters > 5) {
            i = j;
            continue;
        }
        if (j < text.size() && text[j] == '-') ++j;
        size_t d = j;
        while (j < text.size() && digit(text[j])) ++j;
        if (j - d < 4) {
            i = j > i ? j : i + 1;
            continue;
        }
        while (j + 1 < text.size() && text[j] == '-' && digit(text[j + 1])) {
            ++j;
            while (j < text.size() && digit(text[j])) ++j;
        }
        if (j < text.size() && word(text[j])) {  // part of a longer word
            i = j;
            continue;
        }
        std::string doc(text.substr(i, j - i));
        if (std::find(out.begin(), out.end(), doc) == out.end()) out.push_back(std::move(doc));
        i = j;
    }
    return out;
}

}  // namespace tw
