/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: raw bytes sent to the HTTP server over a loopback connection. Exercises
 * evhttp's request parsing together with our dispatch: path decoding, routing, 404/405/413,
 * query and form decoding and replies (sync and HEAD).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/httpd.h"
#include "common/log.h"
#include "common/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct event_base *base;
static struct httpd *srv;

static void h_form(struct httpd_req *req, void *ctx)
{
    const struct httpd_params *form = NULL;
    struct err e;
    struct buf b;
    (void)ctx;
    if (httpd_req_form(req, &form, &e) != 0) {
        httpd_reply_api_error(req, 400, "bad_data", "%s", e.msg);
        return;
    }
    buf_init(&b, 0);
    buf_printf(&b, "%s %s [%s] %s", httpd_req_method(req), httpd_req_path(req),
               httpd_req_path_suffix(req), httpd_req_content_type(req));
    for (size_t i = 0; i < form->n; i++)
        buf_printf(&b, " %s=%s", form->v[i].key, form->v[i].value);
    if (httpd_req_header(req, "X-A") != NULL)
        httpd_reply_header(req, "X-B", httpd_req_header(req, "X-A"));
    httpd_reply_buf(req, 200, "text/plain", &b);
    buf_fini(&b);
}

static void setup(void)
{
    struct httpd_opts o = {.max_body = 4096, .timeout_ms = 1000};
    struct httpd_route_def small = {"PUT", "/small", false, 8, h_form, NULL};
    log_setup(LOG_ERROR, LOG_FMT_LOGFMT, NULL);
    base = event_base_new();
    srv = httpd_new(base, &o);
    if (httpd_bind(srv, "127.0.0.1:0", NULL) != 0)
        abort();
    httpd_route_add(srv, "GET", "/a", h_form, NULL);
    httpd_route_add(srv, "POST", "/api/v1/query", h_form, NULL);
    httpd_route_add(srv, "GET", "/api/v1/query", h_form, NULL);
    httpd_route_add_prefix(srv, NULL, "/api/v1/label/", h_form, NULL);
    httpd_route_add_def(srv, &small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sockaddr_in sa;
    int fd;
    size_t off = 0;
    int64_t deadline;
    if (base == NULL)
        setup();
    fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)httpd_port(srv));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        abort();
    fcntl(fd, F_SETFL, O_NONBLOCK);
    deadline = time_mono_ms() + 2000;
    while (time_mono_ms() < deadline) {
        char c[4096];
        ssize_t n;
        struct timeval tv = {0, 1000};
        if (off < size) {
            n = write(fd, data + off, size - off);
            if (n > 0)
                off += (size_t)n;
            else if (n < 0 && errno != EAGAIN)
                break;
            if (off == size)
                shutdown(fd, SHUT_WR);
        } else if (size == 0) {
            shutdown(fd, SHUT_WR);
        }
        event_base_loopexit(base, &tv);
        event_base_loop(base, 0);
        while ((n = read(fd, c, sizeof(c))) > 0) {
        }
        if (n == 0 || (n < 0 && errno != EAGAIN))
            break;
    }
    close(fd);
    /* let the server notice the close and free the connection */
    for (int i = 0; i < 3; i++)
        event_base_loop(base, EVLOOP_NONBLOCK);
    if (httpd_inflight(srv) != 0)
        abort(); /* every handler here replies synchronously */
    return 0;
}
