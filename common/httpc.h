/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP client on libcurl's multi interface driven by a libevent loop: asynchronous requests
 * with a completion callback, per-attempt timeouts, retries with exponential backoff and
 * jitter (connection errors, 5xx, 429 with Retry-After), TLS options, bearer/basic auth and
 * custom headers. httpc_do_sync is a blocking wrapper for the command line.
 */
#ifndef TOCSIN_COMMON_HTTPC_H
#define TOCSIN_COMMON_HTTPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/httpd_form.h"

struct err;
struct event_base;
struct httpc;
struct httpc_call;

#define HTTPC_DEFAULT_TIMEOUT_MS   30000
#define HTTPC_DEFAULT_MAX_RESPONSE (16u * 1024 * 1024)
#define HTTPC_DEFAULT_BACKOFF_MS   100
#define HTTPC_DEFAULT_BACKOFF_MAX  10000
/* Longest Retry-After we wait for; a longer one ends the retries. */
#define HTTPC_MAX_RETRY_AFTER_MS (5 * 60 * 1000)

struct httpc_tls {
    const char *ca_file;       /* PEM CA bundle; NULL = system default */
    const char *cert_file;     /* client certificate (PEM); NULL = none */
    const char *key_file;      /* client key (PEM); NULL = none */
    bool insecure_skip_verify; /* do not verify the peer certificate or host name */
};

/* A request. Everything is copied by httpc_do; pointers may die after it returns. */
struct httpc_request {
    const char *method;         /* NULL = "GET", or "POST" when body_len > 0 */
    const char *url;            /* http:// or https:// */
    const char *const *headers; /* NULL-terminated "Name: value" strings, or NULL */
    const void *body;
    size_t body_len;
    const char *content_type; /* Content-Type of body; NULL = none */
    const char *bearer_token; /* "Authorization: Bearer <token>" when set */
    const char *basic_user;   /* basic auth when set (with basic_password, may be "") */
    const char *basic_password;
    const char *user_agent; /* NULL = "tocsin/<version>" */
    const char *proxy_url;  /* "http://host:port" forward proxy; NULL = none (env ignored) */
    struct httpc_tls tls;
    bool follow_redirects;
    int64_t timeout_ms;  /* per attempt; 0 = HTTPC_DEFAULT_TIMEOUT_MS */
    size_t max_response; /* response body cap; 0 = HTTPC_DEFAULT_MAX_RESPONSE */
    /* retries: on connection errors, timeouts, 5xx and 429 */
    int max_attempts;       /* total attempts; 0 or 1 = no retry */
    int64_t deadline_ms;    /* overall limit for all attempts and waits; 0 = none */
    int64_t backoff_ms;     /* first wait; 0 = HTTPC_DEFAULT_BACKOFF_MS; doubles each time */
    int64_t backoff_max_ms; /* 0 = HTTPC_DEFAULT_BACKOFF_MAX */
};

/* The outcome of the last attempt. */
struct httpc_response {
    int rc;          /* 0 when a response arrived (any status); else ERR_TIMEOUT, ERR_IO,
                        ERR_TOOBIG (body over max_response), ERR_INVALID (bad URL/option) */
    int status;      /* HTTP status, 0 when no response */
    char error[256]; /* human text when rc != 0 ("" otherwise) */
    struct httpd_params headers; /* response headers in order, names as sent */
    char *body; /* owned, NUL-terminated (len excludes it); never NULL after completion */
    size_t body_len;
    int attempts; /* attempts made */
};

/*
 * Completion callback, on the loop thread. resp is valid during the call only, but the callback
 * may take resp->body (set it to NULL). Called exactly once per httpc_do that returned 0,
 * unless the call was cancelled or the client freed first. It may start new calls or cancel
 * others, but must not free the client.
 */
typedef void (*httpc_done_cb)(struct httpc_response *resp, void *ctx);

/* New client on base (borrowed; must outlive the client). Thread: the loop thread. */
struct httpc *httpc_new(struct event_base *base);

/* Cancels every pending call (no callbacks) and frees the client. NULL is a no-op. */
void httpc_free(struct httpc *c);

/*
 * Starts req (copied) and returns at once; cb(resp, ctx) runs on the loop when done. *call
 * (optional, may be NULL) receives a handle for httpc_cancel, valid until cb runs. Returns 0,
 * or ERR_INVALID (message in e) for a missing URL or an unusable option.
 */
int httpc_do(struct httpc *c, const struct httpc_request *req, httpc_done_cb cb, void *ctx,
             struct httpc_call **call, struct err *e);

/* Cancels a pending call: its callback is never run. */
void httpc_cancel(struct httpc_call *call);

/* Number of calls not yet completed. */
size_t httpc_pending(const struct httpc *c);

/* First response header with this name (case-insensitive), or NULL. Borrowed. */
const char *httpc_response_header(const struct httpc_response *resp, const char *name);

/* Frees what a response owns (for responses from httpc_do_sync). */
void httpc_response_fini(struct httpc_response *resp);

/*
 * Blocking request on a private loop (for the CLI; not from a loop thread). Fills *out (caller
 * calls httpc_response_fini) and returns out->rc (0 when any HTTP response arrived).
 */
int httpc_do_sync(const struct httpc_request *req, struct httpc_response *out, struct err *e);

/*
 * Parses a Retry-After value (delay seconds or an HTTP date) into milliseconds from now_ms.
 * Returns 0 or ERR_INVALID.
 */
int httpc_parse_retry_after(const char *v, int64_t now_ms, int64_t *delay_ms);

#endif
