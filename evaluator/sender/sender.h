/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sends alerts to notifiers (tocsin-notifier or Alertmanager) with the Alertmanager API v2:
 * POST <target>/api/v2/alerts in batches. Each target has its own bounded queue and at most one
 * request in flight, so a dead or slow target never delays the others (prometheus#7676).
 * Failed batches are retried with backoff; a full queue drops the oldest alerts and counts them
 * (alerts are re-sent on every resend interval anyway).
 */
#ifndef TOCSIN_EVALUATOR_SENDER_SENDER_H
#define TOCSIN_EVALUATOR_SENDER_SENDER_H

#include <stddef.h>
#include <stdint.h>

#include "common/httpc.h"

struct buf;
struct event_base;
struct labels;
struct metrics_registry;
struct sender;

/* One alert in Alertmanager API v2 "postableAlert" terms. Pointers borrowed for the call. */
struct sender_alert {
    const struct labels *labels;
    const struct labels *annotations; /* may be NULL */
    int64_t starts_at_ms;
    int64_t ends_at_ms;
    const char *generator_url; /* may be NULL */
};

struct sender_target_opts {
    const char *url;    /* the alerts endpoint, e.g. http://127.0.0.1:9093/api/v2/alerts */
    int64_t timeout_ms; /* per attempt; 0 = 10 s */
    const char *bearer_token;
    const char *basic_user;
    const char *basic_password;
    struct httpc_tls tls;
};

struct sender_opts {
    size_t queue_capacity; /* alerts per target; 0 = 10000 */
    size_t max_batch;      /* alerts per POST; 0 = 64 (as Prometheus) */
    int max_attempts;      /* per batch; 0 = 3 */
};

/*
 * Creates a sender on base with its own HTTP client. metrics may be NULL. Thread: loop.
 * Caller frees with sender_free (in-flight requests are cancelled).
 */
struct sender *sender_new(struct event_base *base, const struct sender_opts *opts,
                          struct metrics_registry *metrics);
void sender_free(struct sender *s);

/*
 * Replaces the target list (copied). Targets whose URL stays keep their queue. Thread: loop.
 */
void sender_set_targets(struct sender *s, const struct sender_target_opts *targets, size_t n);
size_t sender_target_count(const struct sender *s);

/* Appends one alert as a postableAlert JSON object to out (times as RFC 3339, ms precision). */
void sender_encode_alert(const struct sender_alert *a, struct buf *out);

/*
 * Queues pre-encoded alert objects (each a JSON object from sender_encode_alert; copied) for
 * every target and starts sending. Thread: loop.
 */
void sender_send_json(struct sender *s, const char *const *alerts, size_t n);

/* Alerts queued or in flight for target i (tests, metrics). */
size_t sender_queue_length(const struct sender *s, size_t i);

#endif
