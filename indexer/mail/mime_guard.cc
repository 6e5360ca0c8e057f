#include "mail/mime_guard.h"

#include <strings.h>

#include <algorithm>
#include <cstring>

namespace tw {
namespace {

bool icontains(std::string_view hay, std::string_view needle) {
    for (size_t i = 0; i + needle.size() <= hay.size(); ++i)
        if (strncasecmp(hay.data() + i, needle.data(), needle.size()) == 0) return true;
    return false;
}

// Header blocks can start at the top, after any line that begins with "--"
// (a boundary, as mimetic sees it) and after the header block of a message/*
// part. Over-approximating those places is safe: only lines longer than the
// field limit are ever cut, and padding is only stripped from "--" lines.
class Guard {
public:
    Guard(std::string_view raw, const ParseLimits& lim, std::string& out, std::vector<std::string>& problems)
        : raw_(raw), lim_(lim), out_(out), problems_(problems) {}

    std::string_view run() {
        size_t pos = 0;
        while (pos < raw_.size() && !stopped_) {
            const char* nl = static_cast<const char*>(memchr(raw_.data() + pos, '\n', raw_.size() - pos));
            size_t end = nl ? size_t(nl - raw_.data()) + 1 : raw_.size();
            std::string_view line = raw_.substr(pos, end - pos);
            std::string_view content = line;
            while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.remove_suffix(1);
            if (!in_header_) body_line(pos, line, content);
            else if (content.empty()) end_of_block(pos, line);
            else header_line(pos, line, content);
            pos = end;
        }
        return copying_ ? std::string_view(out_) : raw_;
    }

private:
    void body_line(size_t pos, std::string_view line, std::string_view content) {
        bool boundary = content.starts_with("--");
        if (boundary && (content.back() == ' ' || content.back() == '\t')) {
            // RFC 2046 transport padding after a boundary: mimetic does not accept it.
            std::string_view bare = content;
            while (bare.back() == ' ' || bare.back() == '\t') bare.remove_suffix(1);
            start_copy(pos);
            out_.append(bare);
            out_.append(line.substr(content.size()));
        } else {
            keep(line);
        }
        if (boundary) new_block(pos + line.size());
    }

    void end_of_block(size_t pos, std::string_view line) {
        keep(line);
        bool message_follows = block_message_;
        new_block(pos + line.size());
        in_header_ = message_follows;  // a message/* part's header is followed by the message's own
    }

    void header_line(size_t pos, std::string_view line, std::string_view content) {
        bool continuation = line[0] == ' ' || line[0] == '\t';
        if (!continuation) {
            field_len_ = 0;
            in_ctype_ = content.size() >= 13 && strncasecmp(content.data(), "content-type:", 13) == 0;
        }
        if (in_ctype_ && !count_container(content)) return;
        // What of this line fits the field limit, then the block limit.
        size_t room = lim_.max_header_field_bytes > field_len_ ? lim_.max_header_field_bytes - field_len_ : 0;
        size_t keep_len = std::min(line.size(), room);
        field_len_ += line.size();
        if (keep_len < line.size())
            note_once(cut_field_, "header field over " + std::to_string(lim_.max_header_field_bytes) +
                                      " bytes was cut before parsing");
        if (block_len_ + keep_len > lim_.max_header_block_bytes) {
            note_once(cut_block_, "header block over " + std::to_string(lim_.max_header_block_bytes) +
                                      " bytes; the surplus fields are not parsed");
            keep_len = 0;
        }
        block_len_ += keep_len;
        if (keep_len == line.size()) {
            keep(line);
        } else {
            start_copy(pos);
            // A cut field keeps its first bytes; a cut new field keeps at least its name.
            if (keep_len > 0 || !continuation) {
                out_.append(content.substr(0, std::max<size_t>(keep_len, 1)));
                out_ += "\r\n";
            }
        }
        // A line that is neither a field nor a continuation ends mimetic's header.
        if (!continuation && content.find(':') == std::string_view::npos) in_header_ = false;
    }

    // Counts multipart/message containers (each costs mimetic a recursion);
    // false when the limit is hit and the rest of the input is dropped.
    bool count_container(std::string_view content) {
        bool is_msg = icontains(content, "message/") || icontains(content, "message /");
        if ((is_msg || icontains(content, "multipart")) && !block_container_) {
            block_container_ = true;
            if (++containers_ > lim_.max_containers) {
                problems_.push_back("more than " + std::to_string(lim_.max_containers) +
                                    " multipart/message parts; the rest of the message is not parsed");
                start_copy(block_start_raw_);
                out_.resize(block_start_out_);  // drop this block's fields copied so far
                stopped_ = true;
                return false;
            }
        }
        block_message_ = block_message_ || is_msg;
        return true;
    }

    void new_block(size_t raw_offset) {
        in_header_ = true;
        field_len_ = block_len_ = 0;
        block_start_raw_ = raw_offset;
        block_start_out_ = copying_ ? out_.size() : raw_offset;
        block_container_ = block_message_ = in_ctype_ = false;
    }
    void keep(std::string_view line) {
        if (copying_) out_.append(line);
    }
    // From here on the output differs from raw: copy what came before.
    void start_copy(size_t raw_offset) {
        if (copying_) return;
        copying_ = true;
        out_.assign(raw_.substr(0, raw_offset));
    }
    void note_once(bool& flag, std::string msg) {
        if (!flag) problems_.push_back(std::move(msg));
        flag = true;
    }

    std::string_view raw_;
    const ParseLimits& lim_;
    std::string& out_;
    std::vector<std::string>& problems_;
    bool copying_ = false, stopped_ = false, cut_field_ = false, cut_block_ = false;
    bool in_header_ = true, in_ctype_ = false, block_container_ = false, block_message_ = false;
    size_t field_len_ = 0, block_len_ = 0, block_start_raw_ = 0, block_start_out_ = 0, containers_ = 0;
};

}  // namespace

std::string_view guard_for_mimetic(std::string_view raw, const ParseLimits& limits, std::string& storage,
                                   std::vector<std::string>& problems) {
    return Guard(raw, limits, storage, problems).run();
}

}  // namespace tw
