/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the templating integrations share: the notification template set (Tocsin's default
 * templates plus the config's `templates:` files), Alertmanager's template data built from a
 * notification, an expander with Alertmanager's "first error wins" semantics, and helpers
 * (HTTP authorization from http_config, rune truncation, SHA-256 group key hash).
 */
#ifndef TOCSIN_NOTIFIER_RECEIVERS_TMPLDATA_H
#define TOCSIN_NOTIFIER_RECEIVERS_TMPLDATA_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "notifier/receivers/receiver.h"

struct am_http_config;
struct tmpl_value;
struct labels;
struct buf;

/* A reference-counted, parsed template set (thread: one user at a time, the loop). */
struct am_tmpl;

/*
 * Builds the set: the default templates (default_tmpl.h) then every file matching the glob
 * patterns in files[0..n) (relative patterns resolve against base_dir when it is not NULL),
 * in pattern order, files sorted within a pattern like Go's filepath.Glob. A later definition
 * replaces an earlier one. Returns 0 with *out (one reference), ERR_IO / ERR_PARSE with e.
 */
int am_tmpl_new(const char *const *files, size_t n, const char *base_dir, struct am_tmpl **out,
                struct err *e);
/*
 * am_tmpl_new for a loaded configuration: its `templates:` globs, relative ones against the
 * configuration file's directory (as Alertmanager). A file that does not parse is an error
 * ("failed to parse templates: PATH: template: NAME:LINE: ..."), as Alertmanager refuses such a
 * configuration. cfg is borrowed. Returns 0 with *out (one reference), ERR_IO / ERR_PARSE.
 */
struct am_config;
int am_tmpl_load_config(const struct am_config *cfg, struct am_tmpl **out, struct err *e);

/* Adds a reference; returns t. */
struct am_tmpl *am_tmpl_ref(struct am_tmpl *t);
/* Drops a reference (NULL ok). */
void am_tmpl_unref(struct am_tmpl *t);

/*
 * Alertmanager's template.Data for d: Receiver (regexp-quoted, as 0.25 does), Status, Alerts
 * (with .Firing/.Resolved; each alert Status, Labels, Annotations, StartsAt, EndsAt,
 * GeneratorURL, Fingerprint), GroupLabels, CommonLabels, CommonAnnotations, ExternalURL.
 * New reference.
 */
struct tmpl_value *am_tmpl_data_new(const struct am_notify_data *d);

/* Labels (annotations when annotations is true) shared with the same value by all n alerts.
 * Caller frees with labels_free. */
struct labels *am_common_kv(const struct am_alert *const *alerts, size_t n, bool annotations);

/* True when any of the n alerts is firing at now. */
bool am_alerts_firing(const struct am_alert *const *alerts, size_t n, int64_t now);

/*
 * Expands template strings against one notification's data like Alertmanager's tmplText: the
 * first error is kept (rc, e) and later expansions return "" once an error happened.
 */
struct am_expander {
    struct am_tmpl *t; /* borrowed */
    struct tmpl_value *data;
    int rc;
    struct err e;
};

void am_expander_init(struct am_expander *x, struct am_tmpl *t, const struct am_notify_data *d);
void am_expander_fini(struct am_expander *x);
/* Expands text (NULL or "" give ""); returns a new heap string (never NULL). */
char *am_expand(struct am_expander *x, const char *text);
/* Same, executing in HTML mode: identical engine, but the caller's intent is recorded in the
 * template name ("html") for error messages. */
char *am_expand_html(struct am_expander *x, const char *text);

/*
 * The Authorization header value http_config asks for (authorization type+credentials or
 * credentials_file, bearer_token(_file), basic_auth username:password(_file)), or NULL when
 * none. Files are read at every call (Alertmanager rereads them). Returns 0, or ERR_IO with e.
 * *out is a heap string or NULL.
 */
int am_http_auth_header(const struct am_http_config *h, char **out, struct err *e);

/*
 * Fills *o with h's transport options (tls_config ca/cert/key files and insecure_skip_verify,
 * proxy_url, follow_redirects); pointers borrowed from h. h NULL gives the defaults (redirects
 * followed, nothing else).
 */
void am_http_opts_from_config(const struct am_http_config *h, struct receiver_http_opts *o);

/* Reads a secret file, trimming surrounding whitespace (url_file, api_url_file, ...). */
int am_read_secret_file(const char *path, char **out, struct err *e);

/* Truncates s (heap) to at most n UTF-8 runes, ending in "..." when cut (Alertmanager 0.25's
 * notify.Truncate). Returns s (possibly reallocated) and sets *cut. */
char *am_truncate_runes(char *s, size_t n, bool *cut);

/* SHA-256 of key as 64 lowercase hex digits (Alertmanager's notify.Key.Hash). */
void am_group_key_hash(const char *key, char out[65]);

/*
 * Posts body (len bytes) to url with Content-Type ctype, User-Agent Tocsin-Notifier/VERSION (as the
 * webhook) and, when auth is not NULL, Authorization: auth, with the transport options of hc
 * (borrowed; NULL = defaults, see am_http_opts_from_config); classifies the answer with
 * am_notify_result_from_http(kind, now) and calls done once. Returns like sender->send (done
 * not called on a negative return).
 */
int am_post(struct receiver_sender *s, const char *kind, const char *url, const char *ctype,
            const char *auth, const struct am_http_config *hc, const char *body, size_t len,
            int64_t now, int64_t timeout_ns, am_notify_done_cb done, void *arg);

/* Calls done(arg) with a permanent failure whose message is "KIND: " + the formatted text. */
void am_notify_fail(am_notify_done_cb done, void *arg, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Appends s as a Go encoding/json string with HTML escaping. */
int am_json_str(struct buf *b, const char *s);

#endif
