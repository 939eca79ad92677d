/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the HTTP client: retries, Retry-After, timeouts, limits, auth, sync calls. */
#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/httpc.h"
#include "common/httpd.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "test/harness.h"

struct fx {
    struct event_base *base;
    struct httpd *srv;
    struct httpc *cli;
    char url[128];
    int done;
    struct httpc_response resp;
    int hits;      /* server-side request count */
    int fail_n;    /* fail this many requests first */
    int fail_code; /* with this status */
    const char *retry_after;
    struct httpd_req *held; /* never answered (timeout tests) */
};

static void fx_init(struct fx *f)
{
    struct err e;
    memset(f, 0, sizeof(*f));
    f->base = event_base_new();
    f->srv = httpd_new(f->base, NULL);
    f->cli = httpc_new(f->base);
    CHECK_INT(httpd_bind(f->srv, "127.0.0.1:0", &e), 0);
    snprintf(f->url, sizeof(f->url), "http://%s", httpd_address(f->srv));
}

static void fx_fini(struct fx *f)
{
    if (f->held)
        httpd_reply_text(f->held, 200, "x");
    httpc_response_fini(&f->resp);
    httpc_free(f->cli);
    httpd_free(f->srv);
    event_base_free(f->base);
}

static void on_done(struct httpc_response *resp, void *ctx)
{
    struct fx *f = ctx;
    f->resp = *resp;
    httpd_params_init(&resp->headers);
    resp->body = NULL;
    f->done++;
}

static void fx_wait(struct fx *f, int64_t max_ms)
{
    int64_t deadline = time_mono_ms() + max_ms;
    while (f->done == 0 && time_mono_ms() < deadline)
        event_base_loop(f->base, EVLOOP_ONCE);
    CHECK_INT(f->done, 1);
}

static void h_flaky(struct httpd_req *req, void *ctx)
{
    struct fx *f = ctx;
    f->hits++;
    if (f->hits <= f->fail_n) {
        if (f->retry_after)
            httpd_reply_header(req, "Retry-After", f->retry_after);
        httpd_reply_text(req, f->fail_code, "try again\n");
        return;
    }
    httpd_reply_text(req, 200, "finally\n");
}

static void h_hold(struct httpd_req *req, void *ctx)
{
    struct fx *f = ctx;
    f->hits++;
    if (f->held)
        httpd_reply_text(f->held, 200, "x");
    f->held = req;
}

static void h_auth(struct httpd_req *req, void *ctx)
{
    struct buf b;
    const char *a = httpd_req_header(req, "Authorization");
    const char *x = httpd_req_header(req, "X-Custom");
    size_t len;
    const char *body = httpd_req_body(req, &len);
    (void)ctx;
    buf_init(&b, 0);
    buf_printf(&b, "%s|%s|%s|%s|%s", a ? a : "-", x ? x : "-", httpd_req_content_type(req),
               httpd_req_method(req), body);
    httpd_reply_buf(req, 200, "text/plain", &b);
    buf_fini(&b);
}

static void h_big(struct httpd_req *req, void *ctx)
{
    static char data[100000];
    (void)ctx;
    memset(data, 'z', sizeof(data));
    httpd_reply(req, 200, "text/plain", data, sizeof(data));
}

static struct httpc_request req_for(struct fx *f, const char *path, char *url, size_t n)
{
    struct httpc_request r = {0};
    snprintf(url, n, "%s%s", f->url, path);
    r.url = url;
    r.timeout_ms = 3000;
    return r;
}

static void test_retry_then_success(void)
{
    struct fx f;
    char url[256];
    struct httpc_request r;
    fx_init(&f);
    f.fail_n = 2;
    f.fail_code = 503;
    httpd_route_add(f.srv, NULL, "/flaky", h_flaky, &f);
    r = req_for(&f, "/flaky", url, sizeof(url));
    r.max_attempts = 5;
    r.backoff_ms = 20;
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    CHECK_INT(httpc_pending(f.cli), 1);
    fx_wait(&f, 5000);
    CHECK_INT(f.resp.rc, 0);
    CHECK_INT(f.resp.status, 200);
    CHECK_INT(f.resp.attempts, 3);
    CHECK_INT(f.hits, 3);
    CHECK_STREQ(f.resp.body, "finally\n");
    CHECK_INT(httpc_pending(f.cli), 0);
    fx_fini(&f);
}

static void test_retries_exhausted(void)
{
    struct fx f;
    char url[256];
    struct httpc_request r;
    fx_init(&f);
    f.fail_n = 100;
    f.fail_code = 500;
    httpd_route_add(f.srv, NULL, "/flaky", h_flaky, &f);
    r = req_for(&f, "/flaky", url, sizeof(url));
    r.max_attempts = 3;
    r.backoff_ms = 10;
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    fx_wait(&f, 5000);
    CHECK_INT(f.resp.rc, 0);
    CHECK_INT(f.resp.status, 500);
    CHECK_INT(f.resp.attempts, 3);
    CHECK_STREQ(f.resp.body, "try again\n");
    fx_fini(&f);
}

struct many {
    int done, ok;
};

static void on_many(struct httpc_response *resp, void *ctx)
{
    struct many *m = ctx;
    m->done++;
    if (resp->rc == 0 && resp->status == 200 && strcmp(resp->body, "finally\n") == 0)
        m->ok++;
}

/* Many calls in flight at once share one multi handle and one loop. */
static void test_concurrent(void)
{
    struct fx f;
    struct many m = {0};
    char url[256];
    struct httpc_request r;
    int64_t deadline;
    fx_init(&f);
    httpd_route_add(f.srv, NULL, "/flaky", h_flaky, &f);
    r = req_for(&f, "/flaky", url, sizeof(url));
    for (int i = 0; i < 200; i++)
        CHECK_INT(httpc_do(f.cli, &r, on_many, &m, NULL, NULL), 0);
    CHECK_INT(httpc_pending(f.cli), 200);
    deadline = time_mono_ms() + 10000;
    while (m.done < 200 && time_mono_ms() < deadline)
        event_base_loop(f.base, EVLOOP_ONCE);
    CHECK_INT(m.done, 200);
    CHECK_INT(m.ok, 200);
    CHECK_INT(f.hits, 200);
    CHECK_INT(httpc_pending(f.cli), 0);
    fx_fini(&f);
}

static void h_redirect(struct httpd_req *req, void *ctx)
{
    (void)ctx;
    httpd_reply_header(req, "Location", "/flaky");
    httpd_reply_text(req, 302, "moved\n");
}

static void test_redirects(void)
{
    struct fx f;
    char url[256];
    struct httpc_request r;
    fx_init(&f);
    httpd_route_add(f.srv, NULL, "/flaky", h_flaky, &f);
    httpd_route_add(f.srv, "GET", "/r", h_redirect, NULL);
    r = req_for(&f, "/r", url, sizeof(url));
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    fx_wait(&f, 5000);
    CHECK_INT(f.resp.status, 302);
    CHECK_STREQ(httpc_response_header(&f.resp, "Location"), "/flaky");
    httpc_response_fini(&f.resp);
    f.done = 0;
    r.follow_redirects = true;
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    fx_wait(&f, 5000);
    CHECK_INT(f.resp.status, 200);
    CHECK_STREQ(f.resp.body, "finally\n");
    CHECK(httpc_response_header(&f.resp, "Location") == NULL); /* headers of the final reply */
    fx_fini(&f);
}

/* With proxy_url the request goes to the proxy in absolute form; our server plays the proxy. */
static void test_proxy(void)
{
    struct fx f;
    struct httpc_request r = {0};
    fx_init(&f);
    httpd_route_add(f.srv, NULL, "/flaky", h_flaky, &f);
    r.url = "http://upstream.invalid/flaky";
    r.proxy_url = f.url;
    r.timeout_ms = 3000;
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    fx_wait(&f, 5000);
    CHECK_INT(f.resp.rc, 0);
    CHECK_INT(f.resp.status, 200);
    CHECK_STREQ(f.resp.body, "finally\n");
    fx_fini(&f);
}

static void test_no_retry_on_4xx(void)
{
    struct fx f;
    char url[256];
    struct httpc_request r;
    fx_init(&f);
    f.fail_n = 100;
    f.fail_code = 400;
    httpd_route_add(f.srv, NULL, "/flaky", h_flaky, &f);
    r = req_for(&f, "/flaky", url, sizeof(url));
    r.max_attempts = 3;
    r.backoff_ms = 10;
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    fx_wait(&f, 5000);
    CHECK_INT(f.resp.status, 400);
    CHECK_INT(f.resp.attempts, 1);
    fx_fini(&f);
}

static void test_retry_after_429(void)
{
    struct fx f;
    char url[256];
    struct httpc_request r;
    int64_t t0, took;
    fx_init(&f);
    f.fail_n = 1;
    f.fail_code = 429;
    f.retry_after = "1";
    httpd_route_add(f.srv, NULL, "/flaky", h_flaky, &f);
    r = req_for(&f, "/flaky", url, sizeof(url));
    r.max_attempts = 3;
    r.backoff_ms = 10; /* Retry-After (1 s) wins over the 10 ms backoff */
    t0 = time_mono_ms();
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    fx_wait(&f, 5000);
    took = time_mono_ms() - t0;
    CHECK_INT(f.resp.status, 200);
    CHECK_INT(f.resp.attempts, 2);
    CHECK(took >= 950);
    CHECK(took < 3000);
    fx_fini(&f);
}

static void test_deadline_stops_retries(void)
{
    struct fx f;
    char url[256];
    struct httpc_request r;
    fx_init(&f);
    f.fail_n = 100;
    f.fail_code = 429;
    f.retry_after = "10"; /* longer than the overall deadline */
    httpd_route_add(f.srv, NULL, "/flaky", h_flaky, &f);
    r = req_for(&f, "/flaky", url, sizeof(url));
    r.max_attempts = 5;
    r.deadline_ms = 2000;
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    fx_wait(&f, 1500);
    CHECK_INT(f.resp.status, 429);
    CHECK_INT(f.resp.attempts, 1);
    fx_fini(&f);
}

static void test_timeout(void)
{
    struct fx f;
    char url[256];
    struct httpc_request r;
    int64_t t0;
    fx_init(&f);
    httpd_route_add(f.srv, "GET", "/hold", h_hold, &f);
    r = req_for(&f, "/hold", url, sizeof(url));
    r.timeout_ms = 200;
    r.max_attempts = 2;
    r.backoff_ms = 10;
    t0 = time_mono_ms();
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    fx_wait(&f, 5000);
    CHECK_INT(f.resp.rc, ERR_TIMEOUT);
    CHECK_INT(f.resp.status, 0);
    CHECK_INT(f.resp.attempts, 2);
    CHECK(strstr(f.resp.error, "timeout") != NULL);
    CHECK(time_mono_ms() - t0 < 2000);
    fx_fini(&f);
}

static void test_connection_refused(void)
{
    struct fx f;
    char url[256];
    struct httpc_request r = {0};
    struct event_base *b2 = event_base_new();
    struct httpd *tmp = httpd_new(b2, NULL);
    fx_init(&f);
    /* a port that was free a moment ago and has no listener now */
    CHECK_INT(httpd_bind(tmp, "127.0.0.1:0", NULL), 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", httpd_port(tmp));
    httpd_free(tmp);
    event_base_free(b2);
    r.url = url;
    r.max_attempts = 3;
    r.backoff_ms = 10;
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    fx_wait(&f, 5000);
    CHECK_INT(f.resp.rc, ERR_IO);
    CHECK_INT(f.resp.attempts, 3);
    CHECK(f.resp.error[0] != '\0');
    fx_fini(&f);
}

static void test_max_response(void)
{
    struct fx f;
    char url[256];
    struct httpc_request r;
    fx_init(&f);
    httpd_route_add(f.srv, "GET", "/big", h_big, NULL);
    r = req_for(&f, "/big", url, sizeof(url));
    r.max_response = 1000;
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    fx_wait(&f, 5000);
    CHECK_INT(f.resp.rc, ERR_TOOBIG);
    CHECK(strstr(f.resp.error, "larger than 1000 bytes") != NULL);
    fx_fini(&f);
}

static void test_auth_headers(void)
{
    struct fx f;
    char url[256];
    struct httpc_request r;
    const char *hdrs[] = {"X-Custom: hello", NULL};
    fx_init(&f);
    httpd_route_add(f.srv, NULL, "/auth", h_auth, NULL);
    r = req_for(&f, "/auth", url, sizeof(url));
    r.bearer_token = "tok123";
    r.headers = hdrs;
    r.method = "PUT";
    r.body = "{}";
    r.body_len = 2;
    r.content_type = "application/json";
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    fx_wait(&f, 5000);
    CHECK_STREQ(f.resp.body, "Bearer tok123|hello|application/json|PUT|{}");
    httpc_response_fini(&f.resp);
    f.done = 0;
    r = req_for(&f, "/auth", url, sizeof(url));
    r.basic_user = "user";
    r.basic_password = "pass";
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    fx_wait(&f, 5000);
    CHECK_STREQ(f.resp.body, "Basic dXNlcjpwYXNz|-||GET|");
    fx_fini(&f);
}

static void test_cancel(void)
{
    struct fx f;
    char url[256];
    struct httpc_request r;
    struct httpc_call *call = NULL;
    fx_init(&f);
    httpd_route_add(f.srv, "GET", "/hold", h_hold, &f);
    r = req_for(&f, "/hold", url, sizeof(url));
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, &call, NULL), 0);
    CHECK(call != NULL);
    while (f.hits == 0)
        event_base_loop(f.base, EVLOOP_ONCE);
    httpc_cancel(call);
    CHECK_INT(httpc_pending(f.cli), 0);
    for (int i = 0; i < 5; i++)
        event_base_loop(f.base, EVLOOP_NONBLOCK);
    CHECK_INT(f.done, 0);
    /* a pending call is also dropped by httpc_free without a callback */
    CHECK_INT(httpc_do(f.cli, &r, on_done, &f, NULL, NULL), 0);
    fx_fini(&f);
}

static void never_called(struct httpc_response *resp, void *ctx)
{
    (void)resp;
    (void)ctx;
    abort();
}

static void test_bad_request(void)
{
    struct event_base *base = event_base_new();
    struct httpc *c = httpc_new(base);
    struct httpc_request r = {0};
    struct err e;
    CHECK_INT(httpc_do(c, &r, never_called, NULL, NULL, &e), ERR_INVALID);
    httpc_free(c);
    event_base_free(base);
}

static void test_retry_after_parse(void)
{
    int64_t d = -1;
    CHECK_INT(httpc_parse_retry_after("120", 0, &d), 0);
    CHECK_INT(d, 120000);
    /* Wed, 21 Oct 2015 07:28:00 GMT = 1445412480 */
    CHECK_INT(httpc_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470000LL, &d), 0);
    CHECK_INT(d, 10000);
    CHECK_INT(httpc_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490000LL, &d), 0);
    CHECK_INT(d, 0);
    CHECK_INT(httpc_parse_retry_after("soon", 0, &d), ERR_INVALID);
    CHECK_INT(httpc_parse_retry_after("12x", 0, &d), ERR_INVALID);
}

/* ---- blocking helper against a server on another thread ---- */

struct srv_thread {
    struct event_base *base;
    struct httpd *srv;
};

static void *serve(void *arg)
{
    struct srv_thread *t = arg;
    event_base_loop(t->base, EVLOOP_NO_EXIT_ON_EMPTY);
    return NULL;
}

static void h_hello(struct httpd_req *req, void *ctx)
{
    (void)ctx;
    httpd_reply_header(req, "X-Hello", "1");
    httpd_reply_text(req, 200, "hello\n");
}

static void test_sync(void)
{
    struct srv_thread t;
    pthread_t th;
    char url[256];
    struct httpc_request r = {0};
    struct httpc_response resp;
    struct err e;
    evthread_use_pthreads();
    t.base = event_base_new();
    t.srv = httpd_new(t.base, NULL);
    CHECK_INT(httpd_bind(t.srv, "127.0.0.1:0", NULL), 0);
    httpd_route_add(t.srv, "GET", "/hello", h_hello, NULL);
    snprintf(url, sizeof(url), "http://%s/hello", httpd_address(t.srv));
    pthread_create(&th, NULL, serve, &t);
    r.url = url;
    CHECK_INT(httpc_do_sync(&r, &resp, &e), 0);
    CHECK_INT(resp.status, 200);
    CHECK_STREQ(resp.body, "hello\n");
    CHECK_STREQ(httpc_response_header(&resp, "x-hello"), "1");
    httpc_response_fini(&resp);
    snprintf(url, sizeof(url), "http://%s/nope", httpd_address(t.srv));
    CHECK_INT(httpc_do_sync(&r, &resp, &e), 0);
    CHECK_INT(resp.status, 404);
    httpc_response_fini(&resp);
    r.url = "ftp://127.0.0.1/x";
    CHECK(httpc_do_sync(&r, &resp, &e) != 0);
    httpc_response_fini(&resp);
    event_base_loopbreak(t.base);
    pthread_join(th, NULL);
    httpd_free(t.srv);
    event_base_free(t.base);
}

/* ---- TLS against a Python ssl server with a throw-away self-signed certificate ---- */

static const char tls_server_py[] = "import http.server, ssl, sys\n"
                                    "class H(http.server.BaseHTTPRequestHandler):\n"
                                    "    def do_GET(self):\n"
                                    "        b = b'tls ok\\n'\n"
                                    "        self.send_response(200)\n"
                                    "        self.send_header('Content-Length', str(len(b)))\n"
                                    "        self.end_headers()\n"
                                    "        self.wfile.write(b)\n"
                                    "    def log_message(self, *a):\n"
                                    "        pass\n"
                                    "srv = http.server.HTTPServer(('127.0.0.1', 0), H)\n"
                                    "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
                                    "ctx.load_cert_chain(sys.argv[1], sys.argv[2])\n"
                                    "if len(sys.argv) > 3:\n"
                                    "    ctx.verify_mode = ssl.CERT_REQUIRED\n"
                                    "    ctx.load_verify_locations(sys.argv[3])\n"
                                    "srv.socket = ctx.wrap_socket(srv.socket, server_side=True)\n"
                                    "print(srv.server_address[1], flush=True)\n"
                                    "srv.serve_forever()\n";

/* Starts the Python TLS server; returns its pid and port, or -1 when it cannot run. */
static pid_t tls_server_start(const char *dir, bool require_client_cert, int *port)
{
    char script[512], cert[512], key[512], line[64];
    int fds[2];
    pid_t pid;
    FILE *f;
    snprintf(script, sizeof(script), "%s/server.py", dir);
    snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
    snprintf(key, sizeof(key), "%s/key.pem", dir);
    f = fopen(script, "w");
    CHECK(f != NULL);
    fputs(tls_server_py, f);
    fclose(f);
    CHECK(pipe(fds) == 0);
    pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        if (require_client_cert)
            execlp("python3", "python3", script, cert, key, cert, (char *)NULL);
        else
            execlp("python3", "python3", script, cert, key, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    f = fdopen(fds[0], "r");
    if (fgets(line, sizeof(line), f) == NULL) {
        fclose(f);
        waitpid(pid, NULL, 0);
        return -1;
    }
    fclose(f);
    *port = (int)strtol(line, NULL, 10);
    return pid;
}

static void tls_server_stop(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static int tls_get(int port, const struct httpc_tls *tls, struct httpc_response *resp)
{
    char url[128];
    struct httpc_request r = {0};
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/", port);
    r.url = url;
    r.tls = *tls;
    r.timeout_ms = 5000;
    return httpc_do_sync(&r, resp, NULL);
}

static void test_tls(void)
{
    char dir[] = "/tmp/tocsin-tls-XXXXXX", cmd[2048], cert[128], key[128];
    struct httpc_response resp;
    struct httpc_tls tls = {0};
    pid_t pid;
    int port = 0;
    CHECK(mkdtemp(dir) != NULL);
    snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
    snprintf(key, sizeof(key), "%s/key.pem", dir);
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
             "-addext subjectAltName=IP:127.0.0.1 -keyout %s -out %s >/dev/null 2>&1",
             key, cert);
    if (system(cmd) != 0 || (pid = tls_server_start(dir, false, &port)) < 0) {
        printf("skip test_tls: openssl or python3 unavailable\n");
        goto out;
    }
    /* verification is on by default: a self-signed server is refused */
    CHECK(tls_get(port, &tls, &resp) != 0);
    CHECK_INT(resp.rc, ERR_IO);
    CHECK_INT(resp.status, 0);
    httpc_response_fini(&resp);
    tls.ca_file = cert;
    CHECK_INT(tls_get(port, &tls, &resp), 0);
    CHECK_INT(resp.status, 200);
    CHECK_STREQ(resp.body, "tls ok\n");
    httpc_response_fini(&resp);
    tls.ca_file = NULL;
    tls.insecure_skip_verify = true;
    CHECK_INT(tls_get(port, &tls, &resp), 0);
    CHECK_INT(resp.status, 200);
    httpc_response_fini(&resp);
    tls_server_stop(pid);
    /* a server that requires a client certificate */
    pid = tls_server_start(dir, true, &port);
    CHECK(pid > 0);
    tls.insecure_skip_verify = false;
    tls.ca_file = cert;
    CHECK(tls_get(port, &tls, &resp) != 0);
    httpc_response_fini(&resp);
    tls.cert_file = cert;
    tls.key_file = key;
    CHECK_INT(tls_get(port, &tls, &resp), 0);
    CHECK_INT(resp.status, 200);
    httpc_response_fini(&resp);
    tls_server_stop(pid);
out:
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
}

static const struct test_case tests[] = {TEST(test_retry_then_success),
                                         TEST(test_retries_exhausted),
                                         TEST(test_no_retry_on_4xx),
                                         TEST(test_retry_after_429),
                                         TEST(test_deadline_stops_retries),
                                         TEST(test_timeout),
                                         TEST(test_connection_refused),
                                         TEST(test_max_response),
                                         TEST(test_auth_headers),
                                         TEST(test_cancel),
                                         TEST(test_bad_request),
                                         TEST(test_retry_after_parse),
                                         TEST(test_sync),
                                         TEST(test_concurrent),
                                         TEST(test_redirects),
                                         TEST(test_proxy),
                                         TEST(test_tls),
                                         {0}};
TEST_MAIN(tests)
