/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP client: curl multi driven by libevent (socket and timer callbacks), retries, sync wrapper.
 */
#define _XOPEN_SOURCE 700 /* strptime */
#include "common/httpc.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

struct httpc {
    struct event_base *base;
    CURLM *multi;
    struct event *timer; /* curl's timeout */
    struct httpc_call *calls;
    size_t ncalls;
    unsigned int seed; /* for backoff jitter */
};

struct httpc_call {
    struct httpc *c;
    struct httpc_call *prev, *next;
    CURL *easy;
    struct curl_slist *hdrs;
    char *method, *url, *body, *bearer, *user, *password, *ua;
    char *ca_file, *cert_file, *key_file, *proxy;
    size_t body_len;
    struct httpc_request req; /* numeric settings; pointers not used */
    httpc_done_cb cb;
    void *ctx;
    struct event *retry_timer;
    int64_t start_ms;
    struct httpc_response resp;
    struct buf bodybuf;
    bool too_big;
    bool in_multi;
};

/* Per-socket watcher registered with curl_multi_assign. */
struct sock_watch {
    struct event *ev;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void check_multi(struct httpc *c);

/* ---- libevent <-> curl glue ---- */

static void on_sock_event(evutil_socket_t fd, short what, void *arg)
{
    struct httpc *c = arg;
    int running = 0;
    int flags = (what & EV_READ ? CURL_CSELECT_IN : 0) | (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
    curl_multi_socket_action(c->multi, fd, flags, &running);
    check_multi(c);
}

static int sock_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    struct httpc *c = userp;
    struct sock_watch *w = socketp;
    short kind;
    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        if (w != NULL) {
            event_free(w->ev);
            xfree(w);
            curl_multi_assign(c->multi, s, NULL);
        }
        return 0;
    }
    kind = (short)((what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0) |
                   EV_PERSIST);
    if (w == NULL) {
        w = xcalloc(1, sizeof(*w));
        curl_multi_assign(c->multi, s, w);
    } else {
        event_free(w->ev);
    }
    w->ev = event_new(c->base, s, kind, on_sock_event, c);
    event_add(w->ev, NULL);
    return 0;
}

static void on_curl_timer(evutil_socket_t fd, short what, void *arg)
{
    struct httpc *c = arg;
    int running = 0;
    (void)fd;
    (void)what;
    curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_multi(c);
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct httpc *c = userp;
    struct timeval tv;
    (void)multi;
    if (timeout_ms < 0) {
        evtimer_del(c->timer);
        return 0;
    }
    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (timeout_ms % 1000) * 1000;
    evtimer_add(c->timer, &tv);
    return 0;
}

/* ---- calls ---- */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct httpc_call *k = userdata;
    size_t n = size * nmemb;
    if (buf_append(&k->bodybuf, ptr, n) != 0) {
        k->too_big = true;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    return n;
}

static size_t on_header(char *ptr, size_t size, size_t nitems, void *userdata)
{
    struct httpc_call *k = userdata;
    size_t n = size * nitems, klen, vstart, vend;
    const char *colon;
    char *key, *val;
    if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
        /* a new response (after 100 Continue or a redirect): forget earlier headers */
        httpd_params_fini(&k->resp.headers);
        return n;
    }
    colon = memchr(ptr, ':', n);
    if (colon == NULL)
        return n;
    klen = (size_t)(colon - ptr);
    vstart = klen + 1;
    while (vstart < n && (ptr[vstart] == ' ' || ptr[vstart] == '\t'))
        vstart++;
    vend = n;
    while (vend > vstart && (ptr[vend - 1] == '\r' || ptr[vend - 1] == '\n' ||
                             ptr[vend - 1] == ' ' || ptr[vend - 1] == '\t'))
        vend--;
    if (k->resp.headers.n >= 1000)
        return n;
    key = xstrndup(ptr, klen);
    val = xstrndup(ptr + vstart, vend - vstart);
    httpd_params_add(&k->resp.headers, key, val);
    xfree(key);
    xfree(val);
    return n;
}

static void call_unlink(struct httpc_call *k)
{
    struct httpc *c = k->c;
    if (k->prev)
        k->prev->next = k->next;
    else
        c->calls = k->next;
    if (k->next)
        k->next->prev = k->prev;
    c->ncalls--;
}

static void call_free(struct httpc_call *k)
{
    if (k->in_multi)
        curl_multi_remove_handle(k->c->multi, k->easy);
    if (k->easy)
        curl_easy_cleanup(k->easy);
    curl_slist_free_all(k->hdrs);
    if (k->retry_timer)
        event_free(k->retry_timer);
    xfree(k->method);
    xfree(k->url);
    xfree(k->body);
    xfree(k->bearer);
    xfree(k->user);
    xfree(k->password);
    xfree(k->ua);
    xfree(k->ca_file);
    xfree(k->cert_file);
    xfree(k->key_file);
    xfree(k->proxy);
    buf_fini(&k->bodybuf);
    httpc_response_fini(&k->resp);
    xfree(k);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Configures the easy handle from the call's copied request. */
static int call_setup(struct httpc_call *k, struct err *e)
{
    CURL *h = curl_easy_init();
    CURLcode cc = CURLE_OK;
    k->easy = h;
    if (h == NULL)
        return err_set(e, ERR_INTERNAL, "curl_easy_init failed");
#define SET(opt, val)                           \
    do {                                        \
        if (cc == CURLE_OK)                     \
            cc = curl_easy_setopt(h, opt, val); \
    } while (0)
    SET(CURLOPT_URL, k->url);
    SET(CURLOPT_PRIVATE, k);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, k);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, k);
    SET(CURLOPT_TIMEOUT_MS, (long)k->req.timeout_ms);
    SET(CURLOPT_USERAGENT, k->ua);
    SET(CURLOPT_ACCEPT_ENCODING, "");
    SET(CURLOPT_FOLLOWLOCATION, k->req.follow_redirects ? 1L : 0L);
    SET(CURLOPT_MAXREDIRS, 10L);
    if (k->body != NULL) {
        SET(CURLOPT_POSTFIELDS, k->body);
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)k->body_len);
    }
    if (strcmp(k->method, "GET") == 0)
        SET(CURLOPT_HTTPGET, 1L);
    else if (strcmp(k->method, "HEAD") == 0)
        SET(CURLOPT_NOBODY, 1L);
    else if (strcmp(k->method, "POST") != 0 || k->body == NULL)
        SET(CURLOPT_CUSTOMREQUEST, k->method);
    if (k->body == NULL && strcmp(k->method, "POST") == 0) {
        SET(CURLOPT_POSTFIELDS, "");
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
    }
    if (k->user != NULL) {
        SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        SET(CURLOPT_USERNAME, k->user);
        SET(CURLOPT_PASSWORD, k->password ? k->password : "");
    }
    if (k->ca_file)
        SET(CURLOPT_CAINFO, k->ca_file);
    if (k->cert_file)
        SET(CURLOPT_SSLCERT, k->cert_file);
    if (k->key_file)
        SET(CURLOPT_SSLKEY, k->key_file);
    if (k->req.tls.insecure_skip_verify) {
        SET(CURLOPT_SSL_VERIFYPEER, 0L);
        SET(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    /* "" disables the *_proxy environment variables: proxies are configured, not inherited */
    SET(CURLOPT_PROXY, k->proxy ? k->proxy : "");
    SET(CURLOPT_HTTPHEADER, k->hdrs);
#undef SET
    if (cc != CURLE_OK)
        return err_set(e, ERR_INVALID, "curl option: %s", curl_easy_strerror(cc));
    return 0;
}

static void attempt_start(struct httpc_call *k)
{
    buf_reset(&k->bodybuf);
    httpd_params_fini(&k->resp.headers);
    k->too_big = false;
    k->resp.attempts++;
    if (curl_multi_add_handle(k->c->multi, k->easy) == CURLM_OK)
        k->in_multi = true;
    /* curl calls timer_cb with 0, which starts the transfer from the loop */
}

static void on_retry_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    attempt_start(arg);
}

static bool retryable(const struct httpc_response *r)
{
    if (r->rc == ERR_TIMEOUT || r->rc == ERR_IO)
        return true;
    return r->rc == 0 && (r->status == 429 || r->status >= 500);
}

/* Decides whether to try again; returns the delay, or -1 to stop. */
static int64_t retry_delay(struct httpc_call *k)
{
    int64_t delay, now = time_mono_ms(), ra = 0;
    uint64_t jitter;
    int shift = k->resp.attempts - 1;
    const char *hdr;
    if (!retryable(&k->resp) || k->resp.attempts >= k->req.max_attempts)
        return -1;
    delay = k->req.backoff_ms;
    while (shift-- > 0 && delay < k->req.backoff_max_ms)
        delay *= 2;
    if (delay > k->req.backoff_max_ms)
        delay = k->req.backoff_max_ms;
    /* jitter: a random point in [delay/2, delay] so clients that failed together spread out */
    jitter = (uint64_t)rand_r(&k->c->seed) << 16 ^ (uint64_t)rand_r(&k->c->seed);
    delay = delay / 2 + (int64_t)(jitter % (uint64_t)(delay / 2 + 1));
    hdr = httpc_response_header(&k->resp, "Retry-After");
    if ((k->resp.status == 429 || k->resp.status == 503) && hdr != NULL &&
        httpc_parse_retry_after(hdr, time_now_ms(), &ra) == 0) {
        if (ra > HTTPC_MAX_RETRY_AFTER_MS)
            return -1;
        delay = ra;
    }
    if (k->req.deadline_ms > 0 && now + delay >= k->start_ms + k->req.deadline_ms)
        return -1;
    return delay;
}

static void call_finish(struct httpc_call *k, CURLcode cc)
{
    long status = 0;
    int64_t delay;
    curl_multi_remove_handle(k->c->multi, k->easy);
    k->in_multi = false;
    curl_easy_getinfo(k->easy, CURLINFO_RESPONSE_CODE, &status);
    k->resp.status = (int)status;
    k->resp.error[0] = '\0';
    if (k->too_big) {
        k->resp.rc = ERR_TOOBIG;
        snprintf(k->resp.error, sizeof(k->resp.error), "response body larger than %zu bytes",
                 k->bodybuf.max);
    } else if (cc == CURLE_OPERATION_TIMEDOUT) {
        k->resp.rc = ERR_TIMEOUT;
        snprintf(k->resp.error, sizeof(k->resp.error), "timeout after %lld ms: %s",
                 (long long)k->req.timeout_ms, curl_easy_strerror(cc));
    } else if (cc != CURLE_OK) {
        k->resp.rc =
            (cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL) ? ERR_INVALID : ERR_IO;
        snprintf(k->resp.error, sizeof(k->resp.error), "%s", curl_easy_strerror(cc));
    } else {
        k->resp.rc = 0;
    }
    if (k->resp.rc != 0)
        k->resp.status = k->too_big ? k->resp.status : 0;
    delay = retry_delay(k);
    if (delay >= 0) {
        struct timeval tv = {(time_t)(delay / 1000), (suseconds_t)(delay % 1000) * 1000};
        log_kv(LOG_DEBUG, "retrying HTTP request", "url", k->url, "error",
               k->resp.rc ? k->resp.error : "bad status", NULL);
        if (k->retry_timer == NULL)
            k->retry_timer = evtimer_new(k->c->base, on_retry_timer, k);
        evtimer_add(k->retry_timer, &tv);
        return;
    }
    k->resp.body_len = k->bodybuf.len;
    k->resp.body = buf_steal(&k->bodybuf, NULL);
    call_unlink(k);
    k->cb(&k->resp, k->ctx);
    call_free(k);
}

static void check_multi(struct httpc *c)
{
    CURLMsg *msg;
    int left = 0;
    while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
        struct httpc_call *k = NULL;
        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&k);
        if (k != NULL)
            call_finish(k, msg->data.result);
    }
}

/* ---- public ---- */

struct httpc *httpc_new(struct event_base *base)
{
    struct httpc *c = xcalloc(1, sizeof(*c));
    pthread_once(&curl_once, curl_init_once);
    c->base = base;
    c->seed = (unsigned int)time_now_ms() ^ (unsigned int)getpid() ^ (unsigned int)(uintptr_t)c;
    c->multi = curl_multi_init();
    if (c->multi == NULL) {
        log_errorf("curl_multi_init failed");
        abort();
    }
    c->timer = evtimer_new(base, on_curl_timer, c);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    return c;
}

void httpc_free(struct httpc *c)
{
    if (c == NULL)
        return;
    while (c->calls != NULL) {
        struct httpc_call *k = c->calls;
        call_unlink(k);
        call_free(k);
    }
    curl_multi_cleanup(c->multi);
    event_free(c->timer);
    xfree(c);
}

int httpc_do(struct httpc *c, const struct httpc_request *req, httpc_done_cb cb, void *ctx,
             struct httpc_call **call, struct err *e)
{
    struct httpc_call *k;
    int rc;
    if (call)
        *call = NULL;
    if (req->url == NULL || *req->url == '\0' || cb == NULL)
        return err_set(e, ERR_INVALID, "HTTP request without URL or callback");
    k = xcalloc(1, sizeof(*k));
    k->c = c;
    k->req = *req;
    k->cb = cb;
    k->ctx = ctx;
    k->url = xstrdup(req->url);
    k->method = xstrdup(req->method ? req->method : req->body_len > 0 ? "POST" : "GET");
    if (req->body != NULL || req->body_len > 0) {
        k->body = xmalloc(req->body_len + 1);
        if (req->body_len)
            memcpy(k->body, req->body, req->body_len);
        k->body[req->body_len] = '\0';
        k->body_len = req->body_len;
    }
    k->bearer = dup_or_null(req->bearer_token);
    k->user = dup_or_null(req->basic_user);
    k->password = dup_or_null(req->basic_password);
    k->ua = req->user_agent ? xstrdup(req->user_agent) : xasprintf("tocsin/%s", TOCSIN_VERSION);
    k->ca_file = dup_or_null(req->tls.ca_file);
    k->cert_file = dup_or_null(req->tls.cert_file);
    k->key_file = dup_or_null(req->tls.key_file);
    k->proxy = dup_or_null(req->proxy_url);
    if (k->req.timeout_ms <= 0)
        k->req.timeout_ms = HTTPC_DEFAULT_TIMEOUT_MS;
    if (k->req.max_response == 0)
        k->req.max_response = HTTPC_DEFAULT_MAX_RESPONSE;
    if (k->req.max_attempts < 1)
        k->req.max_attempts = 1;
    if (k->req.backoff_ms <= 0)
        k->req.backoff_ms = HTTPC_DEFAULT_BACKOFF_MS;
    if (k->req.backoff_max_ms <= 0)
        k->req.backoff_max_ms = HTTPC_DEFAULT_BACKOFF_MAX;
    buf_init(&k->bodybuf, k->req.max_response);
    httpd_params_init(&k->resp.headers);
    k->hdrs = curl_slist_append(k->hdrs, "Expect:");
    for (size_t i = 0; req->headers && req->headers[i]; i++)
        k->hdrs = curl_slist_append(k->hdrs, req->headers[i]);
    if (req->content_type) {
        char *h = xasprintf("Content-Type: %s", req->content_type);
        k->hdrs = curl_slist_append(k->hdrs, h);
        xfree(h);
    }
    if (k->bearer) {
        char *h = xasprintf("Authorization: Bearer %s", k->bearer);
        k->hdrs = curl_slist_append(k->hdrs, h);
        xfree(h);
    }
    if ((rc = call_setup(k, e)) != 0) {
        call_free(k);
        return rc;
    }
    k->next = c->calls;
    if (c->calls)
        c->calls->prev = k;
    c->calls = k;
    c->ncalls++;
    k->start_ms = time_mono_ms();
    attempt_start(k);
    if (call)
        *call = k;
    return 0;
}

void httpc_cancel(struct httpc_call *call)
{
    if (call == NULL)
        return;
    call_unlink(call);
    call_free(call);
}

size_t httpc_pending(const struct httpc *c)
{
    return c->ncalls;
}

const char *httpc_response_header(const struct httpc_response *resp, const char *name)
{
    for (size_t i = 0; i < resp->headers.n; i++)
        if (strcasecmp(resp->headers.v[i].key, name) == 0)
            return resp->headers.v[i].value;
    return NULL;
}

void httpc_response_fini(struct httpc_response *resp)
{
    httpd_params_fini(&resp->headers);
    xfree(resp->body);
    resp->body = NULL;
    resp->body_len = 0;
}

int httpc_parse_retry_after(const char *v, int64_t now_ms, int64_t *delay_ms)
{
    struct tm tm;
    const char *end;
    int64_t secs = 0;
    time_t t;
    while (*v == ' ')
        v++;
    if (*v >= '0' && *v <= '9') {
        for (; *v >= '0' && *v <= '9'; v++) {
            if (secs > INT64_MAX / 10000)
                return ERR_INVALID;
            secs = secs * 10 + (*v - '0');
        }
        while (*v == ' ')
            v++;
        if (*v != '\0')
            return ERR_INVALID;
        *delay_ms = secs * 1000;
        return 0;
    }
    memset(&tm, 0, sizeof(tm));
    end = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == NULL || *end != '\0')
        return ERR_INVALID;
    t = timegm(&tm);
    *delay_ms = (int64_t)t * 1000 - now_ms;
    if (*delay_ms < 0)
        *delay_ms = 0;
    return 0;
}

struct sync_state {
    struct httpc_response *out;
    bool done;
};

static void on_sync_done(struct httpc_response *resp, void *ctx)
{
    struct sync_state *st = ctx;
    *st->out = *resp;
    /* the call's response is freed after this callback: move everything out */
    httpd_params_init(&resp->headers);
    resp->body = NULL;
    st->done = true;
}

int httpc_do_sync(const struct httpc_request *req, struct httpc_response *out, struct err *e)
{
    struct event_base *base = event_base_new();
    struct httpc *c = NULL;
    struct sync_state st = {out, false};
    int rc;
    memset(out, 0, sizeof(*out));
    httpd_params_init(&out->headers);
    if (base == NULL)
        return err_set(e, ERR_INTERNAL, "cannot create an event loop");
    c = httpc_new(base);
    if ((rc = httpc_do(c, req, on_sync_done, &st, NULL, e)) != 0)
        goto out;
    while (!st.done && event_base_loop(base, EVLOOP_ONCE) == 0) {
    }
    if (!st.done) {
        rc = err_set(e, ERR_INTERNAL, "HTTP request did not complete");
        goto out;
    }
    rc = out->rc;
    if (rc != 0)
        err_set(e, rc, "%s", out->error);
out:
    httpc_free(c);
    event_base_free(base);
    return rc;
}
