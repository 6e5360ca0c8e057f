// Small helpers shared by the unit tests.
#pragma once
#include <algorithm>
#include <fstream>
#include <iterator>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "mail/message.h"

namespace tw_test {

// A fresh directory, removed with everything in it at the end of the scope.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::random_device rd;
        path = std::filesystem::temp_directory_path() / ("tw-test-" + std::to_string(rd()));
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

// A plain-text mail; extra header lines (ending in CRLF) go before the body.
inline std::string mail(const std::string& id, const std::string& from, const std::string& to, const std::string& subject,
                        const std::string& date, const std::string& body, const std::string& extra = "") {
    std::string h = "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nDate: " + date + "\r\n";
    if (!id.empty()) h += "Message-ID: <" + id + ">\r\n";
    return h + extra + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n";
}

// True when one of the message's problems contains part.
inline bool has_problem(const tw::Message& m, const std::string& part) {
    return std::any_of(m.problems.begin(), m.problems.end(),
                       [&](const std::string& p) { return p.find(part) != std::string::npos; });
}

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A minimal valid one-page PDF showing text (ASCII, no parentheses).
inline std::string make_pdf(const std::string& text) {
    std::string content = "BT /F1 12 Tf 50 800 Td (" + text + ") Tj ET";
    std::vector<std::string> objs = {
        "<</Type/Catalog/Pages 2 0 R>>", "<</Type/Pages/Kids[3 0 R]/Count 1>>",
        "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
        "<</Length " + std::to_string(content.size()) + ">>stream\n" + content + "\nendstream",
        "<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>"};
    std::string out = "%PDF-1.4\n";
    std::vector<size_t> offs;
    for (size_t i = 0; i < objs.size(); ++i) {
        offs.push_back(out.size());
        out += std::to_string(i + 1) + " 0 obj\n" + objs[i] + "\nendobj\n";
    }
    size_t xref = out.size();
    out += "xref\n0 " + std::to_string(objs.size() + 1) + "\n0000000000 65535 f \n";
    for (size_t o : offs) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%010zu 00000 n \n", o);
        out += buf;
    }
    return out + "trailer\n<</Size " + std::to_string(objs.size() + 1) + "/Root 1 0 R>>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
}

}  // namespace tw_test
