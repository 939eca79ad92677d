/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The e-mail integration: Alertmanager 0.25's message (templated Subject/To/From and custom
 * headers, Message-Id, Date, multipart/alternative with an optional text part and the HTML
 * part, quoted-printable) delivered over SMTP by libcurl (smtp://, smtps:// for port 465,
 * STARTTLS required when require_tls), the blocking transfer on a worker thread.
 */
#ifndef TOCSIN_NOTIFIER_RECEIVERS_EMAIL_H
#define TOCSIN_NOTIFIER_RECEIVERS_EMAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "notifier/receivers/receiver.h"

struct am_email_config;
struct am_tmpl;
struct buf;
struct err;
struct event_base;

/* One SMTP submission; every string owned by the message. */
struct email_msg {
    char *url;   /* smtp://host:port/HELLO or smtps://... (the path is the EHLO name) */
    char *from;  /* envelope sender address */
    char **rcpt; /* envelope recipients */
    size_t nrcpt;
    char *username, *password; /* NULL: no AUTH */
    char *authzid;             /* auth_identity (SASL authorization identity) or NULL */
    bool require_tls;          /* STARTTLS must succeed (smtp://) */
    bool insecure_skip_verify;
    char *ca_file, *cert_file, *key_file; /* NULL when unset */
    char *data;                           /* the whole message, CRLF line ends */
    size_t len;
    int64_t timeout_ns;
};

void email_msg_free(struct email_msg *m);

/* Result of one submission: smtp_code is the last SMTP reply code (0 when none). */
typedef void (*email_done_cb)(void *arg, int rc, int smtp_code, const char *error);

struct email_transport {
    /* Takes m; calls done exactly once on the loop thread (maybe before returning). */
    void (*send)(struct email_transport *t, struct email_msg *m, email_done_cb done, void *arg);
};

/*
 * The process-wide libcurl transport whose transfers run on a worker thread and complete on
 * base's loop (created at the first call; later calls return the same one, base must be the
 * same). Thread: loop.
 */
struct email_transport *email_transport_curl(struct event_base *base);

/*
 * Waits for the transport's transfers in flight, runs their completions on the calling thread
 * and releases the worker threads; the next email_transport_curl starts afresh. Call it on the
 * loop thread, outside the loop, before the event base is freed (no-op when never started).
 */
void email_transport_curl_shutdown(void);

/*
 * New e-mail integration. c (borrowed) must outlive it; t gets a reference; tr is borrowed.
 * Caller frees with am_integration_free.
 */
struct am_integration *email_new(const struct am_email_config *c, unsigned index, struct am_tmpl *t,
                                 struct email_transport *tr);

/*
 * Builds the submission for d: the message text (date_ns, msgid_host and boundary fixed by the
 * caller for tests: boundary NULL picks a random one), envelope and connection settings.
 * Returns 0, or ERR_INVALID with e (template error, bad address).
 */
int email_build(const struct am_email_config *c, struct am_tmpl *t, const struct am_notify_data *d,
                int64_t date_ns, const char *boundary, struct email_msg **out, struct err *e);

/* Go's mime/quotedprintable writer output for s (LF or CRLF line ends become CRLF). */
int email_qp_encode(struct buf *out, const char *s, size_t n);

#endif
