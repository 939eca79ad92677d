/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every notification integration (webhook, Slack, PagerDuty, ...) implements, and the
 * abstract HTTP sender integrations post through (the daemon plugs in the libcurl client; tests
 * plug in recording fakes). Everything here runs on the dispatcher's thread.
 */
#ifndef TOCSIN_NOTIFIER_RECEIVERS_RECEIVER_H
#define TOCSIN_NOTIFIER_RECEIVERS_RECEIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct am_alert;
struct labels;

struct receiver_header {
    const char *name;
    const char *value;
};

/* Outcome of one HTTP request as seen by a sender. */
struct receiver_response {
    int status;              /* HTTP status; 0 when no response (connect error, timeout) */
    const char *retry_after; /* Retry-After header value or NULL (borrowed for the callback) */
    const char *error;       /* transport error text or NULL (borrowed for the callback) */
};

typedef void (*receiver_send_done_cb)(void *arg, const struct receiver_response *r);

/*
 * Transport options of one integration's requests, from its http_config (prometheus/common
 * HTTPClientConfig). Strings are borrowed from the configuration; NULL or "" means unset.
 * Authorization is not here: integrations send it as a header (secret files are reread at
 * every attempt).
 */
struct receiver_http_opts {
    const char *method;        /* request method; NULL = "POST" (Opsgenie updates use "PUT") */
    const char *ca_file;       /* tls_config.ca_file: PEM CA bundle; unset = system CAs */
    const char *cert_file;     /* tls_config.cert_file: client certificate (PEM) */
    const char *key_file;      /* tls_config.key_file: client key (PEM) */
    bool insecure_skip_verify; /* tls_config.insecure_skip_verify */
    const char *proxy_url;     /* forward proxy "http://host:port"; unset = none */
    bool follow_redirects;     /* follow 3xx answers (http_config default: true) */
};

struct receiver_sender {
    /*
     * Starts one POST of body (len bytes, copied by the sender if it needs it after returning)
     * to url with the given headers and transport options o (borrowed for the call; NULL =
     * defaults: system CAs, no proxy, redirects followed), giving up after timeout_ns. Must
     * call done(arg, ...)
     * exactly once, possibly before returning. Returns 0, or a negative ERR_* when the request
     * could not even be started (done is then not called).
     */
    int (*send)(struct receiver_sender *s, const char *url, const struct receiver_header *h,
                size_t nh, const struct receiver_http_opts *o, const char *body, size_t len,
                int64_t timeout_ns, receiver_send_done_cb done, void *arg);
};

/* What the pipeline hands an integration for one notification. */
struct am_notify_data {
    const char *receiver;  /* receiver name */
    const char *group_key; /* "{}:{alertname=\"x\"}" */
    const struct labels *group_labels;
    const char *external_url;             /* without trailing slash */
    int64_t now;                          /* flush time, ns */
    const struct am_alert *const *alerts; /* notification order; firing ones have ends_at 0 */
    size_t n;
};

enum am_notify_outcome {
    AM_NOTIFY_OK,    /* delivered (2xx) */
    AM_NOTIFY_RETRY, /* retryable: 5xx, 429, no response */
    AM_NOTIFY_FAIL,  /* permanent: other non-2xx */
};

struct am_notify_result {
    enum am_notify_outcome outcome;
    int status;             /* HTTP status or 0 */
    int64_t retry_after_ns; /* > 0 when the peer asked to wait (429 Retry-After) */
    char msg[256];          /* human text for logs ("" on success) */
};

typedef void (*am_notify_done_cb)(void *arg, const struct am_notify_result *r);

struct am_integration {
    const char *kind;   /* "webhook", ... (static) */
    unsigned index;     /* position among the receiver's integrations of the same kind
                         * (Alertmanager's "webhook[1]"); part of the nflog key */
    bool send_resolved; /* whether resolved alerts are delivered */
    /* Starts one delivery attempt; calls done exactly once (maybe before returning). Returns 0,
     * or a negative ERR_* (done not called) when nothing could be started (bad payload). */
    int (*notify)(struct am_integration *it, const struct am_notify_data *d, int64_t timeout_ns,
                  am_notify_done_cb done, void *arg);
    void (*free)(struct am_integration *it);
};

/* A named receiver: its integrations in configuration order (owned). */
struct am_receiver {
    char *name;
    struct am_integration **integrations;
    size_t n;
};

/* Calls it->free when it is not NULL. */
void am_integration_free(struct am_integration *it);

/*
 * Classifies an HTTP outcome the way Alertmanager's Retrier does, plus 429 handling: 2xx OK;
 * no response or 5xx RETRY; 429 RETRY with Retry-After (seconds or HTTP date, relative to now
 * ns) in retry_after_ns; anything else FAIL. url is only used in the message.
 */
void am_notify_result_from_http(const struct receiver_response *r, const char *kind, int64_t now,
                                struct am_notify_result *out);

/* Appends s with Go's regexp.QuoteMeta escaping (what 0.25 does to receiver names in template
 * data). Returns 0 or ERR_TOOBIG. */
struct buf;
int am_regexp_quote_meta(struct buf *b, const char *s);

#endif
