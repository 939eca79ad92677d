/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP/1.1 server on a libevent loop: a route table (method + exact path or prefix), request
 * objects with decoded query/form parameters, synchronous or asynchronous replies, body limits,
 * timeouts, per-route self-metrics and graceful shutdown. Everything runs on the loop thread.
 */
#ifndef TOCSIN_COMMON_HTTPD_H
#define TOCSIN_COMMON_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/httpd_form.h"

struct buf;
struct err;
struct event_base;
struct json_t;
struct metrics_registry;
struct httpd;
struct httpd_req;

/* Default request body limit when httpd_opts.max_body is 0. */
#define HTTPD_DEFAULT_MAX_BODY (10u * 1024 * 1024)
/* Default read/write timeout when httpd_opts.timeout_ms is 0. */
#define HTTPD_DEFAULT_TIMEOUT_MS 60000

/*
 * Route handler. Runs on the loop thread. It must reply to req exactly once with one of the
 * httpd_reply* functions, either before returning or later from the loop thread (an
 * asynchronous reply: keep req and reply when the data is ready). req is freed by the server
 * after the reply; never use it after replying.
 */
typedef void (*httpd_handler_cb)(struct httpd_req *req, void *ctx);

struct httpd_opts {
    size_t max_body;    /* request body limit in bytes; 0 = HTTPD_DEFAULT_MAX_BODY */
    int64_t timeout_ms; /* read and write timeout of each connection; 0 = default */
    const char *name;   /* server name for log lines; NULL = "http" */
};

struct httpd_route_def {
    const char *method; /* "GET", "POST", ... or NULL for any method; GET also serves HEAD */
    const char *path;   /* exact path, or prefix when prefix is true (e.g. "/api/v1/label/") */
    bool prefix;
    size_t max_body; /* body limit for this route; 0 = the server's */
    httpd_handler_cb cb;
    void *ctx; /* borrowed, passed to cb */
};

/*
 * Creates a server on base (borrowed; must outlive the server). opts may be NULL for defaults
 * (copied). Caller frees with httpd_free. Sets SIGPIPE to be ignored process-wide (writes to a
 * vanished client must fail with EPIPE). Thread: the loop thread.
 */
struct httpd *httpd_new(struct event_base *base, const struct httpd_opts *opts);

/*
 * Frees the server: closes listeners and connections. Requests still waiting for an
 * asynchronous reply stay valid; replying to them later only frees them. NULL is a no-op.
 */
void httpd_free(struct httpd *s);

/*
 * Parses a listen address "host:port", "[v6addr]:port" or ":port" (all interfaces) into
 * host (without brackets; "" for all interfaces) and port. hostsz bytes for host.
 * ERR_INVALID with a message on a malformed address or port.
 */
int httpd_parse_address(const char *addr, char *host, size_t hostsz, int *port, struct err *e);

/*
 * Starts listening on addr (see httpd_parse_address; port 0 picks a free port). May be called
 * more than once for several addresses. ERR_INVALID on a bad address, ERR_IO when the socket
 * cannot be bound (message in e).
 */
int httpd_bind(struct httpd *s, const char *addr, struct err *e);

/* The actual port of the first bound listener (0 before httpd_bind). */
int httpd_port(const struct httpd *s);

/* The actual address of the first listener, "127.0.0.1:43817" or "[::1]:43817". Borrowed. */
const char *httpd_address(const struct httpd *s);

/*
 * Adds a route (def copied; strings copied). Exact routes win over prefixes; the longest
 * matching prefix wins. ERR_INVALID for a NULL path/cb or an unknown method, ERR_EXISTS for a
 * duplicate method+path. A path that matches with another method gets 405 with an Allow header;
 * no match gets 404. Routes may be added while the server runs. Thread: the loop thread.
 */
int httpd_route_add_def(struct httpd *s, const struct httpd_route_def *def);

/* Shorthand for an exact-path route with the server's body limit. */
int httpd_route_add(struct httpd *s, const char *method, const char *path, httpd_handler_cb cb,
                    void *ctx);

/* Shorthand for a prefix route with the server's body limit. */
int httpd_route_add_prefix(struct httpd *s, const char *method, const char *prefix,
                           httpd_handler_cb cb, void *ctx);

/*
 * Serves every route under prefix (copied), as Prometheus's --web.route-prefix does: with
 * "/tocsin", "/tocsin/metrics" reaches the "/metrics" route and "/metrics" gets 404. Handlers
 * see the path without the prefix (httpd_req_raw_path keeps it). NULL, "" or "/" = no prefix;
 * a trailing '/' is ignored.
 */
void httpd_set_route_prefix(struct httpd *s, const char *prefix);

/*
 * Records tocsin_http_requests_total{handler,code}, tocsin_http_request_duration_seconds{handler}
 * and tocsin_http_response_size_bytes{handler} in reg (borrowed; must outlive the server).
 */
void httpd_set_metrics(struct httpd *s, struct metrics_registry *reg);

/*
 * Graceful shutdown: stops accepting connections, then runs base's loop until every request
 * already received has been answered and its reply written, or timeout_ms passed. Must be
 * called outside event_base_loop (e.g. after event_base_loopbreak). Returns 0, or ERR_TIMEOUT
 * when requests were still in flight at the deadline (their connections are then closed).
 */
int httpd_shutdown(struct httpd *s, int64_t timeout_ms);

/* Number of requests received and not yet fully answered. */
size_t httpd_inflight(const struct httpd *s);

/* ---- request accessors (all borrowed from req, valid until the reply) ---- */

const char *httpd_req_method(const struct httpd_req *req); /* "GET", "POST", ... */
const char *httpd_req_path(const struct httpd_req *req);   /* percent-decoded path */
const char *httpd_req_raw_path(const struct httpd_req *req);
/* The decoded path after the matched route's prefix ("" for exact routes). */
const char *httpd_req_path_suffix(const struct httpd_req *req);
/* Raw query string without '?', "" when none. */
const char *httpd_req_raw_query(const struct httpd_req *req);
/* Decoded query parameters in order (pairs with bad escapes are left out, as Go does). */
const struct httpd_params *httpd_req_query(const struct httpd_req *req);
/*
 * Form parameters as Prometheus reads them: for POST/PUT/PATCH with Content-Type
 * application/x-www-form-urlencoded the body's pairs first, then the query's. Parsed on first
 * use. ERR_INVALID / ERR_LIMIT (message in e) when the body or query is malformed; reply 400.
 */
int httpd_req_form(struct httpd_req *req, const struct httpd_params **out, struct err *e);
/* First form value for key (httpd_req_form must have succeeded) or first query value; NULL. */
const char *httpd_req_param(struct httpd_req *req, const char *key);
/* Header value (case-insensitive name), NULL when absent. */
const char *httpd_req_header(const struct httpd_req *req, const char *name);
/* Content-Type without parameters, lower-cased ("application/json"); "" when absent. */
const char *httpd_req_content_type(const struct httpd_req *req);
/* Body bytes (NUL-terminated for convenience, len excludes it); never NULL. */
const char *httpd_req_body(const struct httpd_req *req, size_t *len);
/* Peer address "ip:port". */
const char *httpd_req_peer(const struct httpd_req *req);
/* The server that received req. */
struct httpd *httpd_req_server(const struct httpd_req *req);

/* ---- replies: exactly one per request, from the loop thread ---- */

/* Adds a response header (copied) before the reply. */
void httpd_reply_header(struct httpd_req *req, const char *name, const char *value);

/*
 * Sends status with body (len bytes, copied; may be NULL when len is 0) and content_type (NULL
 * = none) and ends req. If the client is gone, the reply is dropped and req freed.
 */
void httpd_reply(struct httpd_req *req, int status, const char *content_type, const void *body,
                 size_t len);
/* Same with the contents of b (borrowed). */
void httpd_reply_buf(struct httpd_req *req, int status, const char *content_type,
                     const struct buf *b);
/* text/plain; charset=utf-8 reply of the NUL-terminated text. */
void httpd_reply_text(struct httpd_req *req, int status, const char *text);
/* printf-style text/plain reply; a newline is appended. */
void httpd_reply_errorf(struct httpd_req *req, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* application/json reply of j (borrowed; serialized compactly). */
void httpd_reply_json(struct httpd_req *req, int status, const struct json_t *j);
/*
 * Prometheus HTTP API error reply: {"status":"error","errorType":error_type,"error":msg} with
 * status (bad_data 400, execution 422, not_found 404, timeout/canceled/unavailable 503,
 * internal 500). msg is printf-style.
 */
void httpd_reply_api_error(struct httpd_req *req, int status, const char *error_type,
                           const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Prometheus HTTP API success reply {"status":"success","data":data}; data is taken. */
void httpd_reply_api_success(struct httpd_req *req, struct json_t *data);

#endif
