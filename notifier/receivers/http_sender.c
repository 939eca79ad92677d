/* SPDX-License-Identifier: Apache-2.0 */
/* receiver_sender over common/httpc: one request (POST unless the options say otherwise) per
 * attempt, status and Retry-After reported. */
#include "notifier/receivers/http_sender.h"

#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/httpc.h"
#include "common/xalloc.h"

struct send_job {
    receiver_send_done_cb done;
    void *arg;
};

static const char *nonempty(const char *s)
{
    return s && s[0] ? s : NULL;
}

static void on_done(struct httpc_response *resp, void *ctx)
{
    struct send_job *j = ctx;
    struct receiver_response r;
    memset(&r, 0, sizeof(r));
    r.status = resp->rc == 0 ? resp->status : 0;
    r.retry_after = httpc_response_header(resp, "Retry-After");
    r.error = resp->rc != 0 ? resp->error : NULL;
    j->done(j->arg, &r);
    xfree(j);
}

static int do_send(struct receiver_sender *base, const char *url, const struct receiver_header *h,
                   size_t nh, const struct receiver_http_opts *o, const char *body, size_t len,
                   int64_t timeout_ns, receiver_send_done_cb done, void *arg)
{
    struct http_sender *s = (struct http_sender *)base;
    struct httpc_request req;
    struct send_job *j = xcalloc(1, sizeof(*j));
    const char **hdrs = xcalloc(nh + 1, sizeof(*hdrs));
    const char *ctype = NULL;
    int rc;
    size_t k = 0;
    for (size_t i = 0; i < nh; i++) {
        if (strcasecmp(h[i].name, "Content-Type") == 0) {
            ctype = h[i].value;
            continue;
        }
        hdrs[k++] = xasprintf("%s: %s", h[i].name, h[i].value);
    }
    memset(&req, 0, sizeof(req));
    req.method = o && o->method ? o->method : "POST";
    req.url = url;
    req.headers = hdrs;
    req.body = body;
    req.body_len = len;
    req.content_type = ctype;
    req.timeout_ms = timeout_ns > 0 ? timeout_ns / 1000000 : 10000;
    if (req.timeout_ms <= 0)
        req.timeout_ms = 1;
    req.max_attempts = 1;
    req.follow_redirects = o ? o->follow_redirects : true;
    if (o) {
        req.proxy_url = nonempty(o->proxy_url);
        req.tls.ca_file = nonempty(o->ca_file);
        req.tls.cert_file = nonempty(o->cert_file);
        req.tls.key_file = nonempty(o->key_file);
        req.tls.insecure_skip_verify = o->insecure_skip_verify;
    }
    j->done = done;
    j->arg = arg;
    rc = httpc_do(s->http, &req, on_done, j, NULL, NULL);
    for (size_t i = 0; i < k; i++)
        xfree((void *)hdrs[i]);
    xfree(hdrs);
    if (rc != 0) {
        xfree(j);
        return rc;
    }
    return 0;
}

void http_sender_init(struct http_sender *s, struct httpc *http)
{
    s->base.send = do_send;
    s->http = http;
}
