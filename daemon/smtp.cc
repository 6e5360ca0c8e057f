// libcurl SMTP (daemon/smtp.h).
#include "daemon/smtp.h"

#include <curl/curl.h>

#include <cstring>

namespace tw {
namespace {

struct Upload {
    const std::string& data;
    size_t offset = 0;
    const std::function<void()>& last_byte;
    bool told = false;
};

size_t read_body(char* buf, size_t size, size_t n, void* user) {
    auto* u = static_cast<Upload*>(user);
    size_t left = u->data.size() - u->offset, take = std::min(left, size * n);
    if (take == 0) {
        if (!u->told && u->last_byte) u->last_byte();
        u->told = true;
        return 0;  // libcurl ends the DATA with CRLF.CRLF now
    }
    std::memcpy(buf, u->data.data() + u->offset, take);
    u->offset += take;
    return take;
}

}  // namespace

SmtpResult smtp_send(const SmtpServer& server, const std::string& password, const std::string& from_addr,
                     const std::vector<std::string>& rcpts, const std::string& message, const std::function<void()>& last_byte) {
    SmtpResult r;
    CURL* curl = curl_easy_init();
    if (!curl) return {false, true, "libcurl could not start"};
    curl_slist* to = nullptr;
    for (const auto& a : rcpts) to = curl_slist_append(to, ("<" + a + ">").c_str());
    Upload up{message, 0, last_byte};
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, server.url.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, ("<" + from_addr + ">").c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, to);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(curl, CURLOPT_READDATA, &up);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 20L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USE_SSL, server.allow_plaintext ? long(CURLUSESSL_NONE) : long(CURLUSESSL_ALL));
    if (!server.user.empty()) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, server.user.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, password.c_str());
    }
    CURLcode rc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(to);
    curl_easy_cleanup(curl);
    if (rc == CURLE_OK) return {true, false, ""};
    std::string what = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    r.temporary = code == 0 || (code >= 400 && code < 500);
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_OPERATION_TIMEDOUT)
        r.error = "cannot reach the mail server " + server.url + " (" + what + "): check `tradewind smtp set --url`; retried later";
    else if (rc == CURLE_LOGIN_DENIED)
        r.error = "the mail server " + server.url + " refused the login of " + server.user + ": set the right password with `tradewind smtp set`",
        r.temporary = false;
    else if (rc == CURLE_USE_SSL_FAILED)
        r.error = "the mail server " + server.url + " offers no STARTTLS: use smtps://, or --plaintext on a trusted network",
        r.temporary = false;
    else
        r.error = "the mail server " + server.url + " answered " + (code ? std::to_string(code) + ": " : "") + what;
    return r;
}

}  // namespace tw
