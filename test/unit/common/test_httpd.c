/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the HTTP server: routing, parameters, limits, async replies, shutdown. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/httpc.h"
#include "common/httpd.h"
#include "common/metrics.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "test/harness.h"

/* ---- fixture: a server and a client on one loop ---- */

struct fx {
    struct event_base *base;
    struct httpd *srv;
    struct httpc *cli;
    char url[128];
    int done; /* completed client calls */
    struct httpc_response last[8];
};

static void fx_init(struct fx *f, const struct httpd_opts *opts)
{
    struct err e;
    memset(f, 0, sizeof(*f));
    f->base = event_base_new();
    f->srv = httpd_new(f->base, opts);
    f->cli = httpc_new(f->base);
    CHECK_INT(httpd_bind(f->srv, "127.0.0.1:0", &e), 0);
    CHECK(httpd_port(f->srv) > 0);
    snprintf(f->url, sizeof(f->url), "http://%s", httpd_address(f->srv));
}

static void fx_fini(struct fx *f)
{
    for (int i = 0; i < 8; i++)
        httpc_response_fini(&f->last[i]);
    httpc_free(f->cli);
    httpd_free(f->srv);
    event_base_free(f->base);
}

static void on_done(struct httpc_response *resp, void *ctx)
{
    struct fx *f = ctx;
    if (f->done < 8) {
        f->last[f->done] = *resp;
        httpd_params_init(&resp->headers);
        resp->body = NULL;
    }
    f->done++;
}

/* Runs the loop until want calls completed or 5 s passed. */
static void fx_wait(struct fx *f, int want)
{
    int64_t deadline = time_mono_ms() + 5000;
    while (f->done < want && time_mono_ms() < deadline) {
        struct timeval tv = {0, 20000};
        event_base_loopexit(f->base, &tv);
        event_base_loop(f->base, 0);
    }
    CHECK_INT(f->done, want);
}

static void fx_send(struct fx *f, const char *method, const char *path, const char *body,
                    const char *ctype)
{
    char url[512];
    struct httpc_request r = {0};
    snprintf(url, sizeof(url), "%s%s", f->url, path);
    r.method = method;
    r.url = url;
    r.body = body;
    r.body_len = body ? strlen(body) : 0;
    r.content_type = ctype;
    r.timeout_ms = 3000;
    CHECK_INT(httpc_do(f->cli, &r, on_done, f, NULL, NULL), 0);
}

/* ---- handlers ---- */

static void h_echo(struct httpd_req *req, void *ctx)
{
    struct buf b;
    const struct httpd_params *form = NULL;
    struct err e;
    (void)ctx;
    if (httpd_req_form(req, &form, &e) != 0) {
        httpd_reply_errorf(req, 400, "%s", e.msg);
        return;
    }
    buf_init(&b, 0);
    buf_printf(&b, "%s %s suffix=%s", httpd_req_method(req), httpd_req_path(req),
               httpd_req_path_suffix(req));
    for (size_t i = 0; i < form->n; i++)
        buf_printf(&b, " %s=%s", form->v[i].key, form->v[i].value);
    httpd_reply_header(req, "X-Test", "yes");
    httpd_reply_buf(req, 200, "text/plain", &b);
    buf_fini(&b);
}

static void h_json(struct httpd_req *req, void *ctx)
{
    json_t *j = json_pack("{s:s,s:[i,i]}", "status", "success", "data", 1, 2);
    (void)ctx;
    httpd_reply_json(req, 200, j);
    json_decref(j);
}

struct pending {
    struct httpd_req *req;
    struct event *timer;
    int status;
};

static void on_pending_timer(evutil_socket_t fd, short what, void *arg)
{
    struct pending *p = arg;
    (void)fd;
    (void)what;
    httpd_reply_text(p->req, p->status, "late\n");
    p->req = NULL;
}

/* Replies 200 "late" after ctx->delay ms (async). */
static void h_slow(struct httpd_req *req, void *ctx)
{
    struct pending *p = ctx;
    struct timeval tv = {0, 300000};
    p->req = req;
    evtimer_add(p->timer, &tv);
}

static void test_parse_address(void)
{
    char host[64];
    int port = -1;
    CHECK_INT(httpd_parse_address("127.0.0.1:9099", host, sizeof(host), &port, NULL), 0);
    CHECK_STREQ(host, "127.0.0.1");
    CHECK_INT(port, 9099);
    CHECK_INT(httpd_parse_address("[::1]:0", host, sizeof(host), &port, NULL), 0);
    CHECK_STREQ(host, "::1");
    CHECK_INT(port, 0);
    CHECK_INT(httpd_parse_address(":80", host, sizeof(host), &port, NULL), 0);
    CHECK_STREQ(host, "");
    CHECK_INT(port, 80);
    CHECK_INT(httpd_parse_address("localhost", host, sizeof(host), &port, NULL), ERR_INVALID);
    CHECK_INT(httpd_parse_address("::1:80", host, sizeof(host), &port, NULL), ERR_INVALID);
    CHECK_INT(httpd_parse_address("a:65536", host, sizeof(host), &port, NULL), ERR_INVALID);
    CHECK_INT(httpd_parse_address("a:x1", host, sizeof(host), &port, NULL), ERR_INVALID);
    CHECK_INT(httpd_parse_address("a:", host, sizeof(host), &port, NULL), ERR_INVALID);
    CHECK_INT(httpd_parse_address("[::1]80", host, sizeof(host), &port, NULL), ERR_INVALID);
    CHECK_INT(httpd_parse_address("", host, sizeof(host), &port, NULL), ERR_INVALID);
}

static void test_params(void)
{
    struct httpd_params p;
    struct err e;
    const char *q = "match[]=up&match[]=%7Bjob%3D%22a%22%7D&a+b=c+d&flag&&empty=";
    httpd_params_init(&p);
    CHECK_INT(httpd_params_parse(&p, q, strlen(q), &e), 0);
    CHECK_INT(p.n, 5);
    CHECK_INT(httpd_params_count(&p, "match[]"), 2);
    CHECK_STREQ(p.v[1].value, "{job=\"a\"}");
    CHECK_STREQ(httpd_params_get(&p, "a b"), "c d");
    CHECK_STREQ(httpd_params_get(&p, "flag"), "");
    CHECK_STREQ(httpd_params_get(&p, "empty"), "");
    CHECK(httpd_params_get(&p, "nope") == NULL);
    httpd_params_fini(&p);
    CHECK_INT(httpd_params_parse(&p, "a=%zz", 5, &e), ERR_INVALID);
    httpd_params_fini(&p);
    CHECK_INT(httpd_params_parse(&p, "a=%2", 4, &e), ERR_INVALID);
    httpd_params_fini(&p);
    CHECK_INT(httpd_params_parse(&p, "a=1;b=2", 7, &e), ERR_INVALID);
    CHECK(strstr(e.msg, "semicolon") != NULL);
    httpd_params_fini(&p);
}

static void test_routes(void)
{
    struct fx f;
    struct httpd_route_def big = {"POST", "/small", false, 16, h_echo, NULL};
    fx_init(&f, NULL);
    CHECK_INT(httpd_route_add(f.srv, "GET", "/a", h_echo, NULL), 0);
    CHECK_INT(httpd_route_add(f.srv, "GET", "/a", h_echo, NULL), ERR_EXISTS);
    CHECK_INT(httpd_route_add(f.srv, "BREW", "/a", h_echo, NULL), ERR_INVALID);
    CHECK_INT(httpd_route_add_prefix(f.srv, "GET", "/api/v1/label/", h_echo, NULL), 0);
    CHECK_INT(httpd_route_add(f.srv, "POST", "/api/v1/query", h_echo, NULL), 0);
    CHECK_INT(httpd_route_add(f.srv, "GET", "/api/v1/query", h_echo, NULL), 0);
    CHECK_INT(httpd_route_add(f.srv, "GET", "/json", h_json, NULL), 0);
    CHECK_INT(httpd_route_add_def(f.srv, &big), 0);
    fx_send(&f, "GET", "/a?x=1&x=2", NULL, NULL);
    fx_wait(&f, 1);
    CHECK_INT(f.last[0].status, 200);
    CHECK_STREQ(f.last[0].body, "GET /a suffix= x=1 x=2");
    CHECK_STREQ(httpc_response_header(&f.last[0], "x-test"), "yes");
    fx_send(&f, "GET", "/api/v1/label/job%2Fx/values", NULL, NULL);
    fx_wait(&f, 2);
    CHECK_STREQ(f.last[1].body, "GET /api/v1/label/job/x/values suffix=job/x/values");
    fx_send(&f, "GET", "/nope", NULL, NULL);
    fx_wait(&f, 3);
    CHECK_INT(f.last[2].status, 404);
    fx_send(&f, "DELETE", "/api/v1/query", NULL, NULL);
    fx_wait(&f, 4);
    CHECK_INT(f.last[3].status, 405);
    CHECK_STREQ(httpc_response_header(&f.last[3], "Allow"), "POST, GET, HEAD");
    /* form body first, then the query string, as Prometheus reads them */
    fx_send(&f, "POST", "/api/v1/query?query=fromurl&match[]=b",
            "query=up%7Bjob%3D%22x%22%7D&match[]=a",
            "application/x-www-form-urlencoded; charset=utf-8");
    fx_wait(&f, 5);
    CHECK_INT(f.last[4].status, 200);
    CHECK_STREQ(f.last[4].body, "POST /api/v1/query suffix= query=up{job=\"x\"} match[]=a "
                                "query=fromurl match[]=b");
    fx_send(&f, "GET", "/json", NULL, NULL);
    fx_wait(&f, 6);
    CHECK_STREQ(httpc_response_header(&f.last[5], "Content-Type"), "application/json");
    CHECK_STREQ(f.last[5].body, "{\"status\":\"success\",\"data\":[1,2]}");
    fx_send(&f, "POST", "/small", "0123456789abcdefXYZ", "text/plain");
    fx_wait(&f, 7);
    CHECK_INT(f.last[6].status, 413);
    CHECK(strstr(f.last[6].body, "request body too large: 19 bytes, limit is 16 bytes") != NULL);
    fx_send(&f, "POST", "/api/v1/query", "a=%zz", "application/x-www-form-urlencoded");
    fx_wait(&f, 8);
    CHECK_INT(f.last[7].status, 400);
    CHECK(strstr(f.last[7].body, "invalid form body") != NULL);
    fx_fini(&f);
}

static void test_route_prefix(void)
{
    struct fx f;
    fx_init(&f, NULL);
    httpd_set_route_prefix(f.srv, "/tocsin/");
    CHECK_INT(httpd_route_add(f.srv, "GET", "/a", h_echo, NULL), 0);
    fx_send(&f, "GET", "/tocsin/a?x=1", NULL, NULL);
    fx_wait(&f, 1);
    CHECK_INT(f.last[0].status, 200);
    CHECK_STREQ(f.last[0].body, "GET /a suffix= x=1");
    fx_send(&f, "GET", "/a", NULL, NULL);
    fx_wait(&f, 2);
    CHECK_INT(f.last[1].status, 404);
    fx_send(&f, "GET", "/tocsinx/a", NULL, NULL);
    fx_wait(&f, 3);
    CHECK_INT(f.last[2].status, 404);
    httpd_set_route_prefix(f.srv, "/");
    fx_send(&f, "GET", "/a", NULL, NULL);
    fx_wait(&f, 4);
    CHECK_INT(f.last[3].status, 200);
    fx_fini(&f);
}

static void test_head_and_backstop(void)
{
    struct fx f;
    struct httpd_opts o = {.max_body = 1024};
    struct buf big;
    struct httpc_request r = {0};
    char url[256];
    fx_init(&f, &o);
    CHECK_INT(httpd_route_add(f.srv, "GET", "/a", h_echo, NULL), 0);
    CHECK_INT(httpd_route_add(f.srv, "POST", "/p", h_echo, NULL), 0);
    fx_send(&f, "HEAD", "/a", NULL, NULL);
    fx_wait(&f, 1);
    CHECK_INT(f.last[0].status, 200);
    CHECK_INT(f.last[0].body_len, 0);
    /* over the server-wide limit: evhttp itself refuses it, still with 413 */
    buf_init(&big, 0);
    for (int i = 0; i < 4096; i++)
        buf_putc(&big, 'x');
    snprintf(url, sizeof(url), "%s/p", f.url);
    r.url = url;
    r.body = big.data;
    r.body_len = big.len;
    r.timeout_ms = 3000;
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    fx_wait(&f, 2);
    CHECK_INT(f.last[1].status, 413);
    buf_fini(&big);
    fx_fini(&f);
}

static void test_async_and_metrics(void)
{
    struct fx f;
    struct pending p = {0};
    struct metrics_registry *reg = metrics_registry_new();
    struct buf out;
    fx_init(&f, NULL);
    httpd_set_metrics(f.srv, reg);
    p.timer = evtimer_new(f.base, on_pending_timer, &p);
    p.status = 202;
    CHECK_INT(httpd_route_add(f.srv, "GET", "/slow", h_slow, &p), 0);
    fx_send(&f, "GET", "/slow", NULL, NULL);
    fx_wait(&f, 1);
    CHECK_INT(f.last[0].status, 202);
    CHECK_STREQ(f.last[0].body, "late\n");
    CHECK_INT(httpd_inflight(f.srv), 0);
    buf_init(&out, 0);
    CHECK_INT(metrics_render(reg, &out), 0);
    CHECK(strstr(out.data, "tocsin_http_requests_total{handler=\"/slow\",code=\"202\"} 1\n"));
    CHECK(strstr(out.data, "tocsin_http_request_duration_seconds_count{handler=\"/slow\"} 1\n"));
    CHECK(strstr(out.data, "tocsin_http_request_duration_seconds_bucket{handler=\"/slow\","
                           "le=\"0.1\"} 0\n"));
    buf_fini(&out);
    event_free(p.timer);
    fx_fini(&f);
    metrics_registry_free(reg);
}

/* The client gives up before the asynchronous reply: the late reply must be dropped safely. */
static void test_client_gone(void)
{
    struct fx f;
    struct pending p = {0};
    struct httpc_request r = {0};
    char url[256];
    fx_init(&f, NULL);
    p.timer = evtimer_new(f.base, on_pending_timer, &p);
    p.status = 200;
    CHECK_INT(httpd_route_add(f.srv, "GET", "/slow", h_slow, &p), 0);
    snprintf(url, sizeof(url), "%s/slow", f.url);
    r.url = url;
    r.timeout_ms = 100;
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    fx_wait(&f, 1);
    CHECK_INT(f.last[0].rc, ERR_TIMEOUT);
    CHECK_INT(f.last[0].status, 0);
    CHECK_INT(httpd_inflight(f.srv), 1);
    {
        int64_t deadline = time_mono_ms() + 3000;
        while ((p.req != NULL || httpd_inflight(f.srv) > 0) && time_mono_ms() < deadline)
            event_base_loop(f.base, EVLOOP_ONCE);
    }
    CHECK(p.req == NULL);
    CHECK_INT(httpd_inflight(f.srv), 0);
    event_free(p.timer);
    fx_fini(&f);
}

static void on_arrival_break(struct httpd_req *req, void *ctx)
{
    struct pending *p = ctx;
    h_slow(req, ctx);
    event_base_loopbreak(event_get_base(p->timer));
}

/* Shutdown waits for an in-flight slow request, whose client still gets the full reply. */
static void test_graceful_shutdown(void)
{
    struct fx f;
    struct pending p = {0};
    int64_t t0;
    fx_init(&f, NULL);
    p.timer = evtimer_new(f.base, on_pending_timer, &p);
    p.status = 200;
    CHECK_INT(httpd_route_add(f.srv, "GET", "/slow", on_arrival_break, &p), 0);
    fx_send(&f, "GET", "/slow", NULL, NULL);
    event_base_loop(f.base, 0); /* until the handler runs and breaks the loop */
    CHECK(p.req != NULL);
    CHECK_INT(httpd_inflight(f.srv), 1);
    t0 = time_mono_ms();
    CHECK_INT(httpd_shutdown(f.srv, 3000), 0);
    CHECK(time_mono_ms() - t0 >= 200);
    CHECK_INT(httpd_inflight(f.srv), 0);
    fx_wait(&f, 1);
    CHECK_INT(f.last[0].status, 200);
    CHECK_STREQ(f.last[0].body, "late\n");
    CHECK_STREQ(httpc_response_header(&f.last[0], "Connection"), "close");
    /* no longer accepting */
    fx_send(&f, "GET", "/slow", NULL, NULL);
    fx_wait(&f, 2);
    CHECK_INT(f.last[1].rc, ERR_IO);
    event_free(p.timer);
    fx_fini(&f);
}

/* A handler that misses the shutdown deadline replies later, after the server was freed. */
static void test_shutdown_deadline(void)
{
    struct fx f;
    struct pending p = {0};
    fx_init(&f, NULL);
    p.timer = evtimer_new(f.base, on_pending_timer, &p);
    p.status = 200;
    CHECK_INT(httpd_route_add(f.srv, "GET", "/slow", on_arrival_break, &p), 0);
    fx_send(&f, "GET", "/slow", NULL, NULL);
    event_base_loop(f.base, 0);
    CHECK(p.req != NULL);
    CHECK_INT(httpd_shutdown(f.srv, 50), ERR_TIMEOUT);
    httpd_free(f.srv);
    f.srv = NULL;
    fx_wait(&f, 1); /* the client sees the connection closed */
    CHECK_INT(f.last[0].rc, ERR_IO);
    {
        int64_t deadline = time_mono_ms() + 3000;
        while (p.req != NULL && time_mono_ms() < deadline)
            event_base_loop(f.base, EVLOOP_ONCE);
    }
    CHECK(p.req == NULL); /* the late reply was dropped, and freed (ASan checks) */
    event_free(p.timer);
    fx_fini(&f);
}

/* Sends raw bytes on a new connection and collects the reply until the server closes. */
static void raw_exchange(struct fx *f, const char *req, struct buf *out)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int64_t t0 = time_mono_ms();
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)httpd_port(f->srv));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    CHECK(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
    fcntl(fd, F_SETFL, O_NONBLOCK);
    while (time_mono_ms() - t0 < 3000) {
        char c[4096];
        ssize_t n;
        struct timeval tv = {0, 10000};
        event_base_loopexit(f->base, &tv);
        event_base_loop(f->base, 0);
        while ((n = read(fd, c, sizeof(c))) > 0)
            buf_append(out, c, (size_t)n);
        if (n == 0 || (n < 0 && errno != EAGAIN))
            break;
    }
    close(fd);
}

/* HEAD replies carry Content-Length but no body, so a pipelined request still parses. */
static void test_head_pipelined(void)
{
    struct fx f;
    struct buf out;
    const char *second;
    fx_init(&f, NULL);
    CHECK_INT(httpd_route_add(f.srv, "GET", "/a", h_echo, NULL), 0);
    buf_init(&out, 0);
    raw_exchange(&f,
                 "HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n"
                 "HEAD /missing HTTP/1.1\r\nHost: x\r\n\r\n"
                 "GET /a?q=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                 &out);
    CHECK(strncmp(buf_str(&out), "HTTP/1.1 200 OK\r\n", 17) == 0);
    CHECK(strstr(buf_str(&out), "Content-Length: 15\r\n") != NULL); /* "HEAD /a suffix=" */
    second = strstr(buf_str(&out) + 1, "HTTP/1.1 404");
    CHECK(second != NULL);
    second = strstr(second, "\r\n\r\nHTTP/1.1 200 OK\r\n");
    CHECK(second != NULL);
    CHECK(strstr(second, "\r\n\r\nGET /a suffix= q=1") != NULL);
    CHECK(strstr(buf_str(&out), "\r\n\r\nHEAD") == NULL);
    buf_fini(&out);
    fx_fini(&f);
}

/* The read/write timeout does not cut off a handler that takes longer to answer. */
static void test_slow_handler_outlives_timeout(void)
{
    struct fx f;
    struct pending p = {0};
    struct httpd_opts o = {.timeout_ms = 100};
    fx_init(&f, &o);
    p.timer = evtimer_new(f.base, on_pending_timer, &p);
    p.status = 200;
    CHECK_INT(httpd_route_add(f.srv, "GET", "/slow", h_slow, &p), 0); /* answers after 300 ms */
    fx_send(&f, "GET", "/slow", NULL, NULL);
    fx_wait(&f, 1);
    CHECK_INT(f.last[0].rc, 0);
    CHECK_INT(f.last[0].status, 200);
    CHECK_STREQ(f.last[0].body, "late\n");
    event_free(p.timer);
    fx_fini(&f);
}

/* A connection that stalls mid-request is closed after the read timeout. */
static void test_read_timeout(void)
{
    struct fx f;
    struct httpd_opts o = {.timeout_ms = 200};
    struct sockaddr_in sa;
    int fd;
    int64_t t0, took = -1;
    fx_init(&f, &o);
    CHECK_INT(httpd_route_add(f.srv, "GET", "/a", h_echo, NULL), 0);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)httpd_port(f.srv));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    CHECK(write(fd, "GET /a HTTP/1.1\r\nHost: x\r\n", 26) == 26);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    t0 = time_mono_ms();
    while (time_mono_ms() - t0 < 3000) {
        char c[256];
        ssize_t n;
        struct timeval tv = {0, 20000};
        event_base_loopexit(f.base, &tv);
        event_base_loop(f.base, 0);
        n = read(fd, c, sizeof(c));
        if (n == 0 || (n < 0 && errno != EAGAIN)) {
            took = time_mono_ms() - t0;
            break;
        }
    }
    close(fd);
    CHECK(took >= 150);
    CHECK(took < 2000);
    fx_fini(&f);
}

static void test_bind_errors(void)
{
    struct event_base *base = event_base_new();
    struct httpd *a = httpd_new(base, NULL), *b = httpd_new(base, NULL);
    struct err e;
    char addr[64];
    CHECK_INT(httpd_bind(a, "127.0.0.1:0", &e), 0);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", httpd_port(a));
    CHECK_INT(httpd_bind(b, addr, &e), ERR_IO);
    CHECK(strstr(e.msg, "cannot listen on") != NULL);
    CHECK_INT(httpd_bind(b, "nonsense", &e), ERR_INVALID);
    httpd_free(a);
    httpd_free(b);
    event_base_free(base);
}

static void test_ipv6(void)
{
    struct event_base *base = event_base_new();
    struct httpd *s = httpd_new(base, NULL);
    struct err e;
    if (httpd_bind(s, "[::1]:0", &e) != 0) {
        printf("skip test_ipv6: no IPv6 loopback (%s)\n", e.msg);
    } else {
        CHECK(strncmp(httpd_address(s), "[::1]:", 6) == 0);
        CHECK(httpd_port(s) > 0);
    }
    httpd_free(s);
    event_base_free(base);
}

static const struct test_case tests[] = {TEST(test_parse_address),
                                         TEST(test_params),
                                         TEST(test_routes),
                                         TEST(test_head_and_backstop),
                                         TEST(test_async_and_metrics),
                                         TEST(test_client_gone),
                                         TEST(test_graceful_shutdown),
                                         TEST(test_shutdown_deadline),
                                         TEST(test_bind_errors),
                                         TEST(test_ipv6),
                                         TEST(test_read_timeout),
                                         TEST(test_head_pipelined),
                                         TEST(test_route_prefix),
                                         TEST(test_slow_handler_outlives_timeout),
                                         {0}};
TEST_MAIN(tests)
