#include "mail/flowed.h"

namespace tw {

std::string unflow(std::string_view text, bool delsp) {
    std::string out;
    out.reserve(text.size());
    bool joining = false;  // the previous line was soft-broken
    int joining_depth = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        int depth = 0;
        while (depth < int(line.size()) && line[size_t(depth)] == '>') ++depth;
        std::string_view content = line.substr(size_t(depth));
        if (!content.empty() && content.front() == ' ') content.remove_prefix(1);  // space-stuffing
        bool signature = content == "-- ";
        if (joining && depth != joining_depth) out += '\n';  // quote depth changed: the break was hard
        if (!joining || depth != joining_depth) {  // a new line: write its quote marks
            out.append(line.substr(0, size_t(depth)));
            if (depth) out += ' ';
        }
        bool soft = !signature && !content.empty() && content.back() == ' ';
        if (soft && delsp) content.remove_suffix(1);
        out.append(content);
        joining = soft;
        joining_depth = depth;
        if (!soft) out += '\n';
    }
    if (joining) out += '\n';
    // The line split added a final newline the input may not have had.
    if (!text.empty() && text.back() != '\n' && !out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

}  // namespace tw
