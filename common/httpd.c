/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP/1.1 server on evhttp: routing, request objects, replies and graceful shutdown. */
#include "common/httpd.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <jansson.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

/* Accept backlog of every listener (the kernel caps it at net.core.somaxconn). */
#define HTTPD_LISTEN_BACKLOG 4096

struct httpd_route {
    struct httpd_route *next;
    char *method; /* NULL = any */
    char *path;
    size_t path_len;
    bool prefix;
    size_t max_body; /* 0 = server's */
    httpd_handler_cb cb;
    void *ctx;
};

struct httpd {
    struct event_base *base;
    struct evhttp *http;
    char *name;
    size_t max_body;
    int64_t timeout_ms;
    struct httpd_route *routes;
    char *prefix; /* route prefix without trailing '/', NULL = none */
    struct evhttp_bound_socket **bound;
    size_t nbound;
    char address[80];
    int port;
    struct httpd_req *inflight_head;
    size_t inflight;
    bool shutting_down;
    struct metrics_family *m_requests, *m_duration, *m_size;
};

struct httpd_req {
    struct httpd *srv;         /* NULL once the server was freed */
    struct evhttp_request *ev; /* NULL once evhttp freed it */
    const struct httpd_route *route;
    struct httpd_req *prev, *next; /* in srv's in-flight list */
    const char *method;
    char *path;
    char *raw_path;
    char *raw_query;
    char *content_type;
    char *body;
    size_t body_len;
    struct httpd_params query;
    struct httpd_params form;
    bool form_parsed;
    char peer[80];
    double start; /* monotonic seconds */
    bool replied; /* a reply was sent (or dropped) */
    bool io_done; /* evhttp is done with ev (written, failed or freed) */
    bool in_send; /* inside evhttp_send_reply: defer freeing */
};

static const struct {
    enum evhttp_cmd_type cmd;
    const char *name;
} methods[] = {
    {EVHTTP_REQ_GET, "GET"},     {EVHTTP_REQ_POST, "POST"},       {EVHTTP_REQ_HEAD, "HEAD"},
    {EVHTTP_REQ_PUT, "PUT"},     {EVHTTP_REQ_DELETE, "DELETE"},   {EVHTTP_REQ_OPTIONS, "OPTIONS"},
    {EVHTTP_REQ_TRACE, "TRACE"}, {EVHTTP_REQ_CONNECT, "CONNECT"}, {EVHTTP_REQ_PATCH, "PATCH"},
};

static const char *method_name(enum evhttp_cmd_type cmd)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (methods[i].cmd == cmd)
            return methods[i].name;
    return "UNKNOWN";
}

static bool method_known(const char *m)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(methods[i].name, m) == 0)
            return true;
    return false;
}

static double mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- request lifetime ---- */

static void req_free(struct httpd_req *r)
{
    xfree(r->path);
    xfree(r->raw_path);
    xfree(r->raw_query);
    xfree(r->content_type);
    xfree(r->body);
    httpd_params_fini(&r->query);
    httpd_params_fini(&r->form);
    xfree(r);
}

static void req_unlink(struct httpd_req *r)
{
    struct httpd *s = r->srv;
    if (s == NULL)
        return;
    if (r->prev)
        r->prev->next = r->next;
    else
        s->inflight_head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
    s->inflight--;
    r->srv = NULL;
}

static void req_maybe_free(struct httpd_req *r)
{
    if (!r->replied || !r->io_done || r->in_send)
        return;
    req_unlink(r);
    req_free(r);
}

/* The connection of a request that has not completed is going away. */
static void on_conn_close(struct evhttp_connection *evcon, void *arg)
{
    struct httpd_req *r = arg;
    (void)evcon;
    if (r->ev != NULL && evhttp_request_get_connection(r->ev) != NULL) {
        /* still attached: evhttp frees ev right after this callback */
        r->ev = NULL;
        r->io_done = true;
    }
    /* detached (client left before the reply): ev survives until evhttp_send_reply frees it */
    req_maybe_free(r);
}

/* The reply was fully written; evhttp frees ev after this callback. */
static void on_complete(struct evhttp_request *ev, void *arg)
{
    struct httpd_req *r = arg;
    struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
    if (evcon != NULL)
        evhttp_connection_set_closecb(evcon, NULL, NULL);
    r->ev = NULL;
    r->io_done = true;
    req_maybe_free(r);
}

/* ---- addresses ---- */

int httpd_parse_address(const char *addr, char *host, size_t hostsz, int *port, struct err *e)
{
    const char *colon, *p;
    size_t hlen;
    long v = 0;
    if (addr == NULL || *addr == '\0')
        return err_set(e, ERR_INVALID, "empty listen address");
    if (addr[0] == '[') {
        const char *rb = strchr(addr, ']');
        if (rb == NULL || rb[1] != ':')
            return err_set(e, ERR_INVALID, "invalid address \"%s\": expected [ipv6]:port", addr);
        hlen = (size_t)(rb - addr - 1);
        if (hlen == 0)
            return err_set(e, ERR_INVALID, "invalid address \"%s\": empty IPv6 host", addr);
        p = addr + 1;
        colon = rb + 1;
    } else {
        colon = strrchr(addr, ':');
        if (colon == NULL)
            return err_set(e, ERR_INVALID, "invalid address \"%s\": missing port", addr);
        if (memchr(addr, ':', (size_t)(colon - addr)) != NULL)
            return err_set(e, ERR_INVALID,
                           "invalid address \"%s\": IPv6 addresses need brackets, e.g. [::1]:9099",
                           addr);
        hlen = (size_t)(colon - addr);
        p = addr;
    }
    if (hlen + 1 > hostsz)
        return err_set(e, ERR_INVALID, "invalid address \"%s\": host too long", addr);
    if (colon[1] == '\0')
        return err_set(e, ERR_INVALID, "invalid address \"%s\": missing port", addr);
    for (const char *q = colon + 1; *q; q++) {
        if (!isdigit((unsigned char)*q) || v > 65535)
            return err_set(e, ERR_INVALID, "invalid address \"%s\": invalid port", addr);
        v = v * 10 + (*q - '0');
    }
    if (v > 65535)
        return err_set(e, ERR_INVALID, "invalid address \"%s\": port out of range", addr);
    memcpy(host, p, hlen);
    host[hlen] = '\0';
    *port = (int)v;
    return 0;
}

static void format_sockaddr(const struct sockaddr_storage *ss, char *out, size_t n, int *port)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
        *port = ntohs(s6->sin6_port);
        snprintf(out, n, "[%s]:%d", ip, *port);
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
        *port = ntohs(s4->sin_port);
        snprintf(out, n, "%s:%d", ip, *port);
    }
}

/* Binds and listens on host:port (numeric port); NULL with *gai or *err_no set on failure. */
static struct evconnlistener *listen_on(struct httpd *s, const char *host, const char *port,
                                        int *gai, int *err_no)
{
    struct addrinfo hints, *ai = NULL;
    struct evconnlistener *lis;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    *gai = getaddrinfo(host, port, &hints, &ai);
    if (*gai != 0)
        return NULL;
    errno = 0;
    /* our own listener for a deep accept backlog: bursts of clients must not wait for SYN
     * retransmits (evhttp's default backlog is 128) */
    lis = evconnlistener_new_bind(s->base, NULL, NULL,
                                  LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
                                  HTTPD_LISTEN_BACKLOG, ai->ai_addr, (int)ai->ai_addrlen);
    *err_no = errno;
    freeaddrinfo(ai);
    return lis;
}

int httpd_bind(struct httpd *s, const char *addr, struct err *e)
{
    char host[256];
    int port = 0, rc;
    struct evhttp_bound_socket *bs;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    struct evconnlistener *lis;
    char portstr[16];
    int gai = 0, err_no = 0;
    if ((rc = httpd_parse_address(addr, host, sizeof(host), &port, e)) != 0)
        return rc;
    snprintf(portstr, sizeof(portstr), "%d", port);
    /* ":port" means every interface: IPv6 "::" is dual-stack on Linux; IPv4 when v6 is off */
    lis = listen_on(s, host[0] ? host : "::", portstr, &gai, &err_no);
    if (lis == NULL && host[0] == '\0')
        lis = listen_on(s, "0.0.0.0", portstr, &gai, &err_no);
    if (lis == NULL && gai != 0)
        return err_set(e, ERR_IO, "cannot listen on %s: %s", addr, gai_strerror(gai));
    if (lis == NULL)
        return err_set(e, ERR_IO, "cannot listen on %s: %s", addr,
                       err_no ? strerror(err_no) : "bind failed");
    bs = evhttp_bind_listener(s->http, lis);
    if (bs == NULL) {
        evconnlistener_free(lis);
        return err_set(e, ERR_IO, "cannot listen on %s: evhttp_bind_listener failed", addr);
    }
    s->bound = xreallocarray(s->bound, s->nbound + 1, sizeof(*s->bound));
    s->bound[s->nbound++] = bs;
    if (s->nbound == 1) {
        memset(&ss, 0, sizeof(ss));
        if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &sl) != 0)
            return err_set(e, ERR_IO, "getsockname: %s", strerror(errno));
        format_sockaddr(&ss, s->address, sizeof(s->address), &s->port);
    }
    return 0;
}

int httpd_port(const struct httpd *s)
{
    return s->port;
}

const char *httpd_address(const struct httpd *s)
{
    return s->address;
}

/* ---- routes ---- */

static size_t server_backstop(const struct httpd *s)
{
    size_t m = s->max_body;
    for (const struct httpd_route *r = s->routes; r; r = r->next)
        if (r->max_body > m)
            m = r->max_body;
    return m;
}

int httpd_route_add_def(struct httpd *s, const struct httpd_route_def *def)
{
    struct httpd_route *r, **tail;
    if (def->path == NULL || def->path[0] != '/' || def->cb == NULL)
        return ERR_INVALID;
    if (def->method != NULL && !method_known(def->method))
        return ERR_INVALID;
    for (tail = &s->routes; *tail; tail = &(*tail)->next) {
        const struct httpd_route *o = *tail;
        bool same_method = (o->method == NULL && def->method == NULL) ||
                           (o->method && def->method && strcmp(o->method, def->method) == 0);
        if (same_method && o->prefix == def->prefix && strcmp(o->path, def->path) == 0)
            return ERR_EXISTS;
    }
    r = xcalloc(1, sizeof(*r));
    r->method = def->method ? xstrdup(def->method) : NULL;
    r->path = xstrdup(def->path);
    r->path_len = strlen(def->path);
    r->prefix = def->prefix;
    r->max_body = def->max_body;
    r->cb = def->cb;
    r->ctx = def->ctx;
    *tail = r;
    evhttp_set_max_body_size(s->http, (ev_ssize_t)server_backstop(s));
    return 0;
}

int httpd_route_add(struct httpd *s, const char *method, const char *path, httpd_handler_cb cb,
                    void *ctx)
{
    struct httpd_route_def d = {method, path, false, 0, cb, ctx};
    return httpd_route_add_def(s, &d);
}

int httpd_route_add_prefix(struct httpd *s, const char *method, const char *prefix,
                           httpd_handler_cb cb, void *ctx)
{
    struct httpd_route_def d = {method, prefix, true, 0, cb, ctx};
    return httpd_route_add_def(s, &d);
}

static bool route_path_matches(const struct httpd_route *r, const char *path, size_t *spec)
{
    if (r->prefix) {
        if (strncmp(path, r->path, r->path_len) != 0)
            return false;
        *spec = r->path_len;
        return true;
    }
    if (strcmp(path, r->path) != 0)
        return false;
    *spec = (size_t)-1;
    return true;
}

static bool route_method_matches(const struct httpd_route *r, const char *method)
{
    if (r->method == NULL || strcmp(r->method, method) == 0)
        return true;
    return strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0;
}

/* Best route for path+method; when none matches the method, *allow lists the methods that do. */
static const struct httpd_route *route_find(const struct httpd *s, const char *path,
                                            const char *method, struct buf *allow, bool *path_found)
{
    const struct httpd_route *best = NULL;
    size_t best_spec = 0, spec = 0;
    *path_found = false;
    for (const struct httpd_route *r = s->routes; r; r = r->next) {
        if (!route_path_matches(r, path, &spec))
            continue;
        *path_found = true;
        if (route_method_matches(r, method) && (best == NULL || spec > best_spec)) {
            best = r;
            best_spec = spec;
        }
    }
    if (best == NULL && *path_found) {
        for (const struct httpd_route *r = s->routes; r; r = r->next) {
            if (!route_path_matches(r, path, &spec) || r->method == NULL)
                continue;
            if (strstr(buf_str(allow), r->method) != NULL)
                continue;
            if (allow->len)
                buf_puts(allow, ", ");
            buf_puts(allow, r->method);
            if (strcmp(r->method, "GET") == 0 && strstr(buf_str(allow), "HEAD") == NULL)
                buf_puts(allow, ", HEAD");
        }
    }
    return best;
}

/* ---- dispatch ---- */

static void send_plain(struct evhttp_request *ev, int status, const char *text, const char *allow)
{
    struct evbuffer *eb = evbuffer_new();
    struct evkeyvalq *h = evhttp_request_get_output_headers(ev);
    evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    if (allow != NULL)
        evhttp_add_header(h, "Allow", allow);
    if (evhttp_request_get_command(ev) == EVHTTP_REQ_HEAD) {
        char cl[32];
        snprintf(cl, sizeof(cl), "%zu", strlen(text));
        evhttp_add_header(h, "Content-Length", cl);
    } else {
        evbuffer_add(eb, text, strlen(text));
    }
    evhttp_send_reply(ev, status, NULL, eb);
    evbuffer_free(eb);
}

static char *lower_content_type(const char *v)
{
    size_t n, start = 0;
    char *out;
    if (v == NULL)
        return xstrdup("");
    while (v[start] == ' ' || v[start] == '\t')
        start++;
    n = strcspn(v + start, ";");
    while (n > 0 && (v[start + n - 1] == ' ' || v[start + n - 1] == '\t'))
        n--;
    out = xstrndup(v + start, n);
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return out;
}

static void dispatch(struct evhttp_request *ev, void *arg)
{
    struct httpd *s = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
    const char *method = method_name(evhttp_request_get_command(ev));
    const char *rpath = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *rquery = uri ? evhttp_uri_get_query(uri) : NULL;
    struct evbuffer *in = evhttp_request_get_input_buffer(ev);
    size_t blen = evbuffer_get_length(in);
    const struct httpd_route *route;
    struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
    struct httpd_req *r = NULL;
    char *path = NULL;
    struct buf allow;
    bool path_found = false;
    size_t limit;
    char msg[160];

    buf_init(&allow, 256);
    if (rpath == NULL || rpath[0] == '\0')
        rpath = "/";
    if (s->shutting_down)
        evhttp_add_header(evhttp_request_get_output_headers(ev), "Connection", "close");
    if (httpd_url_decode(rpath, strlen(rpath), false, &path, NULL) != 0) {
        send_plain(ev, 400, "400 Bad Request: invalid URL escape in path\n", NULL);
        goto out;
    }
    if (s->prefix != NULL) {
        size_t pl = strlen(s->prefix);
        if (strncmp(path, s->prefix, pl) != 0 || (path[pl] != '\0' && path[pl] != '/')) {
            send_plain(ev, 404, "404 page not found\n", NULL);
            goto out;
        }
        memmove(path, path + pl, strlen(path + pl) + 1);
        if (path[0] == '\0') {
            path[0] = '/';
            path[1] = '\0';
        }
    }
    route = route_find(s, path, method, &allow, &path_found);
    if (route == NULL) {
        if (path_found)
            send_plain(ev, 405, "405 method not allowed\n", buf_str(&allow));
        else
            send_plain(ev, 404, "404 page not found\n", NULL);
        goto out;
    }
    limit = route->max_body ? route->max_body : s->max_body;
    if (blen > limit) {
        snprintf(msg, sizeof(msg), "request body too large: %zu bytes, limit is %zu bytes\n", blen,
                 limit);
        send_plain(ev, 413, msg, NULL);
        goto out;
    }
    r = xcalloc(1, sizeof(*r));
    r->srv = s;
    r->ev = ev;
    r->route = route;
    r->method = method;
    r->path = path;
    path = NULL;
    r->raw_path = xstrdup(rpath);
    r->raw_query = xstrdup(rquery ? rquery : "");
    r->content_type = lower_content_type(
        evhttp_find_header(evhttp_request_get_input_headers(ev), "Content-Type"));
    r->body = xmalloc(blen + 1);
    if (blen > 0)
        evbuffer_remove(in, r->body, blen);
    r->body[blen] = '\0';
    r->body_len = blen;
    httpd_params_init(&r->query);
    httpd_params_init(&r->form);
    (void)httpd_params_parse(&r->query, r->raw_query, strlen(r->raw_query), NULL);
    r->start = mono_seconds();
    if (evcon != NULL) {
        char *paddr = NULL;
        uint16_t pport = 0;
        evhttp_connection_get_peer(evcon, &paddr, &pport);
        snprintf(r->peer, sizeof(r->peer), strchr(paddr ? paddr : "", ':') ? "[%s]:%u" : "%s:%u",
                 paddr ? paddr : "?", (unsigned)pport);
        evhttp_connection_set_closecb(evcon, on_conn_close, r);
    }
    evhttp_request_set_on_complete_cb(ev, on_complete, r);
    r->next = s->inflight_head;
    if (s->inflight_head)
        s->inflight_head->prev = r;
    s->inflight_head = r;
    s->inflight++;
    route->cb(r, route->ctx);
out:
    xfree(path);
    buf_fini(&allow);
}

/* ---- server ---- */

struct httpd *httpd_new(struct event_base *base, const struct httpd_opts *opts)
{
    struct httpd *s = xcalloc(1, sizeof(*s));
    struct timeval tv;
    /* a client that vanishes mid-reply must cost an EPIPE, not the process */
    signal(SIGPIPE, SIG_IGN);
    s->base = base;
    s->http = evhttp_new(base);
    if (s->http == NULL) {
        log_errorf("evhttp_new failed");
        abort();
    }
    s->name = xstrdup(opts && opts->name ? opts->name : "http");
    s->max_body = opts && opts->max_body ? opts->max_body : HTTPD_DEFAULT_MAX_BODY;
    s->timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms : HTTPD_DEFAULT_TIMEOUT_MS;
    tv.tv_sec = (time_t)(s->timeout_ms / 1000);
    tv.tv_usec = (suseconds_t)(s->timeout_ms % 1000) * 1000;
    evhttp_set_timeout_tv(s->http, &tv);
    evhttp_set_max_body_size(s->http, (ev_ssize_t)s->max_body);
    evhttp_set_max_headers_size(s->http, 1 << 20);
    evhttp_set_allowed_methods(s->http, 0x1ff);
    evhttp_set_flags(s->http, EVHTTP_SERVER_LINGERING_CLOSE);
    evhttp_set_default_content_type(s->http, "text/plain; charset=utf-8");
    evhttp_set_gencb(s->http, dispatch, s);
    return s;
}

void httpd_free(struct httpd *s)
{
    struct httpd_route *r, *next;
    if (s == NULL)
        return;
    if (s->http != NULL)
        evhttp_free(s->http); /* close callbacks detach or drop the in-flight requests */
    while (s->inflight_head != NULL)
        req_unlink(s->inflight_head); /* their replies, if any, only free them now */
    for (r = s->routes; r; r = next) {
        next = r->next;
        xfree(r->method);
        xfree(r->path);
        xfree(r);
    }
    xfree(s->bound);
    xfree(s->prefix);
    xfree(s->name);
    xfree(s);
}

void httpd_set_route_prefix(struct httpd *s, const char *prefix)
{
    size_t n = prefix ? strlen(prefix) : 0;
    xfree(s->prefix);
    s->prefix = NULL;
    while (n > 0 && prefix[n - 1] == '/')
        n--;
    if (n == 0)
        return;
    s->prefix = prefix[0] == '/' ? xstrndup(prefix, n) : xasprintf("/%.*s", (int)n, prefix);
}

void httpd_set_metrics(struct httpd *s, struct metrics_registry *reg)
{
    static const char *const hc[] = {"handler", "code", NULL};
    static const char *const h[] = {"handler", NULL};
    static const double size_buckets[] = {100, 1000, 10000, 100000, 1e6, 1e7, 1e8};
    s->m_requests =
        metrics_counter_new(reg, "tocsin_http_requests_total", "Counter of HTTP requests.", hc);
    s->m_duration = metrics_histogram_new(reg, "tocsin_http_request_duration_seconds",
                                          "Histogram of latencies for HTTP requests.", h,
                                          METRICS_DEFAULT_BUCKETS, 11);
    s->m_size =
        metrics_histogram_new(reg, "tocsin_http_response_size_bytes",
                              "Histogram of response size for HTTP requests.", h, size_buckets, 7);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(arg);
}

int httpd_shutdown(struct httpd *s, int64_t timeout_ms)
{
    int64_t deadline = time_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    struct event *timer;
    struct timeval tv;
    size_t left;
    s->shutting_down = true;
    for (size_t i = 0; i < s->nbound; i++)
        evhttp_del_accept_socket(s->http, s->bound[i]);
    s->nbound = 0;
    timer = evtimer_new(s->base, on_deadline, s->base);
    tv.tv_sec = (time_t)(timeout_ms / 1000);
    tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
    evtimer_add(timer, &tv);
    while (s->inflight > 0 && time_mono_ms() < deadline)
        event_base_loop(s->base, EVLOOP_ONCE);
    event_free(timer);
    left = s->inflight;
    if (left > 0)
        log_kv(LOG_WARN, "shutdown deadline passed with requests in flight", "server", s->name,
               NULL);
    /* closes idle keep-alive connections and whatever is still in flight */
    evhttp_free(s->http);
    s->http = NULL;
    return left > 0 ? ERR_TIMEOUT : 0;
}

size_t httpd_inflight(const struct httpd *s)
{
    return s->inflight;
}

/* ---- request accessors ---- */

const char *httpd_req_method(const struct httpd_req *req)
{
    return req->method;
}

const char *httpd_req_path(const struct httpd_req *req)
{
    return req->path;
}

const char *httpd_req_raw_path(const struct httpd_req *req)
{
    return req->raw_path;
}

const char *httpd_req_path_suffix(const struct httpd_req *req)
{
    if (!req->route->prefix)
        return "";
    return req->path + req->route->path_len;
}

const char *httpd_req_raw_query(const struct httpd_req *req)
{
    return req->raw_query;
}

const struct httpd_params *httpd_req_query(const struct httpd_req *req)
{
    return &req->query;
}

int httpd_req_form(struct httpd_req *req, const struct httpd_params **out, struct err *e)
{
    int rc;
    if (!req->form_parsed) {
        const char *m = req->method;
        httpd_params_fini(&req->form);
        if ((strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0) &&
            strcmp(req->content_type, "application/x-www-form-urlencoded") == 0) {
            if ((rc = httpd_params_parse(&req->form, req->body, req->body_len, e)) != 0) {
                err_prefix(e, "invalid form body");
                return rc;
            }
        }
        if ((rc = httpd_params_parse(&req->form, req->raw_query, strlen(req->raw_query), e)) != 0) {
            err_prefix(e, "invalid query string");
            return rc;
        }
        req->form_parsed = true;
    }
    *out = &req->form;
    return 0;
}

const char *httpd_req_param(struct httpd_req *req, const char *key)
{
    return httpd_params_get(req->form_parsed ? &req->form : &req->query, key);
}

const char *httpd_req_header(const struct httpd_req *req, const char *name)
{
    if (req->ev == NULL)
        return NULL;
    return evhttp_find_header(evhttp_request_get_input_headers(req->ev), name);
}

const char *httpd_req_content_type(const struct httpd_req *req)
{
    return req->content_type;
}

const char *httpd_req_body(const struct httpd_req *req, size_t *len)
{
    if (len)
        *len = req->body_len;
    return req->body;
}

const char *httpd_req_peer(const struct httpd_req *req)
{
    return req->peer;
}

struct httpd *httpd_req_server(const struct httpd_req *req)
{
    return req->srv;
}

/* ---- replies ---- */

void httpd_reply_header(struct httpd_req *req, const char *name, const char *value)
{
    if (req->ev == NULL || req->replied)
        return;
    evhttp_add_header(evhttp_request_get_output_headers(req->ev), name, value);
}

static void record_metrics(struct httpd_req *req, int status, size_t len)
{
    struct httpd *s = req->srv;
    char code[16];
    if (s == NULL || s->m_requests == NULL)
        return;
    snprintf(code, sizeof(code), "%d", status);
    metrics_inc(metrics_childv(s->m_requests, req->route->path, code));
    metrics_observe(metrics_childv(s->m_duration, req->route->path), mono_seconds() - req->start);
    metrics_observe(metrics_childv(s->m_size, req->route->path), (double)len);
}

void httpd_reply(struct httpd_req *req, int status, const char *content_type, const void *body,
                 size_t len)
{
    struct evbuffer *eb;
    struct evkeyvalq *h;
    if (req->replied) {
        log_kv(LOG_ERROR, "BUG: second reply to an HTTP request dropped", "path", req->path, NULL);
        return;
    }
    req->replied = true;
    record_metrics(req, status, len);
    if (req->ev == NULL) { /* the server closed the connection under us */
        req->io_done = true;
        req_maybe_free(req);
        return;
    }
    if (evhttp_request_get_connection(req->ev) == NULL)
        req->io_done = true; /* client left: evhttp_send_reply only frees ev */
    h = evhttp_request_get_output_headers(req->ev);
    if (content_type != NULL) {
        evhttp_remove_header(h, "Content-Type");
        evhttp_add_header(h, "Content-Type", content_type);
    }
    if (req->srv != NULL && req->srv->shutting_down && evhttp_find_header(h, "Connection") == NULL)
        evhttp_add_header(h, "Connection", "close");
    eb = evbuffer_new();
    if (strcmp(req->method, "HEAD") == 0) {
        /* evhttp would send the body after a HEAD reply: announce its length, send none */
        char cl[32];
        snprintf(cl, sizeof(cl), "%zu", len);
        evhttp_remove_header(h, "Content-Length");
        evhttp_add_header(h, "Content-Length", cl);
    } else if (len > 0) {
        evbuffer_add(eb, body, len);
    }
    req->in_send = true;
    evhttp_send_reply(req->ev, status, NULL, eb);
    req->in_send = false;
    evbuffer_free(eb);
    if (req->io_done)
        req->ev = NULL;
    req_maybe_free(req);
}

void httpd_reply_buf(struct httpd_req *req, int status, const char *content_type,
                     const struct buf *b)
{
    httpd_reply(req, status, content_type, b->data, b->len);
}

void httpd_reply_text(struct httpd_req *req, int status, const char *text)
{
    httpd_reply(req, status, "text/plain; charset=utf-8", text, strlen(text));
}

void httpd_reply_errorf(struct httpd_req *req, int status, const char *fmt, ...)
{
    struct buf b;
    va_list ap;
    buf_init(&b, 0);
    va_start(ap, fmt);
    (void)buf_vprintf(&b, fmt, ap);
    va_end(ap);
    (void)buf_putc(&b, '\n');
    httpd_reply(req, status, "text/plain; charset=utf-8", b.data, b.len);
    buf_fini(&b);
}

void httpd_reply_json(struct httpd_req *req, int status, const struct json_t *j)
{
    struct buf b;
    buf_init(&b, 0);
    if (jsonx_dump(j, &b) != 0)
        httpd_reply_text(req, 500, "cannot encode JSON reply\n");
    else
        httpd_reply_buf(req, status, "application/json", &b);
    buf_fini(&b);
}

void httpd_reply_api_error(struct httpd_req *req, int status, const char *error_type,
                           const char *fmt, ...)
{
    struct buf msg;
    va_list ap;
    json_t *j;
    buf_init(&msg, 0);
    va_start(ap, fmt);
    (void)buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    j = jsonx_prom_error(error_type, buf_str(&msg));
    httpd_reply_json(req, status, j);
    json_decref(j);
    buf_fini(&msg);
}

void httpd_reply_api_success(struct httpd_req *req, struct json_t *data)
{
    json_t *j = jsonx_prom_success(data);
    httpd_reply_json(req, 200, j);
    json_decref(j);
}
