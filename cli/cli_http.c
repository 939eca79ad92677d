/* SPDX-License-Identifier: Apache-2.0 */
/* Blocking HTTP + JSON for the command line. */
#include "cli/cli_http.h"

#include <curl/curl.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/xalloc.h"

static size_t on_body(char *p, size_t sz, size_t nm, void *ud)
{
    struct buf *b = ud;
    if (buf_append(b, p, sz * nm) != 0)
        return 0; /* too big: abort the transfer */
    return sz * nm;
}

char *cli_http_escape(const char *s)
{
    char *enc = curl_easy_escape(NULL, s, (int)strlen(s));
    char *out = xstrdup(enc ? enc : "");
    curl_free(enc);
    return out;
}

int cli_http_json(const char *method, const char *base_url, const char *path, const char *body,
                  const char *content_type, const struct cli_http_opts *opts, long *status,
                  json_t **out, struct err *e)
{
    int rc = ERR_INTERNAL;
    CURL *c = NULL;
    struct curl_slist *hdrs = NULL;
    struct buf resp;
    char *url = NULL, *hdr = NULL;
    size_t blen = strlen(base_url);
    CURLcode cc;
    json_error_t je;

    *out = NULL;
    *status = 0;
    buf_init(&resp, 256u << 20);
    while (blen > 0 && base_url[blen - 1] == '/')
        blen--;
    url = xasprintf("%.*s%s", (int)blen, base_url, path);
    c = curl_easy_init();
    if (c == NULL) {
        rc = err_set(e, ERR_INTERNAL, "cannot initialise libcurl");
        goto out;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                     (long)((opts && opts->timeout_s > 0 ? opts->timeout_s : 30.0) * 1000));
    curl_easy_setopt(c, CURLOPT_USERAGENT, "tocsin/" TOCSIN_VERSION);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        hdr = xasprintf("Content-Type: %s", content_type ? content_type : "application/json");
        hdrs = curl_slist_append(hdrs, hdr);
    }
    if (opts && opts->bearer_token) {
        xfree(hdr);
        hdr = xasprintf("Authorization: Bearer %s", opts->bearer_token);
        hdrs = curl_slist_append(hdrs, hdr);
    }
    if (opts && opts->basic_user) {
        curl_easy_setopt(c, CURLOPT_USERNAME, opts->basic_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, opts->basic_pass ? opts->basic_pass : "");
    }
    if (hdrs)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        rc = err_set(e, ERR_IO, "%s %s: %s", method, url, curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    if (resp.len > 0) {
        *out = json_loadb(resp.data, resp.len, JSON_DECODE_ANY, &je);
        if (*out == NULL) {
            rc = err_set(e, ERR_INVALID, "%s %s: status %ld, answer is not JSON: %.200s", method,
                         url, *status, buf_str(&resp));
            goto out;
        }
    }
    rc = 0;
out:
    curl_slist_free_all(hdrs);
    if (c)
        curl_easy_cleanup(c);
    xfree(url);
    xfree(hdr);
    buf_fini(&resp);
    return rc;
}
